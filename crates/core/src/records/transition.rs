//! `gate` and `threshold` transitions, and the board snapshot a decision
//! carries.

use crate::time::Ts;
use serde::{Deserialize, Serialize};

/// `gate` / `threshold`: a state change, or a checkpoint of a running
/// `for` timer (`checkpoint: true`, `from == to`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransitionBody {
    /// The gate or threshold id (`max_duration` for the built-in overrun).
    pub id: String,
    /// State before (gates: `unknown`, `fail`, `holding`, `pass`, `waived`, `awaiting`; thresholds: `inactive`, `ok`, `watch`, `breached`, `unknown`).
    pub from: String,
    /// State after.
    pub to: String,
    /// Left side of the first comparison, when known.
    pub value: Option<f64>,
    /// Right side of the first comparison, when known.
    pub limit: Option<f64>,
    /// The accumulated `for` timer after this evaluation, in milliseconds.
    pub timer_ms: i64,
    /// The `for` duration in milliseconds, or `null` without one.
    pub for_ms: Option<i64>,
    /// Why it is where it is (unknown metric, stale sample, ...).
    pub reason: Option<String>,
    /// Nothing changed; the running timer is written down.
    #[serde(skip_serializing_if = "is_false")]
    pub checkpoint: bool,
    /// A gate's phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Gate: the waiver in force on it ran out.
    #[serde(skip_serializing_if = "is_false")]
    pub waiver_expired: bool,
    /// Gate: the expiry of the waiver that ran out (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver_expires: Option<String>,
    /// Threshold: the built-in window-overrun trigger, not a runbook threshold.
    #[serde(skip_serializing_if = "is_false")]
    pub builtin: bool,
    /// Threshold: the recommendation this breach raised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<RecommendationBody>,
    /// An advisory gate or threshold (`advisory = true`): it never blocks
    /// go and never recommends; its transitions are logged all the same.
    #[serde(skip_serializing_if = "is_false")]
    pub advisory: bool,
    /// Advisory threshold: what its breach would have recommended, had it
    /// not been advisory (nothing is raised).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_recommend: Option<RecommendationBody>,
}

impl TransitionBody {
    /// `waiver_expires` as a time, if present and valid.
    pub fn waiver_expires(&self) -> Option<Ts> {
        self.waiver_expires.as_deref().and_then(Ts::parse_rfc3339)
    }
}

/// What a breached threshold recommends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecommendationBody {
    /// `rollback` or `hold`.
    pub kind: String,
    /// The rollback scope, or `null`.
    pub scope: Option<String>,
    /// The message shown and notified.
    pub message: String,
}

/// Every gate, sign-off and threshold at one moment (a decision's
/// `snapshot`; `cutover status` prints the same rows with `reason`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    /// Gates, in runbook order.
    pub gates: Vec<SnapshotRow>,
    /// Sign-offs, in runbook order.
    pub signoffs: Vec<SnapshotSignoff>,
    /// Thresholds, in runbook order.
    pub thresholds: Vec<SnapshotRow>,
}

/// One gate or threshold in a [`Snapshot`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SnapshotRow {
    /// The gate or threshold id.
    pub id: String,
    /// A gate's phase (thresholds have none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// A gate's kind (`entry` or `exit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The state shown.
    pub state: String,
    /// Left side of the first comparison, when known.
    pub value: Option<f64>,
    /// Right side of the first comparison, when known.
    pub limit: Option<f64>,
    /// The `for` timer in milliseconds (decision snapshots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timer_ms: Option<i64>,
    /// Advisory: shown and logged, never blocks go, never recommends.
    #[serde(skip_serializing_if = "is_false")]
    pub advisory: bool,
}

/// One sign-off in a [`Snapshot`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SnapshotSignoff {
    /// The phase it belongs to.
    pub phase: String,
    /// The role signing.
    pub role: String,
    /// Who holds the role.
    pub owner: String,
    /// `given` or `awaiting`.
    pub state: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}
