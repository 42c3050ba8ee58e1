//! The adapter between log records and the report: every field name the
//! report reads from a record body lives here, so that a rename in the
//! journal or the cockpit is fixed in one place.
//!
//! Records are read tolerantly (`serde_json::Value`): a missing or
//! mistyped field becomes `None`, never a failure, because a reviewer must
//! still get a report from a partly odd log. Where the body format is not
//! yet settled, a few alternative names are accepted (first match wins).

use crate::core::time::Ts;
use serde_json::Value;

/// The envelope of one record (docs/log-format.md), read tolerantly.
#[derive(Debug, Clone, PartialEq)]
pub struct Rec<'a> {
    pub seq: Option<u64>,
    pub ts: Option<Ts>,
    pub kind: &'a str,
    pub actor: &'a str,
    pub phase: Option<&'a str>,
    pub body: &'a Value,
}

static NULL: Value = Value::Null;

impl<'a> Rec<'a> {
    /// Reads the envelope; `None` when the value is not an object with a `kind`.
    pub fn of(v: &'a Value) -> Option<Rec<'a>> {
        let kind = v.get("kind")?.as_str()?;
        Some(Rec {
            seq: v.get("seq").and_then(Value::as_u64),
            ts: v
                .get("ts")
                .and_then(Value::as_str)
                .and_then(Ts::parse_rfc3339),
            kind,
            actor: v.get("actor").and_then(Value::as_str).unwrap_or(""),
            phase: v.get("phase").and_then(Value::as_str),
            body: v.get("body").unwrap_or(&NULL),
        })
    }

    /// The first non-empty string found at any of `paths` (dot-separated) in the body.
    pub fn text(&self, paths: &[&str]) -> Option<&'a str> {
        paths
            .iter()
            .find_map(|p| at(self.body, p)?.as_str().filter(|s| !s.is_empty()))
    }

    /// Like `text`, owned, with numbers and booleans printed too.
    pub fn text_any(&self, paths: &[&str]) -> Option<String> {
        paths.iter().find_map(|p| match at(self.body, p)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
    }

    /// The first number found at any of `paths`.
    pub fn num(&self, paths: &[&str]) -> Option<f64> {
        paths.iter().find_map(|p| at(self.body, p)?.as_f64())
    }

    /// The first timestamp (RFC 3339 string) found at any of `paths`.
    pub fn time(&self, paths: &[&str]) -> Option<Ts> {
        self.text(paths).and_then(Ts::parse_rfc3339)
    }

    /// The decision's type (go, hold, waive...) when this is a `decision`
    /// record: the one way every section picks decisions out of the log.
    pub fn decision_type(&self) -> Option<&'a str> {
        if self.kind == "decision" {
            self.text(DECISION_TYPE)
        } else {
            None
        }
    }

    /// The value at the first of `paths` that exists.
    pub fn value(&self, paths: &[&str]) -> Option<&'a Value> {
        paths.iter().find_map(|p| at(self.body, p))
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

/// The value at a dot-separated path inside `v` (`"runbook.text"`).
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |cur, seg| cur.get(seg))
        .filter(|v| !v.is_null())
}

// ---- field names, one place ----

/// `open`: runbook source text.
pub const RUNBOOK_TEXT: &[&str] = &["runbook", "runbook.text", "runbook_text"];
/// `open`: runbook digest (hex SHA-256 of the text).
pub const RUNBOOK_DIGEST: &[&str] = &["runbook_sha256", "runbook.sha256", "runbook.digest"];
/// `open`: runbook path as given on the command line.
pub const RUNBOOK_PATH: &[&str] = &["runbook.path", "runbook_path"];
/// `open`: config text, secrets removed.
pub const CONFIG_TEXT: &[&str] = &["config", "config.text", "config_text"];
/// `open`: config digest.
pub const CONFIG_DIGEST: &[&str] = &["config_sha256", "config.sha256", "config.digest"];
/// `open`: why the config could not be logged, if so.
pub const CONFIG_NOTE: &[&str] = &["config_note"];
/// `open`: config path.
pub const CONFIG_PATH: &[&str] = &["config.path", "config_path"];
/// `open`: who ran the cockpit.
pub const OPERATOR: &[&str] = &["operator"];
/// `open`: machine name.
pub const HOST: &[&str] = &["host"];
/// `open`: program version.
pub const VERSION: &[&str] = &["version"];
/// `open`: which hash links the chain: `sha256` or `hmac-sha256`.
pub const CHAIN: &[&str] = &["chain"];

/// `observe`: a batch of probe reports, each a body with the fields below
/// (records without it are one report).
pub const REPORTS: &[&str] = &["reports"];
/// `observe`: the samples, a map `name -> value` (or a list of `{name, ts, value}`).
pub const SAMPLES: &[&str] = &["samples"];
/// `observe`: when the map's samples were taken (RFC 3339).
pub const SAMPLES_AT: &[&str] = &["at"];
/// A sample's metric name.
pub const SAMPLE_NAME: &[&str] = &["name", "metric"];
/// A sample's value.
pub const SAMPLE_VALUE: &[&str] = &["value"];
/// A sample's own time (falls back to the record's `ts`).
pub const SAMPLE_TS: &[&str] = &["ts", "at"];

