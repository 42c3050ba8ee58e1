//! End to end: the real `cutover` binary (`status`, `sim`) against the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::sim::{self, Scenario};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cutover");

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cutover-sim-status-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The fixture config pointed at `base` instead of 127.0.0.1:7700.
fn config_for(dir: &Path, base: &str) -> PathBuf {
    let text = std::fs::read_to_string("tests/sim/config.toml").unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text.replace("http://127.0.0.1:7700", base)).unwrap();
    path
}

async fn start(scenario: &str, speed: f64) -> sim::SimHandle {
    let s = Scenario::load(Path::new(&format!("assets/scenarios/{scenario}.toml"))).unwrap();
    sim::start(s, "127.0.0.1:0".parse().unwrap(), speed)
        .await
        .unwrap()
}

async fn status(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(BIN).arg("status").args(args).output().unwrap()
    })
    .await
    .unwrap()
}

async fn status_json(config: &Path) -> (Option<i32>, Value) {
    let out = status(vec![
        "tests/sim/runbook.toml".into(),
        "--config".into(),
        config.display().to_string(),
        "--json".into(),
    ])
    .await;
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), doc)
}

fn value(doc: &Value, metric: &str) -> Value {
    doc["metrics"][metric]["value"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_live_values_from_both_sides() {
    let sim = start("demo", 1.0).await;
    let dir = scratch("live");
    let (code, doc) = status_json(&config_for(&dir, &sim.base_url())).await;
    assert_eq!(code, Some(0));
    for m in [
        "source.pacs.up",
        "target.pacs.up",
        "recon.pacs-pilot.match",
        "target.ehr.prometheus_ok",
    ] {
        assert_eq!(value(&doc, m), 1.0, "{m}: {doc}");
    }
    assert_eq!(value(&doc, "recon.pacs-pilot.source_count"), 1200.0);
    assert_eq!(value(&doc, "target.ehr.adt_queue_delay_s"), 0.5);
    assert_eq!(value(&doc, "target.pacs.replication_lag_s"), 2.0);
    let lat = value(&doc, "target.pacs.latency_ms").as_f64().unwrap();
    assert!(
        (130.0..700.0).contains(&lat),
        "demo target pacs starts near 150 ms, far below 1100: {lat}"
    );
    let cert = &doc["metrics"]["target.pacs.cert_days_left"];
    assert_eq!(cert["value"], Value::Null);
    assert_eq!(cert["reason"], "not https: no certificate");
    assert!(doc["metrics"]["target.pacs.up"]["age_s"].as_f64().unwrap() < 5.0);
    assert!(doc["metrics"]["cutover.elapsed_min"]["value"].is_number());
    for k in ["gates", "signoffs", "thresholds"] {
        assert!(doc[k].is_array(), "{k}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_sees_drift_and_outage_with_reasons() {
    // checksum-drift: pacs-critical drifts at 1m; at speed 240 that is 0.25 s
    let drift = start("checksum-drift", 240.0).await;
    let outage = start("target-outage", 120.0).await; // target.pacs down from 1m (0.5 s)
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let dir = scratch("drift");
    let (_, doc) = status_json(&config_for(&dir, &drift.base_url())).await;
    assert_eq!(value(&doc, "recon.pacs-critical.match"), 0.0, "{doc}");
    assert_eq!(value(&doc, "recon.pacs-critical.mismatched_buckets"), 1.0);
    assert_eq!(value(&doc, "recon.pacs-critical.count_delta"), 0.0);
    assert_eq!(value(&doc, "recon.pacs-pilot.match"), 1.0);
    let dir = scratch("outage");
    let (code, doc) = status_json(&config_for(&dir, &outage.base_url())).await;
    assert_eq!(
        code,
        Some(1),
        "the readiness gate `target.pacs.up == 1` fails: exit 1"
    );
    assert_eq!(value(&doc, "target.pacs.up"), 0.0, "{doc}");
    assert_eq!(value(&doc, "target.pacs.health_ok"), 0.0);
    let ms = &doc["metrics"]["target.pacs.health_ms"];
    assert_eq!(ms["value"], Value::Null);
    assert_eq!(ms["reason"], "status 503");
    assert_eq!(value(&doc, "source.pacs.up"), 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_endpoints_give_reasons_not_values() {
    let dir = scratch("refused");
    // nothing listens on port 9 of loopback (discard): connection refused
    let (code, doc) = status_json(&config_for(&dir, "http://127.0.0.1:9")).await;
    assert_eq!(
        code,
        Some(1),
        "nothing answers, so the readiness gate cannot pass"
    );
    let up = &doc["metrics"]["target.pacs.up"];
    assert_eq!(up["value"], 0.0);
    let lat = &doc["metrics"]["target.pacs.latency_ms"];
    assert_eq!(lat["value"], Value::Null);
    assert_eq!(lat["reason"], "connection refused");
    assert_eq!(
        doc["metrics"]["recon.pacs-pilot.match"]["reason"],
        "source: connection refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_config_or_runbook_is_exit_2_with_position() {
    let dir = scratch("bad");
    let cfg = dir.join("bad.toml");
    std::fs::write(&cfg, "[poll]\ninterval = \"5s\"\nintervall = \"3s\"\n").unwrap();
    let out = status(vec![
        "tests/sim/runbook.toml".into(),
        "--config".into(),
        cfg.display().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:3:1:"), "{err}");
    let out = status(vec![
        "tests/sim/nope.toml".into(),
        "--config".into(),
        cfg.display().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    let out = status(vec![
        "tests/sim/runbook.toml".into(),
        "--config".into(),
        "tests/sim/config.toml".into(),
        "--phase".into(),
        "no-such-phase".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("readiness"));
}

#[test]
fn sim_command_serves_until_interrupted_and_exits_0() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let child = Command::new(BIN)
        .args([
            "sim",
            "assets/scenarios/steady.toml",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut body = String::new();
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            s.write_all(b"GET /target/ris/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            s.read_to_string(&mut body).unwrap();
            break;
        }
    }
    assert!(body.contains(r#"{"status":"ok"}"#), "{body}");
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sim_command_refuses_a_bad_scenario_with_position() {
    let dir = scratch("badscenario");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[scenario]\nname = \"x\"\n\n[[change]]\nat = \"1m\"\nsubject = \"target.pacs\"\nset = { latency = 5 }\n").unwrap();
    let out = Command::new(BIN)
        .args(["sim", path.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:4:1: unknown knob `latency`"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_for_keeps_polling_and_shows_the_latest_values() {
    // demo at speed 100: target pacs latency is above 800 ms from 1.5 s on
    let sim = start("demo", 100.0).await;
    let dir = scratch("for");
    let text = std::fs::read_to_string(config_for(&dir, &sim.base_url())).unwrap();
    let cfg = dir.join("fast.toml");
    std::fs::write(
        &cfg,
        text.replace("interval = \"5s\"", "interval = \"300ms\""),
    )
    .unwrap();
    let out = status(vec![
        "tests/sim/runbook.toml".into(),
        "--config".into(),
        cfg.display().to_string(),
        "--json".into(),
        "--for".into(),
        "2500ms".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lat = value(&doc, "target.pacs.latency_ms").as_f64().unwrap();
    assert!(lat > 800.0, "the last poll saw the raised latency: {lat}");
    assert!(
        doc["metrics"]["target.pacs.latency_ms"]["age_s"]
            .as_f64()
            .unwrap()
            < 2.0
    );
}

/// A runbook naming a metric no probe of the config produces is invalid
/// (exit 2, `FILE:LINE:COL`), not a gate that stays unknown (exit 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_metric_no_probe_produces_is_exit_2_with_its_position() {
    let dir = scratch("noprobe");
    let text = std::fs::read_to_string("tests/sim/runbook.toml").unwrap();
    let first_when = text.find("when = \"").expect("a gate") + "when = \"".len();
    let mut bad = text.clone();
    bad.insert_str(first_when, "target.nosuch.up == 1 and ");
    let path = dir.join("runbook.toml");
    std::fs::write(&path, &bad).unwrap();
    let line = bad[..first_when].lines().count();
    let col = bad[..first_when]
        .rsplit('\n')
        .next()
        .unwrap()
        .chars()
        .count()
        + 1;
    let out = status(vec![
        path.display().to_string(),
        "--config".into(),
        "tests/sim/config.toml".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("runbook.toml:{line}:{col}:")),
        "{err}"
    );
    assert!(err.contains("target.nosuch.up"), "{err}");
}

/// `status --json` lists every derived metric, the slack of every rollback
/// scope included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_every_derived_metric_and_rollback_slack() {
    let dir = scratch("derived");
    let mut text = std::fs::read_to_string("tests/sim/runbook.toml").unwrap();
    text.push_str(
        "\n[[rollback]]\nscope = \"return-read-path\"\ntitle = \"Back to source\"\n  \
         [[rollback.step]]\n  id = \"repoint\"\n  title = \"Repoint viewers\"\n  \
         owner = \"dana\"\n  expected = \"15m\"\n",
    );
    let path = dir.join("runbook.toml");
    std::fs::write(&path, &text).unwrap();
    let out = status(vec![
        path.display().to_string(),
        "--config".into(),
        config_for(&dir, "http://127.0.0.1:9").display().to_string(),
        "--json".into(),
    ])
    .await;
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let rb = cutover_cockpit::core::runbook::load("runbook.toml", &text).unwrap();
    let scopes = rb.rollbacks.iter().map(|r| r.scope.as_str());
    let names = cutover_cockpit::core::derived::names(scopes);
    assert!(names
        .iter()
        .any(|n| n == "rollback.return-read-path.slack_min"));
    for name in names {
        assert!(doc["metrics"][&name]["value"].is_number(), "{name}: {doc}");
    }
    // 1h window, 15m plan, just started: about 45 minutes of slack
    let slack = doc["metrics"]["rollback.return-read-path.slack_min"]["value"]
        .as_f64()
        .unwrap();
    assert!((44.0..=45.0).contains(&slack), "{slack}");
}
