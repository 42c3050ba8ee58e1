//! The entries the cockpit writes, built from the typed bodies in
//! `crate::records` (docs/log-format.md lists their members).

use super::Cockpit;
use super::SYSTEM_ACTOR;
use crate::entry::{Entry, EntryKind};
use crate::records::{
    DecisionAction, DecisionBody, ObserveBody, PhaseBody, PhaseEvent, ReportBody, Snapshot,
    TransitionBody,
};
use crate::sample::ProbeReport;
use serde_json::{json, Value};

/// The pseudo-threshold id of the built-in window-overrun trigger. Named
/// after the runbook key so it cannot be taken for a runbook threshold (the
/// demo runbook has its own threshold called `window-overrun`).
pub const OVERRUN_ID: &str = "max_duration";

/// One probe report as it sits in an `observe` body (non-finite samples
/// dropped: JSON has no NaN/inf and the store would refuse them anyway).
pub fn observe_report(r: &ProbeReport) -> ReportBody {
    ReportBody {
        probe: r.probe.clone(),
        ok: r.ok,
        at: r.ts.to_rfc3339(),
        reason: r.reason.clone(),
        samples: r
            .samples
            .iter()
            .filter(|s| s.value.is_finite())
            .map(|s| (s.name.clone(), s.value))
            .collect(),
    }
}

/// `observe`: every probe report since the last record, in arrival order,
/// so a poll round costs one record's envelope, not one per probe
/// (docs/log-format.md, "observe").
pub fn observe_batch_entry(reports: Vec<ReportBody>, phase: &str) -> Entry {
    Entry::with_body(
        EntryKind::Observe,
        SYSTEM_ACTOR,
        Some(phase),
        &ObserveBody { reports },
    )
}

/// The `phase` records a go decision implies, from its body alone
/// (`from`, `to`, `reentry`): `completed` of `from` then `entered` of `to`,
/// or only `entered` of the same phase for a re-entry after a rollback.
/// One rule for the writer (the records follow the decision) and for every
/// reader of a log that was cut between the decision and its phase records.
pub fn go_phase_entries(actor: &str, go: &serde_json::Value) -> Vec<Entry> {
    let Some(DecisionBody {
        action: DecisionAction::Go { from, to, reentry },
        ..
    }) = crate::records::read::<DecisionBody>(go)
    else {
        return Vec::new();
    };
    if reentry {
        return vec![phase_entry(actor, PhaseEvent::Entered, &from, true)];
    }
    let mut out = vec![phase_entry(actor, PhaseEvent::Completed, &from, false)];
    if let Some(n) = to {
        out.push(phase_entry(actor, PhaseEvent::Entered, &n, false));
    }
    out
}

/// How many of a go decision's implied `phase` records are missing from
/// `following` (the kinds of the records after it, in order). Non-zero only
/// where a log was cut inside the action (a crash before its commit ended).
pub fn go_records_missing(
    go: &serde_json::Value,
    following: impl IntoIterator<Item = EntryKind>,
) -> usize {
    let implied = go_phase_entries("", go).len();
    let present = following
        .into_iter()
        .take(implied)
        .take_while(|k| *k == EntryKind::Phase)
        .count();
    implied - present
}

/// `phase`: entered or completed.
pub fn phase_entry(actor: &str, event: PhaseEvent, phase: &str, reentry: bool) -> Entry {
    let body = PhaseBody {
        event,
        phase: phase.to_string(),
        reentry,
    };
    Entry::with_body(EntryKind::Phase, actor, Some(phase), &body)
}

/// `gate` / `threshold`: a transition (or timer checkpoint); the caller
/// fills the members only its kind has (`phase`, `recommendation`, ...).
pub fn transition_entry(kind: EntryKind, body: &TransitionBody, phase: &str) -> Entry {
    Entry::with_body(kind, SYSTEM_ACTOR, Some(phase), body)
}

impl Cockpit {
    /// A `decision` record: the action, its rationale, and a snapshot of
    /// every gate, sign-off and threshold at this moment.
    pub(super) fn decision_entry(
        &self,
        actor: &str,
        action: DecisionAction,
        rationale: &str,
    ) -> Entry {
        self.settling_entry(actor, action, rationale, Vec::new())
    }

    /// A decision record that also settles the pending recommendations of
    /// `settles` (see [`DecisionBody::settles`]).
    pub(super) fn settling_entry(
        &self,
        actor: &str,
        action: DecisionAction,
        rationale: &str,
        settles: Vec<String>,
    ) -> Entry {
        let body = DecisionBody {
            action,
            rationale: rationale.to_string(),
            snapshot: Some(self.snapshot()),
            settles,
            // both stamped when the action is accepted (see `handle`, the session)
            authority: None,
            demo_keyboard: None,
        };
        Entry::with_body(EntryKind::Decision, actor, Some(self.phase_id()), &body)
    }

    /// Every gate, sign-off and threshold as shown now, with each gate's
    /// and threshold's `timer_ms`.
    pub fn snapshot(&self) -> Snapshot {
        self.board(super::board::Extra::Timer)
    }
}

impl Cockpit {
    /// Everything a log records, as one comparable value: what a rebuild from
    /// the log must reproduce exactly (timers as last checkpointed; probe
    /// samples but not derived metrics, which every tick recomputes).
    pub fn durable_state(&self) -> Value {
        let gates: Vec<Value> = self
            .gates
            .iter()
            .map(|g| json!([g.id, g.evaluated.as_str(), g.waived, g.recorded_timer.0]))
            .collect();
        let thresholds: Vec<Value> = self
            .thresholds
            .iter()
            .map(|t| json!([t.id, t.state.as_str(), t.recorded_timer.0]))
            .collect();
        let store: Vec<Value> = self
            .store
            .dump()
            .into_iter()
            .filter(|(k, _)| !crate::derived::is_derived(k))
            .map(|(k, v)| json!([k, v]))
            .collect();
        json!({
            "window": self.window, "commander": self.commander, "phase": self.phase,
            "steps": self.steps, "signoffs": self.signoffs, "waivers": self.waivers,
            "hold": self.hold, "rollback": self.rollback,
            "recommendations": self.recommendations, "handled": self.handled,
            "last": self.last, "issues": self.issues,
            "endpoints": self.endpoints, "overrun_raised": self.overrun_raised,
            "gates": gates, "thresholds": thresholds, "store": store,
        })
    }
}
