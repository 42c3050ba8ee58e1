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
    pub name: String,
    pub version: String,
    /// Owner id holding decision authority at the start.
    pub commander: String,
    /// The approved window.
    pub max_duration: Dur,
    /// Cadence of status updates (`{next_update}`); default 30m.
    pub update_every: Dur,
    pub window_start: Option<Ts>,
    /// The rollback scope the built-in overrun trigger recommends (a hold when unset).
    pub overrun_scope: Option<String>,
    pub owners: Vec<Owner>,
    pub phases: Vec<Phase>,
    pub thresholds: Vec<Threshold>,
    pub rollbacks: Vec<RollbackPlan>,
    pub templates: Vec<Template>,
    /// Decision types that must be signed (`require_signature`).
    pub require_signature: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    pub id: String,
    pub name: String,
    pub role: String,
    pub contact: Option<String>,
    /// `ed25519:<base64>` public key from `cutover keygen` (checked for form here).
    pub signing_key: Option<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub id: String,
    pub name: String,
    /// Phase owner: may say go / hold for this phase.
    pub owner: String,
    pub steps: Vec<Step>,
    pub gates: Vec<Gate>,
    pub signoffs: Vec<SignOffReq>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub expected: Option<Dur>,
    /// Step ids (same phase) that must be done first.
    pub after: Vec<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateKind {
    Entry,
    Exit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub id: String,
    pub title: String,
    /// The source text of `when`, kept for display.
    pub when_src: String,
    pub when: Expr,
    /// Must hold continuously this long; `None` = at once.
    pub hold_for: Option<Dur>,
    pub kind: GateKind,
    /// Evaluated, shown and logged, but never blocks `go`.
    pub advisory: bool,
    pub pos: Pos,
}

/// A required manual sign-off for a phase.
#[derive(Debug, Clone, PartialEq)]
pub struct SignOffReq {
    pub role: String,
    pub owner: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Rollback,
    Hold,
}

/// A rollback trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub id: String,
    pub title: String,
    pub when_src: String,
    pub when: Expr,
    pub hold_for: Option<Dur>,
    /// Rollback scope; required when severity is rollback.
    pub scope: Option<String>,
    pub severity: Severity,
    /// Phases where it is active; empty = all phases.
    pub phases: Vec<String>,
    /// Evaluated, shown and logged, but a breach never raises a recommendation.
    pub advisory: bool,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RollbackPlan {
    pub scope: String,
    pub title: String,
    pub steps: Vec<Step>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub id: String,
    pub title: String,
    pub text: String,
    pub pos: Pos,
}

impl Runbook {
    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }
    pub fn phase_index(&self, id: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.id == id)
    }
    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.owners.iter().find(|o| o.id == id)
    }
    pub fn rollback(&self, scope: &str) -> Option<&RollbackPlan> {
        self.rollbacks.iter().find(|r| r.scope == scope)
    }
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
