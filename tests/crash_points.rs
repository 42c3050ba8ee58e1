//! Crash-point enumeration: a scripted session through the real `Session`
//! and `Journal` uses every kind of action; the log it wrote is then cut at
//! every record boundary and at three byte offsets inside every record, and
//! each cut is resumed, replayed and reported. All three must show the
//! state after the last action whose records are present (a go decision
//! carries its phase change, so a cut between it and its `phase` records
//! still holds the whole go), never half an action.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod app_support;

use app_support::temp_log;

/// The demo runbook without `require_signature`: these tests are about the
/// durability of actions (dr-lee's sign-off is taken unsigned here).
fn loaded() -> cutover_cockpit::app::start::Loaded {
    let mut l = app_support::loaded();
    l.runbook.require_signature.clear();
    l
}
use cutover_cockpit::app::session::Session;
use cutover_cockpit::app::start;
use cutover_cockpit::core::cockpit::{Action, Answer, Cockpit, IssueSeverity};
use cutover_cockpit::core::entry::EntryKind;
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::journal::verify_file;
use cutover_cockpit::report::evidence::Evidence;
use cutover_cockpit::report::verification_of;
use cutover_cockpit::tui::ActResult;
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// 2026-11-28 22:00:00 UTC.
const T0: i64 = 1_795_903_200_000;

/// Healthy probes, but target retrieval latency above 800 ms from second 140 to 300.
fn reports(s: i64, now: Ts) -> Vec<ProbeReport> {
    let latency = if (140..300).contains(&s) {
        1_250.0
    } else {
        310.0
    };
    let r = |probe: &str, samples: &[(&str, f64)]| ProbeReport::ok_with(probe, now, samples);
    vec![
        r("source.pacs.health", &[("source.pacs.up", 1.0)]),
        // the source side of the statistical pilot gate (target not slower)
        r("source.pacs.latency", &[("source.pacs.latency_ms", 305.0)]),
        r("target.pacs.health", &[("target.pacs.up", 1.0)]),
        r(
            "target.pacs.latency",
            &[
                ("target.pacs.latency_ms", latency),
                ("target.pacs.replication_lag_s", 4.0),
            ],
        ),
        r(
            "recon.pacs-pilot.checksum",
            &[
                ("recon.pacs-pilot.match", 1.0),
                ("recon.pacs-pilot.count_delta", 0.0),
            ],
        ),
    ]
}

/// A clock the test moves by hand (ms since the epoch), starting at T0.
fn hand_clock() -> (Arc<AtomicI64>, cutover_cockpit::probe::Clock) {
    let ms = Arc::new(AtomicI64::new(T0));
    let c = ms.clone();
    (ms, Arc::new(move || Ts(c.load(Ordering::SeqCst))))
}

