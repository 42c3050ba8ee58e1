//! Authority: every accepted action records the rule that allowed it, and
//! the recommendation's life (raised, then settled by an answer or made
//! moot by a rollback or hold). The property test checks the authority
//! against an independent reading of the rules, live and on rebuild.

use super::replay::{action, observe, op, Op, ACTORS};
use super::*;
use proptest::prelude::*;

/// The rules as docs/decision-core.md states them, read from the public
/// state only: the authority `actor` would act under, or `None`.
fn expected(c: &Cockpit, actor: &str, a: &Action) -> Option<String> {
    let phase = c.phase()?;
    let decision = if c.commander() == actor {
        Some("commander".to_string())
    } else if phase.owner == actor {
        Some(format!("phase-owner:{}", phase.id))
    } else {
        None
    };
    let step_owner = |id: &str| {
        let in_rollback = c
            .rollback()
            .and_then(|r| r.steps.iter().find(|s| s.id == id));
        in_rollback
            .or_else(|| {
                c.steps()
                    .iter()
                    .find(|s| s.id == id && s.phase.as_deref() == Some(c.phase_id()))
            })
            .map(|s| s.owner.clone())
    };
    match a {
        Action::Go { .. }
        | Action::Resume { .. }
        | Action::Rollback { .. }
        | Action::Waive { .. }
        | Action::Decide { .. } => decision,
        Action::Hold { .. } | Action::Note { .. } | Action::IssueOpen { .. } => {
            decision.or(Some("roster".into()))
        }
        Action::SignOff { phase, role, .. } => c
            .signoffs()
            .iter()
            .find(|s| &s.phase == phase && &s.role == role && s.owner == actor)
            .map(|_| "signoff-owner".into()),
        Action::Handover { .. } => (c.commander() == actor).then(|| "commander".into()),
        Action::IssueClose { id, .. } => decision.or_else(|| {
            c.issues()
                .iter()
                .find(|i| &i.id == id && i.closed.is_none() && i.owner == actor)
                .map(|_| "issue-owner".into())
        }),
        Action::StepStart { step }
        | Action::StepDone { step }
        | Action::StepSkip { step, .. }
        | Action::StepBlocked { step, .. } => {
            if c.commander() == actor {
                Some("commander".into())
            } else {
                (step_owner(step).as_deref() == Some(actor)).then(|| "step-owner".into())
            }
        }
    }
}

/// One accepted action: where its records start in the log, who, what.
struct Taken {
    first: usize,
    actor: String,
    action: Action,
    authority: String,
}

/// Runs `ops`, checking every action against [`expected`] as it happens.
fn run_checked(ops: &[Op]) -> Result<(Session, Vec<Taken>), TestCaseError> {
    let mut s = Session::new();
    let mut taken = vec![];
    let mut t = 1;
    for op in ops {
        match op {
            Op::Wait(_) | Op::Sample { .. } => observe(&mut s, &mut t, op),
            Op::Act(a, i) => {
                let act = action(*i, s.now);
                // Mostly people with some right to act, so sessions move on;
                // the first commander stays in play after a handover.
                let actor = match a {
                    0 => s.c.commander().to_string(),
                    1 => "dana".to_string(),
                    _ => ACTORS[*a % 4].to_string(),
                };
                let want = expected(&s.c, &actor, &act);
                let first = s.log.len();
                let out = s.act(&actor, act.clone());
                if acked(&out) {
                    let Some(want) = want else {
                        return Err(TestCaseError::fail(format!(
                            "{actor} was allowed {act:?} though no rule allows it"
                        )));
                    };
                    let mine: Vec<&Entry> = s.log[first..]
                        .iter()
                        .map(|(_, e)| e)
                        .filter(|e| matches!(e.kind, EntryKind::Decision | EntryKind::Step))
                        .collect();
                    prop_assert!(!mine.is_empty(), "{act:?} wrote no decision or step");
                    for e in mine {
                        prop_assert_eq!(e.body["authority"].as_str(), Some(want.as_str()));
                    }
                    let words = Authority::code_words(&want);
                    let ack = out.iter().find_map(|e| match e {
                        Effect::Acknowledged { message, .. } => Some(message.clone()),
                        _ => None,
                    });
                    prop_assert!(
                        ack.as_deref().is_some_and(|m| m.contains(&words)),
                        "ack {ack:?} does not say {words}"
                    );
                    taken.push(Taken {
                        first,
                        actor,
                        action: act,
                        authority: want,
                    });
                } else if let Some(why) = refused(&out) {
                    // Refused for lack of authority only when no rule allows it.
                    if want.is_some() {
                        prop_assert!(
                            !why.contains("may not") && !why.contains("to update, not"),
                            "{actor} has {want:?} but was refused: {why}"
                        );
                    }
                }
            }
        }
    }
    Ok((s, taken))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Random sessions with handovers: every accepted action was allowed by
    /// the rules at its moment, its records carry the authority that allowed
    /// it, and a rebuild from the log reaches the same verdict at the same
    /// record and the same state.
    #[test]
    fn every_accepted_action_records_the_authority_that_allowed_it(
        ops in proptest::collection::vec(op(), 1..120)
    ) {
        let (s, taken) = run_checked(&ops)?;
        let mut rebuilt = Cockpit::new(s.rb.clone(), Ts(0));
        let mut next = taken.iter().peekable();
        for (i, (ts, e)) in s.log.iter().enumerate() {
            if let Some(t) = next.peek().filter(|t| t.first <= i) {
                // the records of an action start here: judge with the rebuilt state
                let again = expected(&rebuilt, &t.actor, &t.action);
                prop_assert_eq!(again.as_deref(), Some(t.authority.as_str()));
                next.next();
            }
            rebuilt.apply_record(*ts, e);
        }
        prop_assert_eq!(rebuilt.durable_state(), s.c.durable_state());
        prop_assert_eq!(s.replayed().durable_state(), s.c.durable_state());
    }
}

