//! Rendering: a pure function of (`CockpitView`, `UiState`), one function per
//! screen region. Nothing here reads a clock, the environment or a file.
//!
//! Layout (80x24 and up; regions pick more detail when they get more room):
//! ```text
//! header (2)   identity, phase, window clock, operator / HOLD, ROLLBACK banners
//! phases (1)   the phase strip
//! body         steps + gates (left) | thresholds + endpoints + recommendations (right)
//! log tail     last records of the cutover log (or the diagnostics pane, `l`)
//! footer (2)   toast / pending recommendation / keys; the log path, always
//! ```

mod area;
mod endpoints;
mod footer;
mod gates;
mod header;
mod log_tail;
mod overlay;
mod phases;
mod recommendations;
mod steps;
mod text;
mod thresholds;
mod timeline;

use crate::tui::state::{Overlay, UiState};
use crate::tui::view::CockpitView;
use ratatui::layout::Rect;
use ratatui::Frame;

/// Below this size only a "too small" notice (with HOLD and the log path) is drawn.
pub const MIN_WIDTH: u16 = 60;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 16;

/// Draws one whole frame.
pub fn render(frame: &mut Frame, view: &CockpitView, ui: &UiState) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        overlay::too_small(frame, area, view, ui);
        return;
    }
    let (head, rest) = area::top(area, 2);
    let (strip, rest) = area::top(rest, 1);
    // replay only: the timeline bar under the phase strip
    let replay = view.header.replay.as_ref();
    let tl_h = match replay {
        Some(r) if r.timeline.is_some() => timeline::HEIGHT,
        _ => 0,
    };
    let (tl_area, rest) = area::top(rest, tl_h);
    let (rest, foot) = area::bottom(rest, 2);
    let (body, tail) = area::bottom(rest, tail_height(area, ui));
    header::render(frame, head, view, ui);
    phases::render(frame, strip, view, ui);
    if let Some(r) = replay {
        timeline::render(frame, tl_area, r, ui);
    }
    render_body(frame, body, view, ui);
    if ui.show_diagnostics {
        log_tail::render_diagnostics(frame, tail, ui);
    } else {
        log_tail::render(frame, tail, view, ui);
    }
    footer::render(frame, foot, view, ui);
    if view.header.disconnected_since.is_some() {
        mute(
            frame,
            Rect::new(area.x, strip.y, area.width, foot.y - strip.y),
            ui,
        );
    }
    match &ui.overlay {
        Overlay::None => {}
        Overlay::Help => overlay::help(frame, area, replay.is_some(), ui),
        Overlay::ConfirmQuit => {
            overlay::confirm_quit(frame, area, view.header.replay.is_some(), ui)
        }
        Overlay::Form(form) => overlay::form(frame, area, form, ui),
        Overlay::Template(i) => overlay::template(frame, area, view, *i, ui),
    }
    if let Some(j) = replay.and_then(|r| r.jump.as_ref()) {
        overlay::jump(frame, area, j, ui);
    }
}

/// Greys out every cell of `area` (the state below the header) while a
/// follower is disconnected: the last view is kept, but reads as stale.
fn mute(frame: &mut Frame, area: Rect, ui: &UiState) {
    let style = ui.theme.stale();
    let buf = frame.buffer_mut();
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_style(style);
            }
        }
    }
}

/// The log tail grows on tall terminals; the diagnostics pane gets more room.
fn tail_height(area: Rect, ui: &UiState) -> u16 {
    let base = match area.height {
        0..=27 => 4,
        28..=39 => 6,
        _ => 9,
    };
    if ui.show_diagnostics {
        base + area.height / 6
    } else {
        base
    }
}

/// Two columns: the work (steps, gates) and the risks (thresholds, endpoints,
/// recommendations).
fn render_body(frame: &mut Frame, body: Rect, view: &CockpitView, ui: &UiState) {
    let (left, right) = area::columns(body, body.width.div_ceil(2), 1);
    let steps_rows = ui.visible_steps(view).len() as u16 + 1;
    let gate_rows = (view.gates.len() + view.signoffs.len()) as u16 + 1;
    let steps_h = steps_rows.min(left.height.saturating_sub(gate_rows.min(left.height / 2)));
    let (steps_area, gates_area) = area::top(left, steps_h);
    steps::render(frame, steps_area, view, ui);
    gates::render(frame, gates_area, view, ui);

    let rec_h = if view.recommendations.is_empty() {
        2
    } else {
        (view.recommendations.len() as u16 * 2 + 1).min(right.height / 3)
    };
    let endpoint_h = (view.endpoints.len() as u16 + 2).min(right.height / 3);
    let thr_h = (view.thresholds.len() as u16 * 2 + 1)
        .min(right.height.saturating_sub(endpoint_h + rec_h))
        .max(2);
    let (thr_area, rest) = area::top(right, thr_h);
    let (ep_area, rec_area) = area::bottom(rest, rec_h);
    thresholds::render(frame, thr_area, view, ui);
    endpoints::render(frame, ep_area, view, ui);
    recommendations::render(frame, rec_area, view, ui);
}
