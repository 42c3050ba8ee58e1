//! Short one-line summaries of log records for the screen's log pane.

use crate::journal::Record;
use crate::tui::view::LogLine;
use serde_json::Value;
use std::collections::VecDeque;

/// How many records the log pane keeps.
pub const TAIL_LEN: usize = 50;

/// The last records, oldest first, as `LogLine`s.
#[derive(Debug, Clone, Default)]
pub struct LogTail {
    lines: VecDeque<LogLine>,
}

impl LogTail {
    /// Adds a record, dropping the oldest beyond [`TAIL_LEN`]. `observe`
    /// records (probe samples, several a second) are left out: they would
    /// bury the decisions, and the endpoint and threshold panes show them.
    pub fn push(&mut self, r: &Record) {
        if r.kind == crate::core::entry::EntryKind::Observe {
            return;
        }
        self.lines.push_back(log_line(r));
        while self.lines.len() > TAIL_LEN {
            self.lines.pop_front();
        }
    }
    /// The kept lines, oldest first.
    pub fn lines(&self) -> Vec<LogLine> {
        self.lines.iter().cloned().collect()
    }
}

/// One record as a short line (the renderer makes its text inert).
pub fn log_line(r: &Record) -> LogLine {
    LogLine {
        seq: r.seq,
        ts: r.ts(),
        kind: r.kind,
        actor: r.actor.clone(),
        summary: summary(&r.body),
    }
}

fn s<'a>(b: &'a Value, k: &str) -> Option<&'a str> {
    b.get(k).and_then(Value::as_str)
}

/// The few fields that say what happened, in a fixed order.
fn summary(b: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    for k in [
        "type",
        "action",
        "event",
        "id",
        "step",
        "gate",
        "threshold",
        "answer",
        "role",
        "scope",
        "from",
        "to",
        "probe",
    ] {
        if let Some(v) = s(b, k) {
            parts.push(v.to_string());
        }
    }
    // a sign-off's rationale is its statement of what was reviewed
    for k in ["reason", "rationale", "text", "title"] {
        if let Some(v) = s(b, k).filter(|v| !v.is_empty()) {
            parts.push(format!("\"{v}\""));
            break;
        }
    }
    if let Some(a) = s(b, "authority") {
        parts.push(format!(
            "({})",
            crate::core::cockpit::Authority::code_words(a)
        ));
    }
    if parts.is_empty() {
        if let Some(n) = b.get("samples").and_then(Value::as_array).map(Vec::len) {
            parts.push(format!("{n} samples"));
        }
    }
    parts.join(" ")
}
