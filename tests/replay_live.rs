//! Replay of a recorded demo-like session reaches the state the live session
//! had: a real `Session` (core + journal) is driven with probe reports,
//! ticks and operator actions on a controlled clock, the log it wrote is
//! replayed, and the screens built from both cockpits after the last record
//! are compared whole.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod app_support;

use app_support::{loaded, temp_log};
use cutover_cockpit::app::replay::Replayer;
use cutover_cockpit::app::start;
use cutover_cockpit::app::view_model::{build_view, ViewContext};
use cutover_cockpit::core::cockpit::{Action, Answer, Cockpit};
use cutover_cockpit::core::entry::EntryKind;
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::verify_file;
use cutover_cockpit::tui::{CockpitPort, CockpitView};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// 2026-11-28 22:00:00 UTC.
const T0: i64 = 1_795_903_200_000;

/// What the probes of the demo would report at second `s`: both PACS up,
/// retrieval latency spiking above 800 ms from minute 10 to 14, replication
/// lag climbing past 300 s from minute 25, pilot checksums matching.
fn reports(s: i64, now: Ts) -> Vec<ProbeReport> {
    let latency = if (600..840).contains(&s) {
        1_250.0
    } else {
        310.0
    };
    let lag = if s > 1_500 { (s - 1_500) as f64 } else { 4.0 };
    let report = |probe: &str, samples: &[(&str, f64)]| ProbeReport::ok_with(probe, now, samples);
    vec![
        report("source.pacs.health", &[("source.pacs.up", 1.0)]),
        report("target.pacs.health", &[("target.pacs.up", 1.0)]),
        report(
            "target.pacs.latency",
            &[
                ("target.pacs.latency_ms", latency),
                ("target.pacs.replication_lag_s", lag),
            ],
        ),
        report(
            "recon.pacs-pilot.checksum",
            &[
                ("recon.pacs-pilot.match", 1.0),
                ("recon.pacs-pilot.count_delta", 0.0),
            ],
        ),
    ]
}

/// The operator's actions, by second.
fn action_at(s: i64) -> Option<Action> {
    let step = |id: &str| id.to_string();
    Some(match s {
        30 => Action::StepStart {
            step: step("freeze-scope"),
        },
        90 => Action::StepDone {
            step: step("freeze-scope"),
        },
        120 => Action::Hold {
            reason: "service desk not briefed yet".into(),
        },
        300 => Action::Resume {
            rationale: "briefing done".into(),
        },
        330 => Action::Note {
            text: "backup restore test passed".into(),
        },
        400 => Action::Go {
            rationale: "readiness reviewed".into(),
        },
        420 => Action::StepStart {
            step: step("copy-pilot-batch"),
        },
        700 => Action::Decide {
            threshold: "retrieval-latency-spike".into(),
            answer: Answer::Hold,
            rationale: "watch it before switching retrieval".into(),
        },
        900 => Action::Resume {
            rationale: "latency back under 800 ms".into(),
        },
        1_000 => Action::StepDone {
            step: step("copy-pilot-batch"),
        },
        _ => return None,
    })
}

fn view_of(c: &Cockpit, now: Ts) -> CockpitView {
    let ctx = ViewContext {
        operator: "dana".into(),
        log_path: "/x/cutover.jsonl".into(),
        checkpoint: None,
        log_tail: Vec::new(),
        toast: None,
        now,
    };
    let mut v = build_view(c, &ctx);
    // Derived metrics (cutover.*, rollback.*, issues.*, phase.*) are
    // recomputed, never logged: live they get a sample every tick, rebuilt
    // only where the log has records. Their sparkline history is therefore
    // a live-only detail; their current value must still agree.
    let derived = |m: &str| {
        ["cutover.", "rollback.", "issues.", "phase."]
            .iter()
            .any(|p| m.starts_with(p))
    };
    for t in &mut v.thresholds {
        for c in std::iter::once(&mut t.comparison).chain(t.comparisons.iter_mut()) {
            if derived(&c.left) {
                c.history.clear();
            }
        }
    }
    for g in &mut v.gates {
        for c in &mut g.comparisons {
            if derived(&c.left) {
                c.history.clear();
            }
        }
    }
    v
}

#[test]
fn replay_of_a_recorded_session_reaches_the_live_final_state() {
    let log = temp_log("live");
    let clock_ms = Arc::new(AtomicI64::new(T0));
    let c = clock_ms.clone();
    let clock: cutover_cockpit::probe::Clock = Arc::new(move || Ts(c.load(Ordering::SeqCst)));
    let (mut session, _) =
        start::open_session(&loaded(), &log, "dana", clock).expect("session opens");
    let mut acted = 0;
    for s in 1..=2_100 {
        clock_ms.store(T0 + s * 1000, Ordering::SeqCst);
        if s % 5 == 0 {
            let now = session.now();
            reports(s, now).into_iter().for_each(|r| session.probe(r));
        }
        session.tick();
        if let Some(a) = action_at(s) {
            let _ = session.act(a);
            acted += 1;
        }
    }
    let live_now = session.now();
    let live = view_of(session.cockpit(), live_now);
    session.close().expect("close record written");
    drop(session);

    let outcome = verify_file(&log, None, None).expect("log reads");
    assert!(outcome.damage.is_none(), "{:?}", outcome.damage);
    let records = outcome.records;
    let kinds = |k: EntryKind| records.iter().filter(|r| r.kind == k).count();
    // observe records batch the reports of a tick: count the reports inside
    let observed: usize = records
        .iter()
        .filter(|r| r.kind == EntryKind::Observe)
        .map(|r| r.body["reports"].as_array().map_or(1, |a| a.len()))
        .sum();
    assert!(
        observed > 1_000,
        "probes were recorded ({observed} reports)"
    );
    assert!(
        kinds(EntryKind::Decision) >= acted - 4,
        "decisions recorded"
    );
    assert!(
        kinds(EntryKind::Threshold) > 0,
        "the latency spike was seen"
    );

    let rb = cutover_cockpit::core::runbook::load(
        "open record",
        records[0].body["runbook"].as_str().expect("runbook text"),
    )
    .expect("runbook from the log loads");
    let mut r = Replayer::new(rb, records.clone(), "/x/cutover.jsonl", 1000.0);
    r.seek(records.len());
    assert!(r.at_end());
    assert_eq!(r.at(), live_now, "the close record is the last");
    let replayed = view_of(&r.shown_cockpit(), live_now);
    assert_eq!(replayed, live, "replayed state differs from the live one");

    // the story is not trivially equal: a hold was taken and ended, a phase moved
    assert!(live.header.hold.is_none());
    assert_eq!(
        live.phases
            .iter()
            .filter(|p| p.state != Default::default())
            .count(),
        2
    );
    // the timeline bar has the story the records tell
    let tl = r
        .view()
        .header
        .replay
        .and_then(|m| m.timeline)
        .expect("timeline");
    assert_eq!(tl.phases.len(), 2, "{:?}", tl.phases);
    assert_eq!(
        tl.holds.len(),
        2,
        "the hold taken and the one answering the spike"
    );
    assert!(!tl.episodes.is_empty(), "the latency spike episode");
    assert_eq!(tl.decisions.len(), kinds(EntryKind::Decision));
    // and seeking back to just after the first hold shows it
    let hold_at = records
        .iter()
        .position(|x| x.kind == EntryKind::Decision && x.body["type"] == "hold")
        .expect("hold record");
    r.seek(hold_at + 1);
    assert!(
        r.view().header.hold.is_some(),
        "seeking back shows the hold"
    );
}
