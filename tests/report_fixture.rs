//! The fixture log of a whole demo cutover used by the report tests
//! (tests/fixtures/report/demo-cutover.jsonl), and the generator that wrote
//! it once. No patient data: ids, names and values are invented.
//!
//! Regenerate after a log-format change with
//! `cargo test --test report_fixture -- --ignored regenerate`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::core::time::Ts;
use cutover_cockpit::report::verify::push_chained;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report");
/// 2026-11-28T22:00:00Z, the window start.
const T0: i64 = 1_795_903_200_000;

fn t(min: i64, sec: i64) -> Ts {
    Ts(T0 + min * 60_000 + sec * 1000)
}

/// Builds the log record by record, keeping gate/threshold/sign-off states for decision snapshots.
struct Script {
    out: String,
    phase: Option<&'static str>,
    /// gate id -> (its phase, evaluated state, value, limit)
    gates: BTreeMap<&'static str, (&'static str, &'static str, f64, f64)>,
    waived: Vec<&'static str>,
    /// threshold id -> (state, value, limit)
    thresholds: BTreeMap<&'static str, (&'static str, Option<f64>, Option<f64>)>,
    signed: bool,
}

fn gate_phase(id: &str) -> &'static str {
    match id {
        "both-archives-up" => "freeze",
        "pilot-checksums" | "ris-queue-drained" => "parallel-run",
        _ => "read-path",
    }
}

fn for_ms(id: &str) -> Value {
    match id {
        "both-archives-up" => json!(120_000),
        "pilot-checksums" | "retrieval-latency" => json!(600_000),
        "replication-lag" => json!(300_000),
        _ => Value::Null,
    }
}

