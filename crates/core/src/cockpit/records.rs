//! Record bodies the cockpit writes (field names live here, in one place).
//! docs/decision-core.md lists them for the journal, replay and report.

use super::Cockpit;
use super::SYSTEM_ACTOR;
use crate::entry::{Entry, EntryKind};
use crate::sample::ProbeReport;
use crate::time::Ts;
use crate::timer::Transition;
use serde_json::{json, Map, Value};

/// The pseudo-threshold id of the built-in window-overrun trigger. Named
/// after the runbook key so it cannot be taken for a runbook threshold (the
/// demo runbook has its own threshold called `window-overrun`).
pub const OVERRUN_ID: &str = "max_duration";

/// One probe report as it sits in an `observe` body: `samples` = name ->
/// value, all taken at `at`; `reason` only when the probe failed.
pub fn observe_report(r: &ProbeReport) -> Value {
    let mut samples = Map::new();
    for s in &r.samples {
        // JSON has no NaN/inf; the store would refuse them anyway.
        if s.value.is_finite() {
            samples.insert(s.name.clone(), json!(s.value));
        }
    }
    let mut body = json!({"probe": r.probe, "ok": r.ok, "at": r.ts.to_rfc3339()});
    if let (Some(reason), Some(b)) = (&r.reason, body.as_object_mut()) {
        b.insert("reason".into(), json!(reason));
    }
    body["samples"] = Value::Object(samples);
    body
}

/// `observe`: every probe report since the last record, in arrival order
/// (`{"reports": [report, ...]}`), so a poll round costs one record's
/// envelope, not one per probe (docs/log-format.md, "observe").
pub fn observe_batch_entry(reports: Vec<Value>, phase: &str) -> Entry {
    Entry {
        kind: EntryKind::Observe,
        actor: SYSTEM_ACTOR.into(),
        phase: Some(phase.to_string()),
        body: json!({ "reports": reports }),
    }
}

/// The `phase` records a go decision implies, from its body alone
/// (`from`, `to`, `reentry`): `completed` of `from` then `entered` of `to`,
/// or only `entered` of the same phase for a re-entry after a rollback.
/// One rule for the writer (the records follow the decision) and for every
/// reader of a log that was cut between the decision and its phase records.
pub fn go_phase_entries(actor: &str, go: &Value) -> Vec<Entry> {
    let from = go.get("from").and_then(Value::as_str).unwrap_or("");
    let to = go.get("to").and_then(Value::as_str);
    if go.get("reentry").and_then(Value::as_bool) == Some(true) {
        return vec![phase_entry(actor, "entered", from, true)];
    }
    let mut out = vec![phase_entry(actor, "completed", from, false)];
    if let Some(n) = to {
        out.push(phase_entry(actor, "entered", n, false));
    }
    out
}

/// How many of a go decision's implied `phase` records are missing from
/// `following` (the kinds of the records after it, in order). Non-zero only
/// where a log was cut inside the action (a crash before its commit ended).
pub fn go_records_missing(go: &Value, following: &[EntryKind]) -> usize {
    let implied = go_phase_entries("", go).len();
    let present = following
        .iter()
        .take(implied)
        .take_while(|k| **k == EntryKind::Phase)
        .count();
    implied - present
}

/// `phase`: `entered` or `completed`.
pub fn phase_entry(actor: &str, what: &str, phase: &str, reentry: bool) -> Entry {
    Entry {
        kind: EntryKind::Phase,
        actor: actor.into(),
        phase: Some(phase.to_string()),
        body: json!({"type": what, "phase": phase, "reentry": reentry}),
    }
}

/// `gate` / `threshold`: a transition (or timer checkpoint), plus extras.
pub fn transition_entry(kind: EntryKind, t: &Transition, phase: &str, extra: Value) -> Entry {
    let mut body = t.body();
    if let (Some(b), Value::Object(x)) = (body.as_object_mut(), extra) {
        b.extend(x);
    }
    Entry {
        kind,
        actor: SYSTEM_ACTOR.into(),
        phase: Some(phase.to_string()),
        body,
    }
}

impl Cockpit {
    /// A `decision` record: `type`, `rationale`, the fields, and a snapshot of
    /// every gate, sign-off and threshold at this moment.
    pub(super) fn decision_entry(
        &self,
        actor: &str,
        kind: &str,
        rationale: &str,
        fields: Value,
    ) -> Entry {
        let mut body = json!({"type": kind, "rationale": rationale});
        if let (Some(b), Value::Object(x)) = (body.as_object_mut(), fields) {
            b.extend(x);
        }
        body["snapshot"] = self.snapshot();
        Entry {
            kind: EntryKind::Decision,
            actor: actor.into(),
            phase: Some(self.phase_id().to_string()),
            body,
        }
    }

    /// `{gates: [...], signoffs: [...], thresholds: [...]}` as shown now,
    /// with each gate's and threshold's `timer_ms`.
    pub fn snapshot(&self) -> Value {
        self.board_json(super::board::Extra::Timer)
    }
}

/// A string field of a record body.
pub fn s<'a>(body: &'a Value, key: &str) -> &'a str {
    body.get(key).and_then(Value::as_str).unwrap_or("")
}

/// An RFC 3339 field of a record body.
pub fn ts_field(body: &Value, key: &str) -> Option<Ts> {
    body.get(key)
        .and_then(Value::as_str)
        .and_then(Ts::parse_rfc3339)
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
