//! An Orthanc DICOM server of the test's own, with the DICOMweb plugin: own
//! storage dir under a temp dir, own HTTP port on loopback, no DICOM port,
//! killed on drop. Synthetic instances are made through its REST API.

use super::{external, net, temp_dir, TempDir};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PLUGIN: &[&str] = &[
    "/usr/share/orthanc/plugins/libOrthancDicomWeb.so",
    "/usr/lib/orthanc/libOrthancDicomWeb.so",
];

pub struct Orthanc {
    _dir: TempDir,
    child: Child,
    pub port: u16,
}

fn http_ok(port: u16, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    s.read(&mut head).is_ok_and(|n| {
        head[..n].starts_with(b"HTTP/1.1 200") || head[..n].starts_with(b"HTTP/1.0 200")
    })
}

impl Orthanc {
    /// Starts a server named `name`; `None` when Orthanc or its DICOMweb
    /// plugin is not installed (outside CI).
    pub fn start(name: &str) -> Option<Orthanc> {
        let install = "apt-get install -y orthanc orthanc-dicomweb";
        let exe = external::require("Orthanc", &["/usr/sbin/Orthanc"], install)?;
        let Some(plugin) = PLUGIN.iter().find(|p| std::path::Path::new(p).is_file()) else {
            return external::missing(&format!(
                "the Orthanc DICOMweb plugin is not installed ({install})"
            ));
        };
        let dir = temp_dir(&format!("cutover-orthanc-{name}"));
        for _ in 0..3 {
            let port = net::port_for_external();
            let config = serde_json::json!({
                "Name": name,
                "StorageDirectory": dir.join("db"),
                "IndexDirectory": dir.join("db"),
                "HttpPort": port,
                "DicomServerEnabled": false,
                "DicomPort": net::port_for_external(),
                "RemoteAccessAllowed": false,
                "AuthenticationEnabled": false,
                "StorageCompression": false,
                "SaveJobs": false,
                "Plugins": [plugin],
                "DicomWeb": { "Enable": true, "Root": "/dicom-web/" }
            });
            let file = dir.join("config.json");
            std::fs::write(&file, config.to_string()).expect("write orthanc config");
            let mut child = Command::new(&exe)
                .arg(&file)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn Orthanc");
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if http_ok(port, "/system") {
                    return Some(Orthanc {
                        _dir: dir,
                        child,
                        port,
                    });
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("Orthanc did not start");
    }

    /// The DICOMweb root (QIDO-RS base URL).
    pub fn dicomweb(&self) -> String {
        format!("http://127.0.0.1:{}/dicom-web", self.port)
    }

    /// Creates one synthetic instance with these UIDs (`POST /tools/create-dicom`).
    pub fn create_instance(&self, study: &str, series: &str, sop: &str, study_date: &str) {
        use std::io::{Read, Write};
        let body = serde_json::json!({
            "Force": true,
            "Tags": {
                "PatientID": "SYNTHETIC-1",
                "PatientName": "Synthetic^Patient",
                "StudyInstanceUID": study,
                "SeriesInstanceUID": series,
                "SOPInstanceUID": sop,
                "SOPClassUID": "1.2.840.10008.5.1.4.1.1.7",
                "StudyDate": study_date,
                "Modality": "OT"
            }
        })
        .to_string();
        let mut s =
            std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect orthanc");
        let req = format!(
            "POST /tools/create-dicom HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read");
        assert!(
            answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"),
            "create-dicom: {answer}"
        );
    }
}

impl Drop for Orthanc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
