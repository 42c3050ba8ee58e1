//! Where a runbook's references were written (owners, scopes, phases,
//! steps, metrics, durations), kept by the parser so that validation can
//! point at them. The leaf the parser and its helpers (gates, thresholds,
//! templates) share, so none of them imports another.

use crate::span::Pos;
use crate::time::Dur;
use crate::tomlread::Spanned;

/// A name used somewhere (owner, scope, phase, step, metric) and where.
#[derive(Debug, Clone, PartialEq)]
pub struct NameUse {
    /// The name as written.
    pub name: String,
    /// Where it is written in the runbook file (its opening quote).
    pub pos: Pos,
}

impl From<&Spanned<String>> for NameUse {
    fn from(s: &Spanned<String>) -> NameUse {
        NameUse {
            name: s.value.clone(),
            pos: s.pos,
        }
    }
}

/// Which list of steps a step belongs to (`after` resolves inside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepGroup {
    /// The steps of the phase at this index.
    Phase(usize),
    /// The steps of the rollback plan at this index.
    Rollback(usize),
}

/// One `after = [...]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterUse {
    /// The step list the entry must resolve in.
    pub group: StepGroup,
    /// The id of the step that has the `after` key.
    pub step: String,
    /// The step id named in `after`, and where.
    pub target: NameUse,
}

/// A duration that must not exceed `max_duration`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limited {
    /// e.g. "`for` of gate `pilot-checksums`".
    pub what: String,
    /// The duration as written.
    pub dur: Dur,
    /// Where it is written in the runbook file.
    pub pos: Pos,
}

/// The positions of every reference in a runbook, for validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refs {
    /// `[runbook] commander`; `None` when the key is missing or not a string.
    pub commander: Option<NameUse>,
    /// Phase, step, sign-off and rollback step owners.
    pub owners: Vec<NameUse>,
    /// Threshold scopes.
    pub scopes: Vec<NameUse>,
    /// Threshold `phase` entries.
    pub phases: Vec<NameUse>,
    /// Every `after` entry of every phase and rollback step.
    pub after: Vec<AfterUse>,
    /// Every metric named in a `when`.
    pub metrics: Vec<NameUse>,
    /// Every `for`, `expected` and window length, checked against `max_duration`.
    pub limited: Vec<Limited>,
    /// Position of the `[runbook]` table (or of the file start).
    pub runbook_pos: Pos,
    /// Whether `max_duration` was read successfully.
    pub has_max_duration: bool,
}

/// The string value, or empty when it was missing (already reported).
pub(super) fn text(s: Option<Spanned<String>>) -> String {
    s.map(|s| s.value).unwrap_or_default()
}
