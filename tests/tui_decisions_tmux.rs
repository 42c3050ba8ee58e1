//! The real `cutover demo` in tmux: a form that cannot succeed refuses
//! before it opens, the handover form says what the outgoing commander
//! keeps, and her later hold says it was taken as phase owner, on screen
//! and in the log.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::Duration;
use support::tmux::Tmux;

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn demo_in_tmux_names_the_authority_of_each_decision_after_a_handover() {
    if support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_cutover");
    let tmp = support::temp_dir("cutover-authority-tmux");
    let cmd = format!(
        "env TMPDIR={} NO_COLOR=1 {bin} demo --speed 5; sleep 30",
        tmp.path.display()
    );
    let t = Tmux::start("cutover-authority", &cmd, 120, 40).expect("tmux session");
    t.wait_for("cutover.jsonl", WAIT)
        .unwrap_or_else(|s| panic!("no cockpit:\n{s}"));

    // nothing is on hold: `r` opens no form and says why
    t.keys(&["r"]);
    let s = t
        .wait_for("nothing to resume: the line is not on hold", WAIT)
        .unwrap_or_else(|s| panic!("no refusal:\n{s}"));
    assert!(!s.contains("* rationale"), "a resume form opened:\n{s}");

    // the handover form says what dana keeps before it is submitted
    t.keys(&["o"]);
    t.wait_for("dana keeps: owner of phase readiness", WAIT)
        .unwrap_or_else(|s| panic!("handover form silent on what dana keeps:\n{s}"));
    t.type_text("end of shift");
    t.keys(&["Enter"]);
    t.wait_for("is now the commander", WAIT)
        .unwrap_or_else(|s| panic!("no handover acknowledgement:\n{s}"));

    // dana still owns readiness: her hold is taken as its owner
    t.keys(&["h"]);
    t.type_text("storage alarm");
    t.keys(&["Enter"]);
    t.wait_for("(as owner of phase readiness)", WAIT)
        .unwrap_or_else(|s| panic!("the hold does not say its authority:\n{s}"));

    t.keys(&["q"]);
    t.wait_for("Quit the cockpit?", WAIT)
        .unwrap_or_else(|s| panic!("no quit question:\n{s}"));
    t.keys(&["y"]);
    let start = std::time::Instant::now();
    let text = loop {
        let closed = support::find_log(&tmp.path)
            .and_then(|l| std::fs::read_to_string(l).ok())
            .filter(|text| text.contains("\"kind\":\"close\""));
        if let Some(text) = closed {
            break text;
        }
        assert!(start.elapsed() < WAIT, "no closed log:\n{}", t.capture());
        std::thread::sleep(Duration::from_millis(100));
    };
    let hold = text
        .lines()
        .find(|l| l.contains("storage alarm"))
        .expect("the hold is in the log");
    assert!(
        hold.contains("\"authority\":\"phase-owner:readiness\""),
        "{hold}"
    );
    let handover = text
        .lines()
        .find(|l| l.contains("\"handover\""))
        .expect("the handover is in the log");
    assert!(
        handover.contains("\"authority\":\"commander\""),
        "{handover}"
    );
    assert!(handover.contains("owner of phase readiness"), "{handover}");
}
