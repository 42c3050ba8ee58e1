//! `cutover demo --serve` is usable for a team try-out: it mints a token per
//! roster owner, writes them with the follow command to a 0600
//! `team-tokens.txt` next to the demo log, says where on screen and on exit,
//! and the log never holds a token (nor its hash). A line of that file, run
//! as is, follows the demo as that owner, whose note lands in the log.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::journal::read_records;
use cutover_cockpit::serve::auth::token_hash;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_cutover");
const WAIT: Duration = Duration::from_secs(30);
const ROSTER: [&str; 7] = ["dana", "sam", "priya", "dr-lee", "kim", "marcus", "jo"];

fn wait_for(t: &Tmux, needle: &str) -> String {
    t.wait_for(needle, WAIT)
        .unwrap_or_else(|pane| panic!("never saw {needle:?}:\n{pane}"))
}

/// The one `cutover-demo-*` directory the demo made under `tmp`.
fn demo_dir(tmp: &Path) -> PathBuf {
    let start = Instant::now();
    loop {
        let found = std::fs::read_dir(tmp)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.join("team-tokens.txt").exists());
        if let Some(d) = found {
            return d;
        }
        assert!(start.elapsed() < WAIT, "no team-tokens.txt under {tmp:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn demo_serve_mints_a_token_per_owner_into_a_private_file_never_the_log() {
    if support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let tmp_dir = support::temp_dir("cutover-team-demo");
    let tmp = tmp_dir.path.clone();
    // the demo binds it itself (a child process): the one race left
    let port = support::net::port_for_external();
    let cmd = format!(
        "TMPDIR={} {BIN} demo --serve 127.0.0.1:{port}; echo EXIT=$?; sleep 60",
        tmp.display()
    );
    let demo = Tmux::start("team-demo", &cmd, 140, 40).unwrap();
    // the commander's first screen says where the tokens are
    let pane = wait_for(&demo, "team tokens for http://127.0.0.1:");
    let dir = demo_dir(&tmp);
    let file = dir.join("team-tokens.txt");
    assert!(pane.contains(&port.to_string()), "{pane}");
    assert!(pane.contains("team-tokens.txt"), "{pane}");

    let (lines, tokens) = read_token_file(&file, port);

    // sam's line, run as is, follows the demo as sam; sam's note reaches the log
    let sam_line = &lines[1];
    let sam = Tmux::start("team-demo-sam", &format!("{sam_line}; sleep 60"), 120, 36).unwrap();
    wait_for(&sam, "@sam");
    wait_for(&sam, "mine (m: all)");
    sam.keys(&["n"]);
    wait_for(&sam, "›*");
    sam.type_text("demo-note-from-sam");
    wait_for(&sam, "demo-note-from-sam");
    sam.keys(&["Enter"]);
    wait_for(&demo, "demo-note-from-sam");
    drop(sam);

    // quit the demo: the exit message names the file again
    demo.keys(&["q"]);
    wait_for(&demo, "Quit the cockpit?");
    demo.keys(&["y"]);
    let pane = wait_for(&demo, "EXIT=");
    assert!(pane.contains("EXIT=0"), "{pane}");
    assert!(
        pane.contains(&format!("team tokens: {}", file.display())),
        "{pane}"
    );

    let log = dir.join("cutover.jsonl");
    let records = read_records(&log).unwrap();
    assert!(records
        .iter()
        .any(|r| r.actor == "sam" && r.body.to_string().contains("demo-note-from-sam")));
    let log_text = std::fs::read_to_string(&log).unwrap();
    for t in &tokens {
        assert!(!log_text.contains(t.as_str()), "a token is in the log");
        assert!(
            !log_text.contains(&hex(&token_hash(t))),
            "a token hash is in the log"
        );
    }
    drop(demo);
}

/// The private file's command lines (one per roster owner, in order) and their tokens.
fn read_token_file(file: &Path, port: u16) -> (Vec<String>, Vec<String>) {
    let mode = std::fs::metadata(file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "team-tokens.txt must be private");
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), ROSTER.len(), "{text}");
    let mut tokens = Vec::new();
    for (line, owner) in lines.iter().zip(ROSTER) {
        assert!(line.ends_with(&format!(" --as {owner}")), "{line}");
        assert!(
            line.contains(&format!(" follow http://127.0.0.1:{port} ")),
            "{line}"
        );
        let token = line
            .strip_prefix("CUTOVER_TOKEN=")
            .and_then(|l| l.split(' ').next())
            .unwrap();
        assert!(token.starts_with("cct_") && token.len() == 68, "{line}");
        tokens.push(token.to_string());
    }
    (lines.iter().map(|l| l.to_string()).collect(), tokens)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