/// Every kind of action, by second and actor.
fn script() -> Vec<(i64, &'static str, Action)> {
    let step = |id: &str| id.to_string();
    let why = |t: &str| t.to_string();
    vec![
        (
            20,
            "dana",
            Action::StepStart {
                step: step("freeze-scope"),
            },
        ),
        (
            30,
            "dana",
            Action::StepDone {
                step: step("freeze-scope"),
            },
        ),
        (
            40,
            "priya",
            Action::StepSkip {
                step: step("confirm-encryption"),
                reason: why("covered by the change ticket"),
            },
        ),
        (
            50,
            "sam",
            Action::StepBlocked {
                step: step("test-backup-restore"),
                reason: why("backup host unreachable"),
            },
        ),
        (
            60,
            "dana",
            Action::Note {
                text: why("bridge call open"),
            },
        ),
        (
            70,
            "dana",
            Action::IssueOpen {
                id: why("INC-1"),
                severity: IssueSeverity::Critical,
                title: why("viewer login fails"),
                owner: why("sam"),
            },
        ),
        (
            80,
            "dana",
            Action::Hold {
                reason: why("INC-1 under review"),
            },
        ),
        (
            90,
            "dana",
            Action::Resume {
                rationale: why("INC-1 understood"),
            },
        ),
        (
            100,
            "dana",
            Action::IssueClose {
                id: why("INC-1"),
                rationale: why("login fixed"),
            },
        ),
        (
            110,
            "dana",
            Action::Waive {
                gate: why("pilot-latency"),
                owner: why("sam"),
                reason: why("pilot studies are small"),
                expires: Ts(T0 + 5 * 3_600_000),
            },
        ),
        (
            130,
            "dana",
            Action::Go {
                rationale: why("readiness reviewed"),
            },
        ),
        (
            280,
            "dana",
            Action::Decide {
                threshold: why("retrieval-latency-spike"),
                answer: Answer::Hold,
                rationale: why("watch it first"),
            },
        ),
        (
            300,
            "dana",
            Action::Resume {
                rationale: why("latency back under 800 ms"),
            },
        ),
        (
            310,
            "dana",
            Action::Rollback {
                scope: why("switch-archive-retrieval"),
                rationale: why("retrieval path unstable"),
            },
        ),
        (
            320,
            "priya",
            Action::StepStart {
                step: step("switch-retrieval-route"),
            },
        ),
        (
            330,
            "priya",
            Action::StepDone {
                step: step("switch-retrieval-route"),
            },
        ),
        (
            340,
            "dana",
            Action::Go {
                rationale: why("retrieval back on the source"),
            },
        ),
        (
            350,
            "dr-lee",
            Action::SignOff {
                phase: why("pilot-dataset"),
                role: why("Radiology clinical lead"),
                statement: why("pilot studies read on three viewers"),
            },
        ),
        (
            360,
            "dana",
            Action::Handover {
                to: why("sam"),
                rationale: why("end of shift"),
            },
        ),
        (
            430,
            "sam",
            Action::Go {
                rationale: why("pilot passed"),
            },
        ),
    ]
}

/// What people's actions decide, as the cockpit holds it (probe-driven
/// values, timers and recommendations raised between actions are left out).
fn action_state(c: &Cockpit) -> serde_json::Value {
    let ps = c.phase_state();
    json!({
        "phase": [ps.index, ps.entered_at.0, ps.needs_reentry, ps.finished],
        "commander": c.commander(),
        "steps": c.steps(),
        "rollback": c.rollback(),
        "hold": c.hold(),
        "signoffs": c.signoffs(),
        "waivers": c.waivers(),
        "issues": c.issues(),
    })
}

/// One acknowledged action: the seq of its first record of its own (the
/// one that says what it does) and the state right after it.
struct Acked {
    key_seq: u64,
    state: serde_json::Value,
}

struct Recorded {
    initial: serde_json::Value,
    acked: Vec<Acked>,
}

fn run_script(log: &Path) -> Recorded {
    let (clock_ms, clock) = hand_clock();
    let (mut session, _) = start::open_session(&loaded(), log, "dana", clock).unwrap();
    let initial = action_state(session.cockpit());
    let mut acked = vec![];
    let mut actions = script().into_iter().peekable();
    for s in 1..=440 {
        clock_ms.store(T0 + s * 1000, Ordering::SeqCst);
        // every 2 s: the statistical gate needs 20 samples a side in 1m
        if s % 2 == 1 {
            reports(s, Ts(T0 + s * 1000))
                .into_iter()
                .for_each(|r| session.probe(r));
        }
        if s % 10 == 0 {
            session.tick();
        }
        while actions.peek().is_some_and(|(at, _, _)| *at == s) {
            let (_, actor, action) = actions.next().unwrap();
            acked.push(act(&mut session, actor, action));
        }
    }
    assert!(actions.next().is_none());
    session.close().unwrap();
    Recorded { initial, acked }
}

