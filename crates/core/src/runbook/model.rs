//! The runbook: the *process* of a cutover (docs/runbook.md), as validated data.
//!
//! Every item keeps the position of its `id` (or its table) so later checks
//! and the cockpit can point back at the file.

use crate::expr::Expr;
use crate::span::Pos;
use crate::time::{Dur, Ts};

/// A whole, parsed runbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Runbook {
    /// `[runbook] name`: the cutover's title, shown in the cockpit header and the report.
    pub name: String,
    /// `[runbook] version`: free-text revision of this runbook, logged so a replay names the plan it ran.
    pub version: String,
    /// Owner id holding decision authority at the start.
    pub commander: String,
    /// The approved window.
    pub max_duration: Dur,
    /// Cadence of status updates (`{next_update}`); default 30m.
    pub update_every: Dur,
    /// `[runbook] window_start`: planned start of the approved window; `None` = the window counts from the log start.
    pub window_start: Option<Ts>,
    /// The rollback scope the built-in overrun trigger recommends (a hold when unset).
    pub overrun_scope: Option<String>,
    /// The `[[owner]]` tables: everyone who may own a phase, step, sign-off or rollback step.
    pub owners: Vec<Owner>,
    /// The `[[phase]]` tables, in file order; a new cutover starts in the first.
    pub phases: Vec<Phase>,
    /// The `[[threshold]]` tables: rollback and stop-the-line triggers.
    pub thresholds: Vec<Threshold>,
    /// The `[[rollback]]` plans, one per scope.
    pub rollbacks: Vec<RollbackPlan>,
    /// The `[[template]]` tables: communication texts with placeholders.
    pub templates: Vec<Template>,
    /// Decision types that must be signed (`require_signature`).
    pub require_signature: Vec<String>,
}

/// One `[[owner]]`: a person on the cutover roster.
#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    /// `id`: the short name other tables use to refer to this person (unique).
    pub id: String,
    /// `name`: the person's full name, as shown and logged.
    pub name: String,
    /// `role`: the person's role on the night, free text.
    pub role: String,
    /// `contact`: optional free text (phone, bridge line); `None` = not given.
    pub contact: Option<String>,
    /// `ed25519:<base64>` public key from `cutover keygen` (checked for form here).
    pub signing_key: Option<String>,
    /// Position of `id` in the runbook file, for diagnostics.
    pub pos: Pos,
}

/// One `[[phase]]`: a stage of the cutover that `go` enters and leaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// `id`: unique phase id, used by `go`, `[[threshold]] phase` and the log.
    pub id: String,
    /// `name`: the phase's display name.
    pub name: String,
    /// Phase owner: may say go / hold for this phase.
    pub owner: String,
    /// The `[[phase.step]]` tables: the work of this phase.
    pub steps: Vec<Step>,
    /// The `[[phase.gate]]` tables: conditions checked before `go` enters (entry) or leaves (exit) the phase.
    pub gates: Vec<Gate>,
    /// The `[[phase.signoff]]` tables: manual sign-offs required before `go` leaves the phase.
    pub signoffs: Vec<SignOffReq>,
    /// Position of `id` in the runbook file, for diagnostics.
    pub pos: Pos,
}

/// One `[[phase.step]]` or `[[rollback.step]]`: a unit of work done by one owner.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `id`: step id, unique across the whole runbook (rollback steps: across all plans).
    pub id: String,
    /// `title`: what is to be done, as shown in the cockpit.
    pub title: String,
    /// `owner`: the `[[owner]]` id of the person doing the step.
    pub owner: String,
    /// `expected`: planned duration, used for overrun display and the forecast; `None` = not planned (a warning, the forecast cannot count it).
    pub expected: Option<Dur>,
    /// Step ids (same phase) that must be done first.
    pub after: Vec<String>,
    /// Position of `id` in the runbook file, for diagnostics.
    pub pos: Pos,
}

/// `kind` of a `[[phase.gate]]`: when the gate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateKind {
    /// `"entry"`: must pass before `go` may enter the phase.
    Entry,
    /// `"exit"` (the default): must pass before `go` may leave the phase.
    Exit,
}