#[test]
fn random_sessions_take_handovers_and_act_under_each_authority() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    let mut handovers = 0;
    for _ in 0..200 {
        let ops = proptest::collection::vec(op(), 1..120)
            .new_tree(&mut runner)
            .expect("ops")
            .current();
        let (_, taken) = run_checked(&ops).expect("session");
        for t in taken {
            handovers += usize::from(matches!(t.action, Action::Handover { .. }));
            seen.insert(t.authority.split(':').next().unwrap_or("").to_string());
        }
    }
    assert!(handovers > 20, "only {handovers} handovers");
    for a in [
        "commander",
        "phase-owner",
        "signoff-owner",
        "step-owner",
        "roster",
    ] {
        assert!(seen.contains(a), "no action under {a}: {seen:?}");
    }
}

fn ack_of(out: &[Effect]) -> String {
    out.iter()
        .find_map(|e| match e {
            Effect::Acknowledged { message, .. } => Some(message.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("not acknowledged: {out:?}"))
}

fn last_decision(s: &Session) -> &Entry {
    s.log
        .iter()
        .rev()
        .map(|(_, e)| e)
        .find(|e| e.kind == EntryKind::Decision)
        .expect("a decision")
}

#[test]
fn after_a_handover_the_old_commander_decides_as_phase_owner_and_was_told_so() {
    let mut s = Session::new();
    s.at(1, &[("target.pacs.up", 1.0)]);
    assert_eq!(
        s.c.kept_after_handover("dana"),
        vec![
            "owner of phase readiness".to_string(),
            "owner of phase decommission".to_string()
        ]
    );
    let out = s.act(
        "dana",
        Action::Handover {
            to: "sam".into(),
            rationale: "shift change".into(),
        },
    );
    let ack = ack_of(&out);
    assert!(ack.contains("sam is now the commander"), "{ack}");
    assert!(
        ack.contains("dana keeps: owner of phase readiness, owner of phase decommission"),
        "{ack}"
    );
    let h = last_decision(&s);
    assert_eq!(h.body["authority"], "commander");
    assert_eq!(h.body["keeps"][0], "owner of phase readiness");
    ready(&mut s);
    let out = s.act("dana", go("readiness done"));
    assert!(
        ack_of(&out).contains("(as owner of phase readiness)"),
        "{out:?}"
    );
    assert_eq!(last_decision(&s).body["authority"], "phase-owner:readiness");
    // in the pilot, pat's phase: dana has no right left but hold and note
    let r = refused(&s.act("dana", go("again"))).expect("refused");
    assert!(
        r.contains("only the commander (sam) or the phase owner (pat)"),
        "{r}"
    );
    let out = s.act(
        "dana",
        Action::Hold {
            reason: "storage alarm".into(),
        },
    );
    assert!(ack_of(&out).contains("as a member of the roster"));
    assert_eq!(last_decision(&s).body["authority"], "roster");
    let signoff = s
        .log
        .iter()
        .map(|(_, e)| e)
        .find(|e| e.body["type"] == "signoff")
        .expect("signoff");
    assert_eq!(signoff.body["authority"], "signoff-owner");
    assert_eq!(signoff.body["rationale"], "reviewed the pilot plan");
}

#[test]
fn a_sign_off_needs_a_statement_of_what_was_reviewed() {
    let mut s = Session::new();
    let r = refused(&s.act(
        "dr-lee",
        Action::SignOff {
            phase: "readiness".into(),
            role: "Clinical leadership".into(),
            statement: "  ".into(),
        },
    ))
    .expect("refused");
    assert!(r.contains("statement of what was reviewed"), "{r}");
    let check = s.c.check(
        "sam",
        Action::SignOff {
            phase: "readiness".into(),
            role: "Clinical leadership".into(),
            statement: "x".into(),
        },
        s.now,
    );
    assert!(check.unwrap_err().contains("given by dr-lee, not sam"));
}

/// In the pilot with `latency` breached and its rollback recommendation pending.
fn breached() -> Session {
    let mut s = in_pilot();
    for t in 10..20 {
        s.at(
            t,
            &[("target.pacs.latency_ms", 900.0), ("target.pacs.up", 1.0)],
        );
    }
    assert_eq!(s.c.recommendations().len(), 1);
    s
}

#[test]
fn a_rollback_of_the_recommended_scope_settles_the_recommendation() {
    let mut s = breached();
    let out = s.act(
        "pat",
        Action::Rollback {
            scope: "read-path".into(),
            rationale: "reads too slow".into(),
        },
    );
    assert!(acked(&out));
    let d = last_decision(&s);
    assert_eq!(d.body["settles"], serde_json::json!(["latency"]));
    assert!(s.c.recommendations().is_empty(), "no longer pending");
    let h = &s.c.handled()[0];
    assert_eq!(
        (h.threshold.as_str(), h.by.as_str(), h.actor.as_str()),
        ("latency", "rollback read-path", "pat")
    );
    // answering it now says who handled it (not "rollback already in progress")
    let r = refused(&s.act(
        "pat",
        Action::Decide {
            threshold: "latency".into(),
            answer: Answer::Continue,
            rationale: "x".into(),
        },
    ))
    .expect("refused");
    assert!(
        r.contains("already handled by rollback read-path (pat)"),
        "{r}"
    );
    assert_eq!(s.replayed().durable_state(), s.c.durable_state());
    // it clears: the "handled" mark ends with the episode
    s.at(100, &[("target.pacs.latency_ms", 100.0)]);
    assert!(s.c.handled().is_empty());
    assert_eq!(s.replayed().durable_state(), s.c.durable_state());
}

#[test]
fn answering_rollback_while_that_rollback_runs_settles_without_a_second_rollback() {
    let mut s = in_pilot();
    assert!(acked(&s.act(
        "dana",
        Action::Rollback {
            scope: "read-path".into(),
            rationale: "precaution".into(),
        }
    )));
    let since = s.c.rollback().expect("rollback").since;
    for t in 10..20 {
        s.at(
            t,
            &[("target.pacs.latency_ms", 900.0), ("target.pacs.up", 1.0)],
        );
    }
    assert_eq!(s.c.recommendations().len(), 1, "raised during the rollback");
    let out = s.act(
        "dana",
        Action::Decide {
            threshold: "latency".into(),
            answer: Answer::Rollback,
            rationale: "that is what we are doing".into(),
        },
    );
    assert!(
        ack_of(&out).contains("already in progress; the recommendation is settled"),
        "{out:?}"
    );
    assert!(s.c.recommendations().is_empty());
    assert_eq!(
        s.c.rollback().expect("still the same rollback").since,
        since
    );
    assert_eq!(s.c.handled()[0].by, "answer rollback read-path");
    assert_eq!(s.replayed().durable_state(), s.c.durable_state());
}

#[test]
fn a_hold_settles_a_hold_recommendation() {
    let mut s = in_pilot();
    s.at(30, &[("target.pacs.up", 0.0)]);
    assert_eq!(s.c.recommendations()[0].threshold, "target-down");
    assert!(acked(&s.act(
        "sam",
        Action::Hold {
            reason: "target down".into()
        }
    )));
    assert_eq!(last_decision(&s).body["settles"][0], "target-down");
    assert!(s.c.recommendations().is_empty());
    assert_eq!(s.c.handled()[0].by, "hold");
    assert_eq!(s.replayed().durable_state(), s.c.durable_state());
}

#[test]
fn a_rollback_undoes_the_phase_steps_and_go_names_the_re_entry() {
    let mut s = in_pilot();
    assert_eq!(s.c.go_intent(), "enter decommission");
    for a in [
        Action::StepStart {
            step: "copy".into(),
        },
        Action::StepDone {
            step: "copy".into(),
        },
    ] {
        assert!(acked(&s.act("sam", a)));
    }
    assert!(acked(&s.act(
        "dana",
        Action::Rollback {
            scope: "read-path".into(),
            rationale: "x".into(),
        }
    )));
    assert_eq!(
        s.c.go_intent(),
        "re-enter pilot after rollback of read-path"
    );
    let copy = s.c.steps().iter().find(|x| x.id == "copy").expect("copy");
    assert_eq!(copy.state, StepState::Pending);
    assert!(copy
        .undone_by
        .as_deref()
        .is_some_and(|u| u.starts_with("rollback read-path at ")));
    assert_eq!(s.replayed().durable_state(), s.c.durable_state());
}

#[test]
fn templates_are_filled_from_the_last_hold_and_say_when_there_is_none() {
    let mut s = in_pilot();
    let hold_text = |s: &Session| {
        s.c.filled_templates(s.now)
            .into_iter()
            .find(|(id, _, _)| id == "hold")
            .expect("hold template")
            .2
    };
    let before = hold_text(&s);
    assert!(before.contains("paused by (no hold so far)"), "{before}");
    assert!(!before.contains("n/a"), "{before}");
    s.now = Ts(75_000);
    assert!(acked(&s.act(
        "sam",
        Action::Hold {
            reason: "storage alarm".into()
        }
    )));
    s.now = Ts(600_000);
    let after = hold_text(&s);
    assert!(
        after
            .starts_with("HOLD at 00:01:15 UTC: Phase 2: pilot paused by sam name: storage alarm."),
        "{after}"
    );
}
