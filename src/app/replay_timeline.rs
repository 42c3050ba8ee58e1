//! The replay timeline's data, built once from the whole log with the
//! evidence pack's own reading of it (phase visits, holds, threshold
//! episodes, decisions), so replay and report tell the same story.

use crate::journal::Record;
use crate::report::{Evidence, VerificationSummary};
use crate::tui::view::{TimelineSpan, TimelineView};

/// Phases, holds, episodes and decisions of `records` along their time span.
pub fn timeline_of(records: &[Record]) -> TimelineView {
    let values: Vec<serde_json::Value> = records
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect();
    let ev = Evidence::from_records(&values, VerificationSummary::default());
    let Some((start, end)) = ev.span else {
        return TimelineView::default();
    };
    let span = |label: &str, from, to: Option<_>| TimelineSpan {
        label: label.to_string(),
        from,
        to: to.unwrap_or(end),
    };
    TimelineView {
        start,
        end,
        phases: ev
            .phases
            .iter()
            .map(|p| span(&p.phase, p.entered, p.left))
            .collect(),
        holds: ev
            .holds
            .iter()
            .map(|h| span("hold", h.start, h.end))
            .collect(),
        episodes: ev
            .episodes
            .iter()
            .map(|e| span(&e.threshold, e.start, e.end))
            .collect(),
        decisions: ev
            .decisions
            .iter()
            .map(|d| (d.ts, d.kind.clone()))
            .collect(),
    }
}
