//! One test (or table) per rule of the cockpit: accepted and refused.

use super::*;

#[test]
fn a_new_log_starts_in_the_first_phase() {
    let s = Session::new();
    assert_eq!(s.c.phase_id(), "readiness");
    assert_eq!(s.log[1].1.kind, EntryKind::Phase);
    assert_eq!(s.log[1].1.body["type"], "entered");
}

#[test]
fn only_people_on_the_roster_may_act() {
    let mut s = Session::new();
    let r = refused(&s.act("mallory", Action::Note { text: "hi".into() })).expect("refused");
    assert!(r.contains("not on the roster") && r.contains("dana"), "{r}");
}

#[test]
fn anyone_may_hold_only_authority_may_resume() {
    let mut s = Session::new();
    let out = s.act(
        "sam",
        Action::Hold {
            reason: "viewer errors".into(),
        },
    );
    assert!(acked(&out));
    let text = out.iter().find_map(|e| match e {
        Effect::Notify { template, text } if template == "hold" => Some(text.clone()),
        _ => None,
    });
    assert_eq!(
        text.as_deref(),
        Some("HOLD at 00:00:00 UTC: Phase 1: readiness paused by sam name: viewer errors. Next update 00:30:00 UTC.")
    );
    assert_eq!(s.c.hold().map(|h| h.by.as_str()), Some("sam"));
    assert!(refused(&s.act(
        "pat",
        Action::Hold {
            reason: "again".into()
        }
    ))
    .is_some());
    let r = refused(&s.act(
        "sam",
        Action::Resume {
            rationale: "fixed".into(),
        },
    ))
    .expect("refused");
    assert!(
        r.contains("only the commander (dana) or the phase owner (dana)"),
        "{r}"
    );
    assert!(refused(&s.act(
        "dana",
        Action::Resume {
            rationale: " ".into()
        }
    ))
    .is_some());
    assert!(acked(&s.act(
        "dana",
        Action::Resume {
            rationale: "fixed".into()
        }
    )));
    assert!(s.c.hold().is_none());
    assert!(refused(&s.act(
        "dana",
        Action::Resume {
            rationale: "x".into()
        }
    ))
    .is_some());
}

