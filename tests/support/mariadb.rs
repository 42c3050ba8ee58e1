//! A MariaDB server of the test's own: a data dir installed into a temp dir,
//! started on a loopback port without grant tables (any user, no password),
//! killed on drop.

use super::{external, net, temp_dir, TempDir};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct MariaDb {
    dir: TempDir,
    child: Child,
    pub port: u16,
}

impl MariaDb {
    /// Starts a server; `None` when MariaDB is not installed (outside CI).
    pub fn start() -> Option<MariaDb> {
        let install = "apt-get install -y mariadb-server";
        let server = external::require("mariadbd", &["/usr/sbin/mariadbd"], install)?;
        let installer = external::require(
            "mariadb-install-db",
            &["/usr/bin/mariadb-install-db"],
            install,
        )?;
        let dir = temp_dir("cutover-mariadb");
        let data = dir.join("data");
        let out = Command::new(installer)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--user=root",
            ])
            .output()
            .expect("mariadb-install-db");
        assert!(
            out.status.success(),
            "mariadb-install-db: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for _ in 0..3 {
            let port = net::port_for_external();
            let log = std::fs::File::create(dir.join("server.log"))
                .map(Stdio::from)
                .unwrap_or(Stdio::null());
            let mut child = Command::new(&server)
                .arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()))
                .arg(format!("--port={port}"))
                .arg(format!("--socket={}", dir.join("sock").display()))
                .arg(format!("--pid-file={}", dir.join("pid").display()))
                .args([
                    "--bind-address=127.0.0.1",
                    "--user=root",
                    "--skip-grant-tables",
                    "--skip-log-bin",
                    "--innodb-buffer-pool-size=32M",
                    "--innodb-flush-log-at-trx-commit=0",
                ])
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("spawn mariadbd");
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // exited (port taken?): try another port
                }
                if ping(port) {
                    return Some(MariaDb { dir, child, port });
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("mariadbd did not start");
    }

    fn client(&self, db: Option<&str>) -> Command {
        let mut c = Command::new("mariadb");
        c.args([
            "-h",
            "127.0.0.1",
            "-P",
            &self.port.to_string(),
            "-u",
            "root",
            "--batch",
        ]);
        if let Some(db) = db {
            c.arg(db);
        }
        c
    }

    /// A connection URL for database `db`.
    pub fn url(&self, db: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{db}", self.port)
    }

    /// Runs SQL with the mariadb client in UTC (panics with the error).
    pub fn sql(&self, db: &str, sql: &str) {
        let file = self.dir.join("load.sql");
        std::fs::write(&file, format!("SET time_zone = '+00:00';\n{sql}")).expect("write sql");
        let out = self
            .client(Some(db))
            .stdin(std::fs::File::open(&file).expect("open sql"))
            .output()
            .expect("mariadb client");
        assert!(
            out.status.success(),
            "mariadb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn create_db(&self, db: &str) {
        let out = self
            .client(None)
            .args([
                "-e",
                &format!("CREATE DATABASE `{db}` CHARACTER SET utf8mb4"),
            ])
            .output()
            .expect("mariadb client");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn ping(port: u16) -> bool {
    Command::new("mariadb")
        .args([
            "-h",
            "127.0.0.1",
            "-P",
            &port.to_string(),
            "-u",
            "root",
            "-e",
            "SELECT 1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
