//! The real `cutover demo` in tmux: the detail view (Enter, Esc back) and
//! the issues panel (open an issue, select it, `c` closes it), read back
//! from the terminal as a person would see them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::Duration;
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_cutover");
const WAIT: Duration = Duration::from_secs(20);

fn demo(name: &str, dir: &support::TempDir) -> Option<Tmux> {
    support::external::require("tmux", &[], "apt-get install tmux")?;
    let cmd = format!(
        "env TMPDIR={} NO_COLOR=1 {BIN} demo; sleep 30",
        dir.path.display()
    );
    let t = Tmux::start(name, &cmd, 120, 40).expect("tmux session");
    t.wait_for("● line running", WAIT)
        .unwrap_or_else(|s| panic!("the cockpit did not start:\n{s}"));
    Some(t)
}

fn expect(t: &Tmux, needle: &str) -> String {
    t.wait_for(needle, WAIT)
        .unwrap_or_else(|s| panic!("never showed {needle:?}:\n{s}"))
}

#[test]
fn enter_opens_the_detail_of_a_threshold_and_esc_goes_back() {
    let dir = support::temp_dir("tmux-detail");
    let Some(t) = demo("detail", &dir) else {
        return;
    };
    // Steps → Gates → Thresholds
    t.keys(&["Tab", "Tab"]);
    expect(&t, "▸ Thresholds");
    // the demo's second threshold is watched in every phase
    t.keys(&["Down", "Enter"]);
    let pane = expect(&t, "esc back");
    assert!(pane.contains("Threshold retrieval-latency-spike"), "{pane}");
    assert!(
        pane.contains("p95(target.pacs.latency_ms, 1m) > 800"),
        "{pane}"
    );
    assert!(pane.contains("comparisons"), "{pane}");
    assert!(pane.contains("breach "), "the sentence notation:\n{pane}");
    assert!(pane.contains("in the recent log"), "{pane}");
    t.keys(&["Escape"]);
    let pane = t
        .wait_for("▸ Thresholds", WAIT)
        .unwrap_or_else(|s| panic!("{s}"));
    assert!(!pane.contains("esc back"), "detail still open:\n{pane}");
    t.keys(&["q", "y"]);
}

#[test]
fn an_issue_opened_shows_in_the_panel_and_c_closes_it() {
    let dir = support::temp_dir("tmux-issues");
    let Some(t) = demo("issues", &dir) else {
        return;
    };
    t.keys(&["i"]);
    expect(&t, "Open an issue");
    t.type_text("INC-9");
    t.keys(&["Enter"]);
    t.type_text("viewer cache errors");
    t.keys(&["Enter"]);
    let pane = expect(&t, "Issues 1 open");
    assert!(pane.contains("INC-9"), "{pane}");
    // Steps → Gates → Thresholds → Endpoints → Issues
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    expect(&t, "▸ Issues");
    t.keys(&["c"]);
    let pane = expect(&t, "Close an issue");
    assert!(
        pane.contains("INC-9"),
        "the selected issue is chosen:\n{pane}"
    );
    t.type_text("cache flushed");
    t.keys(&["Enter"]);
    expect(&t, "Issues 0 open");
    t.keys(&["q", "y"]);
}