#[test]
fn go_needs_exit_gates_signoffs_and_next_entry_gates() {
    let mut s = Session::new();
    s.at(1, &[("target.pacs.up", 0.0)]);
    let r = refused(&s.act("dana", go("ready"))).expect("refused");
    assert!(
        r.contains("exit gate targets-up is fail (target.pacs.up is 0 (needs == 1))"),
        "{r}"
    );
    assert!(
        r.contains("sign-off Clinical leadership (dr-lee) is awaiting"),
        "{r}"
    );
    // A sign-off only by the owner it names.
    let wrong = s.act(
        "dana",
        Action::SignOff {
            phase: "readiness".into(),
            role: "Clinical leadership".into(),
            statement: "reviewed the pilot plan".into(),
        },
    );
    assert!(refused(&wrong)
        .expect("refused")
        .contains("given by dr-lee"));
    ready(&mut s);
    // Entry gate of the next phase: a critical issue is open.
    let out = s.act(
        "sam",
        Action::IssueOpen {
            id: "INC-1".into(),
            severity: IssueSeverity::Critical,
            title: "viewer crash".into(),
            owner: "sam".into(),
        },
    );
    assert!(acked(&out));
    s.at(2, &[("target.pacs.up", 1.0)]);
    let r = refused(&s.act("dana", go("ready"))).expect("refused");
    assert!(r.contains("entry gate no-critical is fail"), "{r}");
    assert!(acked(&s.act(
        "sam",
        Action::IssueClose {
            id: "INC-1".into(),
            rationale: "patched".into()
        }
    )));
    s.at(3, &[("target.pacs.up", 1.0)]);
    // Authority: sam is neither commander nor phase owner.
    assert!(refused(&s.act("sam", go("ready")))
        .expect("refused")
        .contains("may not say go"));
    let out = s.act("dana", go("all green"));
    assert!(acked(&out), "{out:?}");
    assert_eq!(s.c.phase_id(), "pilot");
    assert!(out.iter().any(|e| matches!(e, Effect::Notify { template, text } if template == "go" && text.contains("Phase 2: pilot"))));
    let kinds: Vec<_> = out
        .iter()
        .filter_map(|e| match e {
            Effect::Append(e) => Some(e.kind),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        vec![EntryKind::Decision, EntryKind::Phase, EntryKind::Phase]
    );
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn go_is_refused_while_on_hold_and_decisions_carry_a_snapshot() {
    let mut s = Session::new();
    ready(&mut s);
    s.act(
        "sam",
        Action::Hold {
            reason: "wait".into(),
        },
    );
    let r = refused(&s.act("dana", go("ready"))).expect("refused");
    assert!(r.contains("HOLD is active"), "{r}");
    let d = s
        .log
        .iter()
        .rev()
        .find(|(_, e)| e.kind == EntryKind::Decision)
        .expect("decision");
    assert_eq!(d.1.body["type"], "hold");
    assert_eq!(d.1.body["snapshot"]["gates"][0]["id"], "targets-up");
    assert_eq!(d.1.body["snapshot"]["gates"][0]["state"], "pass");
    assert_eq!(d.1.body["snapshot"]["thresholds"][0]["state"], "inactive");
}

#[test]
fn the_phase_owner_has_authority_in_their_phase() {
    let mut s = Session::new();
    ready(&mut s);
    assert!(acked(&s.act("dana", go("ready"))));
    // pat owns the pilot: may hold/resume/waive there.
    s.act("sam", Action::Hold { reason: "x".into() });
    assert!(acked(&s.act(
        "pat",
        Action::Resume {
            rationale: "ok".into()
        }
    )));
}

#[test]
fn waivers_need_owner_reason_and_expiry_within_the_window_and_expire() {
    let mut s = Session::new();
    s.at(1, &[("target.pacs.up", 0.0)]);
    let w = |owner: &str, reason: &str, exp_min: i64| Action::Waive {
        gate: "targets-up".into(),
        owner: owner.into(),
        reason: reason.into(),
        expires: Ts(exp_min * MIN),
    };
    let cases = [
        ("sam", w("sam", "r", 30), "may not waive"),
        ("dana", w("nobody", "r", 30), "accountable owner"),
        ("dana", w("sam", "", 30), "reason"),
        ("dana", w("sam", "r", 0), "within the window"),
        ("dana", w("sam", "r", 361), "within the window"),
    ];
    for (actor, action, want) in cases {
        let r = refused(&s.act(actor, action)).expect("refused");
        assert!(r.contains(want), "{r} should mention {want}");
    }
    assert!(acked(
        &s.act("dana", w("sam", "monitoring down, verified by hand", 30))
    ));
    assert_eq!(s.c.gates()[0].state(), GateState::Waived);
    s.act(
        "dr-lee",
        Action::SignOff {
            phase: "readiness".into(),
            role: "Clinical leadership".into(),
            statement: "reviewed the pilot plan".into(),
        },
    );
    // Expired: stops counting, flagged, recorded.
    s.at(31 * 60, &[("target.pacs.up", 0.0)]);
    assert!(s.c.waivers()[0].expired);
    assert_eq!(s.c.gates()[0].state(), GateState::Fail);
    assert!(s
        .log
        .iter()
        .any(|(_, e)| e.kind == EntryKind::Gate && e.body["waiver_expired"] == true));
    assert!(refused(&s.act("dana", go("ready"))).is_some());
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn a_live_waiver_lets_go_pass_a_failing_gate() {
    let mut s = Session::new();
    s.at(1, &[("target.pacs.up", 0.0)]);
    s.act(
        "dr-lee",
        Action::SignOff {
            phase: "readiness".into(),
            role: "Clinical leadership".into(),
            statement: "reviewed the pilot plan".into(),
        },
    );
    s.act(
        "dana",
        Action::Waive {
            gate: "targets-up".into(),
            owner: "sam".into(),
            reason: "r".into(),
            expires: Ts(30 * MIN),
        },
    );
    assert!(acked(&s.act("dana", go("waived"))));
}
