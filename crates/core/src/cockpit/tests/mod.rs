//! Fixtures for the cockpit tests: a three-phase runbook and a session that
//! keeps the log it wrote, so every test can also check the replay.

mod advisory;
mod authority;
mod flows;
mod replay;
mod rules;

use super::*;
use crate::expr::parse_condition;
use crate::gate::GateState;
use crate::runbook::{
    Gate, GateKind, Owner, Phase, RollbackPlan, Severity, SignOffReq, Step, Template, Threshold,
};
use crate::sample::ProbeReport;
use crate::span::Pos;
use crate::threshold::ThresholdState;

pub(super) const MIN: i64 = 60_000;

fn owner(id: &str) -> Owner {
    Owner {
        id: id.into(),
        name: format!("{id} name"),
        role: "r".into(),
        contact: None,
        signing_key: None,
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
        advisory: false,
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
        advisory: false,
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
        overrun_scope: None,
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
        require_signature: vec![],
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
            out.extend(self.send(Msg::Probe(ProbeReport::ok_with(
                "test.probe",
                self.now,
                samples,
            ))));
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
            statement: "reviewed the pilot plan".into(),
        },
    );
    assert!(acked(&out), "{out:?}");
}

/// Readiness done and `go` said: in the pilot.
pub(super) fn in_pilot() -> Session {
    let mut s = Session::new();
    ready(&mut s);
    assert!(acked(&s.act("dana", go("ready"))));
    s
}

pub(super) fn recommends(out: &[Effect]) -> Vec<String> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Recommend { threshold, .. } => Some(threshold.clone()),
            _ => None,
        })
        .collect()
}
