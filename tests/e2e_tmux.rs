//! End to end, as a person would: the real `cutover demo` in tmux, keys sent,
//! the screen read back, the log verified afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use std::process::Command;
use std::time::Duration;
use support::tmux::Tmux;

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn demo_in_tmux_holds_resumes_quits_and_leaves_a_verifiable_log() {
    if support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_cutover");
    let tmp = support::temp_dir("cutover-e2e");
    let cmd = format!(
        "env TMPDIR={} NO_COLOR= {bin} demo --speed 5; sleep 30",
        tmp.path.display()
    );
    // wide enough for the whole temp path of the log
    let t = Tmux::start("cutover-e2e", &cmd, 180, 32).expect("tmux session");

    let screen = t
        .wait_for("cutover.jsonl", WAIT)
        .unwrap_or_else(|s| panic!("no cockpit:\n{s}"));
    assert!(
        screen.contains(&tmp.path.display().to_string()),
        "the log's full path is on screen:\n{screen}"
    );
    assert!(
        screen.contains("PACS"),
        "the header names the runbook:\n{screen}"
    );

    // stop the line: `h`, a reason, Enter. Inside the form `q` is just text.
    t.keys(&["h"]);
    t.type_text("quiet period requested by radiology");
    t.keys(&["Enter"]);
    t.wait_for("HOLD", WAIT)
        .unwrap_or_else(|s| panic!("no HOLD banner:\n{s}"));

    // resume with a rationale
    t.keys(&["r"]);
    t.type_text("radiology confirmed");
    t.keys(&["Enter"]);
    support::poll(
        "the HOLD banner to clear",
        WAIT,
        || (!t.capture().contains("HOLD")).then_some(()),
        || t.capture(),
    );

    // quit asks first; `y` confirms
    t.keys(&["q"]);
    t.wait_for("Quit the cockpit?", WAIT)
        .unwrap_or_else(|s| panic!("no quit question:\n{s}"));
    t.keys(&["y"]);
    // The path is on screen while the cockpit runs, so wait for what quitting
    // does: the close record lands in the log and the path is printed on exit.
    let log = support::poll(
        "a closed log and its path printed on exit",
        WAIT,
        || {
            let log = support::find_log(&tmp.path)?;
            let closed = std::fs::read_to_string(&log)
                .map(|t| t.contains("\"kind\":\"close\""))
                .unwrap_or(false);
            let printed = t
                .capture()
                .contains(&format!("cutover log: {}", log.display()));
            (closed && printed).then_some(log)
        },
        || t.capture(),
    );

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
}

/// The demo roster in the order `a` walks it (dana, the commander, first).
const ROSTER: [&str; 7] = ["dana", "sam", "priya", "dr-lee", "kim", "marcus", "jo"];

/// One person alone at the demo, driving it through every phase with the
/// keys the screen offers: steps started and done, sign-offs given while
/// acting as their owners (`a`), failing gates waived, go. Then the log is
/// replayed and reported: both must tell the same story as the live screen.
#[test]
fn demo_alone_reaches_the_last_phase_and_replay_and_report_tell_the_same_story() {
    if support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_cutover");
    let tmp = support::temp_dir("cutover-solo");
    let cmd = format!(
        "env TMPDIR={} NO_COLOR=1 {bin} demo --speed 5; sleep 60",
        tmp.path.display()
    );
    let t = Tmux::start("cutover-solo", &cmd, 120, 40).expect("tmux session");
    let first = t
        .wait_for("cutover.jsonl", WAIT)
        .unwrap_or_else(|s| panic!("no cockpit:\n{s}"));
    assert!(
        first.contains("press a to act as"),
        "the first screen says how to get through alone:\n{first}"
    );
    let solo = Solo { t: &t };
    let mut story = Story::default();
    for phase in 0..5 {
        solo.wait_header(&format!("Phase {phase}:"));
        solo.do_every_step();
        for owner in solo.awaiting_signoffs() {
            let statement = format!("{owner} reviewed phase {phase} end to end");
            solo.sign_off_as(&owner, &statement);
            story.statements.push(statement);
        }
        story.waivers.extend(solo.waive_until_go(phase));
    }
    let live = solo.wait_header("Phase 5:");
    let live_strip = line_with(&live, "▶ 5 ");
    let live_gates = title(&live, "Gates ");
    assert!(
        live_strip.contains("✔ 4 ") && !live_strip.contains("○"),
        "every earlier phase is done on the live strip: {live_strip}"
    );
    hold_settles_the_pending_recommendation(&solo);
    t.keys(&["q"]);
    t.wait_for("Quit the cockpit?", WAIT)
        .unwrap_or_else(|s| panic!("no quit question:\n{s}"));
    t.keys(&["y"]);
    let log = support::poll(
        "the closed log",
        WAIT,
        || {
            let log = support::find_log(&tmp.path)?;
            let text = std::fs::read_to_string(&log).ok()?;
            text.contains("\"kind\":\"close\"").then_some(log)
        },
        || t.capture(),
    );
    drop(t);

    // replay: jump from decision to decision until the last phase is entered
    let cmd = format!(
        "NO_COLOR=1 {bin} replay {} --speed 1; sleep 60",
        log.display()
    );
    let r = Tmux::start("cutover-solo-replay", &cmd, 120, 40).expect("tmux session");
    r.wait_for("REPLAY", WAIT)
        .unwrap_or_else(|s| panic!("no replay screen:\n{s}"));
    let replayed = support::poll(
        "replay to reach the last phase",
        Duration::from_secs(60),
        || {
            let s = r.capture();
            if s.contains("Phase 5:") {
                return Some(s);
            }
            r.keys(&["n"]);
            std::thread::sleep(Duration::from_millis(300));
            None
        },
        || r.capture(),
    );
    assert_eq!(line_with(&replayed, "▶ 5 "), live_strip, "{replayed}");
    assert_eq!(title(&replayed, "Gates "), live_gates, "{replayed}");

    // the evidence pack: every phase entered, every sign-off and waiver
    let out = Command::new(bin)
        .args(["report", "--format", "md"])
        .arg(&log)
        .output()
        .expect("run report");
    assert!(out.status.success(), "{out:?}");
    let md = String::from_utf8_lossy(&out.stdout);
    let timeline = section(&md, "## Timeline of phases");
    for phase in [
        "readiness",
        "pilot-dataset",
        "parallel-run",
        "controlled-shift",
        "full-production",
        "decommission",
    ] {
        assert!(timeline.contains(phase), "{phase} missing:\n{timeline}");
    }
    for s in story.statements.iter().chain(&story.waivers) {
        assert!(md.contains(s.as_str()), "{s:?} is not in the report:\n{md}");
    }
    assert!(
        story.statements.len() >= 5,
        "sign-offs given: {:?}",
        story.statements
    );
}

