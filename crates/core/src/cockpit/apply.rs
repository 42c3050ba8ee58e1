//! Applying one log record to the state: the only path by which durable
//! state changes, live or when rebuilding from a log.

use super::records::OVERRUN_ID;
use super::state::*;
use super::{Cockpit, IssueSeverity};
use crate::entry::{Entry, EntryKind};
use crate::gate::GateState;
use crate::records::{
    DecisionAction, DecisionBody, IssueOp, PhaseBody, PhaseEvent, RecordBody, ReportBody, StepBody,
    StepEvent, TransitionBody,
};
use crate::threshold::ThresholdState;
use crate::time::{Dur, Ts};

impl Cockpit {
    /// Applies one record written at `ts`. Unknown ids and bodies that do
    /// not read as their kind's type are skipped (a log from this runbook
    /// never has them).
    pub fn apply_record(&mut self, ts: Ts, e: &Entry) {
        if e.kind == EntryKind::Resume {
            // The cockpit was not running: that gap counts in no timer.
            self.gates.iter_mut().for_each(|g| g.timer.pause());
            self.thresholds.iter_mut().for_each(|t| t.timer.pause());
            return;
        }
        match RecordBody::read(e.kind, &e.body) {
            RecordBody::Observe(o) => {
                o.reports.iter().for_each(|r| self.apply_report(ts, r));
                // live, observations are applied on arrival, never through here
                self.advance_timers(ts);
            }
            RecordBody::Gate(t) => self.apply_gate(&t),
            RecordBody::Threshold(t) => self.apply_threshold(ts, &t),
            RecordBody::Step(s) => self.apply_step(ts, &e.actor, &s),
            RecordBody::Decision(d) => self.apply_decision(ts, &e.actor, &d),
            RecordBody::Phase(p) => self.apply_phase(ts, &p),
            RecordBody::Open(_)
            | RecordBody::Resume(_)
            | RecordBody::Close(_)
            | RecordBody::Unreadable => {}
        }
    }

    /// One probe report: its samples into the store, its outcome on its endpoint.
    pub(super) fn apply_report(&mut self, ts: Ts, r: &ReportBody) {
        let at = r.at().unwrap_or(ts);
        for (name, x) in &r.samples {
            self.store.push(name, at, *x);
        }
        let ep = self
            .endpoints
            .entry(r.probe.clone())
            .or_insert_with(|| EndpointStatus {
                probe: r.probe.clone(),
                ok: r.ok,
                last_attempt: at,
                last_ok: None,
                last_failure: None,
                last_detail: None,
            });
        ep.ok = r.ok;
        ep.last_attempt = at;
        if r.ok {
            ep.last_ok = Some(at);
            ep.last_detail = r.reason.clone();
        } else {
            let reason = r.reason.as_deref().unwrap_or("failed");
            ep.last_failure = Some((at, reason.to_string()));
        }
    }

    fn apply_gate(&mut self, b: &TransitionBody) {
        let timer = Dur(b.timer_ms);
        let id = b.id.as_str();
        if b.waiver_expired {
            // Only the waiver that ran out (a newer one for the same gate stays).
            let until = b.waiver_expires();
            for w in self.waivers.iter_mut().filter(|w| w.gate == id) {
                if until.is_none_or(|u| w.expires == u) {
                    w.expired = true;
                }
            }
        }
        if let (Some(g), Some(to)) = (
            self.gates.iter_mut().find(|g| g.id == id),
            GateState::from_name(&b.to),
        ) {
            g.apply(to, timer);
            g.waived = self.waivers.iter().any(|w| w.gate == g.id && !w.expired);
        }
    }

    fn apply_threshold(&mut self, ts: Ts, b: &TransitionBody) {
        let id = b.id.as_str();
        if id == OVERRUN_ID && b.builtin {
            self.overrun_raised = true;
            self.apply_recommendation(ts, id, b);
            return;
        }
        if let (Some(t), Some(to)) = (
            self.thresholds.iter_mut().find(|t| t.id == id),
            ThresholdState::from_name(&b.to),
        ) {
            t.apply(to, Dur(b.timer_ms));
            if to != ThresholdState::Breached {
                // cleared: "handled by ..." ends with the episode
                self.handled.retain(|h| h.threshold != id);
            }
        }
        self.apply_recommendation(ts, id, b);
    }

