//! Gates, sign-offs and thresholds as JSON rows, shared by the decision
//! snapshot (log) and `cutover status`, so both name fields the same way.

use super::Cockpit;
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
    /// `{gates: [...], signoffs: [...], thresholds: [...]}` as shown now.
    pub(super) fn board_json(&self, extra: Extra) -> Value {
        let add = |row: &mut Value, timer_ms: i64, reason: &Option<String>| match extra {
            Extra::Timer => row["timer_ms"] = json!(timer_ms),
            Extra::Reason => row["reason"] = json!(reason),
        };
        let gates: Vec<Value> = self
            .gates
            .iter()
            .map(|g| {
                let (value, limit) = g.sides();
                let mut row = json!({"id": g.id, "phase": g.phase, "kind": g.kind,
                    "state": g.state().as_str(), "value": value, "limit": limit});
                add(&mut row, g.timer.acc.0, &g.reason);
                row
            })
            .collect();
        let signoffs: Vec<Value> = self
            .signoffs
            .iter()
            .map(|s| json!({"phase": s.phase, "role": s.role, "owner": s.owner, "state": s.state().as_str()}))
            .collect();
        let thresholds: Vec<Value> = self
            .thresholds
            .iter()
            .map(|t| {
                let (value, limit) = t.sides();
                let mut row =
                    json!({"id": t.id, "state": t.state.as_str(), "value": value, "limit": limit});
                add(&mut row, t.timer.acc.0, &t.reason);
                row
            })
            .collect();
        json!({"gates": gates, "signoffs": signoffs, "thresholds": thresholds})
    }
}
