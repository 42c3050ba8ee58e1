//! The two header lines: who/where/when, then the HOLD / ROLLBACK banners
//! (or the line's status when neither applies).

use super::area;
use super::text::{outside, plain, styled};
use crate::tui::label;
use crate::tui::state::UiState;
use crate::tui::theme::Tone;
use crate::tui::view::{CockpitView, HeaderView};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Draws the header into a 2-line area.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let (top, banner) = area::top(area, 1);
    frame.render_widget(
        Paragraph::new(identity_line(&view.header, ui, top.width)),
        top,
    );
    render_banners(frame, banner, &view.header, ui);
}

/// Runbook name/version and phase on the left (cut to fit), the window
/// clock and the operator always whole on the right.
fn identity_line(h: &HeaderView, ui: &UiState, width: u16) -> Line<'static> {
    let c = &h.clock;
    let near = if c.left().0 < 0 {
        " OVERRUN"
    } else if c.overrun_near {
        " overrun near"
    } else {
        ""
    };
    let clock = format!(
        "◷ {} / {} left {}{near}",
        label::clock(c.elapsed),
        label::dur_short(c.max),
        label::clock(c.left())
    );
    let role = if h.operator_is_commander { " cmdr" } else { "" };
    // a replay has nobody at the keyboard: no bare "@" at the end
    let who = if h.operator.is_empty() {
        String::new()
    } else {
        format!(" │ @{}{role}", outside(&h.operator, 16))
    };
    // a rehearsal says so first, on the line that is always drawn
    let marker = if h.rehearsal { " REHEARSAL " } else { "" };
    let right_len = clock.chars().count() + who.chars().count() + 3 + marker.chars().count();
    let left_room = (width as usize).saturating_sub(right_len);
    // the phase matters more than the runbook's name when room is short
    let phase = outside(&h.phase_name, left_room.saturating_sub(12).max(8));
    let name_room = left_room.saturating_sub(phase.chars().count() + 5);
    let name = outside(
        &format!("{} {}", h.runbook_name, h.runbook_version),
        name_room.max(1),
    );
    Line::from(vec![
        styled(marker.to_string(), ui.theme.info_banner()),
        styled(format!(" {name}"), ui.theme.title(false)),
        plain(" │ "),
        styled(phase, ui.theme.tone(Tone::Progress)),
        plain(" │ "),
        styled(clock, ui.theme.clock(c.overrun_near || c.left().0 < 0)),
        plain(who),
    ])
}

/// DISCONNECTED (follow mode), HOLD and ROLLBACK share the line when more
/// than one applies; otherwise the line says the state in words (running, replay).
fn render_banners(frame: &mut Frame, area: Rect, h: &HeaderView, ui: &UiState) {
    let mut banners: Vec<(String, ratatui::style::Style)> = Vec::new();
    if let Some(since) = h.disconnected_since {
        // a follower that lost the commander: never let the old state look current
        let text = format!(
            " ✖ DISCONNECTED since {} (retrying): state shown is stale ",
            since.hms()
        );
        banners.push((text, ui.theme.disconnected_banner()));
    }
    if let Some(hold) = &h.hold {
        let text = format!(
            " ■ HOLD: line stopped by {} at {}: {} ",
            outside(&hold.by, 16),
            hold.since.hms(),
            outside(&hold.reason, area.width as usize)
        );
        banners.push((text, ui.theme.hold_banner()));
    }
    if let Some(rb) = &h.rollback {
        let text = format!(
            " ↶ ROLLBACK {} by {} since {} ",
            outside(&rb.scope, 32),
            outside(&rb.by, 16),
            rb.since.hms()
        );
        banners.push((text, ui.theme.rollback_banner()));
    }
    if banners.is_empty() {
        frame.render_widget(Paragraph::new(status_line(h, ui)), area);
        return;
    }
    // a replay stays marked as one (time and speed) while a banner is up
    let area = match &h.replay {
        Some(r) => {
            let text = format!(" REPLAY {} {} ", r.at.hms(), outside(&r.speed, 12));
            let (mark, rest) = area::columns(area, text.chars().count() as u16, 0);
            let line = Line::from(styled(text, ui.theme.info_banner()));
            frame.render_widget(Paragraph::new(line), mark);
            rest
        }
        None => area,
    };
    // one banner takes the line; two share it
    let (first, second) = if banners.len() > 1 {
        area::columns(area, area.width / 2, 0)
    } else {
        (area, Rect::default())
    };
    for ((text, style), a) in banners.into_iter().zip([first, second]) {
        frame.render_widget(Paragraph::new(Line::from(text)).style(style), a);
    }
}

/// The line's state in words when no banner is up.
fn status_line(h: &HeaderView, ui: &UiState) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    if let Some(r) = &h.replay {
        spans.push(styled(
            format!(
                " REPLAY {} {} (read-only) ",
                r.at.to_rfc3339(),
                outside(&r.speed, 12)
            ),
            ui.theme.info_banner(),
        ));
    } else {
        spans.push(styled(" ● line running", ui.theme.tone(Tone::Good)));
    }
    Line::from(spans)
}