    fn apply_recommendation(&mut self, ts: Ts, id: &str, b: &TransitionBody) {
        if let Some(r) = &b.recommendation {
            if !self.recommendations.iter().any(|x| x.threshold == id) {
                let kind = if r.kind == "hold" {
                    RecommendationKind::Hold
                } else {
                    RecommendationKind::Rollback
                };
                self.recommendations.push(Recommendation {
                    threshold: id.to_string(),
                    kind,
                    scope: r.scope.clone(),
                    message: r.message.clone(),
                    raised_at: ts,
                });
            }
        }
    }

    fn apply_phase(&mut self, ts: Ts, b: &PhaseBody) {
        let Some(index) = self.runbook.phase_index(&b.phase) else {
            return;
        };
        match b.event {
            PhaseEvent::Entered => self.enter_phase(ts, index),
            PhaseEvent::Completed if index + 1 == self.runbook.phases.len() => {
                self.phase.finished = true
            }
            _ => {}
        }
    }

    fn enter_phase(&mut self, ts: Ts, index: usize) {
        self.phase = PhaseState {
            index,
            entered_at: ts,
            needs_reentry: false,
            finished: false,
        };
        self.rollback = None;
    }

    fn apply_step(&mut self, ts: Ts, actor: &str, b: &StepBody) {
        let reason = b.reason.clone().unwrap_or_default();
        let id = b.step.as_str();
        let step = match &b.rollback {
            Some(_) => self
                .rollback
                .as_mut()
                .and_then(|r| r.steps.iter_mut().find(|x| x.id == id)),
            None => {
                let phase = b.phase.as_deref();
                self.steps
                    .iter_mut()
                    .find(|x| x.id == id && (phase.is_none() || x.phase.as_deref() == phase))
            }
        };
        let Some(step) = step else { return };
        let by = actor.to_string();
        step.state = match b.event {
            StepEvent::Start => {
                step.undone_by = None;
                StepState::InProgress { by, since: ts }
            }
            StepEvent::Done => {
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
            StepEvent::Skip => StepState::Skipped { by, at: ts, reason },
            StepEvent::Blocked => StepState::Blocked {
                by,
                since: ts,
                reason,
            },
            StepEvent::Other => return,
        };
    }

    fn apply_decision(&mut self, ts: Ts, actor: &str, b: &DecisionBody) {
        let rationale = &b.rationale;
        self.settle(ts, actor, b);
        self.remember(ts, actor, b);
        match &b.action {
            DecisionAction::Hold => self.set_hold(actor, rationale, ts),
            DecisionAction::Resume => self.hold = None,
            DecisionAction::Rollback { scope } => self.start_rollback(actor, scope, ts),
            DecisionAction::Waive { .. } => self.add_waiver(ts, actor, &b.action),
            DecisionAction::Signoff { phase, role } => {
                if let Some(so) = self
                    .signoffs
                    .iter_mut()
                    .find(|x| &x.phase == phase && &x.role == role)
                {
                    so.given_at = Some(ts);
                }
            }
            DecisionAction::Handover { to, .. } => self.commander = to.clone(),
            DecisionAction::Issue { .. } => self.apply_issue(ts, actor, &b.action, rationale),
            DecisionAction::Decide {
                threshold,
                answer,
                scope,
                in_progress,
            } => {
                self.recommendations.retain(|r| &r.threshold != threshold);
                match answer.as_str() {
                    // answered with the rollback already under way: nothing new starts
                    "rollback" if *in_progress => {}
                    "rollback" => self.start_rollback(actor, scope.as_deref().unwrap_or(""), ts),
                    "hold" => self.set_hold(actor, rationale, ts),
                    _ => {}
                }
            }
            // A go says what it does (from, to, reentry): its phase change
            // is applied from the decision itself, so a log cut between the
            // decision and its `phase` records still holds the whole action.
            // The `phase` records restate it (applying them again changes nothing).
            DecisionAction::Go { to, .. } => match to.as_deref() {
                Some(to) => {
                    if let Some(index) = self.runbook.phase_index(to) {
                        self.enter_phase(ts, index);
                    }
                }
                None if self.phase.index + 1 == self.runbook.phases.len() => {
                    self.phase.finished = true
                }
                None => {}
            },
            // notes change nothing
            DecisionAction::Note | DecisionAction::Other => {}
        }
    }

    /// The recommendations a decision settles (its `settles` list; an
    /// answer also settles its own threshold's): no longer pending, and
    /// their threshold shows "handled by" until it clears.
    fn settle(&mut self, ts: Ts, actor: &str, b: &DecisionBody) {
        let mut ids: Vec<&str> = b.settles.iter().map(String::as_str).collect();
        if let DecisionAction::Decide { threshold, .. } = &b.action {
            if !ids.contains(&threshold.as_str()) {
                ids.push(threshold.as_str());
            }
        }
        let by = match &b.action {
            DecisionAction::Rollback { scope } => format!("rollback {scope}"),
            DecisionAction::Decide { answer, scope, .. } if answer == "rollback" => {
                format!("answer rollback {}", scope.as_deref().unwrap_or(""))
            }
            DecisionAction::Decide { answer, .. } => format!("answer {answer}"),
            other => other.type_name().to_string(),
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
    fn remember(&mut self, ts: Ts, actor: &str, b: &DecisionBody) {
        let (key, scope, to) = match &b.action {
            DecisionAction::Decide { answer, .. } if answer == "hold" && self.hold.is_none() => {
                ("hold", None, None)
            }
            DecisionAction::Decide {
                answer,
                scope,
                in_progress: false,
                ..
            } if answer == "rollback" => ("rollback", scope.clone(), None),
            DecisionAction::Hold => ("hold", None, None),
            DecisionAction::Resume => ("resume", None, None),
            DecisionAction::Go { to, .. } => ("go", None, to.clone()),
            DecisionAction::Rollback { scope } => ("rollback", Some(scope.clone()), None),
            _ => return,
        };
        self.last.insert(
            key.to_string(),
            LastDecision {
                actor: actor.to_string(),
                rationale: b.rationale.clone(),
                at: ts,
                scope,
                to,
            },
        );
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

    fn add_waiver(&mut self, ts: Ts, actor: &str, waive: &DecisionAction) {
        let DecisionAction::Waive {
            gate,
            owner,
            reason,
            ..
        } = waive
        else {
            return;
        };
        let Some(expires) = waive.waiver_expires() else {
            return;
        };
        self.waivers.push(Waiver {
            gate: gate.clone(),
            owner: owner.clone(),
            reason: reason.clone(),
            expires,
            granted_by: actor.to_string(),
            granted_at: ts,
            expired: false,
        });
        if let Some(g) = self.gates.iter_mut().find(|g| &g.id == gate) {
            g.waived = true;
        }
    }

    fn apply_issue(&mut self, ts: Ts, actor: &str, issue: &DecisionAction, rationale: &str) {
        let DecisionAction::Issue {
            op,
            id,
            severity,
            title,
            owner,
        } = issue
        else {
            return;
        };
        match op {
            IssueOp::Open => {
                let severity = match severity.as_deref() {
                    Some("critical") => IssueSeverity::Critical,
                    Some("major") => IssueSeverity::Major,
                    _ => IssueSeverity::Minor,
                };
                self.issues.push(Issue {
                    id: id.clone(),
                    severity,
                    title: title.clone().unwrap_or_default(),
                    owner: owner.clone().unwrap_or_default(),
                    opened_by: actor.to_string(),
                    opened_at: ts,
                    closed: None,
                });
            }
            IssueOp::Close => {
                if let Some(i) = self
                    .issues
                    .iter_mut()
                    .find(|i| &i.id == id && i.closed.is_none())
                {
                    i.closed = Some((actor.to_string(), ts, rationale.to_string()));
                }
            }
        }
    }
}
