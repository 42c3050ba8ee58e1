//! One typed definition per record body: what each `kind` of log record
//! holds. The cockpit builds its entries from these types; apply/rebuild,
//! replay, `status` and the report read them back through [`read`].
//!
//! Reading is tolerant so that every log ever written keeps replaying:
//! members a body does not know are ignored, and members an older log
//! lacks take their default (`#[serde(default)]`). A new member is added
//! as an `Option` (or with a default) in the type of its kind, nowhere else.
//! docs/log-format.md lists every body's members.

mod decision;
mod observe;
mod open;
mod progress;
mod transition;

pub use decision::{DecisionAction, DecisionBody, IssueOp};
pub use observe::{ObserveBody, ReportBody};
pub use open::{CloseBody, CutAction, OpenBody, ResumeBody, TornBody};
pub use progress::{PhaseBody, PhaseEvent, StepBody, StepEvent};
pub use transition::{RecommendationBody, Snapshot, SnapshotRow, SnapshotSignoff, TransitionBody};

use crate::entry::EntryKind;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Reads a record body as `T`; `None` when it does not have that shape
/// (a member of the wrong type, or not an object).
pub fn read<T: DeserializeOwned>(body: &Value) -> Option<T> {
    T::deserialize(body).ok()
}

pub use crate::entry::to_value;

/// The name a unit enum variant is written as (`Answer::Hold` -> `hold`).
pub fn name_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A record's body read as the type of its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordBody {
    /// `open`.
    Open(OpenBody),
    /// `observe`.
    Observe(ObserveBody),
    /// `gate`.
    Gate(TransitionBody),
    /// `threshold`.
    Threshold(TransitionBody),
    /// `step`.
    Step(StepBody),
    /// `decision`.
    Decision(DecisionBody),
    /// `phase`.
    Phase(PhaseBody),
    /// `resume`.
    Resume(ResumeBody),
    /// `close`.
    Close(CloseBody),
    /// A body that does not read as its kind's type.
    Unreadable,
}

impl RecordBody {
    /// Reads `body` as the type of `kind`.
    pub fn read(kind: EntryKind, body: &Value) -> RecordBody {
        let typed = match kind {
            EntryKind::Open => read(body).map(RecordBody::Open),
            EntryKind::Observe => ObserveBody::read(body).map(RecordBody::Observe),
            EntryKind::Gate => read(body).map(RecordBody::Gate),
            EntryKind::Threshold => read(body).map(RecordBody::Threshold),
            EntryKind::Step => read(body).map(RecordBody::Step),
            EntryKind::Decision => read(body).map(RecordBody::Decision),
            EntryKind::Phase => read(body).map(RecordBody::Phase),
            EntryKind::Resume => read(body).map(RecordBody::Resume),
            EntryKind::Close => read(body).map(RecordBody::Close),
            // signed amendments and reviews change no cockpit state; the
            // report and verify read them where they are shown
            EntryKind::Amend | EntryKind::Review => None,
        };
        typed.unwrap_or(RecordBody::Unreadable)
    }
}
