//! Longer flows: breaches and recommendations, rollback and re-entry,
//! steps, handover, overrun, derived metrics, completion.

use super::*;

#[test]
fn a_breach_recommends_once_and_the_recommendation_stays_until_decided() {
    let mut s = in_pilot();
    let mut recs = vec![];
    let mut states = vec![];
    for t in 10..30 {
        let out = s.at(
            t,
            &[("target.pacs.latency_ms", 900.0), ("target.pacs.up", 1.0)],
        );
        recs.extend(recommends(&out));
        states.push(s.c.thresholds()[0].state);
    }
    assert_eq!(recs, vec!["latency".to_string()]);
    assert_eq!(states[0], ThresholdState::Watch);
    assert_eq!(states[5], ThresholdState::Breached);
    assert_eq!(s.c.recommendations().len(), 1);
    assert!(s.c.recommendations()[0]
        .message
        .contains("rollback of read-path"));
    // A watch and a breach notice went out.
    assert!(s.log.iter().any(|(_, e)| e.kind == EntryKind::Threshold
        && e.body["to"] == "breached"
        && e.body["recommendation"]["scope"] == "read-path"));
    // Deciding: authority and rationale.
    let dec = |a: Answer, r: &str| Action::Decide {
        threshold: "latency".into(),
        answer: a,
        rationale: r.into(),
    };
    assert!(refused(&s.act("sam", dec(Answer::Continue, "fine")))
        .expect("refused")
        .contains("may not decide"));
    assert!(refused(&s.act("pat", dec(Answer::Continue, "")))
        .expect("refused")
        .contains("rationale"));
    assert!(refused(&s.act(
        "pat",
        Action::Decide {
            threshold: "nope".into(),
            answer: Answer::Continue,
            rationale: "x".into()
        }
    ))
    .is_some());
    assert_eq!(
        s.c.recommendations().len(),
        1,
        "still pending after refusals"
    );
    assert!(acked(&s.act(
        "pat",
        dec(Answer::Continue, "radiology accepts slower reads tonight")
    )));
    assert!(s.c.recommendations().is_empty());
    // Still breached: no second recommendation in the same episode.
    let out = s.at(31, &[("target.pacs.latency_ms", 900.0)]);
    assert!(recommends(&out).is_empty());
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn rollback_then_reentry_needs_rollback_steps_and_entry_gates() {
    let mut s = in_pilot();
    for t in 10..20 {
        s.at(
            t,
            &[("target.pacs.latency_ms", 950.0), ("target.pacs.up", 1.0)],
        );
    }
    let out = s.act(
        "dana",
        Action::Decide {
            threshold: "latency".into(),
            answer: Answer::Rollback,
            rationale: "reads too slow".into(),
        },
    );
    assert!(acked(&out), "{out:?}");
    assert!(out
        .iter()
        .any(|e| matches!(e, Effect::Notify { template, .. } if template == "rollback")));
    let rb = s.c.rollback().expect("rollback in progress");
    assert_eq!((rb.scope.as_str(), rb.steps.len()), ("read-path", 1));
    assert!(s.c.phase_state().needs_reentry);
    assert!(refused(&s.act(
        "dana",
        Action::Rollback {
            scope: "read-path".into(),
            rationale: "again".into()
        }
    ))
    .expect("refused")
    .contains("already in progress"));
    let r = refused(&s.act("dana", go("again"))).expect("refused");
    assert!(r.contains("unfinished steps (repoint)"), "{r}");
    assert!(acked(&s.act(
        "sam",
        Action::StepStart {
            step: "repoint".into()
        }
    )));
    assert!(acked(&s.act(
        "sam",
        Action::StepDone {
            step: "repoint".into()
        }
    )));
    // Entry gate no-critical needs a fresh evaluation to be known; open a critical issue first.
    s.act(
        "sam",
        Action::IssueOpen {
            id: "I2".into(),
            severity: IssueSeverity::Critical,
            title: "t".into(),
            owner: "sam".into(),
        },
    );
    s.at(21, &[("target.pacs.latency_ms", 100.0)]);
    let r = refused(&s.act("dana", go("again"))).expect("refused");
    assert!(
        r.contains("re-entering pilot") && r.contains("no-critical"),
        "{r}"
    );
    s.act(
        "sam",
        Action::IssueClose {
            id: "I2".into(),
            rationale: "done".into(),
        },
    );
    s.at(22, &[("target.pacs.latency_ms", 100.0)]);
    let out = s.act("dana", go("read path back, retrying"));
    assert!(acked(&out), "{out:?}");
    assert!(s.c.rollback().is_none());
    assert!(!s.c.phase_state().needs_reentry);
    assert_eq!(s.c.phase_id(), "pilot");
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn a_hold_severity_threshold_recommends_a_hold_and_deciding_hold_stops_the_line() {
    let mut s = Session::new();
    let out = s.at(1, &[("target.pacs.up", 0.0)]);
    assert_eq!(recommends(&out), vec!["target-down".to_string()]);
    assert_eq!(s.c.recommendations()[0].kind, RecommendationKind::Hold);
    let out = s.act(
        "dana",
        Action::Decide {
            threshold: "target-down".into(),
            answer: Answer::Hold,
            rationale: "target archive down".into(),
        },
    );
    assert!(acked(&out));
    assert!(s.c.hold().is_some());
    assert!(out
        .iter()
        .any(|e| matches!(e, Effect::Notify { template, .. } if template == "hold")));
}

#[test]
fn step_rules() {
    let mut s = in_pilot();
    let start = |id: &str| Action::StepStart { step: id.into() };
    let cases: Vec<(&str, Action, &str)> = vec![
        ("pat", start("copy"), "sam's"),
        ("sam", start("verify"), "runs after copy"),
        (
            "sam",
            Action::StepDone {
                step: "copy".into(),
            },
            "start it before",
        ),
        ("sam", start("freeze"), "belongs to phase readiness"),
        ("sam", start("nope"), "no step"),
        (
            "sam",
            Action::StepSkip {
                step: "copy".into(),
                reason: " ".into(),
            },
            "reason is required",
        ),
    ];
    for (actor, action, want) in cases {
        let r = refused(&s.act(actor, action)).expect("refused");
        assert!(r.contains(want), "{r} should mention {want}");
    }
    assert!(acked(&s.act("sam", start("copy"))));
    assert!(refused(&s.act("sam", start("copy"))).is_some());
    s.now = Ts(5 * MIN);
    assert!(
        acked(&s.act(
            "dana",
            Action::StepDone {
                step: "copy".into()
            }
        )),
        "commander may"
    );
    assert!(matches!(
        s.c.steps()[1].state,
        StepState::Done {
            started: Some(_),
            ..
        }
    ));
    assert!(acked(&s.act(
        "sam",
        Action::StepBlocked {
            step: "verify".into(),
            reason: "tool down".into()
        }
    )));
    s.act(
        "sam",
        Action::Hold {
            reason: "stop".into(),
        },
    );
    assert!(refused(&s.act("sam", start("verify")))
        .expect("refused")
        .contains("HOLD"));
    s.act(
        "dana",
        Action::Resume {
            rationale: "go on".into(),
        },
    );
    assert!(acked(&s.act("sam", start("verify"))));
    assert!(acked(&s.act(
        "sam",
        Action::StepSkip {
            step: "verify".into(),
            reason: "covered by copy".into()
        }
    )));
    let log_steps = s
        .log
        .iter()
        .filter(|(_, e)| e.kind == EntryKind::Step)
        .count();
    assert_eq!(log_steps, 5);
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn handover_is_for_the_commander_only() {
    let mut s = Session::new();
    let h = |to: &str| Action::Handover {
        to: to.into(),
        rationale: "shift change".into(),
    };
    assert!(refused(&s.act("sam", h("pat")))
        .expect("refused")
        .contains("only the commander"));
    assert!(refused(&s.act("dana", h("ghost"))).is_some());
    assert!(acked(&s.act("dana", h("pat"))));
    assert_eq!(s.c.commander(), "pat");
    // dana still owns readiness; in decommission she would not decide... but pat now does everywhere.
    assert!(refused(&s.act("dana", h("sam")))
        .expect("refused")
        .contains("only the commander (pat)"));
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn window_overrun_is_a_trigger_once() {
    let mut s = Session::new();
    let out = s.at(359 * 60, &[]);
    assert!(recommends(&out).is_empty());
    let out = s.at(361 * 60, &[]);
    assert_eq!(recommends(&out), vec![OVERRUN_ID.to_string()]);
    assert!(out
        .iter()
        .any(|e| matches!(e, Effect::Notify { template, .. } if template == "overrun")));
    assert!(recommends(&s.at(362 * 60, &[])).is_empty());
    // One rollback plan: answering rollback uses it.
    let out = s.act(
        "dana",
        Action::Decide {
            threshold: OVERRUN_ID.into(),
            answer: Answer::Rollback,
            rationale: "out of time".into(),
        },
    );
    assert!(acked(&out), "{out:?}");
    assert_eq!(s.c.rollback().map(|r| r.scope.as_str()), Some("read-path"));
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

/// With `overrun_scope` the built-in overrun trigger recommends a rollback
/// of that scope (a hold without it), and the replay agrees.
#[test]
fn window_overrun_recommends_the_overrun_scope() {
    let mut rb = super::runbook();
    rb.overrun_scope = Some("read-path".into());
    let mut s = Session::with(rb);
    s.at(361 * 60, &[]);
    let rec =
        s.c.recommendations()
            .first()
            .expect("recommendation")
            .clone();
    assert_eq!(rec.threshold, OVERRUN_ID);
    assert_eq!(rec.kind, crate::cockpit::RecommendationKind::Rollback);
    assert_eq!(rec.scope.as_deref(), Some("read-path"));
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());

    let mut plain = Session::new();
    plain.at(361 * 60, &[]);
    let rec = plain
        .c
        .recommendations()
        .first()
        .expect("recommendation")
        .clone();
    assert_eq!(rec.kind, crate::cockpit::RecommendationKind::Hold);
    assert_eq!(rec.scope, None);
}

#[test]
fn derived_metrics_are_in_the_store_after_a_tick() {
    let mut s = in_pilot();
    s.at(30 * 60, &[]);
    let m = |n: &str| s.c.store().latest(n, s.now).expect(n);
    assert_eq!(m("cutover.elapsed_min"), 30.0);
    assert_eq!(m("cutover.remaining_min"), 330.0);
    assert!((m("phase.elapsed_min") - 30.0).abs() < 0.1);
    // pilot: copy 20 then verify 10 (30) + decommission 30 = 60 min of work; 30 + 60 - 360 = -270.
    assert_eq!(m("cutover.forecast_overrun_min"), -270.0);
    assert_eq!(m("rollback.read-path.slack_min"), 315.0);
    assert_eq!(m("issues.open"), 0.0);
}

#[test]
fn notes_are_decisions_with_their_text() {
    let mut s = Session::new();
    assert!(refused(&s.act("sam", Action::Note { text: "".into() })).is_some());
    assert!(acked(&s.act(
        "sam",
        Action::Note {
            text: "bridge call moved".into()
        }
    )));
    let (_, e) = s.log.last().expect("entry");
    assert_eq!(
        (e.body["type"].as_str(), e.body["rationale"].as_str()),
        (Some("note"), Some("bridge call moved"))
    );
}

#[test]
fn go_in_the_last_phase_completes_the_cutover() {
    let mut s = in_pilot();
    for t in 10..=25 {
        s.at(
            t,
            &[
                ("recon.pacs-pilot.match", 1.0),
                ("target.pacs.up", 1.0),
                ("source.pacs.up", 1.0),
            ],
        );
    }
    assert_eq!(s.c.gates()[2].state(), GateState::Pass);
    assert!(acked(&s.act("pat", go("pilot clean"))));
    assert_eq!(s.c.phase_id(), "decommission");
    assert!(acked(&s.act("dana", go("done"))));
    assert!(s.c.phase_state().finished);
    assert!(refused(&s.act("dana", go("more")))
        .expect("refused")
        .contains("complete"));
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn a_new_waiver_granted_right_at_expiry_is_not_swept_away_with_the_old_one() {
    let mut s = Session::new();
    s.at(1, &[("target.pacs.up", 0.0)]);
    let w = |mins: i64| Action::Waive {
        gate: "targets-up".into(),
        owner: "sam".into(),
        reason: "r".into(),
        expires: Ts(mins * MIN),
    };
    assert!(acked(&s.act("dana", w(10))));
    s.now = Ts(10 * MIN);
    assert!(
        acked(&s.act("dana", w(40))),
        "the first waiver no longer counts"
    );
    s.at(10 * 60 + 1, &[("target.pacs.up", 0.0)]);
    let flags: Vec<bool> = s.c.waivers().iter().map(|w| w.expired).collect();
    assert_eq!(flags, vec![true, false]);
    assert_eq!(s.c.gates()[0].state(), GateState::Waived);
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

/// Staleness per probe: the config below has a 5-minute probe and no
/// `stale_after` anywhere, so its samples stay fresh for 3 x 5m.
fn staleness_of(config: &str) -> crate::config::Staleness {
    crate::config::load("c.toml", config)
        .expect("config loads")
        .staleness()
}

const SLOW_PROBE: &str = "[poll]\ninterval = \"5s\"\n\n[[probe]]\nside = \"target\"\nsystem = \"pacs\"\nkind = \"health\"\nurl = \"http://127.0.0.1:9/h\"\ninterval = \"5m\"\n";

#[test]
fn a_five_minute_probe_without_stale_after_stays_fresh_for_fifteen_minutes() {
    let mut s = Session::new();
    s.c.set_staleness(&staleness_of(SLOW_PROBE));
    s.at(0, &[("target.pacs.up", 1.0)]);
    let targets_up = |s: &Session| s.c.gates()[0].state();
    for secs in [60, 5 * 60, 10 * 60, 15 * 60 - 1] {
        s.at(secs, &[]);
        assert_eq!(targets_up(&s), GateState::Pass, "at {secs}s");
    }
    // 15 minutes on: stale, so unknown, with the reason
    s.at(15 * 60 + 1, &[]);
    assert_eq!(targets_up(&s), GateState::Unknown);
    assert!(
        s.c.gates()[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("stale: last sample of target.pacs.up")),
        "{:?}",
        s.c.gates()[0].reason
    );
    // metrics no probe declares use 3 x the [poll] interval
    assert_eq!(
        staleness_of(SLOW_PROBE).default,
        crate::time::Dur::from_secs(15)
    );
}

#[test]
fn a_probe_level_stale_after_overrides_poll_and_the_default() {
    // [poll] says 20s; the probe says 1m
    let cfg = SLOW_PROBE
        .replace(
            "interval = \"5s\"\n",
            "interval = \"5s\"\nstale_after = \"20s\"\n",
        )
        .replace(
            "interval = \"5m\"\n",
            "interval = \"5m\"\nstale_after = \"1m\"\n",
        );
    let st = staleness_of(&cfg);
    assert_eq!(st.metrics["target.pacs.up"], crate::time::Dur::from_mins(1));
    assert_eq!(st.default, crate::time::Dur::from_secs(20));
    let mut s = Session::new();
    s.c.set_staleness(&st);
    s.at(0, &[("target.pacs.up", 1.0)]);
    s.at(59, &[]);
    assert_eq!(s.c.gates()[0].state(), GateState::Pass);
    s.at(61, &[]);
    assert_eq!(s.c.gates()[0].state(), GateState::Unknown);
    // without the probe's own, [poll] stale_after applies to the probe too
    let cfg = SLOW_PROBE.replace(
        "interval = \"5s\"\n",
        "interval = \"5s\"\nstale_after = \"20s\"\n",
    );
    let st = staleness_of(&cfg);
    assert_eq!(
        st.metrics["target.pacs.up"],
        crate::time::Dur::from_secs(20)
    );
    // derived metrics stay never stale
    let mut s = Session::new();
    s.c.set_staleness(&st);
    s.at(0, &[]);
    assert!(s.c.store().latest("issues.open", Ts(3_600_000)).is_ok());
}
