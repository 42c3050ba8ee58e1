//! People's actions: authority, the rules of docs/decision-core.md, and the
//! records each accepted action writes. A refusal says what is wrong and
//! what would be right.

use super::authority::{Allow, Authority};
use super::notify::Fill;
use super::records::go_phase_entries;
use super::state::StepState;
use super::{Action, Cockpit, Effect};
use crate::entry::{Entry, EntryKind};
use crate::records::DecisionAction;
use crate::runbook::GateKind;
use crate::sanitize::inert;
use crate::time::Ts;

/// What an accepted action produces besides its records.
pub(super) struct Plan {
    pub entries: Vec<Entry>,
    pub notify: Vec<Effect>,
    pub ack: String,
    /// The rule that allowed it: recorded in every decision and step record
    /// of the action and said in the acknowledgement.
    pub authority: Authority,
}

impl Plan {
    pub(super) fn one(entry: Entry, ack: String, authority: Authority) -> Plan {
        Plan {
            entries: vec![entry],
            notify: vec![],
            ack,
            authority,
        }
    }
}

pub(super) type Rule = Result<Plan, String>;

pub(super) fn required(text: &str, what: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        Err(format!("{what} is required (say why, in words)"))
    } else {
        Ok(())
    }
}

impl Cockpit {
    pub(super) fn act(&mut self, actor: &str, action: Action, now: Ts) -> Vec<Effect> {
        // Refusals and acknowledgements quote outside text (ids, reasons): inert.
        let refused = |reason: String| {
            vec![Effect::Refused {
                actor: inert(actor),
                reason: inert(&reason),
            }]
        };
        if self.runbook.owner(actor).is_none() {
            let ids: Vec<&str> = self.runbook.owners.iter().map(|o| o.id.as_str()).collect();
            return refused(format!(
                "{actor} is not on the roster; act as one of: {}",
                ids.join(", ")
            ));
        }
        match self.plan(actor, action, now) {
            Err(reason) => refused(reason),
            Ok(mut plan) => {
                let code = plan.authority.code();
                for e in &mut plan.entries {
                    if matches!(e.kind, EntryKind::Decision | EntryKind::Step) {
                        e.body["authority"] = serde_json::Value::from(code.as_str());
                    }
                }
                let mut out = self.commit(now, plan.entries);
                out.extend(plan.notify);
                out.push(Effect::Acknowledged {
                    actor: actor.to_string(),
                    message: inert(&format!("{} ({})", plan.ack, plan.authority.words())),
                });
                out
            }
        }
    }

    /// Whether `actor` may take `action` now, and under which authority,
    /// without changing anything: forms ask this before they open (text
    /// fields are checked on submit; give placeholder text to skip them).
    pub fn check(&self, actor: &str, action: Action, now: Ts) -> Result<Authority, String> {
        if self.runbook.owner(actor).is_none() {
            return Err(format!("{actor} is not on the roster"));
        }
        self.plan(actor, action, now).map(|p| p.authority)
    }

    fn plan(&self, actor: &str, action: Action, now: Ts) -> Rule {
        match action {
            Action::Go { rationale } => self.plan_go(actor, &rationale, now),
            Action::Hold { reason } => self.plan_hold(actor, &reason, now),
            Action::Resume { rationale } => self.plan_resume(actor, &rationale, now),
            Action::Rollback { scope, rationale } => {
                self.plan_rollback(actor, &scope, &rationale, now, None)
            }
            Action::Waive {
                gate,
                owner,
                reason,
                expires,
            } => self.plan_waive(actor, &gate, &owner, &reason, expires, now),
            Action::SignOff {
                phase,
                role,
                statement,
            } => self.plan_signoff(actor, &phase, &role, &statement),
            Action::Handover { to, rationale } => self.plan_handover(actor, &to, &rationale),
            Action::IssueOpen {
                id,
                severity,
                title,
                owner,
            } => self.plan_issue_open(actor, &id, severity, &title, &owner),
            Action::IssueClose { id, rationale } => self.plan_issue_close(actor, &id, &rationale),
            Action::Note { text } => {
                let auth = self.may(actor, Allow::ANYONE, "write a note")?;
                required(&text, "a note's text")?;
                let e = self.decision_entry(actor, DecisionAction::Note, &text);
                Ok(Plan::one(e, "note recorded".into(), auth))
            }
            Action::Decide {
                threshold,
                answer,
                rationale,
            } => self.plan_decide(actor, &threshold, answer, &rationale, now),
            step => self.plan_step(actor, step, now),
        }
    }