impl Script {
    fn rec(&mut self, ts: Ts, kind: &str, actor: &str, body: Value) {
        let Value::Object(m) = json!({"ts": ts.to_rfc3339(), "kind": kind, "actor": actor,
            "phase": self.phase, "body": body})
        else {
            unreachable!()
        };
        push_chained(&mut self.out, m, None);
    }
    fn phase(&mut self, ts: Ts, actor: &str, event: &str, id: &'static str) {
        if event == "entered" {
            self.phase = Some(id);
        }
        self.rec(
            ts,
            "phase",
            actor,
            json!({"type": event, "phase": id, "reentry": false}),
        );
    }
    fn step(&mut self, ts: Ts, actor: &str, event: &str, step: &str, reason: Option<&str>) {
        let b = json!({"type": event, "step": step, "phase": self.phase, "rollback": null, "reason": reason});
        self.rec(ts, "step", actor, b);
    }
    fn gate(&mut self, ts: Ts, id: &'static str, to: &'static str, value: f64, limit: f64) {
        let from = self.gates.get(id).map_or("unknown", |g| g.1);
        // while waived, evaluated changes are still recorded as they are
        let b = json!({"id": id, "phase": gate_phase(id), "from": from, "to": to, "value": value,
            "limit": limit, "timer_ms": 0, "for_ms": for_ms(id), "reason": null});
        self.gates.insert(id, (gate_phase(id), to, value, limit));
        self.rec(ts, "gate", "cockpit", b);
    }
    fn expire_waiver(&mut self, ts: Ts, id: &'static str) {
        let (_, state, value, limit) = self.gates[id];
        self.waived.retain(|w| *w != id);
        self.rec(ts, "gate", "cockpit", json!({"id": id, "phase": gate_phase(id), "from": "waived", "to": state,
            "value": value, "limit": limit, "timer_ms": 0, "for_ms": for_ms(id), "reason": null, "waiver_expired": true}));
    }
    fn checkpoint(&mut self, ts: Ts, kind: &str, id: &'static str, state: &str, timer_ms: i64) {
        let b = json!({"id": id, "from": state, "to": state, "value": null, "limit": null,
            "timer_ms": timer_ms, "for_ms": for_ms(id), "reason": null, "checkpoint": true});
        self.rec(ts, kind, "cockpit", b);
    }
    fn threshold(
        &mut self,
        ts: Ts,
        id: &'static str,
        to: &'static str,
        value: Option<f64>,
        limit: Option<f64>,
        recommend: Option<Value>,
    ) {
        let from = self.thresholds.get(id).map_or("ok", |t| t.0);
        self.thresholds.insert(id, (to, value, limit));
        let mut b = json!({"id": id, "from": from, "to": to, "value": value, "limit": limit,
            "timer_ms": 0, "for_ms": for_ms(id), "reason": null});
        if let Some(r) = recommend {
            b["recommendation"] = r;
        }
        self.rec(ts, "threshold", "cockpit", b);
    }
    fn snapshot(&self) -> Value {
        let gates: Vec<Value> = self.gates.iter().map(|(id, (phase, state, v, l))| {
            let shown = if self.waived.contains(id) { "waived" } else { state };
            json!({"id": id, "phase": phase, "kind": "exit", "state": shown, "value": v, "limit": l, "timer_ms": 0})
        }).collect();
        let thresholds: Vec<Value> = self.thresholds.iter().map(|(id, (state, v, l))| {
            json!({"id": id, "state": state, "value": v, "limit": l, "timer_ms": 0})
        }).collect();
        let signoffs = json!([{"phase": "parallel-run", "role": "Clinical leadership", "owner": "dr-lee",
            "state": if self.signed { "pass" } else { "awaiting" }}]);
        json!({"gates": gates, "signoffs": signoffs, "thresholds": thresholds})
    }
    fn decision(&mut self, ts: Ts, actor: &str, kind: &str, rationale: &str, fields: Value) {
        let mut body = json!({"type": kind, "rationale": rationale});
        if let (Some(b), Value::Object(f)) = (body.as_object_mut(), fields) {
            b.extend(f);
        }
        body["snapshot"] = self.snapshot();
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

/// The observe records of one minute, one per probe: the values the simulator scenario would have produced.
fn observe(s: &mut Script, min: i64) {
    let m = min as f64;
    let at = t(min, 30);
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
    let reports = [
        (
            "source.pacs.health",
            json!({"source.pacs.up": 1.0, "source.pacs.health_ok": 1.0, "source.pacs.health_ms": 12.0}),
        ),
        (
            "target.pacs.health",
            json!({"target.pacs.up": 1.0, "target.pacs.health_ok": 1.0, "target.pacs.health_ms": 15.0}),
        ),
        (
            "target.pacs.latency",
            json!({"target.pacs.latency_ms": lat.round(), "target.pacs.latency_ok": 1.0,
            "target.pacs.replication_lag_s": lag.round()}),
        ),
        (
            "source.ris.prometheus",
            json!({"source.ris.queue_delay_s": (queue * 10.0).round() / 10.0, "source.ris.prometheus_ok": 1.0}),
        ),
        (
            "recon.pacs-pilot.checksum",
            json!({"recon.pacs-pilot.match": pilot, "recon.pacs-pilot.count_delta": 0.0 - delta,
            "recon.pacs-pilot.source_count": 1200.0, "recon.pacs-pilot.target_count": 1200.0 - delta, "recon.pacs-pilot.checksum_ok": 1.0}),
        ),
        (
            "recon.pacs-critical.checksum",
            json!({"recon.pacs-critical.match": critical, "recon.pacs-critical.count_delta": 0.0,
            "recon.pacs-critical.mismatched_buckets": if critical == 1.0 { 0.0 } else { 2.0 }, "recon.pacs-critical.checksum_ok": 1.0}),
        ),
    ];
    for (probe, samples) in reports {
        s.rec(at, "observe", "cockpit", json!({"probe": probe, "ok": true, "reason": null, "at": at.to_rfc3339(), "samples": samples}));
    }
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
        waived: Vec::new(),
        thresholds: BTreeMap::new(),
        signed: false,
    };
    s.rec(t(0, 0), "open", "dana", json!({
        "runbook": runbook, "runbook_sha256": sha(&runbook), "runbook_path": "runbooks/pacs-cutover.toml",
        "config": config, "config_sha256": sha(&config), "config_path": "config/pacs-demo.toml",
        "config_note": null, "operator": "dana", "host": "bridge-laptop-01", "version": "cutover 0.1.0",
        "log_format": 1, "chain": "sha256"}));
    for th in ["replication-lag", "retrieval-latency"] {
        s.thresholds.insert(th, ("ok", None, None));
    }
    for min in 0..=160 {
        events(&mut s, min);
        observe(&mut s, min);
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
            s.phase(t(0, 1), "dana", "entered", "freeze");
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
            s.decision(t(24, 0), "dana", "go", "Index snapshot verified; both archives healthy.", json!({"from": "freeze", "to": "parallel-run"}));
            s.phase(t(24, 0), "dana", "completed", "freeze");
            s.phase(t(24, 0), "dana", "entered", "parallel-run");
            s.gate(t(24, 5), "pilot-checksums", "fail", 0.0, 1.0);
            s.gate(t(24, 5), "ris-queue-drained", "fail", 45.0, 30.0);
        }
        25 => s.step(t(25, 0), "sam", "start", "start-dual-write", None),
        40 => s.decision(t(40, 0), "sam", "hold", "Dual-write error rate spike on target; checking.", json!({})),
        44 => s.decision(t(44, 0), "dana", "resume", "Transient: target DNS cache flushed; error rate back to 0.", json!({})),
        49 => s.step(t(49, 0), "sam", "done", "start-dual-write", None),
        50 => {
            s.step(t(50, 0), "sam", "start", "backfill-pilot", None);
            s.step(t(50, 5), "mo", "start", "ris-interface-test", None);
        }
        54 => s.threshold(t(54, 0), "replication-lag", "watch", Some(140.0), Some(120.0), None),
        55 => {
            s.step(t(55, 0), "mo", "blocked", "ris-interface-test", Some("ADT test account locked"));
            s.checkpoint(t(55, 0), "threshold", "replication-lag", "watch", 60_000);
        }
        59 => s.threshold(t(59, 0), "replication-lag", "breached", Some(172.0), Some(120.0),
            Some(json!({"kind": "hold", "scope": null, "message": "replication-lag breached: stop the line?"}))),
        61 => s.decision(t(61, 0), "dana", "decide", "Lag rising with the backfill; stop the line until it drains.",
            json!({"threshold": "replication-lag", "answer": "hold"})),
        65 => s.step(t(65, 0), "mo", "start", "ris-interface-test", None),
        72 => {
            s.threshold(t(72, 0), "replication-lag", "ok", Some(58.0), Some(120.0), None);
            s.step(t(72, 30), "mo", "done", "ris-interface-test", None);
        }
        74 => s.decision(t(74, 0), "dana", "resume", "Lag back under 60 s and falling.", json!({})),
        75 => s.gate(t(75, 0), "ris-queue-drained", "pass", 12.0, 30.0),
        80 => s.decision(t(80, 0), "mo", "issue", "ADT test account locked during interface test",
            json!({"op": "open", "id": "ISS-1", "severity": "minor", "title": "ADT test account locked during interface test", "owner": "mo"})),
        88 => s.step(t(88, 0), "sam", "done", "backfill-pilot", None),
        90 => s.gate(t(90, 0), "pilot-checksums", "holding", 1.0, 1.0),
        91 => s.checkpoint(t(91, 0), "gate", "pilot-checksums", "holding", 60_000),
        95 => s.decision(t(95, 0), "mo", "issue", "Account reset; runbook note added.", json!({"op": "close", "id": "ISS-1"})),
        97 => s.gate(t(97, 0), "ris-queue-drained", "fail", 36.0, 30.0),
        100 => s.gate(t(100, 0), "pilot-checksums", "pass", 1.0, 1.0),
        102 => {
            s.decision(t(102, 0), "dr-lee", "signoff", "", json!({"phase": "parallel-run", "role": "Clinical leadership"}));
            s.signed = true;
        }
        103 => {
            let why = "Queue spike is the nightly batch; clinical messages flow.";
            s.decision(t(103, 0), "dana", "waive", why, json!({"gate": "ris-queue-drained", "owner": "mo", "reason": why, "expires": t(135, 0).to_rfc3339()}));
            s.waived.push("ris-queue-drained");
        }
        105 => {
            s.decision(t(105, 0), "dana", "go", "Pilot matches 100%; sign-off given; RIS queue waived.", json!({"from": "parallel-run", "to": "read-path"}));
            s.phase(t(105, 0), "dana", "completed", "parallel-run");
            s.phase(t(105, 0), "dana", "entered", "read-path");
            s.gate(t(105, 5), "critical-checksums", "fail", 0.0, 1.0);
        }
        106 => s.step(t(106, 0), "sam", "start", "repoint-viewers", None),
        107 => s.gate(t(107, 0), "ris-queue-drained", "pass", 10.0, 30.0),
        110 => s.rec(t(110, 0), "resume", "dana", json!({"operator": "dana", "host": "bridge-laptop-01", "version": "cutover 0.1.0",
            "torn": {"offset": 301_544, "bytes": 187, "moved_to": "cutover.jsonl.torn"}})),
        121 => s.step(t(121, 0), "sam", "done", "repoint-viewers", None),
        122 => s.step(t(122, 0), "dr-lee", "start", "smoke-test-viewers", None),
        125 => s.threshold(t(125, 0), "retrieval-latency", "watch", Some(845.0), Some(800.0), None),
        130 => {
            let why = "Critical batch recon re-running; manual spot check of 50 studies matched.";
            s.decision(t(130, 0), "dana", "waive", why, json!({"gate": "critical-checksums", "owner": "sam", "reason": why, "expires": t(140, 0).to_rfc3339()}));
            s.waived.push("critical-checksums");
        }
        132 => s.decision(t(132, 0), "sam", "note", "Recon job for pacs-critical restarted after a timeout.", json!({})),
        135 => {
            s.threshold(t(135, 0), "retrieval-latency", "breached", Some(912.0), Some(800.0),
                Some(json!({"kind": "rollback", "scope": "return-read-path", "message": "retrieval-latency breached: roll back return-read-path?"})));
            s.expire_waiver(t(135, 0), "ris-queue-drained");
        }
        137 => s.decision(t(137, 0), "dana", "decide", "Cold cache after repoint; p95 falling and radiologists report acceptable read times.",
            json!({"threshold": "retrieval-latency", "answer": "continue"})),
        140 => s.expire_waiver(t(140, 0), "critical-checksums"),
        142 => s.step(t(142, 0), "dr-lee", "done", "smoke-test-viewers", None),
        144 => s.threshold(t(144, 0), "retrieval-latency", "ok", Some(640.0), Some(800.0), None),
        150 => s.decision(t(150, 0), "dana", "handover", "Dana off shift; Sam holds command for close-out.", json!({"from": "dana", "to": "sam"})),
        151 => s.gate(t(151, 0), "critical-checksums", "pass", 1.0, 1.0),
        155 => {
            s.decision(t(155, 0), "sam", "go", "Read path on target; all exit gates pass. Cutover complete.", json!({"from": "read-path", "to": null}));
            s.phase(t(155, 0), "sam", "completed", "read-path");
            s.threshold(t(155, 1), "replication-lag", "inactive", None, None, None);
            s.threshold(t(155, 1), "retrieval-latency", "inactive", None, None, None);
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
