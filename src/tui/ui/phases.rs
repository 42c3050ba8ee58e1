//! The phase strip: every phase with a state symbol, the current one bold.

use super::text::{outside, styled};
use crate::tui::label;
use crate::tui::state::UiState;
use crate::tui::theme::phase_tone;
use crate::tui::view::{CockpitView, PhaseState};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Draws the phases on one line, names cut evenly to fit.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let n = view.phases.len().max(1);
    // each cell: "✔ " + name + "  "
    let cell = (area.width as usize / n).saturating_sub(4).max(3);
    let mut spans = Vec::with_capacity(n * 2);
    for p in &view.phases {
        let (sym, _) = label::phase(p.state);
        let mut style = ui.theme.tone(phase_tone(p.state));
        if p.state == PhaseState::Current {
            style = style.add_modifier(Modifier::BOLD);
        }
        spans.push(styled(format!(" {sym} {} ", outside(&p.name, cell)), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
