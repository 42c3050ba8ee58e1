//! Short one-line summaries of log records for the screen's log pane.

use crate::core::cockpit::Authority;
use crate::core::entry::EntryKind;
use crate::core::records::{DecisionAction, DecisionBody, PhaseEvent, RecordBody};
use crate::journal::Record;
use crate::tui::view::LogLine;
use serde_json::Value;
use std::collections::VecDeque;

/// How many records the log pane keeps.
pub const TAIL_LEN: usize = 50;

/// The last records, oldest first, as `LogLine`s.
#[derive(Debug, Clone, Default)]
pub struct LogTail {
    /// Each line with its record's hash (an amendment names it).
    lines: VecDeque<(LogLine, String)>,
}

impl LogTail {
    /// Adds a record, dropping the oldest beyond [`TAIL_LEN`]. `observe`
    /// records (probe samples, several a second) are left out: they would
    /// bury the decisions, and the endpoint and threshold panes show them.
    pub fn push(&mut self, r: &Record) {
        if r.kind == EntryKind::Observe {
            return;
        }
        self.lines.push_back((log_line(r), r.hash.clone()));
        while self.lines.len() > TAIL_LEN {
            self.lines.pop_front();
        }
    }
    /// The kept lines, oldest first.
    pub fn lines(&self) -> Vec<LogLine> {
        self.lines.iter().map(|(l, _)| l.clone()).collect()
    }
    /// The kind and hash of record `seq`, while its line is kept.
    pub fn target(&self, seq: u64) -> Option<(EntryKind, String)> {
        self.lines
            .iter()
            .find(|(l, _)| l.seq == seq)
            .map(|(l, h)| (l.kind, h.clone()))
    }
}

/// One record as a short line (the renderer makes its text inert).
pub fn log_line(r: &Record) -> LogLine {
    LogLine {
        seq: r.seq,
        ts: r.ts(),
        kind: r.kind,
        actor: r.actor.clone(),
        summary: summary(r.kind, &r.body),
    }
}

/// What a record says happened, read as the type of its kind: the ids and
/// states first, then the person's words in quotes, then the rule that
/// allowed it. A body that does not read as its kind's type (an older or a
/// newer log) gets a generic line instead.
fn summary(kind: EntryKind, b: &Value) -> String {
    let mut w = Words::default();
    match RecordBody::read(kind, b) {
        RecordBody::Decision(d) => decision(&mut w, &d, b),
        RecordBody::Step(st) => {
            w.word(st.event.as_str());
            w.word(&st.step);
            w.quote(st.reason.as_deref());
            w.authority(st.authority.as_deref());
        }
        RecordBody::Gate(t) | RecordBody::Threshold(t) => {
            w.word(&t.id);
            w.word(&t.from);
            w.word(&t.to);
            w.quote(t.reason.as_deref());
        }
        RecordBody::Phase(p) => w.word(match p.event {
            PhaseEvent::Entered => "entered",
            PhaseEvent::Completed => "completed",
            PhaseEvent::Other => "phase event",
        }),
        RecordBody::Observe(o) => w.word(&match o.reports.len() {
            1 => "1 probe report".to_string(),
            n => format!("{n} probe reports"),
        }),
        // the actor column already says who opened, resumed or closed the log
        RecordBody::Open(_) | RecordBody::Resume(_) | RecordBody::Close(_) => {}
        RecordBody::Unreadable => return generic(kind, b),
    }
    w.0.join(" ")
}

fn decision(w: &mut Words, d: &DecisionBody, b: &Value) {
    if matches!(d.action, DecisionAction::Other) {
        // a type this program does not know (a newer log): its name as written
        w.word(b.get("type").and_then(Value::as_str).unwrap_or("decision"));
    } else {
        w.word(d.action.type_name());
    }
    // a waiver's reason is what it is about; for the rest the rationale is
    let mut words = Some(d.rationale.as_str());
    match &d.action {
        DecisionAction::Go { from, to, .. } => {
            w.word(from);
            w.word(to.as_deref().unwrap_or_default());
        }
        DecisionAction::Rollback { scope } => w.word(scope),
        DecisionAction::Waive { gate, reason, .. } => {
            w.word(gate);
            if !reason.is_empty() {
                words = Some(reason);
            }
        }
        // a sign-off's rationale is its statement of what was reviewed
        DecisionAction::Signoff { role, .. } => w.word(role),
        DecisionAction::Handover { from, to, .. } => {
            w.word(from);
            w.word(to);
        }
        DecisionAction::Issue { id, title, .. } => {
            w.word(id);
            // an issue opened without a rationale is told by its title
            if d.rationale.is_empty() {
                words = title.as_deref();
            }
        }
        DecisionAction::Decide {
            threshold,
            answer,
            scope,
            ..
        } => {
            w.word(threshold);
            w.word(answer);
            w.word(scope.as_deref().unwrap_or_default());
        }
        DecisionAction::Hold
        | DecisionAction::Resume
        | DecisionAction::Note
        | DecisionAction::Other => {}
    }
    w.quote(words);
    w.authority(d.authority.as_deref());
}

