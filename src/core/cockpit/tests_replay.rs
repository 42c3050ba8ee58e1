//! Rebuilding from the log: timers survive a crash, and a fold over the
//! records equals the live state for random sessions (property test).

use super::tests::{acked, go, in_pilot, ready, runbook, Session, MIN};
use super::*;
use crate::core::threshold::ThresholdState;
use proptest::prelude::*;

#[test]
fn a_long_running_watch_is_not_reset_by_a_crash() {
    let mut rb = runbook();
    rb.thresholds[0].hold_for = Some(Dur::from_mins(120));
    let mut s = Session::with(rb.clone());
    ready(&mut s);
    assert!(acked(&s.act("dana", go("ready"))));
    // 1 h 50 min of a true condition, evaluated every 10 s.
    let start = 10;
    let mut t = start;
    while t <= start + 110 * 60 {
        s.at(t, &[("target.pacs.latency_ms", 900.0)]);
        t += 10;
    }
    assert_eq!(s.c.thresholds()[0].state, ThresholdState::Watch);
    // Crash: rebuild from the log; the timer comes back from its last checkpoint.
    let mut c = Cockpit::replay(rb, s.log.clone());
    let restored = c.thresholds()[0].timer.acc;
    assert!(restored >= Dur::from_mins(109), "restored {restored}");
    assert_eq!(c.durable_state(), s.c.durable_state());
    // Restart 5 minutes later: the gap does not count.
    let back = t + 300;
    c.restart(Ts(back * 1000), serde_json::json!({"reason": "restart"}));
    let mut breached_at = None;
    let mut now = back;
    while now < back + 20 * 60 && breached_at.is_none() {
        let sample = ProbeReport {
            probe: "p".into(),
            ts: Ts(now * 1000),
            ok: true,
            reason: None,
            samples: vec![Sample {
                name: "target.pacs.latency_ms".into(),
                ts: Ts(now * 1000),
                value: 900.0,
            }],
        };
        c.handle(Msg::Probe(sample), Ts(now * 1000));
        c.handle(Msg::Tick, Ts(now * 1000));
        if c.thresholds()[0].state == ThresholdState::Breached {
            breached_at = Some(now - back);
        }
        now += 10;
    }
    let after = breached_at.expect("breaches after the restart");
    // About 10 more minutes (+ at most one checkpoint interval lost), never at once.
    assert!(
        (10 * 60..=11 * 60 + 10).contains(&after),
        "breached {after}s after restart"
    );
}

use crate::core::sample::{ProbeReport, Sample};

/// One random step of a session.
#[derive(Debug, Clone)]
enum Op {
    Wait(i64),
    Sample {
        up: Option<bool>,
        latency: Option<bool>,
        matched: Option<bool>,
    },
    Act(usize, usize),
}

const ACTORS: [&str; 4] = ["dana", "sam", "pat", "dr-lee"];

fn action(i: usize, now: Ts) -> Action {
    let r = || "because".to_string();
    match i % 16 {
        0 => Action::Go { rationale: r() },
        1 => Action::Hold { reason: r() },
        2 => Action::Resume { rationale: r() },
        3 => Action::SignOff {
            phase: "readiness".into(),
            role: "Clinical leadership".into(),
        },
        4 => Action::Waive {
            gate: "pilot-checksums".into(),
            owner: "sam".into(),
            reason: r(),
            expires: now + Dur::from_mins(2),
        },
        5 => Action::Decide {
            threshold: "latency".into(),
            answer: Answer::Continue,
            rationale: r(),
        },
        6 => Action::Decide {
            threshold: "target-down".into(),
            answer: Answer::Hold,
            rationale: r(),
        },
        7 => Action::Rollback {
            scope: "read-path".into(),
            rationale: r(),
        },
        8 => Action::StepStart {
            step: ["copy", "verify", "repoint", "freeze"][i / 16 % 4].into(),
        },
        9 => Action::StepDone {
            step: ["copy", "verify", "repoint", "freeze"][i / 16 % 4].into(),
        },
        10 => Action::StepSkip {
            step: ["copy", "verify", "repoint", "retire"][i / 16 % 4].into(),
            reason: r(),
        },
        11 => Action::IssueOpen {
            id: format!("I{}", i / 16 % 3),
            severity: IssueSeverity::Critical,
            title: r(),
            owner: "sam".into(),
        },
        12 => Action::IssueClose {
            id: format!("I{}", i / 16 % 3),
            rationale: r(),
        },
        13 => Action::Handover {
            to: ACTORS[i / 16 % 4].into(),
            rationale: r(),
        },
        14 => Action::Decide {
            threshold: "latency".into(),
            answer: Answer::Rollback,
            rationale: r(),
        },
        _ => Action::Note { text: r() },
    }
}

fn op() -> impl Strategy<Value = Op> {
    let tri = || prop_oneof![Just(None), Just(Some(true)), Just(Some(false))];
    prop_oneof![
        (1i64..120).prop_map(Op::Wait),
        (tri(), tri(), tri()).prop_map(|(up, latency, matched)| Op::Sample {
            up,
            latency,
            matched
        }),
        (0usize..4, 0usize..64).prop_map(|(a, i)| Op::Act(a, i)),
    ]
}

fn run(ops: &[Op]) -> Session {
    let mut s = Session::new();
    let mut t = 1;
    for op in ops {
        match op {
            Op::Wait(d) => {
                t += d;
                s.at(t, &[]);
            }
            Op::Sample {
                up,
                latency,
                matched,
            } => {
                let mut v = vec![];
                if let Some(u) = up {
                    v.push(("target.pacs.up", if *u { 1.0 } else { 0.0 }));
                }
                if let Some(l) = latency {
                    v.push(("target.pacs.latency_ms", if *l { 900.0 } else { 100.0 }));
                }
                if let Some(m) = matched {
                    v.push(("recon.pacs-pilot.match", if *m { 1.0 } else { 0.0 }));
                }
                t += 1;
                s.at(t, &v);
            }
            Op::Act(a, i) => {
                let now = s.now;
                s.act(ACTORS[*a], action(*i, now));
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    /// Random sessions: the state rebuilt from the records equals the live one.
    #[test]
    fn rebuild_from_records_equals_live_state(ops in proptest::collection::vec(op(), 1..80)) {
        let s = run(&ops);
        prop_assert_eq!(s.c.durable_state(), s.replayed().durable_state());
    }
}

#[test]
fn a_scripted_session_reaches_every_phase_and_replays() {
    let mut s = in_pilot();
    assert!(acked(&s.act(
        "sam",
        Action::StepStart {
            step: "copy".into()
        }
    )));
    for t in 10..=25 {
        s.at(
            t,
            &[("recon.pacs-pilot.match", 1.0), ("target.pacs.up", 1.0)],
        );
    }
    assert!(acked(&s.act("pat", go("pilot clean"))));
    s.now = Ts(30 * MIN);
    assert_eq!(s.c.phase_id(), "decommission");
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}
