//! Helpers shared by the journal and verify tests: temp dirs and sample logs.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // test helpers may unwrap (team rule)

use cutover_cockpit::core::entry::{Entry, EntryKind};
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::{open_body, Journal};
use serde_json::json;
use std::path::{Path, PathBuf};

/// 2026-11-28T22:00:00Z
pub const T0: Ts = Ts(1_795_903_200_000);

pub const RUNBOOK: &str = "[runbook]\nname = \"PACS archive cutover\"\nversion = \"t1\"\n";
pub const CONFIG: &str =
    "[poll]\ninterval = \"5s\"\n\n[[webhook]]\nurl = \"https://hooks.example.org/SECRET-PATH\"\n";

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let p = std::env::temp_dir().join(format!("cutover-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn join(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn open_entry() -> Entry {
    Entry {
        kind: EntryKind::Open,
        actor: "dana".into(),
        phase: None,
        body: open_body(RUNBOOK, CONFIG, "dana", "test-host"),
    }
}

pub fn decision(actor: &str, what: &str, rationale: &str) -> Entry {
    Entry {
        kind: EntryKind::Decision,
        actor: actor.into(),
        phase: Some("parallel-run".into()),
        body: json!({"decision": what, "rationale": rationale, "gates": [{"id": "pilot-checksums", "state": "pass"}]}),
    }
}

pub fn observe(metric: &str, value: f64) -> Entry {
    Entry {
        kind: EntryKind::Observe,
        actor: "probe".into(),
        phase: Some("parallel-run".into()),
        body: json!({"samples": {metric: value}}),
    }
}

/// A log of 12 records: open, 3 decisions (dana 2, sam 1), observations, close.
pub fn sample_log(path: &Path, key: Option<&[u8]>) {
    let mut j = Journal::create(path, open_entry(), T0, key.map(<[u8]>::to_vec)).unwrap();
    let mut t = T0;
    let mut tick = |d: i64| {
        t = Ts(t.0 + d);
        t
    };
    for i in 0..3 {
        j.append(
            observe("target.pacs.latency_ms", 300.0 + f64::from(i)),
            tick(5000),
        )
        .unwrap();
    }
    j.append_durable(
        decision("dana", "hold", "checksum drift on pilot batch"),
        tick(1000),
    )
    .unwrap();
    j.append(observe("recon.pacs-pilot.match", 1.0), tick(5000))
        .unwrap();
    j.append_durable(
        decision("dana", "resume", "drift explained: late batch"),
        tick(1000),
    )
    .unwrap();
    for i in 0..3 {
        j.append(
            observe("target.pacs.latency_ms", 310.0 + f64::from(i)),
            tick(5000),
        )
        .unwrap();
    }
    j.append_durable(
        decision(
            "sam",
            "note",
            "viewer cache \u{1b}[2J warmed \u{202e}txt.exe",
        ),
        tick(1000),
    )
    .unwrap();
    let close = Entry {
        kind: EntryKind::Close,
        actor: "dana".into(),
        phase: None,
        body: json!({}),
    };
    j.append_durable(close, tick(1000)).unwrap();
}

/// The log's lines (without newlines).
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

pub fn write_lines(path: &Path, lines: &[String]) {
    let mut s = lines.join("\n");
    s.push('\n');
    std::fs::write(path, s).unwrap();
}

/// Runs `cutover verify LOG [extra]` with an optional key; returns (code, stdout, stderr).
pub fn cutover_verify(log: &Path, extra: &[&str], key: Option<&str>) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.arg("verify").arg(log).args(extra);
    match key {
        Some(k) => cmd.env("CUTOVER_LOG_KEY", k),
        None => cmd.env_remove("CUTOVER_LOG_KEY"),
    };
    cmd.env_remove("RUST_BACKTRACE");
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
