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
    /// When the current phase was (last) entered.
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
    /// The window of `rb` for a log that began at `log_start`.
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
    /// Not started yet (or undone by a rollback).
    Pending,
    /// Being worked on.
    InProgress {
        /// Who started it.
        by: String,
        /// When it was started.
        since: Ts,
    },
    /// Finished.
    Done {
        /// Who marked it done.
        by: String,
        /// When it was marked done.
        at: Ts,
        /// When it was started; `None` if it was not in progress when marked done.
        started: Option<Ts>,
    },
    /// Not needed: counts as finished.
    Skipped {
        /// Who skipped it.
        by: String,
        /// When it was skipped.
        at: Ts,
        /// Why it was not needed.
        reason: String,
    },
    /// Cannot go on until something else happens; may be started again.
    Blocked {
        /// Who reported it blocked.
        by: String,
        /// When it was reported blocked.
        since: Ts,
        /// What it waits for.
        reason: String,
    },
}

impl StepState {
    /// The state as written in the log and on screen (`pending`, `in_progress`, ...).
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
    /// The step id from the runbook.
    pub id: String,
    /// The phase it belongs to; `None` for rollback-plan steps.
    pub phase: Option<String>,
    /// What the step does, in words.
    pub title: String,
    /// Who carries it out (may start, finish, skip or block it).
    pub owner: String,
    /// Planned duration from the runbook; `None` when not planned (counts as 0).
    pub expected: Option<Dur>,
    /// Ids of the steps that must be finished before it may start.
    pub after: Vec<String>,
    /// Where it stands now.
    pub state: StepState,
    /// A rollback undid this step's work ("rollback pause-writes at 03:58:29"):
    /// it is pending again; cleared when it starts again.
    #[serde(default)]
    pub undone_by: Option<String>,
}

impl StepStatus {
    /// A pending step of `phase` (`None` for a rollback plan) as the runbook states it.
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
    /// The phase that cannot be left without it.
    pub phase: String,
    /// The signing role, as named in the runbook.
    pub role: String,
    /// The one person who may give it.
    pub owner: String,
    /// When it was given; `None` while awaited.
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
    /// Who stopped it.
    pub by: String,
    /// Why, as they gave it.
    pub reason: String,
    /// When the hold began.
    pub since: Ts,
}

/// An exception: a gate counted as passing on someone's accountability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// Id of the gate waived.
    pub gate: String,
    /// The accountable owner.
    pub owner: String,
    /// Why the gate may be waived.
    pub reason: String,
    /// When it stops counting.
    pub expires: Ts,
    /// Who granted it (commander or phase owner).
    pub granted_by: String,
    /// When it was granted.
    pub granted_at: Ts,
    /// The expiry passed: it no longer counts (flagged on screen and in the report).
    pub expired: bool,
}

impl Waiver {
    /// Whether the gate still counts as passing on it at `now`.
    pub fn in_force(&self, now: Ts) -> bool {
        !self.expired && now < self.expires
    }
}

/// A rollback being carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackState {
    /// The runbook's rollback plan being carried out.
    pub scope: String,
    /// Who decided it.
    pub decided_by: String,
    /// When it was decided.
    pub since: Ts,
    /// The phase where it was decided (to be re-entered by `go`).
    pub phase: String,
    /// The plan's steps and their status (they must all finish before `go`).
    pub steps: Vec<StepStatus>,
}

/// What a recommendation proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecommendationKind {
    /// Roll back (the recommendation's scope).
    Rollback,
    /// Stop the line.
    Hold,
}

/// A pending recommendation: stays until a person with authority decides it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The threshold id (or `max_duration`, the built-in window-overrun trigger).
    pub threshold: String,
    /// What it proposes.
    pub kind: RecommendationKind,
    /// The rollback scope proposed; `None` for a hold or when the threshold names none.
    pub scope: Option<String>,
    /// What is recommended and why, in words.
    pub message: String,
    /// When the breach raised it.
    pub raised_at: Ts,
}

/// A recommendation settled by a decision (an answer, or a rollback or hold
/// that made it moot): the threshold shows it until it leaves `breached`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handled {
    /// Id of the threshold whose recommendation was settled.
    pub threshold: String,
    /// The decision in words: "rollback read-path", "hold", "answer continue".
    pub by: String,
    /// Who took the decision.
    pub actor: String,
    /// When it was taken.
    pub at: Ts,
}

/// The latest decision of one type (templates are filled from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastDecision {
    /// Who took it.
    pub actor: String,
    /// Why, as they gave it.
    pub rationale: String,
    /// When it was taken.
    pub at: Ts,
    /// Rollback scope, if any.
    pub scope: Option<String>,
    /// The phase a `go` entered.
    pub to: Option<String>,
}

/// An entry of the issue log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Unique id given when opened.
    pub id: String,
    /// How bad it is.
    pub severity: IssueSeverity,
    /// What went wrong, in words.
    pub title: String,
    /// Who works on it (may close it).
    pub owner: String,
    /// Who opened it.
    pub opened_by: String,
    /// When it was opened.
    pub opened_at: Ts,
    /// `(by, at, rationale)` once closed; `None` while open.
    pub closed: Option<(String, Ts, String)>,
}

/// What the cockpit knows of one probe's endpoint, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointStatus {
    /// The probe's label from the configuration.
    pub probe: String,
    /// The latest attempt succeeded.
    pub ok: bool,
    /// Time of the latest attempt.
    pub last_attempt: Ts,
    /// When an attempt last succeeded; `None` if none has yet.
    pub last_ok: Option<Ts>,
    /// `(when, why)` of the latest failure (already inert).
    pub last_failure: Option<(Ts, String)>,
    /// What the latest successful attempt reported besides its samples (a
    /// reconciliation's differences, pseudonymised); `None` when nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_detail: Option<String>,
}
