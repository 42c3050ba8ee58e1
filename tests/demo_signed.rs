//! `cutover demo` signs sign-offs with throw-away keys: the first screen
//! says so, the keyboard acting as dr-lee signs the pilot sign-off without
//! any passphrase, and the demo's log verifies with that signature and shows
//! it in the evidence pack. A real process in tmux, its log under a TMPDIR
//! of the test's own.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::journal::read_records;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_cutover");
const WAIT: Duration = Duration::from_secs(40);
const STATEMENT: &str = "pilot studies opened on three viewers";

/// The demo's log under `tmp` (`cutover-demo-<pid>/cutover.jsonl`).
fn demo_log(tmp: &Path) -> Option<PathBuf> {
    std::fs::read_dir(tmp)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("cutover.jsonl"))
        .find(|p| p.exists())
}

#[test]
fn the_demo_signs_sign_offs_with_throw_away_keys_and_says_so() {
    if support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let dir = support::temp_dir("cutover-demo-signed");
    let cmd = format!("TMPDIR={} exec {BIN} demo", dir.path.display());
    let t = Tmux::start("demo-signed", &cmd, 120, 36).unwrap();
    let pane = t
        .wait_for("THROW-AWAY keys", WAIT)
        .unwrap_or_else(|p| panic!("the first screen does not say the keys are throw-away:\n{p}"));
    assert!(!pane.contains("Passphrase"), "{pane}");
    // roster order after dana: sam, priya, dr-lee
    t.keys(&["a"]);
    t.keys(&["a"]);
    t.keys(&["a"]);
    t.wait_for("acting as dr-lee", WAIT)
        .unwrap_or_else(|p| panic!("not acting as dr-lee:\n{p}"));
    t.keys(&["s"]);
    t.wait_for("reviewed", WAIT)
        .unwrap_or_else(|p| panic!("no sign-off form:\n{p}"));
    t.type_text(STATEMENT);
    t.keys(&["Enter"]);
    t.wait_for("(as the named sign-off owner)", WAIT)
        .unwrap_or_else(|p| panic!("the sign-off was not taken:\n{p}"));
    t.keys(&["q"]);
    t.keys(&["y"]);

    // the closed log: dr-lee's sign-off signed (approval) with a pinned throw-away key
    let start = Instant::now();
    let log = loop {
        let closed = demo_log(&dir.path).filter(|l| {
            read_records(l)
                .unwrap_or_default()
                .iter()
                .any(|r| r.kind.as_str() == "close")
        });
        if let Some(l) = closed {
            break l;
        }
        assert!(start.elapsed() < WAIT, "the demo's log never closed");
        std::thread::sleep(Duration::from_millis(200));
    };
    drop(t);
    let records = read_records(&log).unwrap();
    let pinned = &records[0].body["signers"]["dr-lee"]["key"];
    assert!(pinned.as_str().unwrap().starts_with("ed25519:"), "{pinned}");
    let so = records
        .iter()
        .find(|r| r.body["type"] == "signoff")
        .expect("the sign-off is in the log");
    assert_eq!(so.actor, "dr-lee");
    assert_eq!(so.body["signature"]["meaning"], "approval");
    let out = Command::new(BIN).arg("verify").arg(&log).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("signatures: 1 verified (dr-lee 1)"), "{text}");
    let out = Command::new(BIN)
        .arg("report")
        .arg(&log)
        .args(["--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{md}");
    assert!(
        md.contains("signed by Dr. Min Lee (dr-lee), Radiology clinical lead, "),
        "no manifestation of the demo's sign-off in the evidence pack"
    );
}
