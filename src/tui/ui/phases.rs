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
    for (i, p) in view.phases.iter().enumerate() {
        let (sym, _) = label::phase(p.state);
        let mut style = ui.theme.tone(phase_tone(p.state));
        if p.state == PhaseState::Current {
            style = style.add_modifier(Modifier::BOLD);
        }
        let name = outside(short_name(&p.name), cell.saturating_sub(2));
        // the runbook's own numbering when its names carry one (as the header shows)
        let n = label::phase_number(&p.name).map_or(i + 1, |n| n as usize);
        spans.push(styled(format!(" {sym} {n} {name} "), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Drops a leading "Phase N:" from a name: the strip numbers phases itself.
fn short_name(name: &str) -> &str {
    let Some(rest) = name.strip_prefix("Phase ") else {
        return name;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    match rest[digits..].strip_prefix(':') {
        Some(tail) if digits > 0 => tail.trim_start(),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::short_name;

    #[test]
    fn phase_numbers_are_not_repeated() {
        assert_eq!(short_name("Phase 2: parallel run"), "parallel run");
        assert_eq!(short_name("Phase two"), "Phase two");
        assert_eq!(short_name("Cleanup"), "Cleanup");
    }
}
