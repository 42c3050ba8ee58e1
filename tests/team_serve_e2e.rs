//! End to end with the real binary: `cutover run --serve` in tmux as the
//! commander; a team member's note through `/api/act` shows in the
//! commander's log pane and lands in the log with the member as actor.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::journal::read_records;
use std::path::Path;
use std::time::Duration;
use support::tmux::Tmux;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Test-only token whose hash is in assets/fixtures/team-config.toml.
const SAM: &str = "cct_TESTONLY_sam_not_a_secret_00000000000000000000000000000000000";

#[test]
fn a_members_note_reaches_the_commanders_screen_and_log() {
    if support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let dir = support::temp_dir("cutover-serve-e2e");
    let log = dir.join("cutover.jsonl");
    // the cockpit binds it itself (a child process): the one race left
    let port = support::net::port_for_external();
    let cmd = format!(
        "{} run {} --config {} --log {} --as dana --serve 127.0.0.1:{port}; sleep 30",
        env!("CARGO_BIN_EXE_cutover"),
        Path::new(ROOT)
            .join("assets/fixtures/team-runbook.toml")
            .display(),
        Path::new(ROOT)
            .join("assets/fixtures/team-config.toml")
            .display(),
        log.display()
    );
    let t = Tmux::start("cutover-serve-e2e", &cmd, 160, 40).expect("tmux starts a session");
    t.wait_for("cutover.jsonl", Duration::from_secs(15))
        .unwrap_or_else(|pane| panic!("cockpit never drawn:\n{pane}"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (code, body) = rt.block_on(async {
        let http = reqwest::Client::new();
        let r = http
            .post(format!("http://127.0.0.1:{port}/api/act"))
            .bearer_auth(SAM)
            .header("content-type", "application/json")
            .body(r#"{"action":"note","text":"bridge-note-from-sam"}"#)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    });
    assert!(code == 200 || code == 202, "{code} {body}");
    t.wait_for("bridge-note-from-sam", Duration::from_secs(10))
        .unwrap_or_else(|pane| panic!("note not on the commander's screen:\n{pane}"));
    // the 1 s tick commits buffered records
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let records = read_records(&log).unwrap_or_default();
        if let Some(r) = records
            .iter()
            .find(|r| r.body.to_string().contains("bridge-note-from-sam"))
        {
            assert_eq!(r.actor, "sam");
            // the open record's config keeps the owners but not the token hashes
            let open = records[0].body["config"].as_str().unwrap();
            assert!(open.contains("sam"), "{open}");
            assert!(!open.contains("ae507382b8a5459f"), "{open}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "note never reached the log"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
