//! Applying one log record to the state: the only path by which durable
//! state changes, live or when rebuilding from a log.

use super::records::{s, ts_field, OVERRUN_ID};
use super::state::*;
use super::{Cockpit, IssueSeverity};
use crate::entry::{Entry, EntryKind};
use crate::gate::GateState;
use crate::threshold::ThresholdState;
use crate::time::{Dur, Ts};
use serde_json::Value;

impl Cockpit {
    /// Applies one record written at `ts`. Unknown ids and malformed bodies
    /// are skipped (a log from this runbook never has them).
    pub fn apply_record(&mut self, ts: Ts, e: &Entry) {
        let b = &e.body;
        match e.kind {
            EntryKind::Observe => self.apply_observe(ts, b),
            EntryKind::Gate => self.apply_gate(b),
            EntryKind::Threshold => self.apply_threshold(ts, b),
            EntryKind::Step => self.apply_step(ts, &e.actor, b),
            EntryKind::Decision => self.apply_decision(ts, &e.actor, b),
            EntryKind::Phase => self.apply_phase(ts, b),
            EntryKind::Resume => {
                // The cockpit was not running: that gap counts in no timer.
                self.gates.iter_mut().for_each(|g| g.timer.pause());
                self.thresholds.iter_mut().for_each(|t| t.timer.pause());
            }
            // amendments and reviews are shown beside the records they refer to; they change no state
            EntryKind::Open | EntryKind::Close | EntryKind::Amend | EntryKind::Review => {}
        }
    }

    /// An `observe` body: a batch (`reports`) or, in logs written before
    /// batching, one report.
    fn apply_observe(&mut self, ts: Ts, b: &Value) {
        match b.get("reports").and_then(Value::as_array) {
            Some(reports) => reports.iter().for_each(|r| self.apply_report(ts, r)),
            None => self.apply_report(ts, b),
        }
    }

    /// One probe report: its samples into the store, its outcome on its endpoint.
    pub(super) fn apply_report(&mut self, ts: Ts, b: &Value) {
        let at = ts_field(b, "at").unwrap_or(ts);
        if let Some(samples) = b.get("samples").and_then(Value::as_object) {
            for (name, v) in samples {
                if let Some(x) = v.as_f64() {
                    self.store.push(name, at, x);
                }
            }
        }
        let probe = s(b, "probe").to_string();
        let ok = b.get("ok").and_then(Value::as_bool).unwrap_or(false);
        let ep = self
            .endpoints
            .entry(probe.clone())
            .or_insert_with(|| EndpointStatus {
                probe,
                ok,
                last_attempt: at,
                last_ok: None,
                last_failure: None,
            });
        ep.ok = ok;
        ep.last_attempt = at;
        if ok {
            ep.last_ok = Some(at);
        } else {
            let reason = b.get("reason").and_then(Value::as_str).unwrap_or("failed");
            ep.last_failure = Some((at, reason.to_string()));
        }
    }

    fn apply_gate(&mut self, b: &Value) {
        let timer = Dur(b.get("timer_ms").and_then(Value::as_i64).unwrap_or(0));
        let id = s(b, "id");
        if b.get("waiver_expired").and_then(Value::as_bool) == Some(true) {
            // Only the waiver that ran out (a newer one for the same gate stays).
            let until = ts_field(b, "waiver_expires");
            for w in self.waivers.iter_mut().filter(|w| w.gate == id) {
                if until.is_none_or(|u| w.expires == u) {
                    w.expired = true;
                }
            }
        }
        if let (Some(g), Some(to)) = (
            self.gates.iter_mut().find(|g| g.id == id),
            GateState::from_name(s(b, "to")),
        ) {
            g.apply(to, timer);
            g.waived = self.waivers.iter().any(|w| w.gate == g.id && !w.expired);
        }
    }

    fn apply_threshold(&mut self, ts: Ts, b: &Value) {
        let id = s(b, "id");
        if id == OVERRUN_ID && b.get("builtin").and_then(Value::as_bool) == Some(true) {
            self.overrun_raised = true;
            self.apply_recommendation(ts, id, b);
            return;
        }
        let timer = Dur(b.get("timer_ms").and_then(Value::as_i64).unwrap_or(0));
        if let (Some(t), Some(to)) = (
            self.thresholds.iter_mut().find(|t| t.id == id),
            ThresholdState::from_name(s(b, "to")),
        ) {
            t.apply(to, timer);
        }
        self.apply_recommendation(ts, id, b);
    }

    fn apply_recommendation(&mut self, ts: Ts, id: &str, b: &Value) {
        if let Some(r) = b.get("recommendation") {
            if !self.recommendations.iter().any(|x| x.threshold == id) {
                let kind = if s(r, "kind") == "hold" {
                    RecommendationKind::Hold
                } else {
                    RecommendationKind::Rollback
                };
                self.recommendations.push(Recommendation {
                    threshold: id.to_string(),
                    kind,
                    scope: r.get("scope").and_then(Value::as_str).map(str::to_string),
                    message: s(r, "message").to_string(),
                    raised_at: ts,
                });
            }
        }
    }

