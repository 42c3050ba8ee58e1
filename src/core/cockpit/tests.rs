//! Rules of the cockpit, one test (or table) per rule: accepted and refused.

use super::*;
use crate::core::expr::parse_condition;
use crate::core::gate::GateState;
use crate::core::runbook::{
    Gate, GateKind, Owner, Phase, RollbackPlan, Severity, SignOffReq, Step, Template, Threshold,
};
use crate::core::sample::{ProbeReport, Sample};
use crate::core::span::Pos;
use crate::core::threshold::ThresholdState;

pub(super) const MIN: i64 = 60_000;

fn owner(id: &str) -> Owner {
    Owner {
        id: id.into(),
        name: format!("{id} name"),
        role: "r".into(),
        contact: None,
        pos: Pos::default(),
    }
}

fn step(id: &str, owner: &str, mins: i64, after: &[&str]) -> Step {
    Step {
        id: id.into(),
        title: format!("{id} title"),
        owner: owner.into(),
        expected: Some(Dur::from_mins(mins)),
        after: after.iter().map(|s| s.to_string()).collect(),
        pos: Pos::default(),
    }
}

fn gate(id: &str, when: &str, for_s: Option<i64>, kind: GateKind) -> Gate {
    Gate {
        id: id.into(),
        title: id.into(),
        when_src: when.into(),
        when: parse_condition(when).expect("test gate parses"),
        hold_for: for_s.map(Dur::from_secs),
        kind,
        pos: Pos::default(),
    }
}

fn threshold(
    id: &str,
    when: &str,
    for_s: Option<i64>,
    sev: Severity,
    phases: &[&str],
) -> Threshold {
    Threshold {
        id: id.into(),
        title: id.into(),
        when_src: when.into(),
        when: parse_condition(when).expect("test threshold parses"),
        hold_for: for_s.map(Dur::from_secs),
        scope: (sev == Severity::Rollback).then(|| "read-path".to_string()),
        severity: sev,
        phases: phases.iter().map(|s| s.to_string()).collect(),
        pos: Pos::default(),
    }
}

/// Three phases; dana commands, pat owns the pilot.
pub(super) fn runbook() -> Runbook {
    Runbook {
        name: "test".into(),
        version: "1".into(),
        commander: "dana".into(),
        max_duration: Dur::from_mins(360),
        update_every: Dur::from_mins(30),
        window_start: None,
        owners: ["dana", "sam", "pat", "dr-lee"]
            .into_iter()
            .map(owner)
            .collect(),
        phases: vec![
            Phase {
                id: "readiness".into(),
                name: "Phase 1: readiness".into(),
                owner: "dana".into(),
                steps: vec![step("freeze", "sam", 10, &[])],
                gates: vec![gate(
                    "targets-up",
                    "target.pacs.up == 1",
                    None,
                    GateKind::Exit,
                )],
                signoffs: vec![SignOffReq {
                    role: "Clinical leadership".into(),
                    owner: "dr-lee".into(),
                    pos: Pos::default(),
                }],
                pos: Pos::default(),
            },
            Phase {
                id: "pilot".into(),
                name: "Phase 2: pilot".into(),
                owner: "pat".into(),
                steps: vec![
                    step("copy", "sam", 20, &[]),
                    step("verify", "sam", 10, &["copy"]),
                ],
                gates: vec![
                    gate(
                        "no-critical",
                        "issues.open_critical == 0",
                        None,
                        GateKind::Entry,
                    ),
                    gate(
                        "pilot-checksums",
                        "recon.pacs-pilot.match == 1",
                        Some(10),
                        GateKind::Exit,
                    ),
                ],
                signoffs: vec![],
                pos: Pos::default(),
            },
            Phase {
                id: "decommission".into(),
                name: "Phase 3: decommission".into(),
                owner: "dana".into(),
                steps: vec![step("retire", "sam", 30, &[])],
                gates: vec![gate(
                    "source-idle",
                    "source.pacs.up == 1",
                    None,
                    GateKind::Exit,
                )],
                signoffs: vec![],
                pos: Pos::default(),
            },
        ],
        thresholds: vec![
            threshold(
                "latency",
                "p95(target.pacs.latency_ms, 1m) > 800",
                Some(5),
                Severity::Rollback,
                &["pilot"],
            ),
            threshold(
                "target-down",
                "target.pacs.up == 0",
                None,
                Severity::Hold,
                &[],
            ),
        ],
        rollbacks: vec![RollbackPlan {
            scope: "read-path".into(),
            title: "Return the read path".into(),
            steps: vec![step("repoint", "sam", 15, &[])],
            pos: Pos::default(),
        }],
        templates: vec![Template {
            id: "hold".into(),
            title: "hold".into(),
            text: "HOLD at {time}: {phase} paused by {actor}: {reason}. Next update {next_update}."
                .into(),
            pos: Pos::default(),
        }],
    }
}

