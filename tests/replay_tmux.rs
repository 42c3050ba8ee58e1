//! `cutover replay` in a real terminal (tmux): the timeline bar is drawn,
//! `t` opens the jump form, a bad time is refused in the form, a good one
//! (after midnight, in a window that crosses it) moves the replay cursor,
//! `q` `y` quits. Needs tmux (fails under CI=true without it, else skipped
//! with the reason printed).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod tui_support;

use std::time::Duration;
use tui_support::tmux::Tmux;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/report/demo-cutover.jsonl"
);
const WAIT: Duration = Duration::from_secs(15);

#[test]
fn jump_to_a_time_in_a_real_terminal() {
    let bin = env!("CARGO_BIN_EXE_cutover");
    let cmd = format!("NO_COLOR=1 {bin} replay {FIXTURE} --speed 1; echo EXITED=$?; sleep 30");
    if tui_support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let t = Tmux::start("replay-jump", &cmd, 140, 40).expect("tmux session");
    let pane = t.wait_for("◆ decision █ hold ≈ threshold", WAIT);
    assert!(
        pane.is_ok(),
        "no timeline bar:\n{}",
        pane.unwrap_or_else(|p| p)
    );
    t.keys(&["t"]);
    t.wait_for("Jump to a time", WAIT)
        .expect("the jump form opens");
    t.type_text("25:61");
    t.keys(&["Enter"]);
    let pane = t.wait_for("is not a time", WAIT);
    assert!(
        pane.is_ok(),
        "refusal not shown:\n{}",
        pane.unwrap_or_else(|p| p)
    );
    for _ in 0..5 {
        t.keys(&["BSpace"]);
    }
    t.type_text("00:30");
    t.keys(&["Enter"]);
    // the header shows the replay time as HH:MM:SS UTC
    let pane = t.wait_for("REPLAY 00:30:00 paused", WAIT);
    assert!(
        pane.is_ok(),
        "replay time did not move:\n{}",
        pane.unwrap_or_else(|p| p)
    );
    let pane = pane.unwrap_or_default();
    // near the right edge the cursor's label goes to its left
    assert!(
        pane.contains("replay 00:30:00 ▲") || pane.contains("▲ 00:30:00 replay"),
        "{pane}"
    );
    assert!(!pane.contains("Jump to a time"), "the form closed");
    t.keys(&["q"]);
    t.keys(&["y"]);
    t.wait_for("EXITED=0", WAIT).expect("replay quits with 0");
}
