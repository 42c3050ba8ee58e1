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
            EntryKind::Observe => {
                self.apply_observe(ts, b);
                // live, observations are applied on arrival, never through here
                self.advance_timers(ts);
            }
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
            EntryKind::Open | EntryKind::Close => {}
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
            if to != ThresholdState::Breached {
                // cleared: "handled by ..." ends with the episode
                self.handled.retain(|h| h.threshold != id);
            }
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
            "entered" => self.enter_phase(ts, s(b, "phase")),
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
            "start" => {
                step.undone_by = None;
                StepState::InProgress { by, since: ts }
            }
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
        self.settle(ts, actor, b);
        self.remember(ts, actor, b, &rationale);
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
                let joins = b.get("in_progress").and_then(Value::as_bool) == Some(true);
                match s(b, "answer") {
                    "rollback" if joins => {}
                    "rollback" => self.start_rollback(actor, s(b, "scope"), ts),
                    "hold" => self.set_hold(actor, &rationale, ts),
                    _ => {}
                }
            }
            // A go says what it does (from, to, reentry): its phase change
            // is applied from the decision itself, so a log cut between the
            // decision and its `phase` records still holds the whole action.
            // The `phase` records restate it (applying them again changes nothing).
            "go" => self.apply_go(ts, b),
            // notes change nothing
            _ => {}
        }
    }

    /// The recommendations a decision settles (its `settles` list; an
    /// answer also settles its own threshold's): no longer pending, and
    /// their threshold shows "handled by" until it clears.
    fn settle(&mut self, ts: Ts, actor: &str, b: &Value) {
        let kind = s(b, "type");
        let mut ids: Vec<&str> = b
            .get("settles")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if kind == "decide" && !ids.contains(&s(b, "threshold")) {
            ids.push(s(b, "threshold"));
        }
        let by = match (kind, s(b, "answer")) {
            ("rollback", _) => format!("rollback {}", s(b, "scope")),
            ("decide", "rollback") => format!("answer rollback {}", s(b, "scope")),
            ("decide", answer) => format!("answer {answer}"),
            (other, _) => other.to_string(),
        };
        for id in ids {
            self.recommendations.retain(|r| r.threshold != id);
            self.handled.retain(|h| h.threshold != id);
            let breached = id == OVERRUN_ID
                || self
                    .thresholds
                    .iter()
                    .any(|t| t.id == id && t.state == ThresholdState::Breached);
            if breached {
                self.handled.push(Handled {
                    threshold: id.to_string(),
                    by: by.clone(),
                    actor: actor.to_string(),
                    at: ts,
                });
            }
        }
    }

    /// Keeps the latest hold, resume, go and rollback for the templates.
    fn remember(&mut self, ts: Ts, actor: &str, b: &Value, rationale: &str) {
        let key = match (s(b, "type"), s(b, "answer")) {
            ("decide", "hold") if self.hold.is_none() => "hold",
            ("decide", "rollback") if b.get("in_progress").is_none() => "rollback",
            (k @ ("hold" | "resume" | "go" | "rollback"), _) => k,
            _ => return,
        };
        let text = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_string);
        self.last.insert(
            key.to_string(),
            LastDecision {
                actor: actor.to_string(),
                rationale: rationale.to_string(),
                at: ts,
                scope: text("scope"),
                to: text("to"),
            },
        );
    }

    fn apply_go(&mut self, ts: Ts, b: &Value) {
        match b.get("to").and_then(Value::as_str) {
            Some(to) => self.enter_phase(ts, to),
            None if self.phase.index + 1 == self.runbook.phases.len() => self.phase.finished = true,
            None => {}
        }
    }

    fn enter_phase(&mut self, ts: Ts, phase: &str) {
        let Some(index) = self.runbook.phase_index(phase) else {
            return;
        };
        self.phase = PhaseState {
            index,
            entered_at: ts,
            needs_reentry: false,
            finished: false,
        };
        self.rollback = None;
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
        // The rollback undoes the work of the phase it is decided in: its
        // steps are to be done again after re-entry, and say why.
        let cur = self.phase_id().to_string();
        let undone = format!("rollback {scope} at {}", ts.hms());
        for st in self
            .steps
            .iter_mut()
            .filter(|st| st.phase.as_deref() == Some(cur.as_str()))
            .filter(|st| st.state != StepState::Pending)
        {
            st.state = StepState::Pending;
            st.undone_by = Some(undone.clone());
        }
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