/// One `[[phase.gate]]`: a condition on metrics that must hold before `go`.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// `id`: gate id, unique across the runbook.
    pub id: String,
    /// `title`: what the gate checks, in words, as shown in the cockpit.
    pub title: String,
    /// The source text of `when`, kept for display.
    pub when_src: String,
    /// The parsed `when` condition (boolean, three-valued: Unknown never passes).
    pub when: Expr,
    /// Must hold continuously this long; `None` = at once.
    pub hold_for: Option<Dur>,
    /// `kind`: entry or exit gate (default exit).
    pub kind: GateKind,
    /// Evaluated, shown and logged, but never blocks `go`.
    pub advisory: bool,
    /// Position of `id` in the runbook file, for diagnostics.
    pub pos: Pos,
}

/// A required manual sign-off for a phase.
#[derive(Debug, Clone, PartialEq)]
pub struct SignOffReq {
    /// `role`: the role that signs off, as shown in the cockpit.
    pub role: String,
    /// `owner`: the `[[owner]]` id of the only person who can give this sign-off.
    pub owner: String,
    /// Position of `role` in the runbook file (the table header when absent), for diagnostics.
    pub pos: Pos,
}

/// `severity` of a `[[threshold]]`: what a breach recommends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `"rollback"`: recommends the rollback plan named by `scope`.
    Rollback,
    /// `"hold"`: recommends stopping the line (a hold); needs no scope.
    Hold,
}

/// A rollback trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// `id`: threshold id, unique across the runbook.
    pub id: String,
    /// `title`: what the trigger watches, in words, as shown in the cockpit.
    pub title: String,
    /// The source text of `when`, kept for display.
    pub when_src: String,
    /// The parsed `when` condition; a breach is when it holds for `hold_for`.
    pub when: Expr,
    /// `for`: the condition must hold continuously this long before a breach; `None` = at once.
    pub hold_for: Option<Dur>,
    /// Rollback scope; required when severity is rollback.
    pub scope: Option<String>,
    /// `severity`: whether a breach recommends a rollback or a hold.
    pub severity: Severity,
    /// Phases where it is active; empty = all phases.
    pub phases: Vec<String>,
    /// Evaluated, shown and logged, but a breach never raises a recommendation.
    pub advisory: bool,
    /// Position of `id` in the runbook file, for diagnostics.
    pub pos: Pos,
}

/// One `[[rollback]]` plan: the steps that undo one part of the cutover.
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackPlan {
    /// `scope`: the plan's name, used by thresholds, `overrun_scope` and `rollback.<scope>.slack_min`.
    pub scope: String,
    /// `title`: what the rollback does, in words.
    pub title: String,
    /// The `[[rollback.step]]` tables, with the same keys and checks as phase steps.
    pub steps: Vec<Step>,
    /// Position of `scope` in the runbook file, for diagnostics.
    pub pos: Pos,
}

/// One `[[template]]`: a communication text filled in by the cockpit.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// `id`: template id, unique.
    pub id: String,
    /// `title`: what the message is for, as shown in the picker.
    pub title: String,
    /// `text`: the message, with placeholders such as `{time}`, `{phase}` and `{next_update}`.
    pub text: String,
    /// Position of `id` in the runbook file, for diagnostics.
    pub pos: Pos,
}

impl Runbook {
    /// The phase with this id, if any.
    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }
    /// The position of the phase with this id in run order, if any.
    pub fn phase_index(&self, id: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.id == id)
    }
    /// The owner with this id, if any.
    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.owners.iter().find(|o| o.id == id)
    }
    /// The rollback plan for this scope, if any.
    pub fn rollback(&self, scope: &str) -> Option<&RollbackPlan> {
        self.rollbacks.iter().find(|r| r.scope == scope)
    }
    /// The template with this id, if any.
    pub fn template(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }
    /// Every gate of every phase, with its phase id.
    pub fn gates(&self) -> impl Iterator<Item = (&Phase, &Gate)> {
        self.phases
            .iter()
            .flat_map(|p| p.gates.iter().map(move |g| (p, g)))
    }
}

impl Threshold {
    /// Whether the threshold is evaluated while `phase` is current.
    pub fn active_in(&self, phase: &str) -> bool {
        self.phases.is_empty() || self.phases.iter().any(|p| p == phase)
    }
}