/// The latency spike's rollback recommendation is pending; the commander
/// answers it "hold": the panel counts none pending, the threshold says it
/// was handled, and the hold notice template is filled from that hold,
/// never "n/a".
fn hold_settles_the_pending_recommendation(solo: &Solo<'_>) {
    let s = support::poll(
        "the latency spike's recommendation",
        Duration::from_secs(150),
        || {
            let s = solo.t.capture();
            s.contains("Recommendations 1 pending").then_some(s)
        },
        || solo.t.capture(),
    );
    assert!(
        s.contains("RECOMMENDED"),
        "the header raises the alarm:\n{s}"
    );
    solo.t.keys(&["Escape", "d"]);
    solo.wait("the decide form", |s| s.contains("Decide: "));
    // answer: rollback -> hold, then the rationale
    solo.t.keys(&["BTab", "Right"]);
    solo.wait("hold chosen", |s| s.contains("answer: hold"));
    solo.t.keys(&["Tab"]);
    solo.t.type_text("spike under review");
    solo.t.keys(&["Enter"]);
    let s = solo.wait("the hold, and no recommendation pending", |s| {
        s.contains("HOLD") && !s.contains("Recommendations 1 pending")
    });
    assert!(s.contains("handled by"), "the threshold says how:\n{s}");
    solo.t.keys(&["p"]);
    let s = solo.wait("the hold notice", |s| s.contains("paused by"));
    let notice = popup_text(&s);
    assert!(
        notice.contains("paused by Dana Ruiz: spike under review"),
        "{notice}\n{s}"
    );
    assert!(!notice.contains("n/a"), "{notice}");
    solo.t.keys(&["Escape"]);
}

#[derive(Default)]
struct Story {
    statements: Vec<String>,
    waivers: Vec<String>,
}

struct Solo<'a> {
    t: &'a Tmux,
}

