//! The real Prometheus (Debian package `prometheus`) scrapes the team
//! server's `/metrics` every second, and its query API returns our series.
//! Without the binary the test is skipped locally and FAILS under CI=true
//! (.ci/run installs it).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::app::session::{lock, SharedSession};
use cutover_cockpit::app::start;
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::serve::{self, ServeOptions};
use cutover_cockpit::tui::CockpitPort;
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Kills the Prometheus this test started (by its own child handle) on drop.
struct Prom(Child);
impl Drop for Prom {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_cockpit() {
    let Some(bin) = support::external::require("prometheus", &[], "apt-get install -y prometheus")
    else {
        return;
    };
    let loaded = start::load(
        &Path::new(ROOT).join("assets/fixtures/team-runbook.toml"),
        &Path::new(ROOT).join("assets/fixtures/team-config.toml"),
    )
    .unwrap();
    let dir = support::temp_dir("cutover-prom");
    let (session, _) =
        start::open_session(&loaded, &dir.join("cutover.jsonl"), "dana", system_clock()).unwrap();
    let session: SharedSession = Arc::new(Mutex::new(session));
    let opts = ServeOptions::from_config(&loaded.config, Some("127.0.0.1:0")).unwrap();
    let server = serve::start(session.clone(), opts, None).await.unwrap();
    let hold = Action::Hold {
        reason: "scrape test".into(),
    };
    let _ = lock(&session).act(hold);

    // promtool's linter accepts the exposition as it is served
    let text = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut lint = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        lint.stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = lint.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // the shipped alerting rules: promtool accepts them and their unit tests pass
    let grafana = Path::new(ROOT).join("assets/grafana");
    for args in [
        vec!["check", "rules", "cutover-alerts.yml"],
        vec!["test", "rules", "cutover-alerts.test.yml"],
    ] {
        let out = Command::new("promtool")
            .args(&args)
            .current_dir(&grafana)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool {args:?}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // every metric the dashboard queries is one the cockpit serves
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(grafana.join("cutover-dashboard.json")).unwrap(),
    )
    .unwrap();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            for name in metric_names(expr) {
                assert!(
                    text.contains(&format!("# TYPE {name} ")),
                    "dashboard panel {} queries {name}, which /metrics does not serve",
                    panel["title"]
                );
            }
        }
    }

    let yml = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - '{}'\nscrape_configs:\n  - job_name: cutover\n    static_configs:\n      - targets: ['{}']\n",
        grafana.join("cutover-alerts.yml").display(),
        server.addr
    );
    std::fs::write(dir.join("prometheus.yml"), yml).unwrap();
    // Prometheus binds it itself (a child process): the one race left
    let web = format!("127.0.0.1:{}", support::net::port_for_external());
    let child = Command::new(bin)
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address={web}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("prometheus.log")).unwrap())
        .spawn()
        .unwrap();
    let _prom = Prom(child);

    let http = reqwest::Client::new();
    let query = format!("http://{web}/api/v1/query?query=cutover_hold");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(&query).send().await {
            let body: Value =
                serde_json::from_str(&r.text().await.unwrap_or_default()).unwrap_or(Value::Null);
            if let Some(first) = body["data"]["result"].as_array().and_then(|a| a.first()) {
                assert_eq!(first["metric"]["job"], "cutover");
                assert_eq!(first["value"][1], "1", "{body}");
                break;
            }
        }
        if tokio::time::Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();
            panic!("Prometheus never returned cutover_hold; its log:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // gate states arrive as a state set: one series per state
    let q =
        format!("http://{web}/api/v1/query?query=cutover_gate_state%7Bstate%3D%22unknown%22%7D");
    let body: Value =
        serde_json::from_str(&http.get(q).send().await.unwrap().text().await.unwrap()).unwrap();
    let gates = body["data"]["result"].as_array().unwrap();
    assert!(
        gates
            .iter()
            .any(|g| g["metric"]["gate"] == "pilot-checksums"),
        "{body}"
    );
    // the shipped rules, loaded into this Prometheus, fire the hold alert
    let alerts = format!("http://{web}/api/v1/alerts");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let body: Value = match http.get(&alerts).send().await {
            Ok(r) => {
                serde_json::from_str(&r.text().await.unwrap_or_default()).unwrap_or(Value::Null)
            }
            Err(_) => Value::Null,
        };
        let firing = body["data"]["alerts"].as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x["labels"]["alertname"] == "CutoverHold" && x["state"] == "firing")
        });
        if firing {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();
            panic!("CutoverHold never fired: {body}\nPrometheus log:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The `cutover_*` metric names a PromQL expression reads.
fn metric_names(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("cutover_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}
