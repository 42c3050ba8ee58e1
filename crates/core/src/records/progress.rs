//! `phase` and `step` records: progress through the runbook.

use serde::{Deserialize, Serialize};

/// `phase`: a phase was entered or completed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhaseBody {
    /// What happened.
    #[serde(rename = "type")]
    pub event: PhaseEvent,
    /// The phase id.
    pub phase: String,
    /// Entered again after a rollback.
    pub reentry: bool,
}

/// What a `phase` record says happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseEvent {
    /// The phase began.
    #[default]
    Entered,
    /// The phase ended (go to the next, or the last phase finished).
    Completed,
    /// A name this program does not write.
    #[serde(other)]
    Other,
}

/// `step`: a step of a phase, or of the rollback in progress, changed state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepBody {
    /// What happened.
    #[serde(rename = "type")]
    pub event: StepEvent,
    /// The step id.
    pub step: String,
    /// The phase the step belongs to (`null` for a rollback step).
    pub phase: Option<String>,
    /// The rollback scope when it is a rollback plan's step, else `null`.
    pub rollback: Option<String>,
    /// Why (skip and blocked), else `null`.
    pub reason: Option<String>,
    /// The rule that allowed the update (`step-owner` or `commander`;
    /// absent in older logs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Demo only: who was really at the keyboard when it acted as another
    /// owner (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_keyboard: Option<String>,
}

/// What a `step` record says happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepEvent {
    /// Work began.
    Start,
    /// Finished.
    Done,
    /// Not done, on purpose (with a reason).
    Skip,
    /// Cannot go on (with a reason).
    Blocked,
    /// A name this program does not write.
    #[default]
    #[serde(other)]
    Other,
}

impl StepEvent {
    /// The name the log uses.
    pub fn as_str(self) -> &'static str {
        match self {
            StepEvent::Start => "start",
            StepEvent::Done => "done",
            StepEvent::Skip => "skip",
            StepEvent::Blocked => "blocked",
            StepEvent::Other => "other",
        }
    }
}
