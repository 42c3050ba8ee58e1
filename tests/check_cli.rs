//! End to end: `cutover check` on every fixture under tests/runbooks/, the
//! real runbooks, and the command's exit codes. Each fixture's full output is
//! an insta snapshot; each invalid fixture also names (in its second line,
//! `# expect: LINE:COL`) where its first error must be.
//!
//! Naming: `config-*.toml` is a config (checked with valid/minimal.toml);
//! `*-cfg.toml` is a runbook checked with `--config tests/runbooks/fixture-config.toml`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURE_CONFIG: &str = "tests/runbooks/fixture-config.toml";
const MINIMAL: &str = "tests/runbooks/valid/minimal.toml";

/// Runs `cutover ARGS` in the crate root; returns (exit code, stdout, stderr).
fn cutover(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The fixture files of one directory, relative to the crate root, sorted.
fn fixtures(dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<String> = std::fs::read_dir(root.join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p: PathBuf| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    out.sort();
    out
}

/// The `check` arguments for a fixture, by its naming convention.
fn args_for(fixture: &str) -> Vec<String> {
    let name = Path::new(fixture).file_name().unwrap().to_string_lossy();
    if name.starts_with("config-") {
        vec![
            "check".into(),
            MINIMAL.into(),
            "--config".into(),
            fixture.into(),
        ]
    } else if name.ends_with("-cfg.toml") {
        vec![
            "check".into(),
            fixture.into(),
            "--config".into(),
            FIXTURE_CONFIG.into(),
        ]
    } else {
        vec!["check".into(), fixture.into()]
    }
}

fn run_fixture(fixture: &str) -> (i32, String) {
    let args = args_for(fixture);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = cutover(&args);
    assert!(stderr.is_empty(), "{fixture}: unexpected stderr: {stderr}");
    (code, stdout)
}

fn snapshot_name(fixture: &str) -> String {
    fixture
        .trim_start_matches("tests/runbooks/")
        .trim_end_matches(".toml")
        .replace('/', "__")
}

#[test]
fn every_invalid_fixture_exits_1_with_its_error_at_the_expected_position() {
    let all = fixtures("tests/runbooks/invalid");
    assert!(all.len() >= 30, "only {} invalid fixtures", all.len());
    for fixture in all {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&fixture)).unwrap();
        let expect = text
            .lines()
            .nth(1)
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{fixture}: second line must be `# expect: LINE:COL`"));
        let (code, out) = run_fixture(&fixture);
        assert_eq!(code, 1, "{fixture} should be invalid:\n{out}");
        let first_error = out
            .lines()
            .find(|l| l.contains(": error: "))
            .unwrap_or_else(|| panic!("{fixture}: no error line in\n{out}"));
        assert!(
            first_error.starts_with(&format!("{fixture}:{expect}: error: ")),
            "{fixture}: expected the first error at {expect}, got `{first_error}`"
        );
        insta::assert_snapshot!(snapshot_name(&fixture), out);
    }
}

#[test]
fn every_valid_fixture_exits_0() {
    let all = fixtures("tests/runbooks/valid");
    assert!(all.len() >= 5);
    for fixture in all {
        let (code, out) = run_fixture(&fixture);
        assert_eq!(code, 0, "{fixture} should be valid:\n{out}");
        assert!(!out.contains(": error: "), "{fixture}:\n{out}");
        insta::assert_snapshot!(snapshot_name(&fixture), out);
    }
}

#[test]
fn ten_distinct_mistakes_are_all_reported_in_one_run() {
    let (code, out) = run_fixture("tests/runbooks/invalid/ten-mistakes.toml");
    assert_eq!(code, 1);
    let errors: Vec<&str> = out.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 10, "{out}");
    let lines: Vec<u32> = errors
        .iter()
        .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "errors are sorted by position");
    assert!(out.ends_with("10 errors, 0 warnings in tests/runbooks/invalid/ten-mistakes.toml\n"));
}

#[test]
fn the_shipped_runbooks_are_valid_against_the_demo_config() {
    let (code, out, _) = cutover(&[
        "check",
        "runbooks/demo-pacs-cutover.toml",
        "runbooks/ehr-wave-cutover.toml",
        "--config",
        "config/demo.toml",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains(": error: ") && !out.contains(": warning: "),
        "{out}"
    );
    let (code, out, _) = cutover(&[
        "check",
        "runbooks/ehr-wave-cutover.toml",
        "--config",
        "config/ehr.toml",
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn the_demo_runbook_does_not_fit_the_ehr_config() {
    let (code, out, _) = cutover(&[
        "check",
        "runbooks/demo-pacs-cutover.toml",
        "--config",
        "config/ehr.toml",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("no probe in config/ehr.toml produces `target.pacs.latency_ms`"));
}

#[test]
fn an_unreadable_file_exits_2_and_says_so_on_stderr() {
    let (code, _, stderr) = cutover(&["check", "tests/runbooks/no-such-file.toml"]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot read tests/runbooks/no-such-file.toml"));
    // unreadable wins over invalid
    let (code, _, _) = cutover(&[
        "check",
        "tests/runbooks/invalid/after-cycle.toml",
        "nope.toml",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn one_invalid_file_among_valid_ones_makes_the_run_invalid() {
    let (code, out, _) = cutover(&["check", MINIMAL, "tests/runbooks/invalid/after-cycle.toml"]);
    assert_eq!(code, 1);
    assert!(out.contains("0 errors, 0 warnings in tests/runbooks/valid/minimal.toml"));
    assert!(out.contains("`after` cycle in phase `pilot`: copy -> verify -> copy"));
}

#[test]
fn json_format_lists_every_diagnostic_with_its_position() {
    let (code, out, _) = cutover(&[
        "check",
        "tests/runbooks/invalid/unknown-step-owner.toml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], false);
    let d = &v["diagnostics"][0];
    assert_eq!(d["file"], "tests/runbooks/invalid/unknown-step-owner.toml");
    assert_eq!(
        (d["line"].as_u64(), d["col"].as_u64()),
        (Some(27), Some(11))
    );
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "unknown owner `sma`, did you mean `sam`?");
    assert_eq!(v["files"][0]["errors"], 1);
}

#[test]
fn control_characters_in_a_runbook_never_reach_the_terminal() {
    let dir = std::env::temp_dir().join(format!("cutover-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let minimal =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(MINIMAL)).unwrap();
    // a bidi override is legal inside a TOML string; a raw ESC is a syntax error
    for (name, evil) in [("bidi.toml", "s\u{202e}am"), ("esc.toml", "s\u{1b}[2Jam")] {
        let path = dir.join(name);
        let text = minimal.replace(
            "owner = \"sam\"\n  expected = \"20m\"",
            &format!("owner = \"{evil}\"\n  expected = \"20m\""),
        );
        std::fs::write(&path, text).unwrap();
        let (code, out, _) = cutover(&["check", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{out}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{out:?}"
        );
        assert!(out.contains("\\u{"), "made visible: {out}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
