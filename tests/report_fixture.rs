//! The fixture log of a whole demo cutover used by the report tests
//! (tests/fixtures/report/demo-cutover.jsonl), and the generator that wrote
//! it once. No patient data: ids, names and values are invented.
//!
//! Regenerate after a log-format change with
//! `cargo test --test report_fixture -- --ignored regenerate`.

use cutover_cockpit::core::time::Ts;
use cutover_cockpit::report::verify::push_chained;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report");
/// 2026-11-28T22:00:00Z, the window start.
const T0: i64 = 1_795_903_200_000;

fn t(min: i64, sec: i64) -> Ts {
    Ts(T0 + min * 60_000 + sec * 1000)
}

/// Builds the log record by record, keeping the gate/threshold states for decision snapshots.
struct Script {
    out: String,
    phase: Option<&'static str>,
    gates: BTreeMap<&'static str, Value>,
    thresholds: BTreeMap<&'static str, Value>,
}

impl Script {
    fn rec(&mut self, ts: Ts, kind: &str, actor: &str, body: Value) {
        let Value::Object(m) = json!({"ts": ts.to_rfc3339(), "kind": kind, "actor": actor,
            "phase": self.phase, "body": body})
        else {
            unreachable!()
        };
        let mut ordered = Map::new();
        for k in ["seq", "ts", "kind", "actor", "phase", "body"] {
            if let Some(v) = m.get(k) {
                ordered.insert(k.into(), v.clone());
            }
        }
        push_chained(&mut self.out, ordered, None);
    }
    fn phase(&mut self, ts: Ts, event: &str, id: &'static str) {
        if event == "entered" {
            self.phase = Some(id);
        }
        self.rec(ts, "phase", "dana", json!({"event": event, "id": id}));
    }
    fn step(&mut self, ts: Ts, actor: &str, event: &str, step: &str, reason: Option<&str>) {
        let mut b = json!({"event": event, "step": step});
        if let Some(r) = reason {
            b["reason"] = r.into();
        }
        self.rec(ts, "step", actor, b);
    }
    fn gate(&mut self, ts: Ts, id: &'static str, to: &str, value: f64, limit: f64) {
        let from = self
            .gates
            .get(id)
            .and_then(|g| g["state"].as_str())
            .unwrap_or("unknown")
            .to_string();
        self.gates.insert(
            id,
            json!({"id": id, "state": to, "value": value, "limit": limit}),
        );
        self.rec(
            ts,
            "gate",
            "cockpit",
            json!({"id": id, "from": from, "to": to, "value": value, "limit": limit}),
        );
    }
    fn threshold(&mut self, ts: Ts, id: &'static str, to: &str, value: f64, limit: f64) {
        let from = self
            .thresholds
            .get(id)
            .and_then(|g| g["state"].as_str())
            .unwrap_or("ok")
            .to_string();
        self.thresholds.insert(
            id,
            json!({"id": id, "state": to, "value": value, "limit": limit}),
        );
        self.rec(
            ts,
            "threshold",
            "cockpit",
            json!({"id": id, "from": from, "to": to, "value": value, "limit": limit}),
        );
    }
    fn decision(&mut self, ts: Ts, actor: &str, mut body: Value) {
        body["snapshot"] = json!({"gates": self.gates.values().collect::<Vec<_>>(),
            "thresholds": self.thresholds.values().collect::<Vec<_>>()});
        self.rec(ts, "decision", actor, body);
    }
}

fn tri(m: f64, a: f64, peak: f64, b: f64) -> f64 {
    if m <= a || m >= b {
        0.0
    } else if m <= peak {
        (m - a) / (peak - a)
    } else {
        (b - m) / (b - peak)
    }
}

/// One observe record per minute: the values the simulator scenario would have produced.
fn samples(min: i64) -> Value {
    let m = min as f64;
    let ts = t(min, 0).0;
    let lat = 300.0 + ((min * 37) % 50) as f64 + 650.0 * tri(m, 118.0, 132.0, 146.0);
    let lag = 5.0 + 185.0 * tri(m, 48.0, 62.0, 76.0);
    let queue = if m < 75.0 {
        45.0 - 33.0 * m / 75.0
    } else {
        10.0 + 28.0 * tri(m, 94.0, 100.0, 106.0)
    };
    let delta = if m < 50.0 {
        1200.0
    } else {
        (1200.0 - 1200.0 * (m - 50.0) / 38.0).max(0.0).round()
    };
    let pilot = if m >= 90.0 { 1.0 } else { 0.0 };
    let critical = if m >= 150.0 { 1.0 } else { 0.0 };
    let s = |name: &str, value: f64| json!({"name": name, "ts": ts, "value": value});
    json!({"samples": [
        s("source.pacs.up", 1.0), s("target.pacs.up", 1.0),
        s("target.pacs.latency_ms", lat.round()), s("target.pacs.replication_lag_s", lag.round()),
        s("source.ris.queue_delay_s", (queue * 10.0).round() / 10.0),
        s("recon.pacs-pilot.match", pilot), s("recon.pacs-pilot.count_delta", delta),
        s("recon.pacs-critical.match", critical),
    ]})
}

