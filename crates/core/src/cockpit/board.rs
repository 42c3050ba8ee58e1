//! Gates, sign-offs and thresholds as rows, shared by the decision
//! snapshot (log) and `cutover status`, so both name fields the same way.

use super::Cockpit;
use crate::records::{Snapshot, SnapshotRow, SnapshotSignoff};
use serde_json::{json, Value};

/// What each gate / threshold row carries besides id, state, value, limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Extra {
    /// `timer_ms`: the `for` timer (decision snapshots, so a reviewer sees it).
    Timer,
    /// `reason`: why it is where it is (`cutover status`).
    Reason,
}

impl Cockpit {
    /// `{gates: [...], signoffs: [...], thresholds: [...]}` as shown now,
    /// each gate and threshold row with its timer (`Extra::Timer`).
    pub(super) fn board(&self, extra: Extra) -> Snapshot {
        let timer = |ms: i64| (extra == Extra::Timer).then_some(ms);
        let gates = self
            .gates
            .iter()
            .map(|g| {
                let (value, limit) = g.sides();
                SnapshotRow {
                    id: g.id.clone(),
                    phase: Some(g.phase.clone()),
                    kind: Some(crate::records::name_of(&g.kind)),
                    state: g.state().as_str().to_string(),
                    value,
                    limit,
                    timer_ms: timer(g.timer.acc.0),
                    advisory: g.advisory,
                }
            })
            .collect();
        let signoffs = self
            .signoffs
            .iter()
            .map(|s| SnapshotSignoff {
                phase: s.phase.clone(),
                role: s.role.clone(),
                owner: s.owner.clone(),
                state: s.state().as_str().to_string(),
            })
            .collect();
        let thresholds = self
            .thresholds
            .iter()
            .map(|t| {
                let (value, limit) = t.sides();
                SnapshotRow {
                    id: t.id.clone(),
                    phase: None,
                    kind: None,
                    state: t.state.as_str().to_string(),
                    value,
                    limit,
                    timer_ms: timer(t.timer.acc.0),
                    advisory: t.advisory,
                }
            })
            .collect();
        Snapshot {
            gates,
            signoffs,
            thresholds,
        }
    }

    /// The board as JSON; with `Extra::Reason` every gate and threshold row
    /// also says why it is where it is (`reason`, `null` when nothing to say).
    pub(super) fn board_json(&self, extra: Extra) -> Value {
        let mut doc = crate::records::to_value(&self.board(extra));
        if extra == Extra::Reason {
            let reasons = [
                (
                    "gates",
                    self.gates.iter().map(|g| &g.reason).collect::<Vec<_>>(),
                ),
                (
                    "thresholds",
                    self.thresholds.iter().map(|t| &t.reason).collect(),
                ),
            ];
            for (key, reasons) in reasons {
                if let Some(rows) = doc.get_mut(key).and_then(Value::as_array_mut) {
                    for (row, reason) in rows.iter_mut().zip(reasons) {
                        row["reason"] = json!(reason);
                    }
                }
            }
        }
        doc
    }
}
