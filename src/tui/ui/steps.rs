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
    let on_screen = || steps.iter().take(window);
    let time_w = on_screen().map(|s| time_text(s).len()).max().unwrap_or(0);
    // the rehearsal column goes before any title is cut for it
    let rehearsal_w = on_screen()
        .filter_map(|s| rehearsal_text(s).map(|t| t.chars().count() + 1))
        .max()
        .unwrap_or(0);
    let longest_title = on_screen()
        .map(|s| s.title.chars().count())
        .max()
        .unwrap_or(0);
    let rehearsal_w = if rehearsal_w > 0
        && title_width(width, time_w + rehearsal_w) >= longest_title.min(REHEARSAL_MIN_TITLE)
    {
        rehearsal_w
    } else {
        0
    };
    let list = text::List::of(ui, Region::Steps, steps.len());
    text::lines(frame, inner, ui, list, |i| {
        step_line(steps[i], ui, width, time_w, rehearsal_w)
    });
}

/// Titles at least this wide (or whole) keep the rehearsal column on screen.
const REHEARSAL_MIN_TITLE: usize = 28;
const OWNER_W: usize = 6;

/// Room for the title beside the state word, owner and `tail_w` of times.
fn title_width(width: usize, tail_w: usize) -> usize {
    width.saturating_sub(10 + OWNER_W + tail_w + 3).max(4)
}

/// `P50 10m` (the rehearsals' median) for a done or running step with a baseline.
fn rehearsal_text(s: &StepView) -> Option<String> {
    let r = s.rehearsal?;
    s.elapsed?;
    Some(format!("P50 {}", label::dur_short(r.p50)))
}

/// Within the rehearsals' P50 muted, up to their P90 in progress colour, beyond it red.
fn rehearsal_tone(s: &StepView) -> Tone {
    match (s.rehearsal, s.elapsed) {
        (Some(r), Some(e)) if e > r.p90 => Tone::Bad,
        (Some(r), Some(e)) if e > r.p50 => Tone::Progress,
        _ => Tone::Muted,
    }
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
fn step_line(
    s: &StepView,
    ui: &UiState,
    width: usize,
    time_w: usize,
    rehearsal_w: usize,
) -> Line<'static> {
    let (sym, word) = label::step(s.status);
    let title_w = title_width(width, time_w + rehearsal_w);
    let time_tone = if s.overrun { Tone::Bad } else { Tone::Plain };
    // pending again because a rollback undid it: say so, never "✔ done"
    let (sym, word, title) = match (&s.undone_by, s.status) {
        (Some(by), StepStatus::Pending) => ("↶", "undone", format!("{} (undone by {by})", s.title)),
        _ => (sym, word, s.title.clone()),
    };
    let mut spans = vec![
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
    ];
    if rehearsal_w > 0 {
        let r = rehearsal_text(s).unwrap_or_default();
        let w = rehearsal_w - 1;
        spans.push(styled(
            format!("{r:<w$} "),
            ui.theme.tone(rehearsal_tone(s)),
        ));
    }
    Line::from(spans)
}
