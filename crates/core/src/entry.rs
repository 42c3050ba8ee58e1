//! What the core asks the journal to record: a log entry before it has a
//! sequence number, timestamp or hash (the journal adds those, spec section 5).

use serde::{Deserialize, Serialize};

/// The `kind` of a cutover log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Open,
    Observe,
    Gate,
    Threshold,
    Step,
    Decision,
    Phase,
    Resume,
    Close,
    /// A signed correction that refers to an earlier record (which stays as it was).
    Amend,
    /// A signed review over the head hash of a closed log.
    Review,
}

impl EntryKind {
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

    /// Decisions must be on disk (fsync) before the screen acknowledges them;
    /// other kinds may be group-committed.
    pub fn is_durable_before_ack(self) -> bool {
        matches!(
            self,
            EntryKind::Decision
                | EntryKind::Open
                | EntryKind::Resume
                | EntryKind::Close
                | EntryKind::Amend
                | EntryKind::Review
        )
    }
}

/// A record to append, as produced by the core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub kind: EntryKind,
    pub actor: String,
    pub phase: Option<String>,
    pub body: serde_json::Value,
}
