//! Steps of the current phase: status, title, owner, elapsed vs expected.

use super::text::{self, outside, plain, styled};
use crate::tui::label;
use crate::tui::state::{Region, UiState};
use crate::tui::theme::{step_tone, Tone};
use crate::tui::view::{CockpitView, StepStatus, StepView};
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
    // widest time among the rows that can be on screen (cheap on long runbooks)
    let window = inner.height as usize + ui.selection(Region::Steps);
    let time_w = steps
        .iter()
        .take(window)
        .map(|s| time_text(s).len())
        .max()
        .unwrap_or(0);
    let list = text::List::of(ui, Region::Steps, steps.len());
    text::lines(frame, inner, ui, list, |i| {
        step_line(steps[i], ui, width, time_w)
    });
}

/// `26m/20m over`, or `~15m` before the step starts.
fn time_text(s: &StepView) -> String {
    let over = if s.overrun { " over" } else { "" };
    match s.elapsed {
        Some(e) => format!("{}{over}", label::progress(e, s.expected)),
        None => format!("~{}", label::dur_short(s.expected)),
    }
}

/// `▶ running  Enable dual write…  sam  12m/20m` (overrun flagged in words).
fn step_line(s: &StepView, ui: &UiState, width: usize, time_w: usize) -> Line<'static> {
    const OWNER_W: usize = 6;
    let (sym, word) = label::step(s.status);
    let title_w = width.saturating_sub(10 + OWNER_W + time_w + 3).max(4);
    let time_tone = if s.overrun { Tone::Bad } else { Tone::Plain };
    // pending again because a rollback undid it: say so, never "✔ done"
    let (sym, word, title) = match (&s.undone_by, s.status) {
        (Some(by), StepStatus::Pending) => ("↶", "undone", format!("{} (undone by {by})", s.title)),
        _ => (sym, word, s.title.clone()),
    };
    Line::from(vec![
        text::state(ui, sym, word, step_tone(s.status), 8),
        plain(format!(" {:title_w$} ", outside(&title, title_w))),
        styled(
            format!("{:OWNER_W$}", outside(&s.owner, OWNER_W)),
            ui.theme.tone(Tone::Muted),
        ),
        styled(
            format!("{:>time_w$} ", time_text(s)),
            ui.theme.tone(time_tone),
        ),
    ])
}
