//! End to end, as a person would: the real `cutover demo` in tmux, keys sent,
//! the screen read back, the log verified afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(cmd: &str, tmpdir: &Path) -> Tmux {
        let session = format!("cutover-e2e-{}", std::process::id());
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &session, "-x", "100", "-y", "32"])
            .arg(format!(
                "env TMPDIR={} NO_COLOR= {cmd}; sleep 30",
                tmpdir.display()
            ))
            .status()
            .expect("tmux is required for the end-to-end test (.ci/run installs it)");
        assert!(status.success(), "tmux new-session failed");
        Tmux { session }
    }
    fn keys(&self, keys: &[&str]) {
        let mut c = Command::new("tmux");
        c.args(["send-keys", "-t", &self.session]);
        c.args(keys);
        assert!(c.status().expect("tmux send-keys").success());
    }
    fn literal(&self, text: &str) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .expect("tmux send-keys");
        assert!(ok.success());
    }
    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    /// Waits until the screen contains `needle`, or fails showing the screen.
    fn wait_for(&self, needle: &str, within: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            if start.elapsed() > within {
                panic!("screen never showed {needle:?} within {within:?}; it showed:\n{s}");
            }
            sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn find_log(dir: &Path) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        if p.is_dir() {
            if let Some(found) = find_log(&p) {
                return Some(found);
            }
        } else if p.file_name().is_some_and(|n| n == "cutover.jsonl") {
            return Some(p);
        }
    }
    None
}

#[test]
fn demo_in_tmux_holds_resumes_quits_and_leaves_a_verifiable_log() {
    let bin = env!("CARGO_BIN_EXE_cutover");
    let tmp = std::env::temp_dir().join(format!("cutover-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let t = Tmux::start(&format!("{bin} demo --speed 5"), &tmp);

    let screen = t.wait_for("cutover.jsonl", Duration::from_secs(30));
    assert!(
        screen.contains(&tmp.display().to_string()),
        "the log's full path is on screen:\n{screen}"
    );
    assert!(
        screen.contains("PACS"),
        "the header names the runbook:\n{screen}"
    );

    // stop the line: `h`, a reason, Enter. Inside the form `q` is just text.
    t.keys(&["h"]);
    t.literal("quiet period requested by radiology");
    t.keys(&["Enter"]);
    let screen = t.wait_for("HOLD", Duration::from_secs(10));
    assert!(screen.contains("HOLD"), "{screen}");

    // resume with a rationale
    t.keys(&["r"]);
    t.literal("radiology confirmed");
    t.keys(&["Enter"]);
    let start = Instant::now();
    while t.screen().contains("HOLD") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "HOLD never cleared:\n{}",
            t.screen()
        );
        sleep(Duration::from_millis(200));
    }

    // quit asks first; `y` confirms
    t.keys(&["q"]);
    t.wait_for("Quit the cockpit?", Duration::from_secs(5));
    t.keys(&["y"]);
    // The path is on screen while the cockpit runs, so wait for what quitting
    // does: the close record lands in the log and the path is printed on exit.
    let start = Instant::now();
    let log = loop {
        if let Some(log) = find_log(&tmp) {
            let closed = std::fs::read_to_string(&log)
                .map(|t| t.contains("\"kind\":\"close\""))
                .unwrap_or(false);
            if closed
                && t.screen()
                    .contains(&format!("cutover log: {}", log.display()))
            {
                break log;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no closed log under {} and no path printed on exit; screen:\n{}",
            tmp.display(),
            t.screen()
        );
        sleep(Duration::from_millis(200));
    };

    let out = Command::new(bin)
        .arg("verify")
        .arg(&log)
        .output()
        .expect("run verify");
    assert_eq!(
        out.status.code(),
        Some(0),
        "verify failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(&log).expect("read log");
    assert!(
        text.contains("quiet period requested by radiology"),
        "the hold reason is in the log"
    );
    assert!(
        text.contains("radiology confirmed"),
        "the resume rationale is in the log"
    );
    assert!(
        text.contains("\"kind\":\"close\""),
        "quitting wrote the close record"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}
