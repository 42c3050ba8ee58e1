//! Steps of the current phase: status, title, owner, elapsed vs expected.

use super::text::{self, outside, plain, styled};
use crate::tui::label;
use crate::tui::state::{Region, UiState};
use crate::tui::theme::{step_tone, Tone};
use crate::tui::view::{CockpitView, StepView};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

/// Draws the steps region (team view shows only the operator's steps).
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let steps = ui.visible_steps(view);
    let done = steps
        .iter()
        .filter(|s| matches!(s.status, crate::tui::view::StepStatus::Done))
        .count();
    let filter = if ui.only_mine {
        " · mine (m: all)"
    } else {
        ""
    };
    let title = format!("Steps {done}/{}{filter}", steps.len());
    let inner = text::region(frame, area, ui, Region::Steps, title);
    if steps.is_empty() {
        let msg = if ui.only_mine {
            "no steps of yours in this phase (m: all)"
        } else {
            "no steps in this phase"
        };
        text::empty(frame, inner, ui, msg);
        return;
    }
    let width = inner.width as usize;
    let rows = steps
        .iter()
        .map(|s| vec![step_line(s, ui, width)])
        .collect();
    text::rows(frame, inner, ui, Region::Steps, rows);
}

/// `▶ running  Enable dual write…  sam  12m/20m` (overrun flagged in words).
fn step_line(s: &StepView, ui: &UiState, width: usize) -> Line<'static> {
    let (sym, word) = label::step(s.status);
    let time = match s.elapsed {
        Some(e) => label::progress(e, s.expected),
        None => format!("~{}", label::dur_short(s.expected)),
    };
    let over = if s.overrun { " OVER" } else { "" };
    let owner = outside(&s.owner, 10);
    let fixed = 10 + owner.chars().count() + time.len() + over.len() + 4;
    let title = outside(&s.title, width.saturating_sub(fixed).max(4));
    let pad = width.saturating_sub(fixed + title.chars().count());
    Line::from(vec![
        text::state(ui, sym, word, step_tone(s.status), 8),
        plain(format!(" {title}{} ", " ".repeat(pad))),
        styled(owner, ui.theme.tone(Tone::Muted)),
        plain(format!(" {time}")),
        styled(over, ui.theme.tone(Tone::Bad)),
    ])
}