    /// Decision authority: the commander or the current phase's owner.
    pub(super) fn authorize(&self, actor: &str, what: &str) -> Result<Authority, String> {
        self.authority_of(actor, Allow::DECISION).ok_or_else(|| {
            let (phase, owner) = self
                .phase()
                .map(|p| (p.id.as_str(), p.owner.as_str()))
                .unwrap_or(("", ""));
            format!(
                "{actor} may not {what}: only the commander ({}) or the phase owner ({owner}) may (phase {phase}); ask one of them",
                self.commander
            )
        })
    }

    /// The authority for an action any of `allow` permits (refused with `what`).
    pub(super) fn may(&self, actor: &str, allow: Allow, what: &str) -> Result<Authority, String> {
        self.authority_of(actor, allow)
            .ok_or_else(|| format!("{actor} may not {what}"))
    }

    fn no_hold(&self, what: &str) -> Result<(), String> {
        match &self.hold {
            Some(h) => Err(format!(
                "{what} refused: HOLD is active (by {} at {}: {}); resume first",
                h.by,
                h.since.hms(),
                h.reason
            )),
            None => Ok(()),
        }
    }

    fn plan_hold(&self, actor: &str, reason: &str, now: Ts) -> Rule {
        let authority = self.may(actor, Allow::ANYONE, "hold")?;
        required(reason, "a reason for the hold")?;
        if let Some(h) = &self.hold {
            return Err(format!(
                "already on HOLD since {} (by {})",
                h.since.hms(),
                h.by
            ));
        }
        let settles = self.mooted_by_hold();
        let e = self.settling_entry(actor, DecisionAction::Hold, reason, settles);
        let fill = Fill {
            actor: Some(actor),
            reason: Some(reason),
            ..Fill::default()
        };
        Ok(Plan {
            entries: vec![e],
            notify: vec![self.notify("hold", now, fill)],
            ack: "HOLD: the line is stopped".into(),
            authority,
        })
    }

    fn plan_resume(&self, actor: &str, rationale: &str, now: Ts) -> Rule {
        let authority = self.authorize(actor, "resume")?;
        required(rationale, "a rationale")?;
        if self.hold.is_none() {
            return Err("nothing to resume: the line is not on hold".into());
        }
        let e = self.decision_entry(actor, DecisionAction::Resume, rationale);
        let fill = Fill {
            actor: Some(actor),
            reason: Some(rationale),
            ..Fill::default()
        };
        Ok(Plan {
            entries: vec![e],
            notify: vec![self.notify("resume", now, fill)],
            ack: "resumed: the hold is lifted".into(),
            authority,
        })
    }

    /// Gates of `phase` of `kind` that do not count as passed at `now`, described.
    fn unmet_gates(&self, phase: &str, kind: GateKind, now: Ts) -> Vec<String> {
        self.gates
            .iter()
            .filter(|g| g.phase == phase && g.kind == kind)
            // advisory gates are shown and logged, never in go's way
            .filter(|g| !g.advisory)
            .filter(|g| !self.gate_counts(&g.id, now))
            .map(|g| {
                let why = g.reason.as_deref().unwrap_or("");
                format!(
                    "{} gate {} is {} ({why})",
                    kind_name(kind),
                    g.id,
                    g.state().as_str()
                )
            })
            .collect()
    }

    /// A gate counts for `go` when it passes, or a waiver is in force at `now`.
    fn gate_counts(&self, id: &str, now: Ts) -> bool {
        let pass = self
            .gates
            .iter()
            .any(|g| g.id == id && g.evaluated == crate::gate::GateState::Pass);
        pass || self.waivers.iter().any(|w| w.gate == id && w.in_force(now))
    }

