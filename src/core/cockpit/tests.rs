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

fn threshold(id: &str, when: &str, for_s: Option<i64>, sev: Severity, phases: &[&str]) -> Threshold {
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
        owners: ["dana", "sam", "pat", "dr-lee"].into_iter().map(owner).collect(),
        phases: vec![
            Phase {
                id: "readiness".into(),
                name: "Phase 1: readiness".into(),
                owner: "dana".into(),
                steps: vec![step("freeze", "sam", 10, &[])],
                gates: vec![gate("targets-up", "target.pacs.up == 1", None, GateKind::Exit)],
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
                steps: vec![step("copy", "sam", 20, &[]), step("verify", "sam", 10, &["copy"])],
                gates: vec![
                    gate("no-critical", "issues.open_critical == 0", None, GateKind::Entry),
                    gate("pilot-checksums", "recon.pacs-pilot.match == 1", Some(10), GateKind::Exit),
                ],
                signoffs: vec![],
                pos: Pos::default(),
            },
            Phase {
                id: "decommission".into(),
                name: "Phase 3: decommission".into(),
                owner: "dana".into(),
                steps: vec![step("retire", "sam", 30, &[])],
                gates: vec![gate("source-idle", "source.pacs.up == 1", None, GateKind::Exit)],
                signoffs: vec![],
                pos: Pos::default(),
            },
        ],
        thresholds: vec![
            threshold("latency", "p95(target.pacs.latency_ms, 1m) > 800", Some(5), Severity::Rollback, &["pilot"]),
            threshold("target-down", "target.pacs.up == 0", None, Severity::Hold, &[]),
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
            text: "HOLD at {time}: {phase} paused by {actor}: {reason}. Next update {next_update}.".into(),
            pos: Pos::default(),
        }],
    }
}

/// A cockpit plus the log it wrote, so every test can also check the replay.
pub(super) struct Session {
    pub c: Cockpit,
    pub log: Vec<(Ts, Entry)>,
    pub now: Ts,
}

impl Session {
    pub fn new() -> Session {
        let mut c = Cockpit::new(runbook(), Ts(0));
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
        Session { c, log, now: Ts(0) }
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
            out.extend(self.send(Msg::Probe(ProbeReport {
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
            })));
        }
        out.extend(self.send(Msg::Tick));
        out
    }
    pub fn replayed(&self) -> Cockpit {
        Cockpit::replay(runbook(), self.log.clone())
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

fn go(r: &str) -> Action {
    Action::Go { rationale: r.into() }
}

/// Readiness passed: target up and the sign-off in.
pub(super) fn ready(s: &mut Session) {
    s.at(1, &[("target.pacs.up", 1.0)]);
    let out = s.act("dr-lee", Action::SignOff { phase: "readiness".into(), role: "Clinical leadership".into() });
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
    let out = s.act("sam", Action::Hold { reason: "viewer errors".into() });
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
    assert!(refused(&s.act("pat", Action::Hold { reason: "again".into() })).is_some());
    let r = refused(&s.act("sam", Action::Resume { rationale: "fixed".into() })).expect("refused");
    assert!(r.contains("only the commander (dana) or the phase owner (dana)"), "{r}");
    assert!(refused(&s.act("dana", Action::Resume { rationale: " ".into() })).is_some());
    assert!(acked(&s.act("dana", Action::Resume { rationale: "fixed".into() })));
    assert!(s.c.hold().is_none());
    assert!(refused(&s.act("dana", Action::Resume { rationale: "x".into() })).is_some());
}

#[test]
fn go_needs_exit_gates_signoffs_and_next_entry_gates() {
    let mut s = Session::new();
    s.at(1, &[("target.pacs.up", 0.0)]);
    let r = refused(&s.act("dana", go("ready"))).expect("refused");
    assert!(r.contains("exit gate targets-up is fail (target.pacs.up is 0 (needs == 1))"), "{r}");
    assert!(r.contains("sign-off Clinical leadership (dr-lee) is awaiting"), "{r}");
    // A sign-off only by the owner it names.
    let wrong = s.act("dana", Action::SignOff { phase: "readiness".into(), role: "Clinical leadership".into() });
    assert!(refused(&wrong).expect("refused").contains("given by dr-lee"));
    ready(&mut s);
    // Entry gate of the next phase: a critical issue is open.
    let out = s.act("sam", Action::IssueOpen {
        id: "INC-1".into(),
        severity: IssueSeverity::Critical,
        title: "viewer crash".into(),
        owner: "sam".into(),
    });
    assert!(acked(&out));
    s.at(2, &[("target.pacs.up", 1.0)]);
    let r = refused(&s.act("dana", go("ready"))).expect("refused");
    assert!(r.contains("entry gate no-critical is fail"), "{r}");
    assert!(acked(&s.act("sam", Action::IssueClose { id: "INC-1".into(), rationale: "patched".into() })));
    s.at(3, &[("target.pacs.up", 1.0)]);
    // Authority: sam is neither commander nor phase owner.
    assert!(refused(&s.act("sam", go("ready"))).expect("refused").contains("may not say go"));
    let out = s.act("dana", go("all green"));
    assert!(acked(&out), "{out:?}");
    assert_eq!(s.c.phase_id(), "pilot");
    assert!(out.iter().any(|e| matches!(e, Effect::Notify { template, text } if template == "go" && text.contains("Phase 2: pilot"))));
    let kinds: Vec<_> = out.iter().filter_map(|e| match e { Effect::Append(e) => Some(e.kind), _ => None }).collect();
    assert_eq!(kinds, vec![EntryKind::Decision, EntryKind::Phase, EntryKind::Phase]);
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn go_is_refused_while_on_hold_and_decisions_carry_a_snapshot() {
    let mut s = Session::new();
    ready(&mut s);
    s.act("sam", Action::Hold { reason: "wait".into() });
    let r = refused(&s.act("dana", go("ready"))).expect("refused");
    assert!(r.contains("HOLD is active"), "{r}");
    let d = s.log.iter().rev().find(|(_, e)| e.kind == EntryKind::Decision).expect("decision");
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
    assert!(acked(&s.act("pat", Action::Resume { rationale: "ok".into() })));
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
    assert!(acked(&s.act("dana", w("sam", "monitoring down, verified by hand", 30))));
    assert_eq!(s.c.gates()[0].state(), GateState::Waived);
    s.act("dr-lee", Action::SignOff { phase: "readiness".into(), role: "Clinical leadership".into() });
    // Expired: stops counting, flagged, recorded.
    s.at(31 * 60, &[("target.pacs.up", 0.0)]);
    assert!(s.c.waivers()[0].expired);
    assert_eq!(s.c.gates()[0].state(), GateState::Fail);
    assert!(s.log.iter().any(|(_, e)| e.kind == EntryKind::Gate && e.body["waiver_expired"] == true));
    assert!(refused(&s.act("dana", go("ready"))).is_some());
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());
}

#[test]
fn a_live_waiver_lets_go_pass_a_failing_gate() {
    let mut s = Session::new();
    s.at(1, &[("target.pacs.up", 0.0)]);
    s.act("dr-lee", Action::SignOff { phase: "readiness".into(), role: "Clinical leadership".into() });
    s.act("dana", Action::Waive { gate: "targets-up".into(), owner: "sam".into(), reason: "r".into(), expires: Ts(30 * MIN) });
    assert!(acked(&s.act("dana", go("waived"))));
}
