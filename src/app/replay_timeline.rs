//! The replay timeline's data, built once from the whole log with the
//! evidence pack's own reading of it (phase visits, holds, threshold
//! episodes, decisions), so replay and report tell the same story.

use crate::core::entry::EntryKind;
use crate::journal::Record;
use crate::report::{Evidence, VerificationSummary};
use crate::tui::view::{TimelineSpan, TimelineView};

/// Phases, holds, episodes and decisions of `records` along their time span.
///
/// `observe` records (most of a log) say nothing the timeline shows, so they
/// are left out of the model: at 100k records that is most of the cost.
pub fn timeline_of(records: &[Record]) -> TimelineView {
    let (Some(first), Some(last)) = (records.first(), records.last()) else {
        return TimelineView::default();
    };
    let (start, end) = (first.ts(), last.ts().max(first.ts()));
    let values: Vec<serde_json::Value> = records
        .iter()
        .filter(|r| r.kind != EntryKind::Observe)
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect();
    let ev = Evidence::from_records(&values, VerificationSummary::default());
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