/// `gate` / `threshold` transitions and `step` records: the item id.
pub const ID: &[&str] = &["id", "gate", "threshold", "step"];
/// Transition: state before.
pub const FROM: &[&str] = &["from"];
/// Transition: state after.
pub const TO: &[&str] = &["to", "state"];
/// Transition: left side of the first comparison.
pub const VALUE: &[&str] = &["value"];
/// Transition: right side of the first comparison.
pub const LIMIT: &[&str] = &["limit"];
/// Why a gate/threshold is where it is.
pub const REASON: &[&str] = &["reason"];
/// Transition: a timer checkpoint (`from == to`), not a change.
pub const CHECKPOINT: &[&str] = &["checkpoint"];
/// Gate transition: the waiver in force on it just expired.
pub const WAIVER_EXPIRED: &[&str] = &["waiver_expired"];
/// Threshold transition: the recommendation it raised.
pub const RECOMMENDATION_KIND: &[&str] = &["recommendation.kind"];
pub const RECOMMENDATION_SCOPE: &[&str] = &["recommendation.scope"];

/// `step`: start | done | skip | blocked.
pub const STEP_EVENT: &[&str] = &["type", "event", "status"];
/// `step`: the rollback scope when it is a rollback plan's step (else null).
pub const STEP_ROLLBACK: &[&str] = &["rollback"];
/// `phase`: entered | completed.
pub const PHASE_EVENT: &[&str] = &["type", "event", "status"];
/// `phase`: which phase (falls back to the envelope's `phase`).
pub const PHASE_ID: &[&str] = &["phase", "id"];

/// `decision`: go | hold | resume | rollback | waive | signoff | handover | issue | note | decide.
pub const DECISION_TYPE: &[&str] = &["type", "decision", "action"];
/// `decision`: why (hold uses `reason`, note uses `text`).
pub const RATIONALE: &[&str] = &["rationale", "reason", "text"];
/// `decision` rollback: scope.
pub const SCOPE: &[&str] = &["scope"];
/// `decision` waive: the gate waived.
pub const WAIVE_GATE: &[&str] = &["gate"];
/// `decision` waive / issue: accountable owner.
pub const OWNER: &[&str] = &["owner"];
/// `decision` waive: expiry (RFC 3339).
pub const EXPIRES: &[&str] = &["expires", "expiry"];
/// `decision` signoff: role and phase.
pub const ROLE: &[&str] = &["role"];
/// `decision` go / handover: from and to (phase ids, or owner ids for handover).
pub const FROM_TO: (&[&str], &[&str]) = (&["from"], &["to"]);
/// `decision` go: re-entering the phase after a rollback.
pub const REENTRY: &[&str] = &["reentry"];
/// `decision` decide: the threshold whose recommendation was answered.
pub const THRESHOLD: &[&str] = &["threshold"];
/// `decision` decide: rollback | hold | continue.
pub const ANSWER: &[&str] = &["answer"];
/// `decision` issue: id, severity, title, open/close.
pub const ISSUE_ID: &[&str] = &["issue.id", "id"];
pub const ISSUE_SEVERITY: &[&str] = &["issue.severity", "severity"];
pub const ISSUE_TITLE: &[&str] = &["issue.title", "title"];
pub const ISSUE_STATE: &[&str] = &["op", "issue.state", "state"];
/// `decision`: the snapshot of every gate and threshold.
pub const SNAPSHOT_GATES: &[&str] = &["snapshot.gates", "gates"];
pub const SNAPSHOT_THRESHOLDS: &[&str] = &["snapshot.thresholds", "thresholds"];
/// Sign-offs in a snapshot: `{phase, role, owner, state}` (no id).
pub const SNAPSHOT_SIGNOFFS: &[&str] = &["snapshot.signoffs", "signoffs"];

/// `resume`: who restarted, where, and a torn last line moved aside.
pub const RESUME_OPERATOR: &[&str] = &["operator"];
pub const RESUME_HOST: &[&str] = &["host"];
pub const RESUME_TORN_TO: &[&str] = &["torn.moved_to"];
pub const RESUME_TORN_BYTES: &[&str] = &["torn.bytes"];
pub const RESUME_REASON: &[&str] = &["reason", "note"];

/// `close`: the head hash as the writer saw it.
pub const CLOSE_HEAD: &[&str] = &["head", "head_hash"];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelope_and_body_are_read_tolerantly() {
        let v = json!({"seq":3,"ts":"2026-11-28T22:00:01.500Z","kind":"decision","actor":"dana",
            "phase":"freeze","body":{"type":"hold","reason":"lag","snapshot":{"gates":[]}}});
        let r = Rec::of(&v).unwrap();
        assert_eq!(r.seq, Some(3));
        assert_eq!(r.ts, Some(Ts(1_795_903_201_500)));
        assert_eq!(r.text(DECISION_TYPE), Some("hold"));
        assert_eq!(r.text(RATIONALE), Some("lag"));
        assert!(r.value(SNAPSHOT_GATES).is_some());
        assert_eq!(r.text(SCOPE), None);
    }

    #[test]
    fn a_record_without_kind_is_not_a_record() {
        assert!(Rec::of(&json!({"seq":1})).is_none());
        assert!(Rec::of(&json!("x")).is_none());
    }
}
