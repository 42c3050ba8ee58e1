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
    Act { actor: String, action: Action },
}

/// The answer to a rollback/hold recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Rollback,
    Hold,
    Continue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueSeverity {
    Critical,
    Major,
    Minor,
}

/// A person's action (keyboard, or a team member through `serve`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Unknown fields are refused, so a team member's typo is an error, not a silent default.
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Leave the current phase and enter the next (or re-enter after a rollback).
    Go {
        rationale: String,
    },
    /// Stop the line.
    Hold {
        reason: String,
    },
    Resume {
        rationale: String,
    },
    Rollback {
        scope: String,
        rationale: String,
    },
    Waive {
        gate: String,
        owner: String,
        reason: String,
        expires: Ts,
    },
    SignOff {
        phase: String,
        role: String,
        /// What the signer reviewed (required; the record's rationale).
        #[serde(default)]
        statement: String,
    },
    Handover {
        to: String,
        rationale: String,
    },
    IssueOpen {
        id: String,
        severity: IssueSeverity,
        title: String,
        owner: String,
    },
    IssueClose {
        id: String,
        rationale: String,
    },
    Note {
        text: String,
    },
    /// Decide a pending recommendation raised by threshold `threshold`.
    Decide {
        threshold: String,
        answer: Answer,
        rationale: String,
    },
    StepStart {
        step: String,
    },
    StepDone {
        step: String,
    },
    StepSkip {
        step: String,
        reason: String,
    },
    StepBlocked {
        step: String,
        reason: String,
    },
}

/// What the edges must do for the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append to the cutover log. Decisions must be fsynced before `Acknowledged` is shown.
    Append(Entry),
    /// An action was accepted; show this confirmation once its records are durable.
    Acknowledged { actor: String, message: String },
    /// An action was refused by a rule; show the reason to whoever tried it.
    Refused { actor: String, reason: String },
    /// A new recommendation (never acted on by itself): show it, don't steal focus.
    Recommend { threshold: String, message: String },
    /// Send a communication (template id + filled text) to notification webhooks.
    Notify { template: String, text: String },
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
