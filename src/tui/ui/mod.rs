//! Rendering: a pure function of (`CockpitView`, `UiState`), one function per
//! screen region. Nothing here reads a clock, the environment or a file.
//!
//! Layout (80x24 and up; regions pick more detail when they get more room):
//! ```text
//! header (2+)  identity, phase, window clock, operator; one line per banner
//!              (DISCONNECTED, HOLD, ROLLBACK, recommendation); PNR and forecast
//! phases (1)   the phase strip
//! body         steps + gates (left) | thresholds + endpoints (right); issues and
//!              recommendations in the column with more room (see `layout`)
//! log tail     last records of the cutover log (or the diagnostics pane, `l`);
//!              it takes the rows the body does not need
//! footer (2)   toast / pending recommendation / keys; the log path, always
//! ```

mod area;
mod detail;
mod endpoints;
mod footer;
mod gates;
mod header;
mod issues;
pub mod layout;
mod log_tail;
mod overlay;
mod phases;
mod recommendations;
mod steps;
mod text;
mod thresholds;
mod timeline;

use crate::tui::state::{Overlay, Region, UiState};
use crate::tui::view::CockpitView;
use ratatui::layout::Rect;
use ratatui::Frame;

/// Below this size only a "too small" notice (with HOLD and the log path) is drawn.
pub const MIN_WIDTH: u16 = 60;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 16;

/// Rows of the footer (status line, log path).
const FOOTER_H: u16 = 2;

/// Draws one whole frame.
pub fn render(frame: &mut Frame, view: &CockpitView, ui: &UiState) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        overlay::too_small(frame, area, view, ui);
        return;
    }
    // banners stack: the header grows by one row per banner, within reason
    let head_h = header::height(view).min(area.height / 4).max(2);
    let (head, rest) = area::top(area, head_h);
    let (strip, rest) = area::top(rest, 1);
    // replay only: the timeline bar under the phase strip
    let replay = view.header.replay.as_ref();
    let tl_h = match replay {
        Some(r) if r.timeline.is_some() => timeline::HEIGHT,
        _ => 0,
    };
    let (tl_area, rest) = area::top(rest, tl_h);
    let (rest, foot) = area::bottom(rest, FOOTER_H);
    let plan = body_layout(rest, area, view, ui);
    header::render(frame, head, view, ui);
    phases::render(frame, strip, view, ui);
    if let Some(r) = replay {
        timeline::render(frame, tl_area, r, ui);
    }
    render_body(frame, &plan, view, ui);
    if ui.show_diagnostics {
        log_tail::render_diagnostics(frame, plan.tail, ui);
    } else {
        log_tail::render(frame, plan.tail, view, ui);
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
        Overlay::Detail(d) => {
            let over = Rect::new(area.x, strip.y, area.width, foot.y - strip.y);
            detail::render(frame, over, view, d, ui)
        }
    }
    if let Some(j) = replay.and_then(|r| r.jump.as_ref()) {
        overlay::jump(frame, area, j, ui);
    }
}

/// The body's layout for `view` in `rest` (the rows between the phase
/// strip and the footer of a `screen`-sized terminal).
pub fn body_layout(
    rest: Rect,
    screen: Rect,
    view: &CockpitView,
    ui: &UiState,
) -> layout::BodyLayout {
    let tail_want = if ui.show_diagnostics {
        tail_min(screen, ui) + screen.height / 6
    } else {
        view.log_tail.len().min(u16::MAX as usize - 1) as u16 + 1
    };
    layout::body(
        rest,
        layout::wants(view, ui),
        tail_min(screen, ui),
        tail_want,
    )
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

/// The log tail's least height; it grows into rows the body does not need,
/// and the diagnostics pane gets more room.
pub fn tail_min(area: Rect, ui: &UiState) -> u16 {
    let base = match area.height {
        0..=27 => 3,
        28..=39 => 5,
        _ => 6,
    };
    if ui.show_diagnostics {
        base + area.height / 6
    } else {
        base
    }
}

/// Each region in the rectangle the layout gave it.
fn render_body(frame: &mut Frame, plan: &layout::BodyLayout, view: &CockpitView, ui: &UiState) {
    for p in plan.placed.iter().filter(|p| p.rect.height > 0) {
        match p.region {
            Region::Steps => steps::render(frame, p.rect, view, ui),
            Region::Gates => gates::render(frame, p.rect, view, ui),
            Region::Thresholds => thresholds::render(frame, p.rect, view, ui),
            Region::Endpoints => endpoints::render(frame, p.rect, view, ui),
            Region::Issues => issues::render(frame, p.rect, view, ui),
            Region::Recommendations => recommendations::render(frame, p.rect, view, ui),
            Region::Log => {}
        }
    }
}
