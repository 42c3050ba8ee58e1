//! `decision`: a person's decision, by type, with why and what the board
//! showed at that moment.

use super::transition::Snapshot;
use crate::time::Ts;
use serde::{Deserialize, Serialize};

/// `decision`: `type` and its members (see [`DecisionAction`]), the
/// rationale, and a snapshot of every gate, sign-off and threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionBody {
    /// What was decided: `type` and the members of that type.
    #[serde(flatten)]
    pub action: DecisionAction,
    /// Why, in the decider's words (may be empty for a sign-off).
    #[serde(default)]
    pub rationale: String,
    /// The board at the moment of the decision (absent on the notes the
    /// program itself writes: clock jumps, notification failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    /// The thresholds whose pending recommendations this decision settles
    /// (absent when it settles none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settles: Vec<String>,
    /// The rule that allowed the decision (`commander`, `phase-owner:<phase>`, ...;
    /// absent on notes the program writes and in older logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Demo only: who was really at the keyboard when it acted as another
    /// owner (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demo_keyboard: Option<String>,
}

/// A decision by `type`, with the members that type carries. Members an
/// older log lacks read as empty; a type this program does not know reads
/// as [`DecisionAction::Other`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DecisionAction {
    /// Leave the current phase for the next (`from == to` with `reentry`
    /// when a phase is entered again after a rollback).
    Go {
        /// The phase left.
        #[serde(default)]
        from: String,
        /// The phase entered (`null` when the last phase completed).
        #[serde(default)]
        to: Option<String>,
        /// Re-entering the phase after a rollback.
        #[serde(default, skip_serializing_if = "is_false")]
        reentry: bool,
    },
    /// Stop the line.
    Hold,
    /// End the hold.
    Resume,
    /// Start the rollback plan of `scope`.
    Rollback {
        /// The rollback scope.
        #[serde(default)]
        scope: String,
    },
    /// Waive a gate until `expires`, with an accountable owner.
    Waive {
        /// The gate waived.
        #[serde(default)]
        gate: String,
        /// Who is accountable.
        #[serde(default)]
        owner: String,
        /// Why.
        #[serde(default)]
        reason: String,
        /// When the waiver runs out (RFC 3339).
        #[serde(default)]
        expires: String,
    },
    /// A role signs a phase off.
    Signoff {
        /// The phase signed off.
        #[serde(default)]
        phase: String,
        /// The role signing.
        #[serde(default)]
        role: String,
    },
    /// The commander role passes to another owner.
    Handover {
        /// The commander before.
        #[serde(default)]
        from: String,
        /// The commander after.
        #[serde(default)]
        to: String,
        /// The decision rights the commander before keeps (as phase owner).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        keeps: Vec<String>,
    },
    /// An issue is opened or closed.
    Issue {
        /// Open or close.
        #[serde(default)]
        op: IssueOp,
        /// The issue id (`ISS-1`, ...).
        #[serde(default)]
        id: String,
        /// `critical`, `major` or `minor` (when opened).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<String>,
        /// A short title (when opened).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// Who owns it (when opened).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
    },
    /// A note for the record; changes nothing.
    Note,
    /// The answer to a threshold's recommendation.
    Decide {
        /// The threshold whose recommendation was answered.
        #[serde(default)]
        threshold: String,
        /// `rollback`, `hold` or `continue`.
        #[serde(default)]
        answer: String,
        /// The rollback scope, when the answer is rollback.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
        /// The rollback answered was already in progress: nothing new starts.
        #[serde(default, skip_serializing_if = "is_false")]
        in_progress: bool,
    },
    /// A type this program does not know (a newer log): read, not applied.
    #[serde(other)]
    Other,
}

/// Whether an `issue` decision opens or closes the issue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueOp {
    /// A new issue.
    #[default]
    Open,
    /// The issue is resolved.
    Close,
}

impl DecisionAction {
    /// The `type` name the log uses.
    pub fn type_name(&self) -> &'static str {
        match self {
            DecisionAction::Go { .. } => "go",
            DecisionAction::Hold => "hold",
            DecisionAction::Resume => "resume",
            DecisionAction::Rollback { .. } => "rollback",
            DecisionAction::Waive { .. } => "waive",
            DecisionAction::Signoff { .. } => "signoff",
            DecisionAction::Handover { .. } => "handover",
            DecisionAction::Issue { .. } => "issue",
            DecisionAction::Note => "note",
            DecisionAction::Decide { .. } => "decide",
            DecisionAction::Other => "other",
        }
    }

    /// The rollback scope this decision starts, if it starts one.
    pub fn rollback_scope(&self) -> Option<&str> {
        match self {
            DecisionAction::Rollback { scope } => Some(scope),
            DecisionAction::Decide {
                answer,
                scope: Some(scope),
                ..
            } if answer == "rollback" => Some(scope),
            _ => None,
        }
    }

    /// A waiver's expiry as a time, if this is a waiver with a valid one.
    pub fn waiver_expires(&self) -> Option<Ts> {
        match self {
            DecisionAction::Waive { expires, .. } => Ts::parse_rfc3339(expires),
            _ => None,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}
