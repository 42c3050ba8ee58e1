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

/// Outside text made inert and cut in the middle to `max` characters, for
/// names whose end tells them apart (`retrieval-latency-spike` →
/// `retriev…y-spike`, not `retrieval-late…`).
pub fn outside_mid(s: &str, max: usize) -> String {
    let clean = crate::core::sanitize::inert(s);
    let n = clean.chars().count();
    let max = max.max(1);
    if n <= max {
        return clean;
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let start: String = clean.chars().take(head).collect();
    let end: String = clean.chars().skip(n - tail).collect();
    format!("{start}…{end}")
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

/// A scrollable list in a region: how many rows, which is selected, and
/// whether the region has focus (only then is the selection highlighted).
pub struct List {
    pub count: usize,
    pub selected: usize,
    pub focused: bool,
}

impl List {
    /// The list of `region` with its selection from the screen state.
    pub fn of(ui: &UiState, region: Region, count: usize) -> List {
        List {
            count,
            selected: ui.selection(region),
            focused: ui.focus == region,
        }
    }
}

/// A list of one line per row (steps, endpoints, the log tail).
pub fn lines(
    frame: &mut Frame,
    area: Rect,
    ui: &UiState,
    list: List,
    build: impl Fn(usize) -> Line<'static>,
) {
    rows(frame, area, ui, list, |_| 1, |i| vec![build(i)]);
}

/// A list whose rows take two lines when every row fits so, else one:
/// `build(i, two)` gets which (thresholds, recommendations).
pub fn rows_one_or_two(
    frame: &mut Frame,
    area: Rect,
    ui: &UiState,
    list: List,
    build: impl Fn(usize, bool) -> Vec<Line<'static>>,
) {
    let two = 2 * list.count <= area.height as usize;
    let height = if two { 2 } else { 1 };
    rows(frame, area, ui, list, |_| height, |i| build(i, two));
}

/// Renders a list into `area`, scrolled so the selected row is visible.
/// Only the rows that fit are built (`build(i)`), so long runbooks cost no
/// more per frame than short ones; `height(i)` is row i's line count.
pub fn rows(
    frame: &mut Frame,
    area: Rect,
    ui: &UiState,
    list: List,
    height: impl Fn(usize) -> usize,
    build: impl Fn(usize) -> Vec<Line<'static>>,
) {
    if area.height == 0 || list.count == 0 {
        return;
    }
    let selected = list.selected.min(list.count - 1);
    let heights: Vec<usize> = (0..=selected).map(&height).collect();
    let start = first_visible(&heights, area.height as usize, selected);
    let mut lines = Vec::with_capacity(area.height as usize);
    for i in start..list.count {
        if lines.len() >= area.height as usize {
            break;
        }
        for line in build(i) {
            lines.push(if list.focused && i == selected {
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
    use super::{first_visible, outside_mid};

    #[test]
    fn a_middle_cut_keeps_the_end_that_tells_names_apart() {
        assert_eq!(
            outside_mid("retrieval-latency-spike", 15),
            "retriev…y-spike"
        );
        assert_eq!(outside_mid("retrieval-latency", 17), "retrieval-latency");
        assert_eq!(outside_mid("abcdef", 1), "…");
        assert_eq!(outside_mid("ab\u{1b}[2Jcd", 40), "ab\\u{1b}[2Jcd");
    }

    #[test]
    fn scrolls_just_enough_to_show_the_selection() {
        assert_eq!(first_visible(&[1, 1, 1, 1], 2, 0), 0);
        assert_eq!(first_visible(&[1, 1, 1, 1], 2, 3), 2);
        assert_eq!(first_visible(&[2, 2, 2], 3, 1), 1);
        assert_eq!(first_visible(&[5], 2, 0), 0);
    }
}
