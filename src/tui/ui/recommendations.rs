//! Pending recommendations from breached thresholds. They are shown here
//! and in the footer, and never take focus by themselves.

use super::text::{self, outside, plain, styled};
use crate::tui::state::{Region, UiState};
use crate::tui::theme::Tone;
use crate::tui::view::{CockpitView, RecommendationView};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

/// Draws the recommendations region.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let title = format!("Recommendations {} pending", view.recommendations.len());
    let inner = text::region(frame, area, ui, Region::Recommendations, title);
    if view.recommendations.is_empty() {
        text::empty(frame, inner, ui, "none pending");
        return;
    }
    let width = inner.width as usize;
    // a replay cannot decide: no `d` next to the recommendation (as in the footer)
    let replay = view.header.replay.is_some();
    let list = text::List::of(ui, Region::Recommendations, view.recommendations.len());
    text::rows_one_or_two(frame, inner, ui, list, |i, two| {
        rec_rows(&view.recommendations[i], ui, width, two, replay)
    });
}

/// `⚑ rollback return-read-path · retrieval-latency since 23:10 (d)`.
pub fn headline(r: &RecommendationView, max: usize) -> String {
    let what = r.severity.word();
    let scope = r
        .scope
        .as_deref()
        .map(|s| format!(" {s}"))
        .unwrap_or_default();
    outside(
        &format!(
            "{what}{scope} · {} since {}",
            r.threshold,
            r.raised_at.hms()
        ),
        max,
    )
}

fn rec_rows(
    r: &RecommendationView,
    ui: &UiState,
    width: usize,
    two: bool,
    replay: bool,
) -> Vec<Line<'static>> {
    let mut spans = vec![
        styled("⚑ recommend ", ui.theme.tone(Tone::Bad)),
        plain(headline(r, width.saturating_sub(16))),
    ];
    if !replay {
        spans.push(styled(" d", ui.theme.key()));
    }
    let first = Line::from(spans);
    if !two {
        return vec![first];
    }
    let second = Line::from(styled(
        format!("  {}", outside(&r.message, width.saturating_sub(2))),
        ui.theme.tone(Tone::Muted),
    ));
    vec![first, second]
}