impl Solo<'_> {
    fn wait_header(&self, needle: &str) -> String {
        self.wait(needle, |s| {
            s.lines().next().is_some_and(|l| l.contains(needle))
        })
    }

    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        support::poll(
            what,
            WAIT,
            || {
                let s = self.t.capture();
                ok(&s).then_some(s)
            },
            || self.t.capture(),
        )
    }

    /// Starts and finishes each step of the phase, top to bottom.
    fn do_every_step(&self) {
        let (mut done, total) = steps_count(&self.t.capture());
        while done < total {
            self.t.keys(&["t"]);
            self.t.keys(&["x"]);
            self.wait(&format!("Steps {}/{total}", done + 1), |s| {
                steps_count(s).0 == done + 1
            });
            done += 1;
            self.t.keys(&["Down"]);
        }
    }

    /// Owners of the sign-offs the gates panel shows as awaited.
    fn awaiting_signoffs(&self) -> Vec<String> {
        let screen = self.t.capture();
        let mut owners: Vec<String> = screen
            .lines()
            .filter(|l| l.contains("✎ awaiting sign-off"))
            .filter_map(|l| {
                let l = l.split("  ").next()?.trim_end();
                let open = l.rfind('(')?;
                Some(l[open + 1..].trim_end_matches(')').to_string())
            })
            .collect();
        owners.dedup();
        owners
    }

    /// `a` until acting as `owner`, `s`, the statement, Enter; then back.
    fn sign_off_as(&self, owner: &str, statement: &str) {
        self.act_as(owner);
        self.t.keys(&["Escape", "s"]);
        self.wait("the sign-off form", |s| s.contains("what you reviewed"));
        self.t.type_text(statement);
        self.t.keys(&["Enter"]);
        self.wait(&format!("{owner}'s sign-off recorded"), |s| {
            s.contains("recorded (as the named sign-off owner)")
        });
        self.act_as("dana");
    }

    fn act_as(&self, owner: &str) {
        let acting = |footer: &str| {
            if owner == ROSTER[0] {
                !footer.contains("acting as ")
            } else {
                footer.contains(&format!("acting as {owner} (demo only"))
            }
        };
        for _ in 0..ROSTER.len() {
            let before = footer(&self.t.capture());
            if acting(&before) {
                return;
            }
            self.t.keys(&["a"]);
            // one press at a time: wait until the footer names someone else
            support::poll(
                "a to switch whom the keyboard acts as",
                WAIT,
                || (footer(&self.t.capture()) != before).then_some(()),
                || self.t.capture(),
            );
        }
        assert!(
            acting(&footer(&self.t.capture())),
            "never acting as {owner}:\n{}",
            self.t.capture()
        );
    }

    /// `g`; while go is refused for a gate, waive the gate the form offers
    /// first (the first one not passing). Returns the waiver reasons.
    fn waive_until_go(&self, phase: usize) -> Vec<String> {
        let mut reasons = Vec::new();
        for round in 0..6 {
            self.t.keys(&["Escape", "g"]);
            let s = self.wait("the go form or a refusal", |s| {
                s.contains("┌ Go: enter") || s.contains("✘ refused")
            });
            if s.contains("┌ Go: enter") {
                // the form names the phase go enters before it is submitted
                if phase == 0 {
                    assert!(s.contains("┌ Go: enter pilot-dataset"), "{s}");
                }
                self.t.type_text(&format!("phase {phase} accepted"));
                self.t.keys(&["Enter"]);
                self.wait_header(&format!("Phase {}:", phase + 1));
                return reasons;
            }
            self.t.keys(&["Escape", "w"]);
            self.wait("the waiver form", |s| s.contains("Waive a gate"));
            let reason = format!("accepted in phase {phase}, round {round}");
            self.t.type_text(&reason);
            self.t.keys(&["Tab"]);
            self.t.type_text("2h");
            self.t.keys(&["Enter"]);
            self.wait("the waiver", |s| s.contains("waived until"));
            reasons.push(reason);
        }
        panic!("go was never accepted:\n{}", self.t.capture());
    }
}

/// The screen's last line up to the log path: whom the keys act as.
fn footer(screen: &str) -> String {
    let line = screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    line.split(" log ").next().unwrap_or("").to_string()
}

/// A panel title from `needle` up to its rule, e.g. "Gates 0/2 pass · 2
/// awaiting sign-off" (the right-hand column on the same line left out).
fn title(screen: &str, needle: &str) -> String {
    let line = line_with(screen, needle);
    let from = line.find(needle).map_or("", |i| &line[i..]);
    from.split('─').next().unwrap_or("").trim().to_string()
}

/// The text inside a popup's box, its wrapped lines joined with spaces.
fn popup_text(screen: &str) -> String {
    let inside: Vec<&str> = screen
        .lines()
        .filter_map(|l| {
            let a = l.find('│')?;
            let rest = &l[a + '│'.len_utf8()..];
            let b = rest.find('│')?;
            Some(rest[..b].trim())
        })
        .filter(|t| !t.is_empty())
        .collect();
    inside.join(" ")
}

/// "Steps 2/4" in the steps panel's title: (done, total).
fn steps_count(screen: &str) -> (usize, usize) {
    let line = line_with(screen, "Steps ");
    let at = line.find("Steps ").map_or(0, |i| i + 6);
    let word = line[at..].split_whitespace().next().unwrap_or("0/0");
    let (d, t) = word.split_once('/').unwrap_or(("0", "0"));
    (d.parse().unwrap_or(0), t.parse().unwrap_or(0))
}

/// The first screen line containing `needle`, trimmed ("" when none).
fn line_with(screen: &str, needle: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or("")
        .trim_end()
        .to_string()
}

/// The markdown from `heading` to the next `## ` heading.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let Some(at) = md.find(heading) else {
        return "";
    };
    let rest = &md[at + heading.len()..];
    rest.find("\n## ").map_or(rest, |end| &rest[..end])
}
