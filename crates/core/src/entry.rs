//! What the core asks the journal to record: a log entry before it has a
//! sequence number, timestamp or hash (the journal adds those, docs/log-format.md).

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
        }
    }

    /// Records that open, resume or close the log: committed as soon as they
    /// are appended. (An action's records are committed together before the
    /// action is acknowledged, whatever their kinds; see the session.)
    pub fn is_lifecycle(self) -> bool {
        matches!(self, EntryKind::Open | EntryKind::Resume | EntryKind::Close)
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
    pub kind: EntryKind,
    pub actor: String,
    pub phase: Option<String>,
    pub body: serde_json::Value,
}