fn sha(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Every event of the demo cutover at its minute, observe records interleaved.
fn generate() -> String {
    let runbook =
        std::fs::read_to_string(format!("{DIR}/demo-runbook.toml")).expect("fixture runbook");
    let config =
        std::fs::read_to_string(format!("{DIR}/demo-config.toml")).expect("fixture config");
    let mut s = Script {
        out: String::new(),
        phase: None,
        gates: BTreeMap::new(),
        thresholds: BTreeMap::new(),
    };
    s.rec(t(0, 0), "open", "dana", json!({
        "runbook": {"path": "runbooks/demo-pacs-cutover.toml", "sha256": sha(&runbook), "text": runbook},
        "config": {"path": "config/demo.toml", "sha256": sha(&config), "text": config},
        "operator": "dana", "host": "bridge-laptop-01", "version": "cutover 0.1.0", "hmac": false}));
    for th in ["replication-lag", "retrieval-latency"] {
        s.thresholds.insert(th, json!({"id": th, "state": "ok"}));
    }
    for min in 0..=160 {
        events(&mut s, min);
        s.rec(t(min, 30), "observe", "cockpit", samples(min));
    }
    let head = s
        .out
        .lines()
        .last()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .expect("records were written")["hash"]
        .clone();
    s.rec(t(160, 45), "close", "sam", json!({"head": head}));
    s.out
}

fn events(s: &mut Script, min: i64) {
    match min {
        0 => {
            s.phase(t(0, 1), "entered", "freeze");
            s.step(t(0, 10), "dana", "start", "announce-freeze", None);
            s.gate(t(0, 20), "both-archives-up", "holding", 1.0, 1.0);
        }
        2 => s.gate(t(2, 20), "both-archives-up", "pass", 1.0, 1.0),
        5 => {
            s.step(t(5, 0), "dana", "done", "announce-freeze", None);
            s.step(t(5, 10), "sam", "start", "snapshot-source", None);
        }
        23 => s.step(t(23, 0), "sam", "done", "snapshot-source", None),
        24 => {
            s.decision(t(24, 0), "dana", json!({"type": "go", "rationale": "Index snapshot verified; both archives healthy."}));
            s.phase(t(24, 1), "completed", "freeze");
            s.phase(t(24, 2), "entered", "parallel-run");
            s.gate(t(24, 3), "pilot-checksums", "fail", 0.0, 1.0);
            s.gate(t(24, 4), "ris-queue-drained", "fail", 45.0, 30.0);
        }
        25 => s.step(t(25, 0), "sam", "start", "start-dual-write", None),
        40 => s.decision(t(40, 0), "sam", json!({"type": "hold", "reason": "Dual-write error rate spike on target; checking."})),
        44 => s.decision(t(44, 0), "dana", json!({"type": "resume", "rationale": "Transient: target DNS cache flushed; error rate back to 0."})),
        49 => s.step(t(49, 0), "sam", "done", "start-dual-write", None),
        50 => {
            s.step(t(50, 0), "sam", "start", "backfill-pilot", None);
            s.step(t(50, 5), "mo", "start", "ris-interface-test", None);
        }
        54 => s.threshold(t(54, 0), "replication-lag", "watch", 140.0, 120.0),
        55 => s.step(t(55, 0), "mo", "blocked", "ris-interface-test", Some("ADT test account locked")),
        59 => s.threshold(t(59, 0), "replication-lag", "breached", 172.0, 120.0),
        61 => s.decision(t(61, 0), "dana", json!({"type": "decide", "threshold": "replication-lag", "answer": "hold",
            "rationale": "Lag rising with the backfill; stop the line until it drains."})),
        65 => s.step(t(65, 0), "mo", "start", "ris-interface-test", None),
        72 => {
            s.threshold(t(72, 0), "replication-lag", "ok", 58.0, 120.0);
            s.step(t(72, 30), "mo", "done", "ris-interface-test", None);
        }
        74 => s.decision(t(74, 0), "dana", json!({"type": "resume", "rationale": "Lag back under 60 s and falling."})),
        75 => s.gate(t(75, 0), "ris-queue-drained", "pass", 12.0, 30.0),
        80 => s.decision(t(80, 0), "mo", json!({"type": "issue", "issue": {"id": "ISS-1", "state": "open", "severity": "minor",
            "title": "ADT test account locked during interface test"}, "owner": "mo", "rationale": "Needs a password reset process before go-live."})),
        88 => s.step(t(88, 0), "sam", "done", "backfill-pilot", None),
        90 => s.gate(t(90, 0), "pilot-checksums", "holding", 1.0, 1.0),
        95 => s.decision(t(95, 0), "mo", json!({"type": "issue", "issue": {"id": "ISS-1", "state": "closed", "severity": "minor",
            "title": "ADT test account locked during interface test"}, "owner": "mo", "rationale": "Account reset; runbook note added."})),
        97 => s.gate(t(97, 0), "ris-queue-drained", "fail", 36.0, 30.0),
        100 => s.gate(t(100, 0), "pilot-checksums", "pass", 1.0, 1.0),
        102 => s.decision(t(102, 0), "dr-lee", json!({"type": "signoff", "phase": "parallel-run", "role": "Clinical leadership",
            "rationale": "Pilot studies read normally on the target archive."})),
        103 => {
            s.decision(t(103, 0), "dana", json!({"type": "waive", "gate": "ris-queue-drained", "owner": "mo",
                "reason": "Queue spike is the nightly batch; clinical messages flow.", "expires": t(135, 0).to_rfc3339()}));
            s.gate(t(103, 1), "ris-queue-drained", "waived", 37.0, 30.0);
        }
        105 => {
            s.decision(t(105, 0), "dana", json!({"type": "go", "rationale": "Pilot matches 100%; sign-off given; RIS queue waived."}));
            s.phase(t(105, 1), "completed", "parallel-run");
            s.phase(t(105, 2), "entered", "read-path");
            s.gate(t(105, 3), "critical-checksums", "fail", 0.0, 1.0);
        }
        106 => s.step(t(106, 0), "sam", "start", "repoint-viewers", None),
        110 => s.rec(t(110, 0), "resume", "dana", json!({"reason": "cockpit restarted after the bridge laptop slept; log verified and picked up"})),
        121 => s.step(t(121, 0), "sam", "done", "repoint-viewers", None),
        122 => s.step(t(122, 0), "dr-lee", "start", "smoke-test-viewers", None),
        125 => s.threshold(t(125, 0), "retrieval-latency", "watch", 845.0, 800.0),
        130 => {
            s.decision(t(130, 0), "dana", json!({"type": "waive", "gate": "critical-checksums", "owner": "sam",
                "reason": "Critical batch recon re-running; manual spot check of 50 studies matched.", "expires": t(140, 0).to_rfc3339()}));
            s.gate(t(130, 1), "critical-checksums", "waived", 0.0, 1.0);
        }
        132 => s.rec(t(132, 0), "decision", "sam", json!({"type": "note", "text": "Recon job for pacs-critical restarted after a timeout."})),
        135 => s.threshold(t(135, 0), "retrieval-latency", "breached", 912.0, 800.0),
        137 => s.decision(t(137, 0), "dana", json!({"type": "decide", "threshold": "retrieval-latency", "answer": "continue",
            "rationale": "Cold cache after repoint; p95 falling and radiologists report acceptable read times."})),
        142 => s.step(t(142, 0), "dr-lee", "done", "smoke-test-viewers", None),
        144 => s.threshold(t(144, 0), "retrieval-latency", "ok", 640.0, 800.0),
        150 => {
            s.decision(t(150, 0), "dana", json!({"type": "handover", "to": "sam", "rationale": "Dana off shift; Sam holds command for close-out."}));
        }
        151 => s.gate(t(151, 0), "critical-checksums", "pass", 1.0, 1.0),
        155 => {
            s.decision(t(155, 0), "sam", json!({"type": "go", "rationale": "Read path on target; all exit gates pass. Cutover complete."}));
            s.phase(t(155, 1), "completed", "read-path");
        }
        _ => {}
    }
}

#[test]
#[ignore = "writes the fixture; run once after a log-format change"]
fn regenerate() {
    std::fs::write(format!("{DIR}/demo-cutover.jsonl"), generate()).unwrap();
}

#[test]
fn the_fixture_is_what_the_generator_writes() {
    let on_disk = std::fs::read_to_string(format!("{DIR}/demo-cutover.jsonl")).unwrap();
    assert!(
        on_disk == generate(),
        "fixture drifted from its generator; rerun `regenerate` and review the snapshots"
    );
}
