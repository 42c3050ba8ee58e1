//! `cutover run` refusals through the real binary (they happen before the
//! terminal is touched, so no TTY is needed).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::app::start;
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::tui::CockpitPort;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn run(runbook: &Path, config: &Path, log: &Path, owner: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover"))
        .arg("run")
        .arg(runbook)
        .arg("--config")
        .arg(config)
        .arg("--log")
        .arg(log)
        .args(["--as", owner])
        .env_remove("CUTOVER_LOG_KEY")
        .output()
        .expect("run cutover")
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cutover-runcli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn root(p: &str) -> PathBuf {
    Path::new(ROOT).join(p)
}

#[test]
fn an_invalid_runbook_prints_its_diagnostics_and_exits_2() {
    let d = dir("invalid");
    let out = run(
        &root("tests/runbooks/invalid/toml-syntax.toml"),
        &root("config/demo.toml"),
        &d.join("cutover.jsonl"),
        "dana",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("toml-syntax.toml:"),
        "names FILE:LINE:COL: {err}"
    );
    assert!(!d.join("cutover.jsonl").exists());
}

#[test]
fn an_owner_not_on_the_roster_exits_2() {
    let d = dir("roster");
    let out = run(
        &root("runbooks/demo-pacs-cutover.toml"),
        &root("config/demo.toml"),
        &d.join("cutover.jsonl"),
        "nobody",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not on the runbook's roster"));
}

#[test]
fn a_damaged_log_is_refused_with_exit_1_naming_the_line() {
    let d = dir("damaged");
    let log = d.join("cutover.jsonl");
    let runbook = root("runbooks/demo-pacs-cutover.toml");
    let config = root("config/demo.toml");
    let loaded = start::load(&runbook, &config).unwrap();
    let (mut s, _) = start::open_session(&loaded, &log, "dana", system_clock()).unwrap();
    s.act(Action::Note {
        text: "first note".into(),
    });
    drop(s);
    // rewrite history: change the text of the note
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("first note"));
    std::fs::write(&log, text.replace("first note", "other note")).unwrap();
    let out = run(&runbook, &config, &log, "dana");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cutover.jsonl:"),
        "names the log and line: {err}"
    );
    assert!(!std::fs::read_to_string(&log)
        .unwrap()
        .contains("\"resume\""));
}

#[test]
fn replay_refuses_a_damaged_log_without_force_and_an_unreadable_one_with_2() {
    let d = dir("replay");
    let log = d.join("cutover.jsonl");
    let loaded = start::load(
        &root("runbooks/demo-pacs-cutover.toml"),
        &root("config/demo.toml"),
    )
    .unwrap();
    let (mut s, _) = start::open_session(&loaded, &log, "dana", system_clock()).unwrap();
    s.act(Action::Note {
        text: "first note".into(),
    });
    drop(s);
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replace("first note", "other note")).unwrap();
    let bin = env!("CARGO_BIN_EXE_cutover");
    let out = Command::new(bin).arg("replay").arg(&log).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--force") && err.contains("edited"), "{err}");
    let out = Command::new(bin)
        .arg("replay")
        .arg(d.join("absent.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
