//! What the core asks the journal to record: a log entry before it has a
//! sequence number, timestamp or hash (the journal adds those, docs/log-format.md).

use serde::{Deserialize, Serialize};

/// The `kind` of a cutover log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// seq 0: runbook, redacted config, digests, who and where.
    Open,
    /// Probe reports (metric samples), for replay and charts.
    Observe,
    /// A gate's state change or timer checkpoint.
    Gate,
    /// A threshold's state change or timer checkpoint.
    Threshold,
    /// A step started, done, skipped or blocked.
    Step,
    /// A person's decision, with rationale and snapshot.
    Decision,
    /// A phase entered or completed.
    Phase,
    /// A restart picked the log up.
    Resume,
    /// The log is closed (head hash).
    Close,
    /// A signed correction that refers to an earlier record (which stays as it was).
    Amend,
    /// A signed review over the head hash of a closed log.
    Review,
}

impl EntryKind {
    /// The name the log uses for this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Open => "open",
            EntryKind::Observe => "observe",
            EntryKind::Gate => "gate",
            EntryKind::Threshold => "threshold",
            EntryKind::Step => "step",
            EntryKind::Decision => "decision",
            EntryKind::Phase => "phase",
            EntryKind::Resume => "resume",
            EntryKind::Close => "close",
            EntryKind::Amend => "amend",
            EntryKind::Review => "review",
        }
    }

    /// Records that open, resume or close the log: committed as soon as they
    /// are appended. (An action's records are committed together before the
    /// action is acknowledged, whatever their kinds; see the session.)
    pub fn is_lifecycle(self) -> bool {
        matches!(
            self,
            EntryKind::Open
                | EntryKind::Resume
                | EntryKind::Close
                | EntryKind::Amend
                | EntryKind::Review
        )
    }

    /// Kinds that people's actions write (decisions, steps, phases): a
    /// commit holding one publishes a checkpoint.
    pub fn is_action_record(self) -> bool {
        matches!(
            self,
            EntryKind::Decision | EntryKind::Step | EntryKind::Phase
        )
    }
}

/// A record to append, as produced by the core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// What kind of record it is.
    pub kind: EntryKind,
    /// Who caused it: an owner id, or `cockpit` for machine records.
    pub actor: String,
    /// The current phase id, if any.
    pub phase: Option<String>,
    /// The body: one of the types in `crate::records`, as JSON.
    pub body: serde_json::Value,
}

impl Entry {
    /// An entry whose body is one of the typed bodies of `crate::records`.
    pub fn with_body<B: Serialize>(
        kind: EntryKind,
        actor: &str,
        phase: Option<&str>,
        body: &B,
    ) -> Entry {
        Entry {
            kind,
            actor: actor.to_string(),
            phase: phase.map(str::to_string),
            body: to_value(body),
        }
    }
}

/// A body as the JSON value an entry carries (members sorted by name, as
/// the log writes them).
pub fn to_value<T: Serialize>(body: &T) -> serde_json::Value {
    // record bodies only hold strings, numbers, options and maps with
    // string keys, which always serialise; an empty object is the safe fallback
    serde_json::to_value(body).unwrap_or_else(|_| serde_json::Value::Object(Default::default()))
}
