//! The team feature with real processes: the commander's `cutover run
//! --serve` and two `cutover follow` members (sam, priya), each in its own
//! tmux pane, driven by key presses and read off the screens. Tokens are
//! minted with `cutover token` and only their hashes go into a temp config;
//! the probes point at a closed port (no simulator needed).
//!
//! Every wait polls the screen (or the log) with a generous timeout: the
//! machine may be loaded, and a fixed sleep would be a guess.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::core::entry::EntryKind;
use cutover_cockpit::journal::{read_records, Record};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_cutover");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Generous: a debug build on 2 loaded cores.
const WAIT: Duration = Duration::from_secs(30);

/// Mints a token for `owner` with the real `cutover token`: (token, config block).
fn mint(owner: &str) -> (String, String) {
    let out = Command::new(BIN).args(["token", owner]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("cct_"), "{token}");
    (token, String::from_utf8(out.stderr).unwrap())
}

/// The team fixture's probes (a closed port) plus the minted hashes.
fn write_config(dir: &Path, blocks: &[String]) -> PathBuf {
    let fixture =
        std::fs::read_to_string(Path::new(ROOT).join("assets/fixtures/team-config.toml")).unwrap();
    let probes = &fixture[fixture.find("[[probe]]").unwrap()..];
    let mut text = String::from("[serve]\nrate_per_min = 6000\n\n");
    for b in blocks {
        text.push_str(b);
        text.push('\n');
    }
    text.push_str(probes);
    let path = dir.join("cutover.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Polls the pane until `ok(pane)`; panics with the last screen and `what`.
fn wait_until(t: &Tmux, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let pane = t.capture();
        if ok(&pane) {
            return pane;
        }
        assert!(
            start.elapsed() < WAIT,
            "timed out waiting for {what}:\n{pane}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A screen line showing `title` with `state` (e.g. "✔ done").
fn has_step(pane: &str, state: &str, title: &str) -> bool {
    pane.lines().any(|l| l.contains(state) && l.contains(title))
}

struct Team {
    dir: support::TempDir,
    log: PathBuf,
    commander_cmd: String,
    url: String,
}

impl Team {
    fn new(blocks: &[String]) -> Team {
        let dir = support::temp_dir("cutover-team-e2e");
        let config = write_config(&dir.path, blocks);
        let log = dir.join("cutover.jsonl");
        // the cockpit binds it itself (a child process): the one race left
        let port = support::net::port_for_external();
        let runbook = Path::new(ROOT).join("assets/fixtures/team-runbook.toml");
        // `exec` keeps the shell's pid, written first, so the test can kill -9 the cockpit itself
        let commander_cmd = format!(
            "echo $$ > {pid}; exec {BIN} run {rb} --config {cfg} --log {log} --as dana --serve 127.0.0.1:{port}",
            pid = dir.join("commander.pid").display(),
            rb = runbook.display(),
            cfg = config.display(),
            log = log.display(),
        );
        Team {
            dir,
            log,
            commander_cmd,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    fn commander(&self, name: &str) -> Tmux {
        let _ = std::fs::remove_file(self.dir.join("commander.pid"));
        let t = Tmux::start(name, &self.commander_cmd, 120, 36).unwrap();
        wait_until(&t, "the commander's cockpit", |p| {
            p.contains("@dana") && p.contains("Copy the pilot batch")
        });
        t
    }

    /// A follower; the token reaches it through a file and `CUTOVER_TOKEN`, never argv.
    fn follower(&self, name: &str, owner: &str, token: &str) -> Tmux {
        let file = self.dir.path.join(format!("{name}.token"));
        std::fs::write(&file, token).unwrap();
        let cmd = format!(
            "CUTOVER_TOKEN=$(cat {}) exec {BIN} follow {} --as {owner}",
            file.display(),
            self.url
        );
        Tmux::start(name, &cmd, 120, 36).unwrap()
    }

    fn kill_commander(&self) {
        let pid = std::fs::read_to_string(self.dir.join("commander.pid")).unwrap();
        let pid = pid.trim();
        assert!(pid.parse::<u32>().is_ok(), "{pid}");
        let ok = Command::new("kill").args(["-9", pid]).status().unwrap();
        assert!(ok.success());
    }

    /// Waits for a log record matching `ok` (records are committed within a tick).
    fn wait_record(&self, what: &str, ok: impl Fn(&Record) -> bool) {
        let start = Instant::now();
        loop {
            let records = read_records(&self.log).unwrap_or_default();
            if records.iter().any(&ok) {
                return;
            }
            assert!(start.elapsed() < WAIT, "no {what} in the log");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn tmux_available() -> bool {
    support::external::require("tmux", &[], "apt-get install -y tmux").is_some()
}

#[test]
fn two_followers_and_the_commander_with_real_processes() {
    if !tmux_available() {
        return;
    }
    let (sam_token, sam_block) = mint("sam");
    let (priya_token, priya_block) = mint("priya");
    let (unknown_token, _) = mint("sam"); // right owner, hash not in the config
    let team = Team::new(&[sam_block, priya_block]);

    let commander = team.commander("team-e2e-cmdr");
    let sam = team.follower("team-e2e-sam", "sam", &sam_token);
    let priya = team.follower("team-e2e-priya", "priya", &priya_token);
    wait_until(&sam, "sam's screen on 'my steps'", |p| {
        p.contains("@sam") && p.contains("mine (m: all)") && p.contains("Copy the pilot batch")
    });
    wait_until(&priya, "priya's screen", |p| {
        p.contains("@priya") && p.contains("Tell the ADT interface team")
    });

    sam_marks_copy_done(&team, &commander, &sam, &priya);
    go_and_rollback_are_refused(&sam, &priya);
    // a token whose hash is not configured is refused, and the follower says so
    let stranger = team.follower("team-e2e-wrong", "sam", &unknown_token);
    wait_until(&stranger, "the wrong token refused", |p| {
        p.contains("refused the token") && p.contains("CUTOVER_TOKEN")
    });
    drop(stranger);

    // no decision by priya or sam was recorded for the refused actions
    let records = read_records(&team.log).unwrap();
    assert!(
        !records
            .iter()
            .any(|r| r.actor != "dana" && r.actor != "cockpit" && r.kind == EntryKind::Decision),
        "a refused action reached the log"
    );
    assert!(!records.iter().any(|r| r.actor == "priya"));

    let commander = kill_and_resume(&team, commander, &sam, &priya);
    // the log verifies, and holds no token
    let out = Command::new(BIN)
        .arg("verify")
        .arg(&team.log)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(&team.log).unwrap();
    for t in [&sam_token, &priya_token, &unknown_token] {
        assert!(!text.contains(t.as_str()));
    }
    drop((commander, sam, priya));
}

/// Sam starts and finishes the step `copy` with the keys; everyone sees it.
fn sam_marks_copy_done(team: &Team, commander: &Tmux, sam: &Tmux, priya: &Tmux) {
    // sam starts and finishes the selected step (their first) with the keys
    sam.keys(&["t"]);
    wait_until(commander, "copy running on the commander's screen", |p| {
        has_step(p, "▶ running", "Copy the pilot batch")
    });
    // x is judged against sam's own view: wait until the start reached it,
    // or "done" meets a step sam's screen still shows pending
    wait_until(sam, "copy running on sam's screen", |p| {
        has_step(p, "▶ running", "Copy the pilot batch")
    });
    sam.keys(&["x"]);
    wait_until(commander, "copy done on the commander's screen", |p| {
        has_step(p, "✔ done", "Copy the pilot batch") && p.contains("sam      done copy")
    });
    wait_until(sam, "sam's acknowledgement", |p| {
        p.contains("✔ done: step copy done (as the step's owner)")
    });
    team.wait_record("step done by sam", |r| {
        r.actor == "sam" && r.body["type"] == "done" && r.body["step"] == "copy"
    });
    // priya sees it in the log tail, and on all steps (`m`)
    wait_until(priya, "sam's step in priya's log tail", |p| {
        p.contains("sam      done copy")
    });
    priya.keys(&["m"]);
    wait_until(priya, "copy done on priya's all-steps list", |p| {
        has_step(p, "✔ done", "Copy the pilot batch")
    });
}

/// Priya's go and sam's rollback are refused with the core's reason on their
/// screens, before any form opens (a form opens only when it can succeed).
fn go_and_rollback_are_refused(sam: &Tmux, priya: &Tmux) {
    priya.keys(&["g"]);
    let pane = wait_until(priya, "the refusal of go", |p| {
        p.contains("✘ refused: priya may not say go")
    });
    assert!(pane.contains("only the commander (dana)"), "{pane}");
    assert!(!pane.contains("refused: refused"), "{pane}");
    assert!(!pane.contains("›*rationale"), "no go form opened:\n{pane}");
    sam.keys(&["b"]);
    let pane = wait_until(sam, "the refusal of rollback", |p| {
        p.contains("✘ refused: sam may not")
    });
    assert!(
        !pane.contains("›*rationale"),
        "no rollback form opened:\n{pane}"
    );
}

/// `kill -9` of the commander, then the same command again (resume).
fn kill_and_resume(team: &Team, commander: Tmux, sam: &Tmux, priya: &Tmux) -> Tmux {
    // kill -9 the commander: both followers show DISCONNECTED
    team.kill_commander();
    for (who, t) in [("sam", sam), ("priya", priya)] {
        wait_until(t, &format!("{who}'s DISCONNECTED banner"), |p| {
            p.contains("✖ DISCONNECTED since")
        });
    }
    drop(commander);

    // the same command again resumes the log; both followers come back
    let commander = team.commander("team-e2e-cmdr2");
    wait_until(&commander, "the resumed state on the commander", |p| {
        has_step(p, "✔ done", "Copy the pilot batch")
    });
    wait_until(sam, "sam reconnected with the state as before", |p| {
        !p.contains("DISCONNECTED") && has_step(p, "✔ done", "Copy the pilot batch")
    });
    wait_until(priya, "priya reconnected with the state as before", |p| {
        !p.contains("DISCONNECTED") && has_step(p, "✔ done", "Copy the pilot batch")
    });
    team.wait_record("resume record", |r| {
        r.kind == EntryKind::Resume && r.body["operator"] == "dana"
    });

    commander
}