/// A cockpit plus the log it wrote, so every test can also check the replay.
pub(super) struct Session {
    pub rb: Runbook,
    pub c: Cockpit,
    pub log: Vec<(Ts, Entry)>,
    pub now: Ts,
}

impl Session {
    pub fn new() -> Session {
        Session::with(runbook())
    }
    pub fn with(rb: Runbook) -> Session {
        let mut c = Cockpit::new(rb.clone(), Ts(0));
        let mut log = vec![(
            Ts(0),
            Entry {
                kind: EntryKind::Open,
                actor: "dana".into(),
                phase: None,
                body: serde_json::json!({}),
            },
        )];
        for e in c.begin(Ts(0)) {
            if let Effect::Append(e) = e {
                log.push((Ts(0), e));
            }
        }
        Session {
            rb,
            c,
            log,
            now: Ts(0),
        }
    }
    pub fn send(&mut self, msg: Msg) -> Vec<Effect> {
        let out = self.c.handle(msg, self.now);
        for e in &out {
            if let Effect::Append(e) = e {
                self.log.push((self.now, e.clone()));
            }
        }
        out
    }
    pub fn act(&mut self, actor: &str, action: Action) -> Vec<Effect> {
        self.send(Msg::Act {
            actor: actor.into(),
            action,
        })
    }
    /// Feeds samples (as one probe report) and ticks, `secs` later.
    pub fn at(&mut self, secs: i64, samples: &[(&str, f64)]) -> Vec<Effect> {
        self.now = Ts(secs * 1000);
        let mut out = vec![];
        if !samples.is_empty() {
            out.extend(
                self.send(Msg::Probe(ProbeReport {
                    probe: "test.probe".into(),
                    ts: self.now,
                    ok: true,
                    reason: None,
                    samples: samples
                        .iter()
                        .map(|(n, v)| Sample {
                            name: n.to_string(),
                            ts: self.now,
                            value: *v,
                        })
                        .collect(),
                })),
            );
        }
        out.extend(self.send(Msg::Tick));
        out
    }
    pub fn replayed(&self) -> Cockpit {
        Cockpit::replay(self.rb.clone(), self.log.clone())
    }
}

pub(super) fn refused(out: &[Effect]) -> Option<String> {
    out.iter().find_map(|e| match e {
        Effect::Refused { reason, .. } => Some(reason.clone()),
        _ => None,
    })
}

pub(super) fn acked(out: &[Effect]) -> bool {
    matches!(out.last(), Some(Effect::Acknowledged { .. })) && refused(out).is_none()
}

pub(super) fn go(r: &str) -> Action {
    Action::Go {
        rationale: r.into(),
    }
}

/// Readiness passed: target up and the sign-off in.
pub(super) fn ready(s: &mut Session) {
    s.at(1, &[("target.pacs.up", 1.0)]);
    let out = s.act(
        "dr-lee",
        Action::SignOff {
            phase: "readiness".into(),
            role: "Clinical leadership".into(),
        },
    );
    assert!(acked(&out), "{out:?}");
}

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

/// Readiness done and `go` said: in the pilot.
pub(super) fn in_pilot() -> Session {
    let mut s = Session::new();
    ready(&mut s);
    assert!(acked(&s.act("dana", go("ready"))));
    s
}

fn recommends(out: &[Effect]) -> Vec<String> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Recommend { threshold, .. } => Some(threshold.clone()),
            _ => None,
        })
        .collect()
}

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
