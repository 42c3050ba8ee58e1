//! What goes into the cockpit state machine, and what comes out of it.

use crate::entry::Entry;
use crate::sample::ProbeReport;
use crate::time::Ts;
use serde::{Deserialize, Serialize};

/// Everything the core reacts to. Time always comes alongside, as `now`.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A probe attempt finished (samples and/or a failure reason).
    Probe(ProbeReport),
    /// Time passed: re-evaluate gates, thresholds, timers.
    Tick,
    /// A person did something.
    Act {
        /// Who acted (a name on the roster; anyone else is refused).
        actor: String,
        /// What they asked the cockpit to do.
        action: Action,
    },
}

/// The answer to a rollback/hold recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// Carry out a rollback: of the threshold's scope, or the only plan when it names none.
    Rollback,
    /// Stop the line instead.
    Hold,
    /// Accept the risk and carry on; the recommendation is settled.
    Continue,
}

/// How bad an entry of the issue log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueSeverity {
    /// Threatens the cutover; counted in `issues.open_critical`.
    Critical,
    /// Serious, below critical.
    Major,
    /// Worth tracking, least urgent.
    Minor,
}

/// A person's action (keyboard, or a team member through `serve`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Unknown fields are refused, so a team member's typo is an error, not a silent default.
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Leave the current phase and enter the next (or re-enter after a rollback).
    /// Commander or owner of the current phase.
    Go {
        /// Why it is safe to go on (recorded).
        rationale: String,
    },
    /// Stop the line. Anyone on the roster.
    Hold {
        /// Why the line is stopped (required).
        reason: String,
    },
    /// Lift the active hold. Commander or owner of the current phase.
    Resume {
        /// Why it is safe to carry on (recorded).
        rationale: String,
    },
    /// Start the rollback plan of a scope. Commander or owner of the current phase.
    Rollback {
        /// The runbook's rollback plan to carry out.
        scope: String,
        /// Why the rollback was decided (recorded).
        rationale: String,
    },
    /// Count a gate as passing on someone's accountability until `expires`.
    /// Commander or owner of the current phase.
    Waive {
        /// Id of the gate waived.
        gate: String,
        /// The accountable owner (must be on the roster).
        owner: String,
        /// Why the gate may be waived (required).
        reason: String,
        /// When the waiver stops counting: after now, no later than the window's end.
        expires: Ts,
    },
    /// Give a required sign-off. Only the owner the sign-off names.
    SignOff {
        /// The phase the sign-off belongs to.
        phase: String,
        /// The signing role, as named in the runbook.
        role: String,
        /// What the signer reviewed (required; the record's rationale).
        #[serde(default)]
        statement: String,
    },
    /// Pass the commander role on. The commander only.
    Handover {
        /// The new commander (on the roster, not the current commander).
        to: String,
        /// Why the role changes hands (recorded).
        rationale: String,
    },
    /// Open an entry in the issue log. Anyone on the roster.
    IssueOpen {
        /// Unique id of the issue.
        id: String,
        /// How bad it is.
        severity: IssueSeverity,
        /// What went wrong, in words.
        title: String,
        /// Who works on it (must be on the roster).
        owner: String,
    },
    /// Close an open issue. Its owner, the commander or the current phase's owner.
    IssueClose {
        /// Id of the issue to close.
        id: String,
        /// How it was resolved (recorded).
        rationale: String,
    },
    /// Add a free-text note to the log. Anyone on the roster.
    Note {
        /// The note as typed.
        text: String,
    },
    /// Decide a pending recommendation raised by threshold `threshold`.
    /// Commander or owner of the current phase.
    Decide {
        /// Id of the threshold that raised it (or `max_duration`).
        threshold: String,
        /// What is decided.
        answer: Answer,
        /// Why (recorded).
        rationale: String,
    },
    /// Start a step (its `after` steps must be finished). Step owner or commander.
    StepStart {
        /// Id of the step (rollback steps first, then the current phase's).
        step: String,
    },
    /// Mark a step in progress as done. Step owner or commander.
    StepDone {
        /// Id of the step.
        step: String,
    },
    /// Skip an unfinished step. Step owner or commander.
    StepSkip {
        /// Id of the step.
        step: String,
        /// Why it is not needed (required).
        reason: String,
    },
    /// Report an unfinished step as blocked. Step owner or commander.
    StepBlocked {
        /// Id of the step.
        step: String,
        /// What it waits for (required).
        reason: String,
    },
}

/// What the edges must do for the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append to the cutover log. Decisions must be fsynced before `Acknowledged` is shown.
    Append(Entry),
    /// An action was accepted; show this confirmation once its records are durable.
    Acknowledged {
        /// Who acted.
        actor: String,
        /// The confirmation, naming the authority it was taken under.
        message: String,
    },
    /// An action was refused by a rule; show the reason to whoever tried it.
    Refused {
        /// Who tried.
        actor: String,
        /// The rule that refused it, in words.
        reason: String,
    },
    /// A new recommendation (never acted on by itself): show it, don't steal focus.
    Recommend {
        /// Id of the threshold that raised it (or `max_duration`).
        threshold: String,
        /// What is recommended and why, in words.
        message: String,
    },
    /// Send a communication (template id + filled text) to notification webhooks.
    Notify {
        /// Id of the runbook's communication template.
        template: String,
        /// The template filled in.
        text: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_from_json_and_refuse_unknown_fields() {
        let a: Action = serde_json::from_str(r#"{"action":"step_done","step":"p1-s1"}"#).unwrap();
        assert_eq!(
            a,
            Action::StepDone {
                step: "p1-s1".into()
            }
        );
        let e = serde_json::from_str::<Action>(r#"{"action":"step_done","step":"p1-s1","by":"x"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("unknown field `by`"), "{e}");
        let e = serde_json::from_str::<Action>(r#"{"action":"launch"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown variant"), "{e}");
        let back = serde_json::to_string(&a).unwrap();
        assert_eq!(back, r#"{"action":"step_done","step":"p1-s1"}"#);
    }
}
