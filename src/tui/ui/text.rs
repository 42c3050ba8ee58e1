//! Small text helpers shared by the region renderers.

use crate::core::sanitize::inert_short;
use crate::tui::state::{Region, UiState};
use crate::tui::theme::Tone;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// Outside text made inert and cut to `max` characters.
pub fn outside(s: &str, max: usize) -> String {
    inert_short(s, max.max(1))
}

/// "✔ pass" in the tone's style: a symbol and a word, never colour alone.
pub fn state<'a>(ui: &UiState, sym: &str, word: &str, tone: Tone, pad: usize) -> Span<'a> {
    Span::styled(format!("{sym} {word:<pad$}"), ui.theme.tone(tone))
}

/// Draws a region's title rule ("─▸ Gates 3 ───") and returns the area under it.
pub fn region(frame: &mut Frame, area: Rect, ui: &UiState, region: Region, title: String) -> Rect {
    let focused = ui.focus == region;
    let marker = if focused { "▸ " } else { "" };
    let block = Block::default().borders(Borders::TOP).title(Span::styled(
        format!(" {marker}{title} "),
        ui.theme.title(focused),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Renders `rows` (one or more lines each) into `area`, scrolled so the
/// selected row is visible and highlighted when the region has focus.
pub fn rows(
    frame: &mut Frame,
    area: Rect,
    ui: &UiState,
    region: Region,
    rows: Vec<Vec<Line<'static>>>,
) {
    if area.height == 0 || rows.is_empty() {
        return;
    }
    let selected = ui.selection(region).min(rows.len() - 1);
    let focused = ui.focus == region;
    let heights: Vec<usize> = rows.iter().map(Vec::len).collect();
    let start = first_visible(&heights, area.height as usize, selected);
    let mut lines = Vec::new();
    for (i, row) in rows.into_iter().enumerate().skip(start) {
        for line in row {
            lines.push(if focused && i == selected {
                line.patch_style(ui.theme.selected())
            } else {
                line
            });
        }
    }
    lines.truncate(area.height as usize);
    frame.render_widget(Paragraph::new(lines), area);
}

/// The first row to show so that row `selected` fits in `height` lines.
fn first_visible(heights: &[usize], height: usize, selected: usize) -> usize {
    let mut start = 0;
    loop {
        let used: usize = heights[start..=selected.max(start)].iter().sum();
        if used <= height || start >= selected {
            return start;
        }
        start += 1;
    }
}

/// A muted line shown where a region has nothing to show.
pub fn empty(frame: &mut Frame, area: Rect, ui: &UiState, text: &str) {
    let line = Line::from(Span::styled(
        format!("  {text}"),
        ui.theme.tone(Tone::Muted),
    ));
    frame.render_widget(Paragraph::new(line), area);
}

/// A plain span.
pub fn plain<'a>(s: impl Into<String>) -> Span<'a> {
    Span::raw(s.into())
}

/// A span in a style.
pub fn styled<'a>(s: impl Into<String>, style: Style) -> Span<'a> {
    Span::styled(s.into(), style)
}

#[cfg(test)]
mod tests {
    use super::first_visible;

    #[test]
    fn scrolls_just_enough_to_show_the_selection() {
        assert_eq!(first_visible(&[1, 1, 1, 1], 2, 0), 0);
        assert_eq!(first_visible(&[1, 1, 1, 1], 2, 3), 2);
        assert_eq!(first_visible(&[2, 2, 2], 3, 1), 1);
        assert_eq!(first_visible(&[5], 2, 0), 0);
    }
}