    fn plan_go(&self, actor: &str, rationale: &str, now: Ts) -> Rule {
        let authority = self.authorize(actor, "say go")?;
        required(rationale, "a rationale")?;
        self.no_hold("go")?;
        if self.phase.finished {
            return Err("the cutover is complete: there is no next phase".into());
        }
        let cur = self.phase_id().to_string();
        if self.phase.needs_reentry {
            return self.plan_reentry(actor, rationale, &cur, now, authority);
        }
        let mut unmet = self.unmet_gates(&cur, GateKind::Exit, now);
        for so in self
            .signoffs
            .iter()
            .filter(|s| s.phase == cur && s.given_at.is_none())
        {
            unmet.push(format!("sign-off {} ({}) is awaiting", so.role, so.owner));
        }
        let next = self
            .runbook
            .phases
            .get(self.phase.index + 1)
            .map(|p| p.id.clone());
        if let Some(n) = &next {
            unmet.extend(self.unmet_gates(n, GateKind::Entry, now));
        }
        if !unmet.is_empty() {
            return Err(format!("go refused: {}", unmet.join("; ")));
        }
        let go = DecisionAction::Go {
            from: cur.clone(),
            to: next.clone(),
            reentry: false,
        };
        let go = self.decision_entry(actor, go, rationale);
        let mut entries = go_phase_entries(actor, &go.body);
        entries.insert(0, go);
        let ack = match &next {
            Some(n) => format!("go: {cur} completed, {n} entered"),
            None => format!("go: {cur} completed; the cutover is complete"),
        };
        let shown = next
            .as_deref()
            .and_then(|n| self.runbook.phase(n))
            .map(|p| p.name.clone())
            .unwrap_or_else(|| "completion".into());
        let fill = Fill {
            actor: Some(actor),
            reason: Some(rationale),
            phase: Some(shown),
            ..Fill::default()
        };
        let notify = vec![self.notify("go", now, fill)];
        Ok(Plan {
            entries,
            notify,
            ack,
            authority,
        })
    }

    fn plan_reentry(
        &self,
        actor: &str,
        rationale: &str,
        cur: &str,
        now: Ts,
        authority: Authority,
    ) -> Rule {
        if let Some(rb) = &self.rollback {
            let open: Vec<&str> = rb
                .steps
                .iter()
                .filter(|s| !s.state.finished())
                .map(|s| s.id.as_str())
                .collect();
            if !open.is_empty() {
                return Err(format!(
                    "go refused: rollback {} still has unfinished steps ({}); mark them done or skipped first",
                    rb.scope,
                    open.join(", ")
                ));
            }
        }
        let unmet = self.unmet_gates(cur, GateKind::Entry, now);
        if !unmet.is_empty() {
            return Err(format!(
                "re-entering {cur} after the rollback refused: {}",
                unmet.join("; ")
            ));
        }
        let go = DecisionAction::Go {
            from: cur.to_string(),
            to: Some(cur.to_string()),
            reentry: true,
        };
        let d = self.decision_entry(actor, go, rationale);
        let fill = Fill {
            actor: Some(actor),
            reason: Some(rationale),
            ..Fill::default()
        };
        Ok(Plan {
            entries: {
                let mut e = go_phase_entries(actor, &d.body);
                e.insert(0, d);
                e
            },
            notify: vec![self.notify("go", now, fill)],
            ack: format!("go: {cur} re-entered after the rollback"),
            authority,
        })
    }

    /// What `go` would do now, in words, for the go form's title:
    /// "enter pilot-dataset", "re-enter parallel-run after rollback of
    /// pause-writes", "complete full-production (the last phase)".
    pub fn go_intent(&self) -> String {
        let cur = self.phase_id();
        if self.phase.finished {
            return "nothing: the cutover is complete".into();
        }
        if self.phase.needs_reentry {
            return match &self.rollback {
                Some(rb) => format!("re-enter {cur} after rollback of {}", rb.scope),
                None => format!("re-enter {cur} after the rollback"),
            };
        }
        match self.runbook.phases.get(self.phase.index + 1) {
            Some(next) => format!("enter {}", next.id),
            None => format!("complete {cur} (the last phase)"),
        }
    }

    /// Steps whose `after` dependencies are not finished.
    pub(super) fn unfinished_deps(
        &self,
        after: &[String],
        pool: &[super::StepStatus],
    ) -> Vec<String> {
        after
            .iter()
            .filter(|d| pool.iter().any(|s| &s.id == *d && !s.state.finished()))
            .cloned()
            .collect()
    }

    /// Whether a phase step may start now (hold stops the line for new work).
    pub(super) fn may_start(&self, state: &StepState) -> Result<(), String> {
        self.no_hold("starting a step")?;
        match state {
            StepState::Pending | StepState::Blocked { .. } => Ok(()),
            s => Err(format!(
                "the step is {}; only a pending or blocked step can start",
                s.name()
            )),
        }
    }
}

fn kind_name(k: GateKind) -> &'static str {
    match k {
        GateKind::Entry => "entry",
        GateKind::Exit => "exit",
    }
}
