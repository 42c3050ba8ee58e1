//! The request bodies: generic JSON, Slack (`{"text"}`) and Teams (MessageCard).

use crate::core::config::WebhookFormat;
use crate::core::time::Ts;
use serde_json::{json, Value};

/// One notification: an event of the cutover, its filled text and where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// `hold`, `resume`, `watch`, `breach`, `rollback`, `go`, `overrun` or `checkpoint`.
    pub event: String,
    /// The filled communication template (already one inert line).
    pub text: String,
    pub runbook: String,
    /// The current phase's display name.
    pub phase: String,
    pub time: Ts,
    /// For `checkpoint`: the log's sequence number and head hash.
    pub checkpoint: Option<(u64, String)>,
}

impl Notice {
    /// A checkpoint notice (the chain's head held outside the log).
    pub fn checkpoint(seq: u64, hash: &str, runbook: &str, phase: &str, time: Ts) -> Notice {
        Notice {
            event: "checkpoint".into(),
            text: format!(
                "CHECKPOINT at {} UTC: cutover log record {seq} has hash {hash}",
                time.hms()
            ),
            runbook: runbook.into(),
            phase: phase.into(),
            time,
            checkpoint: Some((seq, hash.into())),
        }
    }
}

/// The JSON body for `format`.
pub fn body(format: WebhookFormat, n: &Notice) -> Value {
    match format {
        WebhookFormat::Json => {
            let mut v = json!({
                "event": n.event,
                "text": n.text,
                "runbook": n.runbook,
                "phase": n.phase,
                "time": n.time.to_rfc3339(),
            });
            if let (Some((seq, hash)), Some(obj)) = (&n.checkpoint, v.as_object_mut()) {
                obj.insert("seq".into(), json!(seq));
                obj.insert("hash".into(), json!(hash));
            }
            v
        }
        WebhookFormat::Slack => json!({ "text": n.text }),
        WebhookFormat::Teams => json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": format!("cutover {}", n.event),
            "text": n.text,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            event: "hold".into(),
            text: "HOLD at 10:00:00 UTC".into(),
            runbook: "PACS".into(),
            phase: "Phase 2".into(),
            time: Ts(0),
            checkpoint: None,
        }
    }

    #[test]
    fn three_shapes() {
        let n = notice();
        assert_eq!(
            body(WebhookFormat::Json, &n),
            json!({"event":"hold","text":"HOLD at 10:00:00 UTC","runbook":"PACS","phase":"Phase 2","time":"1970-01-01T00:00:00.000Z"})
        );
        assert_eq!(
            body(WebhookFormat::Slack, &n),
            json!({"text":"HOLD at 10:00:00 UTC"})
        );
        let t = body(WebhookFormat::Teams, &n);
        assert_eq!(t["@type"], "MessageCard");
        assert_eq!(t["@context"], "https://schema.org/extensions");
        assert_eq!(t["text"], "HOLD at 10:00:00 UTC");
    }

    #[test]
    fn checkpoint_carries_seq_and_hash() {
        let n = Notice::checkpoint(41, "9f3a", "PACS", "Phase 2", Ts(0));
        let v = body(WebhookFormat::Json, &n);
        assert_eq!(
            (v["event"].clone(), v["seq"].clone()),
            (json!("checkpoint"), json!(41))
        );
        assert_eq!(v["hash"], "9f3a");
        assert!(n.text.contains("record 41 has hash 9f3a"));
    }
}
