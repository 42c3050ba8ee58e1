//! Open issues of the issue log: id, severity, owner, age. A gate such as
//! "no open critical incidents" blocks go on them, so they are in sight;
//! `c` on a selected issue closes it (with a rationale).

use super::text::{self, outside, plain, styled};
use crate::tui::label;
use crate::tui::state::{Region, UiState};
use crate::tui::theme::Tone;
use crate::tui::view::{CockpitView, IssueView};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

/// Draws the issues region.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let critical = view
        .issues
        .iter()
        .filter(|i| i.severity == "critical")
        .count();
    let title = if critical > 0 {
        format!("Issues {} open, {critical} critical", view.issues.len())
    } else {
        format!("Issues {} open", view.issues.len())
    };
    let inner = text::region(frame, area, ui, Region::Issues, title);
    if view.issues.is_empty() {
        text::empty(frame, inner, ui, "no open issues (i opens one)");
        return;
    }
    let width = inner.width as usize;
    let list = text::List::of(ui, Region::Issues, view.issues.len());
    text::lines(frame, inner, ui, list, |i| {
        issue_line(&view.issues[i], view, ui, width)
    });
}

/// `✖ critical INC-7 ana 2h10m viewer cache errors`.
fn issue_line(i: &IssueView, view: &CockpitView, ui: &UiState, width: usize) -> Line<'static> {
    let (sym, tone) = match i.severity.as_str() {
        "critical" => ("✖", Tone::Bad),
        "major" => ("!", Tone::Progress),
        _ => ("·", Tone::Plain),
    };
    let age = label::dur_short(view.now - i.opened_at);
    let state = format!("{sym} {:<8} ", outside(&i.severity, 8));
    let head = format!("{} {} {age} ", outside(&i.id, 12), outside(&i.owner, 10));
    let room = width.saturating_sub(state.chars().count() + head.chars().count());
    Line::from(vec![
        styled(state, ui.theme.tone(tone)),
        plain(head),
        styled(outside(&i.title, room.max(4)), ui.theme.tone(Tone::Muted)),
    ])
}