/// Kinds with no typed body here, and bodies that do not read as their
/// kind's type: the members every such record documents, else the kind.
fn generic(kind: EntryKind, b: &Value) -> String {
    let s = |k: &str| b.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    let mut w = Words::default();
    match kind {
        EntryKind::Amend => {
            if let Some(n) = b.get("amends").and_then(Value::as_u64) {
                w.word(&format!("amends #{n}"));
            }
            w.quote(s("reason"));
        }
        EntryKind::Review => w.quote(s("statement")),
        _ => w.word(&format!("{} record in an older format", kind.as_str())),
    }
    if w.0.is_empty() {
        w.word(&format!("{} record", kind.as_str()));
    }
    w.0.join(" ")
}

/// A summary being built: words, empty ones left out.
#[derive(Default)]
struct Words(Vec<String>);

impl Words {
    fn word(&mut self, v: &str) {
        if !v.is_empty() {
            self.0.push(v.to_string());
        }
    }
    fn quote(&mut self, v: Option<&str>) {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            self.0.push(format!("\"{v}\""));
        }
    }
    fn authority(&mut self, code: Option<&str>) {
        if let Some(a) = code {
            self.0.push(format!("({})", Authority::code_words(a)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::summary;
    use crate::core::entry::EntryKind;
    use crate::core::records::{
        DecisionAction, DecisionBody, PhaseBody, PhaseEvent, StepBody, StepEvent, TransitionBody,
    };
    use serde_json::{json, to_value, Value};

    fn decided(action: DecisionAction, rationale: &str, authority: Option<&str>) -> Value {
        to_value(DecisionBody {
            action,
            rationale: rationale.into(),
            snapshot: None,
            settles: vec![],
            authority: authority.map(String::from),
            demo_keyboard: None,
        })
        .unwrap()
    }

    #[test]
    fn decisions_say_type_ids_words_and_authority() {
        let go = DecisionAction::Go {
            from: "readiness".into(),
            to: Some("pilot".into()),
            reentry: false,
        };
        assert_eq!(
            summary(
                EntryKind::Decision,
                &decided(go, "all gates pass", Some("commander"))
            ),
            "go readiness pilot \"all gates pass\" (as commander)"
        );
        let last = DecisionAction::Go {
            from: "verify".into(),
            to: None,
            reentry: false,
        };
        assert_eq!(
            summary(EntryKind::Decision, &decided(last, "", None)),
            "go verify"
        );
        let waive = DecisionAction::Waive {
            gate: "dicom-echo".into(),
            owner: "priya".into(),
            reason: "vendor fix due".into(),
            expires: "2026-11-29T01:00:00Z".into(),
        };
        // a waiver is told by its reason, not the rationale
        assert_eq!(
            summary(EntryKind::Decision, &decided(waive, "ok by me", None)),
            "waive dicom-echo \"vendor fix due\""
        );
        let decide = DecisionAction::Decide {
            threshold: "retrieval-latency-spike".into(),
            answer: "rollback".into(),
            scope: Some("switch-archive-retrieval".into()),
            in_progress: false,
        };
        assert_eq!(
            summary(EntryKind::Decision, &decided(decide, "p95 over 1s", None)),
            "decide retrieval-latency-spike rollback switch-archive-retrieval \"p95 over 1s\""
        );
        let signoff = DecisionAction::Signoff {
            phase: "readiness".into(),
            role: "pacs-admin".into(),
        };
        assert_eq!(
            summary(
                EntryKind::Decision,
                &decided(
                    signoff,
                    "checked the archive",
                    Some("phase-owner:readiness")
                )
            ),
            format!(
                "signoff pacs-admin \"checked the archive\" ({})",
                crate::core::cockpit::Authority::code_words("phase-owner:readiness")
            )
        );
        let open = DecisionAction::Issue {
            op: Default::default(),
            id: "ISS-1".into(),
            severity: Some("critical".into()),
            title: Some("modality worklist empty".into()),
            owner: Some("priya".into()),
        };
        // an issue opened without a rationale is told by its title
        assert_eq!(
            summary(EntryKind::Decision, &decided(open, "", None)),
            "issue ISS-1 \"modality worklist empty\""
        );
        let handover = DecisionAction::Handover {
            from: "dana".into(),
            to: "lee".into(),
            keeps: vec![],
        };
        assert_eq!(
            summary(EntryKind::Decision, &decided(handover, "shift end", None)),
            "handover dana lee \"shift end\""
        );
        assert_eq!(
            summary(
                EntryKind::Decision,
                &decided(
                    DecisionAction::Rollback {
                        scope: "return-read-path".into()
                    },
                    "",
                    None
                )
            ),
            "rollback return-read-path"
        );
        assert_eq!(
            summary(
                EntryKind::Decision,
                &decided(DecisionAction::Hold, "radiology asked", None)
            ),
            "hold \"radiology asked\""
        );
        // a decision type from a newer program: its name, not a guess
        assert_eq!(
            summary(
                EntryKind::Decision,
                &json!({"type": "escalate", "rationale": "paging"})
            ),
            "escalate \"paging\""
        );
    }

    #[test]
    fn steps_transitions_and_phases_read_as_their_types() {
        let step = to_value(StepBody {
            event: StepEvent::Blocked,
            step: "freeze-writes".into(),
            reason: Some("no DBA on call".into()),
            authority: Some("step-owner".into()),
            ..StepBody::default()
        })
        .unwrap();
        assert_eq!(
            summary(EntryKind::Step, &step),
            format!(
                "blocked freeze-writes \"no DBA on call\" ({})",
                crate::core::cockpit::Authority::code_words("step-owner")
            )
        );
        let gate = to_value(TransitionBody {
            id: "pacs-up".into(),
            from: "unknown".into(),
            to: "pass".into(),
            ..TransitionBody::default()
        })
        .unwrap();
        assert_eq!(summary(EntryKind::Gate, &gate), "pacs-up unknown pass");
        let threshold = to_value(TransitionBody {
            id: "retrieval-latency-spike".into(),
            from: "ok".into(),
            to: "unknown".into(),
            reason: Some("stale sample".into()),
            ..TransitionBody::default()
        })
        .unwrap();
        assert_eq!(
            summary(EntryKind::Threshold, &threshold),
            "retrieval-latency-spike ok unknown \"stale sample\""
        );
        let phase = to_value(PhaseBody {
            event: PhaseEvent::Completed,
            phase: "readiness".into(),
            reentry: false,
        })
        .unwrap();
        assert_eq!(summary(EntryKind::Phase, &phase), "completed");
    }

    #[test]
    fn journal_records_and_batches() {
        let observe = json!({"reports": [
            {"probe": "target.pacs.health", "ok": true, "at": "2026-11-28T22:00:05.000Z", "samples": {"target.pacs.up": 1.0}},
            {"probe": "source.pacs.health", "ok": true, "at": "2026-11-28T22:00:05.000Z", "samples": {}}
        ]});
        assert_eq!(summary(EntryKind::Observe, &observe), "2 probe reports");
        let open =
            json!({"operator": "dana", "host": "ops-1", "version": "0.1.0", "log_format": 1});
        assert_eq!(summary(EntryKind::Open, &open), "");
        assert_eq!(summary(EntryKind::Close, &json!({"operator": "dana"})), "");
        assert_eq!(
            summary(
                EntryKind::Amend,
                &json!({"amends": 12, "amends_hash": "ab", "amends_kind": "decision", "reason": "wrong scope typed"})
            ),
            "amends #12 \"wrong scope typed\""
        );
        assert_eq!(
            summary(
                EntryKind::Review,
                &json!({"head": "ab", "head_seq": 40, "statement": "reviewed with the CAB"})
            ),
            "\"reviewed with the CAB\""
        );
        assert_eq!(summary(EntryKind::Review, &json!({})), "review record");
    }

    /// Bodies that do not read as their kind's type (older logs, damage):
    /// a generic line, never a panic.
    #[test]
    fn unreadable_bodies_get_a_generic_line() {
        for (kind, body) in [
            (EntryKind::Decision, json!({"action": "go"})),
            (EntryKind::Decision, json!("not an object")),
            (EntryKind::Step, json!({"type": "start", "step": 7})),
            (EntryKind::Gate, json!({"id": ["x"]})),
            (EntryKind::Phase, json!(null)),
            (EntryKind::Open, json!([1, 2])),
            (EntryKind::Observe, json!({"reports": "none"})),
        ] {
            assert_eq!(
                summary(kind, &body),
                format!("{} record in an older format", kind.as_str()),
                "{body}"
            );
        }
    }
}
