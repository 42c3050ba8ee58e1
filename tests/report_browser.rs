//! The html evidence pack in a real headless browser (Debian's chromium):
//! it loads with no console message (no script error, no blocked fetch
//! under the page's CSP) and the rendered DOM holds the SVG charts.
//!
//! chromium is required: `.ci/run` installs it; here a missing browser is a
//! failure with instructions, never a silent skip. With
//! `UPDATE_SCREENSHOT=1` the screenshot is also written to
//! assets/report-screenshot.png (linked from the README).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/report/demo-cutover.jsonl"
);

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_browser");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn chromium() -> &'static str {
    for name in ["chromium", "chromium-browser"] {
        if Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return name;
        }
    }
    panic!(
        "chromium is not installed, so the html report cannot be checked in a browser. \
         Install it (`apt-get update && apt-get install -y chromium`, as .ci/run does) and rerun."
    );
}

/// Runs headless chromium on `page` with a profile of its own (tests run in
/// parallel and chromium locks its profile), logging to stderr.
fn browse(page: &Path, extra: &[&str]) -> Output {
    let dir = page.with_extension("profile");
    Command::new(chromium())
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
        ])
        .args(["--enable-logging=stderr", "--v=0", "--no-first-run"])
        .arg(format!("--user-data-dir={}", dir.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

fn render_html(name: &str) -> PathBuf {
    let page = scratch().join(name);
    let o = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["report", FIXTURE, "--format", "html", "-o"])
        .arg(&page)
        .env_remove("CUTOVER_LOG_KEY")
        .output()
        .expect("run cutover");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    page
}

/// Console lines chromium prints for the page (errors, warnings, CSP violations).
fn console_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Content Security Policy")
        })
        .map(String::from)
        .collect()
}

#[test]
fn the_html_report_loads_cleanly_with_its_charts() {
    let page = render_html("loads.html");
    let o = browse(&page, &["--dump-dom"]);
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        console_lines(&o.stderr),
        Vec::<String>::new(),
        "console messages while loading the report"
    );
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(
        dom.contains("<h1>Evidence pack: PACS archive cutover"),
        "page did not render: {}",
        &dom[..dom.len().min(400)]
    );
    assert_eq!(dom.matches("<svg").count(), 9, "timeline + 8 metric charts");
    assert!(dom.contains("<polyline"), "metric lines are drawn");
    assert!(dom.contains("Exception register"));
}

#[test]
fn the_console_check_would_catch_a_broken_page() {
    // guards the test above: a page with a script error must be noticed
    let bad = scratch().join("broken.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><script>missingFn();</script></body></html>",
    )
    .expect("write");
    let o = browse(&bad, &["--dump-dom"]);
    assert!(
        !console_lines(&o.stderr).is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_screenshot_of_the_report_is_a_real_image() {
    let page = render_html("shot.html");
    let shot = scratch().join("report.png");
    let _ = std::fs::remove_file(&shot);
    let o = browse(
        &page,
        &[
            "--window-size=1100,2000",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 50_000,
        "{} bytes",
        png.len()
    );
    if std::env::var_os("UPDATE_SCREENSHOT").is_some() {
        let dest = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/report-screenshot.png");
        std::fs::create_dir_all(Path::new(dest).parent().expect("assets dir")).expect("assets dir");
        std::fs::write(dest, &png).expect("write assets/report-screenshot.png");
    }
}
