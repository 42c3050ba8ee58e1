//! A log cut inside an action (a crash between a go decision and its
//! `phase` records) is read as the whole action: the phase records the
//! decision implies are restated right after it, with its time. The same
//! rule as resume and replay (the core's `go_phase_entries`), so the
//! evidence pack's phase timeline never contradicts its decision list.

use crate::core::cockpit::records::{go_phase_entries, go_records_missing};
use crate::core::entry::EntryKind;
use serde_json::{json, Value};

/// `records` with the phase records a cut go decision owes inserted after
/// it (marked `"restated_from": SEQ`); unchanged when no action was cut.
pub fn restate(records: &[Value]) -> Vec<Value> {
    let kinds: Vec<Option<EntryKind>> = records.iter().map(kind_of).collect();
    let mut out = Vec::with_capacity(records.len());
    // (index after which to insert, the records owed)
    let mut owed: Option<(usize, Vec<Value>)> = None;
    for (i, r) in records.iter().enumerate() {
        out.push(r.clone());
        if kinds[i] == Some(EntryKind::Decision) && r["body"]["type"] == "go" {
            owed = owed_by(r, &kinds[i + 1..]).map(|(present, v)| (i + present, v));
        }
        if let Some((at, _)) = &owed {
            if *at == i {
                out.extend(owed.take().map(|(_, v)| v).unwrap_or_default());
            }
        }
    }
    out
}

/// How many of its phase records follow the go decision `r`, and the
/// ones it still owes (none: `None`).
fn owed_by(r: &Value, after: &[Option<EntryKind>]) -> Option<(usize, Vec<Value>)> {
    let missing = go_records_missing(&r["body"], after.iter().map_while(|k| *k));
    if missing == 0 {
        return None;
    }
    let actor = r["actor"].as_str().unwrap_or("");
    let implied = go_phase_entries(actor, &r["body"]);
    let present = implied.len() - missing;
    let (seq, ts) = (r.get("seq").cloned(), r.get("ts").cloned());
    let restated = implied.into_iter().skip(present).map(|e| {
        json!({
            "seq": seq, "ts": ts, "kind": "phase", "actor": e.actor,
            "phase": e.phase, "body": e.body, "restated_from": seq,
        })
    });
    Some((present, restated.collect()))
}

fn kind_of(r: &Value) -> Option<EntryKind> {
    use serde::Deserialize;
    EntryKind::deserialize(r.get("kind")?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: u64, kind: &str, body: Value) -> Value {
        json!({"seq": seq, "ts": "2026-11-28T22:00:00.000Z", "kind": kind, "actor": "dana", "phase": "a", "body": body})
    }

    #[test]
    fn a_go_cut_before_its_phase_records_is_restated() {
        let go = json!({"type": "go", "from": "a", "to": "b", "rationale": "ok"});
        let cut = vec![rec(1, "decision", go.clone())];
        let out = restate(&cut);
        assert_eq!(out.len(), 3);
        assert_eq!(out[1]["body"]["type"], "completed");
        assert_eq!(out[2]["body"]["type"], "entered");
        assert_eq!(out[2]["body"]["phase"], "b");
        let half = vec![
            rec(1, "decision", go.clone()),
            rec(2, "phase", json!({"type": "completed", "phase": "a"})),
        ];
        let out = restate(&half);
        assert_eq!(out.len(), 3);
        assert_eq!(out[2]["restated_from"], 1);
        let whole = vec![
            rec(1, "decision", go),
            rec(2, "phase", json!({"type": "completed", "phase": "a"})),
            rec(3, "phase", json!({"type": "entered", "phase": "b"})),
        ];
        assert_eq!(restate(&whole), whole);
    }
}
