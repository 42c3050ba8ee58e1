//! Step actions (start, done, skip, blocked) for phase steps and the steps
//! of a rollback in progress. Allowed to the step's owner or the commander.

use super::actions::Plan;
use super::authority::{Allow, Authority};
use super::state::{StepState, StepStatus};
use super::{Action, Cockpit};
use crate::entry::{Entry, EntryKind};
use crate::records::{StepBody, StepEvent};
use crate::time::Ts;

impl Cockpit {
    pub(super) fn plan_step(&self, actor: &str, action: Action, _now: Ts) -> Result<Plan, String> {
        let (id, event, reason) = match action {
            Action::StepStart { step } => (step, StepEvent::Start, String::new()),
            Action::StepDone { step } => (step, StepEvent::Done, String::new()),
            Action::StepSkip { step, reason } => (step, StepEvent::Skip, reason),
            Action::StepBlocked { step, reason } => (step, StepEvent::Blocked, reason),
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
        self.step_rule(step, pool, event.as_str(), &reason)?;
        let body = StepBody {
            event,
            step: id.clone(),
            phase: step.phase.clone(),
            rollback: scope,
            reason: (!reason.is_empty()).then_some(reason),
            // stamped with the rest of the action's records when accepted
            authority: None,
            demo_keyboard: None,
        };
        let entry = Entry::with_body(EntryKind::Step, actor, Some(self.phase_id()), &body);
        let ack = match event {
            StepEvent::Start => format!("step {id} started"),
            StepEvent::Done => format!("step {id} done"),
            StepEvent::Skip => format!("step {id} skipped"),
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
