//! Logs written before a body format change keep verifying, replaying and
//! reporting. `demo-cutover-before-paths.jsonl` is the demo fixture as it
//! was written before the `open` record carried the runbook and config
//! paths (and with one probe report per `observe` record, from before
//! batching); `demo-cutover.jsonl` is the same cutover in today's format.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::core::cockpit::Cockpit;
use cutover_cockpit::core::records::{self, OpenBody};
use cutover_cockpit::core::runbook;
use cutover_cockpit::journal::{verify_file, Record};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report")
        .join(name)
}

const OLD: &str = "demo-cutover-before-paths.jsonl";
const NEW: &str = "demo-cutover.jsonl";

/// The records of an intact log (panics on damage).
fn records(name: &str) -> Vec<Record> {
    let out = verify_file(&fixture(name), None, None).unwrap();
    assert!(out.damage.is_none(), "{name}: {:?}", out.damage);
    out.records
}

/// Rebuilds the cockpit from a log alone (runbook from its `open` record).
fn replayed(records: &[Record]) -> Cockpit {
    let open: OpenBody = records::read(&records[0].body).expect("an open body");
    let rb = runbook::load("open record", &open.runbook).expect("the logged runbook loads");
    Cockpit::replay(rb, records.iter().map(|r| (r.ts(), r.entry())))
}

#[test]
fn the_old_log_verifies_and_rebuilds_the_same_state_as_todays() {
    let (old, new) = (records(OLD), records(NEW));
    assert_eq!(old.len(), new.len());
    let (a, b) = (replayed(&old), replayed(&new));
    assert_eq!(a.durable_state(), b.durable_state());
    // every kind of body was applied: samples (one-report observe bodies),
    // the handover, the issue, the waiver, the steps
    let s = a.durable_state();
    assert_eq!(s["commander"], "sam", "{s}");
    assert!(s["store"].as_array().is_some_and(|v| !v.is_empty()), "{s}");
    assert!(
        s["endpoints"].as_object().is_some_and(|m| m.len() >= 3),
        "{s}"
    );
    assert!(s["issues"].to_string().contains("ISS-1"), "{s}");
    assert!(
        s["waivers"].to_string().contains("ris-queue-drained"),
        "{s}"
    );
    assert!(s["steps"].to_string().contains(r#""state":"done""#), "{s}");
}

#[test]
fn the_open_record_of_the_old_log_reads_without_paths() {
    let old: OpenBody = records::read(&records(OLD)[0].body).unwrap();
    let new: OpenBody = records::read(&records(NEW)[0].body).unwrap();
    assert_eq!((old.runbook_path, old.config_path), (None, None));
    assert_eq!(
        (new.runbook_path.as_deref(), new.config_path.as_deref()),
        (
            Some("runbooks/pacs-cutover.toml"),
            Some("config/pacs-demo.toml")
        )
    );
    assert_eq!(old.runbook_sha256, new.runbook_sha256);
}

fn report_md(name: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .arg("report")
        .arg(fixture(name))
        .args(["--format", "md"])
        .env_remove("CUTOVER_LOG_KEY")
        .output()
        .expect("run cutover");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn the_old_log_reports_like_todays_but_without_file_rows() {
    let (old, new) = (report_md(OLD), report_md(NEW));
    assert!(old.contains("| Runbook file | – |"), "{old}");
    assert!(old.contains("| Config file | – |"), "{old}");
    assert!(new.contains("| Runbook file | `runbooks/pacs-cutover.toml` |"));
    assert!(new.contains("| Config file | `config/pacs-demo.toml` |"));
    // every other line is the same, hashes aside (the chain differs from record 0 on)
    let rest = |md: &str| -> Vec<String> {
        md.lines()
            .filter(|l| {
                !l.contains(" file | ") && !l.contains("ead hash") && !l.contains("SEQ:HASH")
            })
            .filter(|l| !l.contains("close` record states it"))
            .map(String::from)
            .collect()
    };
    assert_eq!(rest(&old), rest(&new));
    assert!(old.lines().count() > 100, "a full report");
}
