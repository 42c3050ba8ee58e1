//! End to end: `cutover report` on the fixed demo log and on damaged or
//! hostile logs, through the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::report::verify::push_chained;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/report/demo-cutover.jsonl"
);

fn report(log: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover"))
        .arg("report")
        .arg(log)
        .args(args)
        .env_remove("CUTOVER_LOG_KEY")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run cutover")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 report")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_cli");
    std::fs::create_dir_all(&dir).expect("test setup");
    dir.join(name)
}

/// The fixture with one decision's rationale edited after the fact.
fn tampered(name: &str) -> PathBuf {
    let text = std::fs::read_to_string(FIXTURE).expect("test setup");
    assert!(text.contains("Index snapshot verified"));
    let path = scratch(name); // one file per test: tests run in parallel
    std::fs::write(
        &path,
        text.replace("Index snapshot verified", "Index snapshot skipped"),
    )
    .expect("test setup");
    path
}

#[test]
fn markdown_report_of_the_demo_log() {
    let o = report(Path::new(FIXTURE), &["--format", "md"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    insta::assert_snapshot!("demo_md", stdout(&o));
}

#[test]
fn html_report_of_the_demo_log() {
    let o = report(Path::new(FIXTURE), &["--format", "html"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = stdout(&o);
    // one timeline plus one chart per metric a gate or threshold reads (8 in the demo runbook)
    assert_eq!(page.matches("<svg").count(), 9);
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no network references"
    );
    assert!(!page.contains("<script"));
    insta::assert_snapshot!("demo_html", page);
}

#[test]
fn a_damaged_log_is_refused_without_force() {
    let o = report(&tampered("refused.jsonl"), &["--format", "md"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("does not verify") && err.contains("line 153") && err.contains("--force"),
        "{err}"
    );
}

#[test]
fn a_forced_report_says_so_on_its_first_line() {
    let log = tampered("forced.jsonl");
    let md = stdout(&report(&log, &["--format", "md", "--force"]));
    let first = md.lines().next().expect("test setup");
    assert!(
        first.starts_with(
            "**WARNING: THIS LOG DOES NOT VERIFY (line 153: edited: record seq 152 does not match its hash"
        ),
        "{first}"
    );
    assert!(md.contains("DAMAGED: line 153"));
    let html = stdout(&report(&log, &["--format", "html", "--force"]));
    let head: Vec<&str> = html.lines().take(2).collect();
    assert!(
        head[1].contains("WARNING: THIS LOG DOES NOT VERIFY"),
        "{head:?}"
    );
    let banner = html.find("class=\"banner bad\"").expect("test setup");
    assert!(
        banner < html.find("<h1>").expect("test setup"),
        "banner comes before the title"
    );
    assert!(html.contains("<title>UNVERIFIED Evidence pack"));
}

#[test]
fn a_torn_last_line_is_named_and_the_rest_is_still_reported_with_force() {
    let mut text = std::fs::read_to_string(FIXTURE).expect("test setup");
    text.push_str("{\"seq\":1029,\"ts\":\"2026-11-29T00:41:");
    let log = scratch("torn.jsonl");
    std::fs::write(&log, text).expect("test setup");
    assert_eq!(report(&log, &["--format", "md"]).status.code(), Some(1));
    let md = stdout(&report(&log, &["--format", "md", "--force"]));
    assert!(
        md.lines()
            .next()
            .expect("a first line")
            .contains("(line 1030: torn:"),
        "{}",
        &md[..200]
    );
    assert!(
        md.contains("## Decisions (15)"),
        "the intact records are still reported"
    );
}

#[test]
fn output_goes_to_the_file_given_with_o() {
    let out = scratch("report.md");
    let _ = std::fs::remove_file(&out);
    let o = report(
        Path::new(FIXTURE),
        &["--format", "md", "-o", out.to_str().expect("test setup")],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let written = std::fs::read_to_string(&out).expect("test setup");
    assert!(written.starts_with("# Evidence pack: PACS archive cutover"));
}

#[test]
fn an_unreadable_log_is_a_one_line_error_with_exit_2() {
    let o = report(Path::new("/nonexistent/cutover.jsonl"), &["--format", "md"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/cutover.jsonl"), "{err}");
}

/// A log whose outside text tries markup, terminal escapes and bidi tricks.
fn hostile_log() -> PathBuf {
    let evil = "<script>alert(1)</script>\u{1b}[2J\u{9b}31m\u{202e}txt.exe [x](http://evil.example) | `rm`";
    let mut text = String::new();
    let rb = format!("[runbook]\nname = \"{}\"\nversion = \"1\"\n[[phase]]\nid = \"p\"\nname = \"P\"\nowner = \"dana\"\n", "<b>Bold</b> \\u001b[1m");
    let recs = [
        json!({"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"dana","phase":null,"body":{"runbook":rb}}),
        json!({"ts":"2026-11-28T22:00:01.000Z","kind":"phase","actor":"dana","phase":"p","body":{"type":"entered","phase":"p"}}),
        json!({"ts":"2026-11-28T22:01:00.000Z","kind":"decision","actor":evil,"phase":"p","body":{"type":"hold","rationale":evil,
            "snapshot":{"gates":[{"id":evil,"state":evil}]}}}),
        json!({"ts":"2026-11-28T22:02:00.000Z","kind":"decision","actor":"dana","phase":"p","body":{"type":"waive","gate":evil,"owner":evil,"reason":evil,"expires":"2026-11-28T23:00:00Z"}}),
    ];
    for r in recs {
        let Value::Object(m) = r else { unreachable!() };
        push_chained(&mut text, m, None);
    }
    let path = scratch("hostile.jsonl");
    std::fs::write(&path, text).expect("test setup");
    path
}

/// Markdown text outside `code spans` (where `<` is shown literally, not parsed).
fn outside_code_spans(md: &str) -> String {
    let plain = md.replace("\\`", "");
    plain.split('`').step_by(2).collect()
}

#[test]
fn outside_text_is_inert_and_escaped_in_both_formats() {
    let log = hostile_log();
    for format in ["md", "html"] {
        let o = report(&log, &["--format", format]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = stdout(&o);
        let bad = out
            .chars()
            .find(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c));
        assert_eq!(
            bad, None,
            "{format}: raw control or bidi character in the report"
        );
        assert!(
            !outside_code_spans(&out).contains("<script>"),
            "{format}: markup passed through"
        );
        assert!(
            !outside_code_spans(&out).contains("<b>Bold"),
            "{format}: markup passed through"
        );
        assert!(
            out.contains("\\u{1b}[2J"),
            "{format}: the escape is shown, visibly"
        );
        if format == "md" {
            assert!(
                out.contains("\\[x\\](http://evil.example) \\| \\`rm\\`"),
                "{out}"
            );
        } else {
            assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        }
    }
}

/// The fixture copied with a published checkpoint (`LOG.checkpoint`, as the
/// cockpit writes it) naming record 500; `keep` lines of the log are kept.
fn with_checkpoint(name: &str, keep: usize) -> PathBuf {
    let text = std::fs::read_to_string(FIXTURE).expect("test setup");
    let line: Value =
        serde_json::from_str(text.lines().nth(500).expect("test setup")).expect("test setup");
    let path = scratch(name);
    let kept: String = text.lines().take(keep).map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, kept).expect("test setup");
    let sidecar = json!({"seq": 500, "hash": line["hash"], "ts": line["ts"]});
    std::fs::write(
        format!("{}.checkpoint", path.display()),
        sidecar.to_string(),
    )
    .expect("test setup");
    path
}

#[test]
fn the_last_published_checkpoint_is_printed_and_a_log_cut_before_it_is_refused() {
    let whole = with_checkpoint("published.jsonl", usize::MAX);
    let md = stdout(&report(&whole, &["--format", "md"]));
    let line = md
        .lines()
        .find(|l| l.starts_with("- Last checkpoint the cockpit published: 500:"))
        .unwrap_or_else(|| panic!("no checkpoint line in:\n{md}"));
    assert!(line.ends_with("the log still holds it"), "{line}");

    let cut = with_checkpoint("cut.jsonl", 400);
    let o = report(&cut, &["--format", "md"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a log cut before its checkpoint is refused"
    );
    let md = stdout(&report(&cut, &["--format", "md", "--force"]));
    let first = md.lines().next().expect("test setup");
    assert!(
        first.contains("DOES NOT VERIFY") && first.contains("truncated"),
        "{first}"
    );
    assert!(md.contains("500:") && md.contains("the log does NOT hold it"));
}
