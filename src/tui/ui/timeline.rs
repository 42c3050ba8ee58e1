//! The replay timeline (two lines, replay only): the whole log along the
//! screen's width, then the replay cursor and a legend.
//!
//! ```text
//! │readiness─────◆pilot-dataset◆████◆─────≈≈≈──◆parallel-run───────────
//!                                     ▲ 00:10:00 replay   ◆ decision █ hold ≈ threshold
//! ```
//! Each cell covers an equal slice of time. A cell shows, by priority: a
//! decision `◆`, a hold `█`, a threshold episode `≈`, else its phase (the
//! phase id written after a `│` where the visit starts, `─` after). Symbols carry the
//! meaning; colour only repeats it (NO_COLOR-safe).

use super::text::{outside, styled};
use crate::core::time::Ts;
use crate::tui::state::UiState;
use crate::tui::theme::Tone;
use crate::tui::view::{ReplayMarker, TimelineSpan, TimelineView};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Rows the timeline takes.
pub const HEIGHT: u16 = 2;

const LEGEND: &str = "◆ decision █ hold ≈ threshold";

/// Draws the bar and the cursor line into `area` (2 rows).
pub fn render(frame: &mut Frame, area: Rect, marker: &ReplayMarker, ui: &UiState) {
    let Some(tl) = &marker.timeline else {
        return;
    };
    let w = area.width as usize;
    if w == 0 {
        return;
    }
    let bar = bar_cells(tl, w, ui);
    let cursor = column(tl, marker.at, w);
    let lines = vec![to_line(bar), cursor_line(w, cursor, marker.at, ui)];
    frame.render_widget(Paragraph::new(lines), area);
}

/// The column of time `t` in a bar `w` cells wide.
fn column(tl: &TimelineView, t: Ts, w: usize) -> usize {
    let len = (tl.end.0 - tl.start.0).max(1) as i128;
    let off = (t.0 - tl.start.0).clamp(0, len as i64) as i128;
    ((off * w as i128 / len) as usize).min(w.saturating_sub(1))
}

/// The time slice `[from, to)` of column `c`.
fn slice(tl: &TimelineView, c: usize, w: usize) -> (Ts, Ts) {
    let len = (tl.end.0 - tl.start.0).max(1) as i128;
    let at = |c: usize| Ts(tl.start.0 + (len * c as i128 / w as i128) as i64);
    let to = if c + 1 == w {
        Ts(tl.end.0 + 1)
    } else {
        at(c + 1)
    };
    (at(c), to)
}

fn overlaps(s: &TimelineSpan, (from, to): (Ts, Ts)) -> bool {
    s.from < to && s.to >= from
}

fn bar_cells(tl: &TimelineView, w: usize, ui: &UiState) -> Vec<(char, Style)> {
    let mut cells = phase_cells(tl, w, ui);
    for (c, cell) in cells.iter_mut().enumerate() {
        let sl = slice(tl, c, w);
        if tl.decisions.iter().any(|(t, _)| *t >= sl.0 && *t < sl.1) {
            *cell = ('◆', ui.theme.key());
        } else if tl.holds.iter().any(|h| overlaps(h, sl)) {
            *cell = ('█', ui.theme.tone(Tone::Bad));
        } else if tl.episodes.iter().any(|e| overlaps(e, sl)) {
            *cell = ('≈', ui.theme.tone(Tone::Progress));
        }
    }
    cells
}

/// Phase visits: the id where a visit starts, `─` after, `·` outside any.
fn phase_cells(tl: &TimelineView, w: usize, ui: &UiState) -> Vec<(char, Style)> {
    let mut cells = vec![('·', ui.theme.tone(Tone::Muted)); w];
    for p in &tl.phases {
        let a = column(tl, p.from, w);
        // a visit can end "before" it started when the wall clock jumped back
        let b = column(tl, p.to, w).max(a);
        for cell in cells.iter_mut().take(b + 1).skip(a) {
            *cell = ('─', ui.theme.tone(Tone::Plain));
        }
        // `│` where the visit starts (a `go` mark may take it), then the id
        cells[a] = ('│', ui.theme.tone(Tone::Plain));
        let name = outside(&p.label, (b - a).max(1));
        for (i, ch) in name.chars().enumerate().take(b - a) {
            if let Some(cell) = cells.get_mut(a + 1 + i) {
                *cell = (ch, ui.theme.tone(Tone::Plain));
            }
        }
    }
    cells
}

/// `▲ HH:MM:SS replay` at the cursor (left of it near the right edge), the
/// legend at the far side from it when there is room.
fn cursor_line(w: usize, cursor: usize, at: Ts, ui: &UiState) -> Line<'static> {
    let style = ui.theme.key();
    let mut cells = vec![(' ', Style::new()); w];
    let label = format!("▲ {} replay", at.hms());
    let n = label.chars().count();
    let (text, start) = if cursor + n <= w {
        (label, cursor)
    } else {
        let text = format!("replay {} ▲", at.hms());
        (text, (cursor + 1).saturating_sub(n))
    };
    put(&mut cells, start, &text, style);
    let legend_n = LEGEND.chars().count();
    let (lo, hi) = (start, start + n);
    let muted = ui.theme.tone(Tone::Muted);
    if hi + 2 + legend_n <= w {
        put(&mut cells, w - legend_n, LEGEND, muted);
    } else if legend_n + 2 <= lo {
        put(&mut cells, 0, LEGEND, muted);
    }
    to_line(cells)
}

fn put(cells: &mut [(char, Style)], at: usize, text: &str, style: Style) {
    for (i, ch) in text.chars().enumerate() {
        if let Some(c) = cells.get_mut(at + i) {
            *c = (ch, style);
        }
    }
}

/// Runs of equal style become one span.
fn to_line(cells: Vec<(char, Style)>) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut style = None;
    for (ch, st) in cells {
        if style.is_some_and(|s| s != st) {
            spans.push(styled(std::mem::take(&mut run), style.unwrap_or_default()));
        }
        style = Some(st);
        run.push(ch);
    }
    if !run.is_empty() {
        spans.push(styled(run, style.unwrap_or_default()));
    }
    Line::from(spans)
}
