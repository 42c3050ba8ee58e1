//! The tail of the cutover log, and the tui-logger diagnostics pane that
//! can replace it (`l`).

use super::text::{self, outside, styled};
use crate::core::entry::EntryKind;
use crate::tui::state::{Region, UiState};
use crate::tui::theme::Tone;
use crate::tui::view::{CockpitView, LogLine};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};
use ratatui::Frame;
use tui_logger::TuiLoggerWidget;

/// Draws the last log records, newest at the bottom.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let title = format!("Cutover log · last {}", view.log_tail.len());
    let inner = text::region(frame, area, ui, Region::Log, title);
    if view.log_tail.is_empty() {
        text::empty(frame, inner, ui, "no records yet");
        return;
    }
    let width = inner.width as usize;
    let mut list = text::List::of(ui, Region::Log, view.log_tail.len());
    if !list.focused {
        // the newest record stays in sight unless the operator scrolls
        list.selected = view.log_tail.len() - 1;
    }
    text::lines(frame, inner, ui, list, |i| {
        log_line(&view.log_tail[i], ui, width)
    });
}

/// `23:10:07 #12 decision dana  hold: viewer errors`.
fn log_line(l: &LogLine, ui: &UiState, width: usize) -> Line<'static> {
    let tone = match l.kind {
        EntryKind::Decision => Tone::Plain,
        EntryKind::Threshold | EntryKind::Gate => Tone::Progress,
        _ => Tone::Muted,
    };
    let head = format!(
        "{} #{:<4} {:<9} {:<8} ",
        l.ts.hms(),
        l.seq,
        l.kind.as_str(),
        outside(&l.actor, 8)
    );
    let room = width.saturating_sub(head.chars().count());
    Line::from(vec![
        styled(head, ui.theme.tone(Tone::Muted)),
        styled(outside(&l.summary, room.max(1)), ui.theme.tone(tone)),
    ])
}

/// The program's own diagnostics (tui-logger), in place of the log tail.
pub fn render_diagnostics(frame: &mut Frame, area: Rect, ui: &UiState) {
    // records wait in tui-logger's hot buffer until a frame shows them
    crate::tui::diagnostics::flush();
    let title = styled(
        " Diagnostics (program log) · l to hide ",
        ui.theme.title(true),
    );
    let widget = TuiLoggerWidget::default()
        .block(Block::default().borders(Borders::TOP).title(title))
        .output_separator(' ')
        .output_target(true)
        .output_file(false)
        .output_line(false)
        .style_error(ui.theme.tone(Tone::Bad))
        .style_warn(ui.theme.tone(Tone::Progress))
        .style_info(ui.theme.tone(Tone::Plain))
        .style_debug(ui.theme.tone(Tone::Muted))
        .style_trace(ui.theme.tone(Tone::Muted));
    frame.render_widget(widget, area);
}