fn act(session: &mut Session, actor: &str, action: Action) -> Acked {
    let before = session.journal().next_seq();
    let shown = format!("{action:?}");
    let result = session.act_as(actor, action);
    assert!(
        matches!(result, ActResult::Acknowledged(_)),
        "{actor}: {shown}: {result:?}"
    );
    // every record of the action is on disk when it is acknowledged
    assert_eq!(session.journal().pending_bytes(), 0, "{shown}");
    let records = verify_file(session.journal().path(), None, None)
        .unwrap()
        .records;
    let key_seq = records
        .iter()
        .find(|r| r.seq >= before && r.kind != EntryKind::Observe)
        .map(|r| r.seq)
        .unwrap();
    assert_eq!(
        records.last().unwrap().seq + 1,
        session.journal().next_seq()
    );
    Acked {
        key_seq,
        state: action_state(session.cockpit()),
    }
}

/// The state expected of a log holding records `0..n`.
fn expected(rec: &Recorded, n: u64) -> &serde_json::Value {
    rec.acked
        .iter()
        .rev()
        .find(|a| a.key_seq < n)
        .map_or(&rec.initial, |a| &a.state)
}

/// Where to cut: after every line, and 1 byte, half-way and 1 byte short
/// of the end inside every line. Returns (byte offset, whole records kept).
fn cut_points(bytes: &[u8]) -> Vec<(usize, u64)> {
    let mut out = vec![];
    let (mut start, mut n) = (0usize, 0u64);
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'\n' {
            continue;
        }
        let len = i + 1 - start;
        for inside in [1, len / 2, len - 1] {
            out.push((start + inside, n));
        }
        n += 1;
        out.push((i + 1, n));
        start = i + 1;
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_cut_of_the_log_resumes_replays_and_reports_whole_actions() {
    let log = temp_log("crash-points");
    let rec = run_script(&log);
    let bytes = std::fs::read(&log).unwrap();
    let dir = log.parent().unwrap().join("cuts");
    std::fs::create_dir_all(&dir).unwrap();
    let cuts = cut_points(&bytes);
    assert!(cuts.len() > 4 * rec.acked.len());
    let phases: Vec<String> = loaded()
        .runbook
        .phases
        .iter()
        .map(|p| p.id.clone())
        .collect();
    for (i, (at, n)) in cuts.iter().enumerate() {
        if *n == 0 {
            continue; // not even the open record: not a log to resume
        }
        let cut = dir.join(format!("cut-{i}.jsonl"));
        std::fs::write(&cut, &bytes[..*at]).unwrap();
        let want = expected(&rec, *n);
        let ctx = format!("cut at byte {at} ({n} whole records)");

        // replay: the records that verify, folded
        let records = verify_file(&cut, None, None).unwrap().records;
        assert_eq!(records.len() as u64, *n, "{ctx}");
        let replayed = Cockpit::replay(
            loaded().runbook,
            records.iter().map(|r| (r.ts(), r.entry())),
        );
        assert_eq!(&action_state(&replayed), want, "replay, {ctx}");

        // report: the phase timeline ends in the same phase, the hold agrees
        let (values, verification) = verification_of(&cut).unwrap();
        let ev = Evidence::from_records(&values, verification);
        let phase = &phases[want["phase"][0].as_u64().unwrap() as usize];
        if let Some(last) = ev.phases.last() {
            assert_eq!(&last.phase, phase, "report, {ctx}");
        }
        let open_hold = ev.holds.iter().any(|h| h.end.is_none());
        assert_eq!(open_hold, !want["hold"].is_null(), "report hold, {ctx}");

        // resume: the cockpit a restarted `cutover run` shows
        let clock: cutover_cockpit::probe::Clock = Arc::new(|| Ts(T0 + 3_600_000));
        let (session, _) = start::open_session(&loaded(), &cut, "dana", clock)
            .unwrap_or_else(|e| panic!("resume, {ctx}: {e}"));
        assert_eq!(&action_state(session.cockpit()), want, "resume, {ctx}");
        drop(session);
        let _ = std::fs::remove_file(&cut);
    }
}

#[test]
fn a_resume_says_which_action_it_completed_from_its_decision() {
    let log = temp_log("crash-cut-go");
    let rec = run_script(&log);
    let records = verify_file(&log, None, None).unwrap().records;
    // the first go: its decision, then `completed` and `entered`
    let go = records
        .iter()
        .find(|r| r.kind == EntryKind::Decision && r.body["type"] == "go")
        .unwrap();
    let bytes = std::fs::read(&log).unwrap();
    let end_of_go = bytes
        .split(|b| *b == b'\n')
        .take(go.seq as usize + 1)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let cut = log.with_file_name("cut-go.jsonl");
    std::fs::write(&cut, &bytes[..end_of_go]).unwrap();
    let clock: cutover_cockpit::probe::Clock = Arc::new(|| Ts(T0 + 3_600_000));
    let (session, _) = start::open_session(&loaded(), &cut, "dana", clock).unwrap();
    assert_eq!(session.cockpit().phase_id(), "pilot-dataset");
    assert_eq!(&action_state(session.cockpit()), expected(&rec, go.seq + 1));
    drop(session);
    let after = verify_file(&cut, None, None).unwrap().records;
    let resume = after.iter().find(|r| r.kind == EntryKind::Resume).unwrap();
    assert_eq!(resume.body["cut_action"]["seq"], go.seq);
    assert_eq!(resume.body["cut_action"]["type"], "go");
    assert_eq!(resume.body["cut_action"]["missing_records"], 2);
}

/// A gate's `for` timer after a clean quit and after a crash (no close).
#[test]
fn for_timers_survive_a_clean_quit_and_a_crash() {
    for clean in [true, false] {
        let log = temp_log(if clean { "timer-quit" } else { "timer-kill" });
        let (clock_ms, clock) = hand_clock();
        let (mut session, _) = start::open_session(&loaded(), &log, "dana", clock.clone()).unwrap();
        // 95 s of healthy probes every 5 s, ticks every second: the pilot
        // checksum gate (for = 1m) and the readiness health gate run their timers
        for s in 1..=95 {
            clock_ms.store(T0 + s * 1000, Ordering::SeqCst);
            if s % 5 == 0 {
                reports(s, Ts(T0 + s * 1000))
                    .into_iter()
                    .for_each(|r| session.probe(r));
            }
            session.tick();
        }
        let live = timer_of(session.cockpit(), "pilot-checksums");
        assert!(live >= Dur::from_secs(85), "live timer {live:?}");
        if clean {
            session.close().unwrap();
        }
        drop(session);
        let (resumed, _) = start::open_session(&loaded(), &log, "dana", clock).unwrap();
        let back = timer_of(resumed.cockpit(), "pilot-checksums");
        let lost = live - back;
        let allowed = if clean {
            Dur::from_secs(1)
        } else {
            Dur::from_secs(5)
        };
        assert!(
            lost <= allowed && lost >= Dur::ZERO,
            "clean={clean}: live {live:?}, after resume {back:?}"
        );
    }
}

fn timer_of(c: &Cockpit, gate: &str) -> Dur {
    c.gates().iter().find(|g| g.id == gate).unwrap().timer.acc
}

/// A checkpoint sidecar that cannot be written shows on screen.
#[test]
fn a_failed_checkpoint_write_is_shown() {
    use cutover_cockpit::tui::CockpitPort;
    let log = temp_log("checkpoint-error");
    let sidecar = log.with_file_name("cutover.jsonl.checkpoint");
    // a directory where the file should go: every write of it fails
    std::fs::create_dir_all(sidecar.join("blocked")).unwrap();
    let (clock_ms, clock) = hand_clock();
    let (mut session, _) = start::open_session(&loaded(), &log, "dana", clock).unwrap();
    session.act(Action::Note {
        text: "a decision that takes a checkpoint".into(),
    });
    session.journal().wait_checkpoint();
    clock_ms.store(T0 + 1000, Ordering::SeqCst);
    session.tick();
    let toast = session.view().toast.expect("a toast");
    assert!(
        toast.message.contains("checkpoint not written"),
        "{}",
        toast.message
    );
}
