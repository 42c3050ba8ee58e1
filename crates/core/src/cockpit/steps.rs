//! Step actions (start, done, skip, blocked) for phase steps and the steps
//! of a rollback in progress. Allowed to the step's owner or the commander.

use super::actions::Plan;
use super::authority::{Allow, Authority};
use super::state::{StepState, StepStatus};
use super::{Action, Cockpit};
use crate::entry::{Entry, EntryKind};
use crate::time::Ts;
use serde_json::json;

impl Cockpit {
    pub(super) fn plan_step(&self, actor: &str, action: Action, _now: Ts) -> Result<Plan, String> {
        let (id, kind, reason) = match action {
            Action::StepStart { step } => (step, "start", String::new()),
            Action::StepDone { step } => (step, "done", String::new()),
            Action::StepSkip { step, reason } => (step, "skip", reason),
            Action::StepBlocked { step, reason } => (step, "blocked", reason),
            other => return Err(format!("not a step action: {other:?}")),
        };
        let (step, pool, scope) = self.find_step(&id)?;
        let allow = Allow {
            commander: true,
            named: Some((step.owner.as_str(), Authority::StepOwner)),
            ..Allow::default()
        };
        let Some(authority) = self.authority_of(actor, allow) else {
            return Err(format!(
                "step {id} is {}'s (or the commander {}'s) to update, not {actor}'s",
                step.owner, self.commander
            ));
        };
        self.step_rule(step, pool, kind, &reason)?;
        let entry = Entry {
            kind: EntryKind::Step,
            actor: actor.to_string(),
            phase: Some(self.phase_id().to_string()),
            body: json!({"type": kind, "step": id, "phase": step.phase, "rollback": scope,
                         "reason": if reason.is_empty() { None } else { Some(reason) }}),
        };
        let ack = match kind {
            "start" => format!("step {id} started"),
            "done" => format!("step {id} done"),
            "skip" => format!("step {id} skipped"),
            _ => format!("step {id} marked blocked"),
        };
        Ok(Plan {
            entries: vec![entry],
            notify: vec![],
            ack,
            authority,
        })
    }

    /// The step `id`: in the rollback in progress, else in the current phase.
    fn find_step(&self, id: &str) -> Result<(&StepStatus, &[StepStatus], Option<String>), String> {
        if let Some(rb) = &self.rollback {
            if let Some(s) = rb.steps.iter().find(|s| s.id == id) {
                return Ok((s, rb.steps.as_slice(), Some(rb.scope.clone())));
            }
        }
        let cur = self.phase_id();
        match self.steps.iter().find(|s| s.id == id) {
            Some(s) if s.phase.as_deref() == Some(cur) => Ok((s, self.steps.as_slice(), None)),
            Some(s) => Err(format!(
                "step {id} belongs to phase {}, the current phase is {cur}",
                s.phase.as_deref().unwrap_or("?")
            )),
            None => Err(format!("no step {id:?} in the current phase or rollback")),
        }
    }

    fn step_rule(
        &self,
        step: &StepStatus,
        pool: &[StepStatus],
        kind: &str,
        reason: &str,
    ) -> Result<(), String> {
        let id = &step.id;
        match (kind, &step.state) {
            ("start", st) => {
                if step.phase.is_some() {
                    self.may_start(st)?;
                } else if !matches!(st, StepState::Pending | StepState::Blocked { .. }) {
                    return Err(format!(
                        "step {id} is {}; only a pending or blocked step can start",
                        st.name()
                    ));
                }
                let deps = self.unfinished_deps(&step.after, pool);
                if !deps.is_empty() {
                    return Err(format!(
                        "step {id} runs after {}, which are not done yet",
                        deps.join(", ")
                    ));
                }
                Ok(())
            }
            ("done", StepState::InProgress { .. }) => Ok(()),
            ("done", st) => Err(format!(
                "step {id} is {}; start it before marking it done",
                st.name()
            )),
            ("skip" | "blocked", st) if st.finished() => {
                Err(format!("step {id} is already {}", st.name()))
            }
            ("blocked", StepState::Blocked { .. }) => Err(format!("step {id} is already blocked")),
            ("skip" | "blocked", _) if reason.trim().is_empty() => {
                Err(format!("a reason is required to {kind} step {id}"))
            }
            _ => Ok(()),
        }
    }
}
