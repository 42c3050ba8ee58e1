//! The adapter between log records and the report: the envelope read
//! tolerantly, the body read as its kind's typed definition
//! (`crate::core::records`), once per record.
//!
//! A record that is not an object with a `kind` is not a record; a body
//! that does not read as its kind's type is [`RecordBody::Unreadable`]: it
//! is skipped by every section, never a failure, because a reviewer must
//! still get a report from a partly odd log.

use crate::core::entry::EntryKind;
use crate::core::records::{DecisionBody, RecordBody};
use crate::core::time::Ts;
use serde::Deserialize;
use serde_json::Value;

/// The envelope of one record (docs/log-format.md), read tolerantly, and
/// its typed body.
#[derive(Debug, Clone, PartialEq)]
pub struct Rec<'a> {
    pub seq: Option<u64>,
    pub ts: Option<Ts>,
    pub kind: &'a str,
    pub actor: &'a str,
    pub phase: Option<&'a str>,
    pub body: RecordBody,
    /// A decision's `type` as written (kept for types this program does
    /// not know, which read as `DecisionAction::Other`).
    decision_type: Option<&'a str>,
    /// The body as written: for the signed-record members (`signature`,
    /// `amends`, `statement`, the open record's `signers`), which the
    /// signature checks read from the exact JSON.
    pub raw_body: &'a Value,
}

impl<'a> Rec<'a> {
    /// Reads the envelope; `None` when the value is not an object with a `kind`.
    pub fn of(v: &'a Value) -> Option<Rec<'a>> {
        let kind = v.get("kind")?.as_str()?;
        let raw = v.get("body").unwrap_or(&Value::Null);
        let body = EntryKind::deserialize(v.get("kind")?)
            .map(|k| RecordBody::read(k, raw))
            .unwrap_or(RecordBody::Unreadable);
        Some(Rec {
            seq: v.get("seq").and_then(Value::as_u64),
            ts: v
                .get("ts")
                .and_then(Value::as_str)
                .and_then(Ts::parse_rfc3339),
            kind,
            actor: v.get("actor").and_then(Value::as_str).unwrap_or(""),
            phase: v.get("phase").and_then(Value::as_str),
            decision_type: (kind == "decision")
                .then(|| raw.get("type").and_then(Value::as_str))
                .flatten(),
            body,
            raw_body: raw,
        })
    }

    /// The decision body, when this is a readable `decision` record.
    pub fn decision(&self) -> Option<&DecisionBody> {
        match &self.body {
            RecordBody::Decision(d) => Some(d),
            _ => None,
        }
    }

    /// The decision's type (go, hold, waive...) when this is a readable
    /// `decision` record: the one way every section picks decisions out.
    pub fn decision_type(&self) -> Option<&'a str> {
        self.decision().and(self.decision_type)
    }
}

/// Records for the section tests: minute-stamped, by dana in phase `p1`.
#[cfg(test)]
pub mod test_support {
    use super::Rec;
    use crate::core::time::Ts;
    use serde_json::{json, Value};

    /// `min` minutes after the epoch.
    pub fn at(min: i64) -> Ts {
        Ts(min * 60_000)
    }

    /// A record at minute `min` (also its seq).
    pub fn rec(min: i64, kind: &str, body: Value) -> Value {
        json!({"seq":min,"ts":at(min).to_rfc3339(),"kind":kind,"actor":"dana","phase":"p1","body":body})
    }

    pub fn parse(vals: &[Value]) -> Vec<Rec<'_>> {
        vals.iter().filter_map(Rec::of).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::records::DecisionAction;
    use serde_json::json;

    #[test]
    fn envelope_and_typed_body_are_read() {
        let v = json!({"seq":3,"ts":"2026-11-28T22:00:01.500Z","kind":"decision","actor":"dana",
            "phase":"freeze","body":{"type":"hold","rationale":"lag","snapshot":{"gates":[]}}});
        let r = Rec::of(&v).unwrap();
        assert_eq!(r.seq, Some(3));
        assert_eq!(r.ts, Some(Ts(1_795_903_201_500)));
        assert_eq!(r.decision_type(), Some("hold"));
        let d = r.decision().unwrap();
        assert_eq!(d.action, DecisionAction::Hold);
        assert_eq!(d.rationale, "lag");
        assert!(d.snapshot.as_ref().is_some_and(|s| s.gates.is_empty()));
    }

    #[test]
    fn a_record_without_kind_is_not_a_record() {
        assert!(Rec::of(&json!({"seq":1})).is_none());
        assert!(Rec::of(&json!("x")).is_none());
    }

    #[test]
    fn a_body_of_the_wrong_shape_is_unreadable_not_guessed() {
        // `state` is not the transition's `to`; a string where a number belongs
        let v = json!({"kind":"gate","body":{"id":"g","state":"pass","timer_ms":"soon"}});
        assert_eq!(Rec::of(&v).unwrap().body, RecordBody::Unreadable);
        let v = json!({"kind":"decision","body":{"action":"hold"}});
        let r = Rec::of(&v).unwrap();
        assert_eq!((r.decision_type(), r.decision()), (None, None));
    }

    #[test]
    fn a_decision_type_this_program_does_not_know_keeps_its_name() {
        let v = json!({"kind":"decision","body":{"type":"escalate","rationale":"x"}});
        let r = Rec::of(&v).unwrap();
        assert_eq!(r.decision_type(), Some("escalate"));
        assert_eq!(
            r.decision().map(|d| &d.action),
            Some(&DecisionAction::Other)
        );
    }
}
