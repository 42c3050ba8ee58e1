//! The small state structs the cockpit is made of (no god struct): each
//! holds one concern and is read directly by the view-model builder.

use crate::cockpit::msg::IssueSeverity;
use crate::gate::GateState;
use crate::runbook::{Runbook, Step};
use crate::time::{Dur, Ts};
use serde::{Deserialize, Serialize};

/// Where in the runbook the cutover stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseState {
    /// Index into `runbook.phases`.
    pub index: usize,
    pub entered_at: Ts,
    /// A rollback was decided in this phase: it must be re-entered by `go`
    /// (which needs its entry gates again).
    pub needs_reentry: bool,
    /// `go` was said in the last phase: the cutover is complete.
    pub finished: bool,
}

/// The approved window, as the cockpit counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// When this log began.
    pub log_start: Ts,
    /// What the countdowns count from: `window_start` when set, else the log start.
    pub origin: Ts,
    /// `origin + max_duration`.
    pub end: Ts,
}

impl Window {
    pub fn new(rb: &Runbook, log_start: Ts) -> Window {
        let origin = rb.window_start.unwrap_or(log_start);
        Window {
            log_start,
            origin,
            end: origin + rb.max_duration,
        }
    }
}

/// What is happening to one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepState {
    Pending,
    InProgress {
        by: String,
        since: Ts,
    },
    Done {
        by: String,
        at: Ts,
        started: Option<Ts>,
    },
    Skipped {
        by: String,
        at: Ts,
        reason: String,
    },
    Blocked {
        by: String,
        since: Ts,
        reason: String,
    },
}

impl StepState {
    pub fn name(&self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::InProgress { .. } => "in_progress",
            StepState::Done { .. } => "done",
            StepState::Skipped { .. } => "skipped",
            StepState::Blocked { .. } => "blocked",
        }
    }
    /// Done or skipped: nothing more to do.
    pub fn finished(&self) -> bool {
        matches!(self, StepState::Done { .. } | StepState::Skipped { .. })
    }
}

/// One step of a phase (or of a rollback plan) and its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStatus {
    pub id: String,
    /// The phase it belongs to; `None` for rollback-plan steps.
    pub phase: Option<String>,
    pub title: String,
    pub owner: String,
    pub expected: Option<Dur>,
    pub after: Vec<String>,
    pub state: StepState,
    /// A rollback undid this step's work ("rollback pause-writes at 03:58:29"):
    /// it is pending again; cleared when it starts again.
    #[serde(default)]
    pub undone_by: Option<String>,
}

impl StepStatus {
    pub fn new(phase: Option<&str>, s: &Step) -> StepStatus {
        StepStatus {
            id: s.id.clone(),
            phase: phase.map(str::to_string),
            title: s.title.clone(),
            owner: s.owner.clone(),
            expected: s.expected,
            after: s.after.clone(),
            state: StepState::Pending,
            undone_by: None,
        }
    }
}

/// A required sign-off and whether it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffStatus {
    pub phase: String,
    pub role: String,
    pub owner: String,
    pub given_at: Option<Ts>,
}

impl SignOffStatus {
    /// `awaiting` until given, then `pass`.
    pub fn state(&self) -> GateState {
        if self.given_at.is_some() {
            GateState::Pass
        } else {
            GateState::Awaiting
        }
    }
}

/// The line is stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub by: String,
    pub reason: String,
    pub since: Ts,
}

/// An exception: a gate counted as passing on someone's accountability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    pub gate: String,
    /// The accountable owner.
    pub owner: String,
    pub reason: String,
    pub expires: Ts,
    pub granted_by: String,
    pub granted_at: Ts,
    /// The expiry passed: it no longer counts (flagged on screen and in the report).
    pub expired: bool,
}

impl Waiver {
    pub fn in_force(&self, now: Ts) -> bool {
        !self.expired && now < self.expires
    }
}

/// A rollback being carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackState {
    pub scope: String,
    pub decided_by: String,
    pub since: Ts,
    /// The phase where it was decided (to be re-entered by `go`).
    pub phase: String,
    pub steps: Vec<StepStatus>,
}

/// What a recommendation proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecommendationKind {
    Rollback,
    Hold,
}

/// A pending recommendation: stays until a person with authority decides it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The threshold id (or `max_duration`, the built-in window-overrun trigger).
    pub threshold: String,
    pub kind: RecommendationKind,
    pub scope: Option<String>,
    pub message: String,
    pub raised_at: Ts,
}

/// A recommendation settled by a decision (an answer, or a rollback or hold
/// that made it moot): the threshold shows it until it leaves `breached`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handled {
    pub threshold: String,
    /// The decision in words: "rollback read-path", "hold", "answer continue".
    pub by: String,
    pub actor: String,
    pub at: Ts,
}

/// The latest decision of one type (templates are filled from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastDecision {
    pub actor: String,
    pub rationale: String,
    pub at: Ts,
    /// Rollback scope, if any.
    pub scope: Option<String>,
    /// The phase a `go` entered.
    pub to: Option<String>,
}

/// An entry of the issue log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub id: String,
    pub severity: IssueSeverity,
    pub title: String,
    pub owner: String,
    pub opened_by: String,
    pub opened_at: Ts,
    /// `(by, at, rationale)` once closed.
    pub closed: Option<(String, Ts, String)>,
}

/// What the cockpit knows of one probe's endpoint, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointStatus {
    pub probe: String,
    /// The latest attempt succeeded.
    pub ok: bool,
    pub last_attempt: Ts,
    pub last_ok: Option<Ts>,
    /// `(when, why)` of the latest failure (already inert).
    pub last_failure: Option<(Ts, String)>,
    /// What the latest successful attempt reported besides its samples (a
    /// reconciliation's differences, pseudonymised); `None` when nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_detail: Option<String>,
}