    fn apply_phase(&mut self, ts: Ts, b: &Value) {
        let Some(index) = self.runbook.phase_index(s(b, "phase")) else {
            return;
        };
        match s(b, "type") {
            "entered" => {
                self.phase = PhaseState {
                    index,
                    entered_at: ts,
                    needs_reentry: false,
                    finished: false,
                };
                self.rollback = None;
            }
            "completed" if index + 1 == self.runbook.phases.len() => self.phase.finished = true,
            _ => {}
        }
    }

    fn apply_step(&mut self, ts: Ts, actor: &str, b: &Value) {
        let reason = s(b, "reason").to_string();
        let id = s(b, "step");
        let step = match b.get("rollback").and_then(Value::as_str) {
            Some(_) => self
                .rollback
                .as_mut()
                .and_then(|r| r.steps.iter_mut().find(|x| x.id == id)),
            None => {
                let phase = b.get("phase").and_then(Value::as_str);
                self.steps
                    .iter_mut()
                    .find(|x| x.id == id && (phase.is_none() || x.phase.as_deref() == phase))
            }
        };
        let Some(step) = step else { return };
        let by = actor.to_string();
        step.state = match s(b, "type") {
            "start" => StepState::InProgress { by, since: ts },
            "done" => {
                let started = match &step.state {
                    StepState::InProgress { since, .. } => Some(*since),
                    _ => None,
                };
                StepState::Done {
                    by,
                    at: ts,
                    started,
                }
            }
            "skip" => StepState::Skipped { by, at: ts, reason },
            "blocked" => StepState::Blocked {
                by,
                since: ts,
                reason,
            },
            _ => return,
        };
    }

    fn apply_decision(&mut self, ts: Ts, actor: &str, b: &Value) {
        let rationale = s(b, "rationale").to_string();
        match s(b, "type") {
            "hold" => self.set_hold(actor, &rationale, ts),
            "resume" => self.hold = None,
            "rollback" => self.start_rollback(actor, s(b, "scope"), ts),
            "waive" => self.add_waiver(ts, actor, b),
            "signoff" => {
                let (phase, role) = (s(b, "phase"), s(b, "role"));
                if let Some(so) = self
                    .signoffs
                    .iter_mut()
                    .find(|x| x.phase == phase && x.role == role)
                {
                    so.given_at = Some(ts);
                }
            }
            "handover" => self.commander = s(b, "to").to_string(),
            "issue" => self.apply_issue(ts, actor, b, rationale),
            "decide" => {
                let th = s(b, "threshold");
                self.recommendations.retain(|r| r.threshold != th);
                match s(b, "answer") {
                    "rollback" => self.start_rollback(actor, s(b, "scope"), ts),
                    "hold" => self.set_hold(actor, &rationale, ts),
                    _ => {}
                }
            }
            // go changes phase through its `phase` records; notes change nothing.
            _ => {}
        }
    }

    fn set_hold(&mut self, actor: &str, reason: &str, ts: Ts) {
        if self.hold.is_none() {
            self.hold = Some(Hold {
                by: actor.to_string(),
                reason: reason.to_string(),
                since: ts,
            });
        }
    }

    fn start_rollback(&mut self, actor: &str, scope: &str, ts: Ts) {
        let Some(plan) = self.runbook.rollback(scope) else {
            return;
        };
        self.rollback = Some(RollbackState {
            scope: scope.to_string(),
            decided_by: actor.to_string(),
            since: ts,
            phase: self.phase_id().to_string(),
            steps: plan
                .steps
                .iter()
                .map(|s| StepStatus::new(None, s))
                .collect(),
        });
        self.phase.needs_reentry = true;
    }

    fn add_waiver(&mut self, ts: Ts, actor: &str, b: &Value) {
        let gate = s(b, "gate").to_string();
        let Some(expires) = ts_field(b, "expires") else {
            return;
        };
        self.waivers.push(Waiver {
            gate: gate.clone(),
            owner: s(b, "owner").to_string(),
            reason: s(b, "reason").to_string(),
            expires,
            granted_by: actor.to_string(),
            granted_at: ts,
            expired: false,
        });
        if let Some(g) = self.gates.iter_mut().find(|g| g.id == gate) {
            g.waived = true;
        }
    }

    fn apply_issue(&mut self, ts: Ts, actor: &str, b: &Value, rationale: String) {
        let id = s(b, "id");
        match s(b, "op") {
            "open" => {
                let severity = match s(b, "severity") {
                    "critical" => IssueSeverity::Critical,
                    "major" => IssueSeverity::Major,
                    _ => IssueSeverity::Minor,
                };
                self.issues.push(Issue {
                    id: id.to_string(),
                    severity,
                    title: s(b, "title").to_string(),
                    owner: s(b, "owner").to_string(),
                    opened_by: actor.to_string(),
                    opened_at: ts,
                    closed: None,
                });
            }
            "close" => {
                if let Some(i) = self
                    .issues
                    .iter_mut()
                    .find(|i| i.id == id && i.closed.is_none())
                {
                    i.closed = Some((actor.to_string(), ts, rationale));
                }
            }
            _ => {}
        }
    }
}
