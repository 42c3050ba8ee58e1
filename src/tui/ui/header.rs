//! The header, where the eye goes first: who/where/when on the first line;
//! then one line per banner (DISCONNECTED, HOLD, ROLLBACK, a pending
//! recommendation), stacked so none cuts another; then the decisive times:
//! the point of no return of the tightest rollback scope and the forecast
//! finish against the window's end.

use super::area;
use super::text::{outside, plain, styled};
use crate::core::time::{Dur, Ts};
use crate::tui::label;
use crate::tui::state::UiState;
use crate::tui::theme::Tone;
use crate::tui::view::{CockpitView, HeaderView, PnrView, Severity};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// PNR closer than this turns yellow.
pub const PNR_NEAR: Dur = Dur(60 * 60_000);
/// PNR closer than this turns red.
pub const PNR_CLOSE: Dur = Dur(30 * 60_000);

/// Rows the header takes for `view`: identity, one per banner, the times.
pub fn height(view: &CockpitView) -> u16 {
    2 + banners(view).len() as u16
}

/// Draws the header into `area` (as tall as [`height`]).
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let (top, mut rest) = area::top(area, 1);
    frame.render_widget(Paragraph::new(identity_line(view, ui, top.width)), top);
    for b in banners(view) {
        let (line, r) = area::top(rest, 1);
        rest = r;
        // a replay stays marked as one (time and speed) beside every banner
        let line = match &view.header.replay {
            Some(rp) => {
                let text = format!(" REPLAY {} {} ", rp.at.hms(), outside(&rp.speed, 12));
                let (mark, rest) = area::columns(line, text.chars().count() as u16, 0);
                let mark_line = Line::from(styled(text, ui.theme.info_banner()));
                frame.render_widget(Paragraph::new(mark_line), mark);
                rest
            }
            None => line,
        };
        let (text, style) = b.text(ui, line.width as usize, view.header.replay.is_some());
        frame.render_widget(Paragraph::new(Line::from(text)).style(style), line);
    }
    let (line, _) = area::top(rest, 1);
    frame.render_widget(Paragraph::new(times_line(view, ui, line.width)), line);
}

/// A banner line: something that stops or turns the cutover.
enum Banner<'a> {
    Disconnected(Ts),
    Hold(&'a crate::tui::view::HoldBanner),
    Rollback(&'a crate::tui::view::RollbackBanner),
    Recommendation(&'a crate::tui::view::RecommendationView, usize),
}

fn banners(view: &CockpitView) -> Vec<Banner<'_>> {
    let h = &view.header;
    let mut out = Vec::new();
    if let Some(since) = h.disconnected_since {
        out.push(Banner::Disconnected(since));
    }
    if let Some(hold) = &h.hold {
        out.push(Banner::Hold(hold));
    }
    if let Some(rb) = &h.rollback {
        out.push(Banner::Rollback(rb));
    }
    // a replay shows what was pending, but nobody can decide it there
    if let Some(r) = view.recommendations.first() {
        out.push(Banner::Recommendation(r, view.recommendations.len()));
    }
    out
}

impl Banner<'_> {
    fn text(&self, ui: &UiState, width: usize, replay: bool) -> (String, Style) {
        match self {
            Banner::Disconnected(since) => (
                format!(
                    " ✖ DISCONNECTED since {} (retrying): state shown is stale ",
                    since.hms()
                ),
                ui.theme.disconnected_banner(),
            ),
            Banner::Hold(hold) => {
                let head = format!(
                    " ■ HOLD: line stopped by {} at {}: ",
                    outside(&hold.by, 16),
                    hold.since.hms()
                );
                let room = width.saturating_sub(head.chars().count() + 1);
                (
                    format!("{head}{} ", outside(&hold.reason, room.max(8))),
                    ui.theme.hold_banner(),
                )
            }
            Banner::Rollback(rb) => (
                format!(
                    " ↶ ROLLBACK {} by {} since {} ",
                    outside(&rb.scope, 32),
                    outside(&rb.by, 16),
                    rb.since.hms()
                ),
                ui.theme.rollback_banner(),
            ),
            Banner::Recommendation(r, n) => {
                let what = match (r.severity, &r.scope) {
                    (Severity::Rollback, Some(s)) => format!("ROLLBACK {}", outside(s, 32)),
                    (Severity::Rollback, None) => "ROLLBACK".to_string(),
                    (Severity::Hold, _) => "HOLD".to_string(),
                };
                let more = if *n > 1 {
                    format!(" (+{} more)", n - 1)
                } else {
                    String::new()
                };
                // replay cannot decide: no `d` to offer
                let decide = if replay { "" } else { " · d to decide" };
                let text = format!(
                    " ⚑ {what} RECOMMENDED: {} since {}{more}{decide} ",
                    outside(&r.threshold, 32),
                    r.raised_at.hms()
                );
                (outside(&text, width), ui.theme.alarm_banner(r.severity))
            }
        }
    }
}

/// Runbook name/version and phase on the left (cut to fit), the window
/// clock and the operator always whole on the right.
fn identity_line(view: &CockpitView, ui: &UiState, width: u16) -> Line<'static> {
    let h = &view.header;
    let c = &h.clock;
    let opens_in = h.window.start - view.now;
    let before = h.window.end.0 != 0 && opens_in > Dur::ZERO;
    let clock = if before {
        format!("◷ window opens in {}", long_dur(opens_in))
    } else {
        let near = if c.left().0 < 0 {
            " OVERRUN"
        } else if c.overrun_near {
            " overrun near"
        } else {
            ""
        };
        format!(
            "◷ {} / {} left {}{near}",
            label::clock(c.elapsed),
            label::dur_short(c.max),
            label::clock(c.left())
        )
    };
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
    let alarm = !before && (c.overrun_near || c.left().0 < 0);
    Line::from(vec![
        styled(marker.to_string(), ui.theme.info_banner()),
        styled(format!(" {name}"), ui.theme.title(false)),
        plain(" │ "),
        styled(phase, ui.theme.tone(Tone::Progress)),
        plain(" │ "),
        styled(clock, ui.theme.clock(alarm)),
        plain(who),
    ])
}

/// `● line running │ PNR 1h12m · return-read-path │ ends 04:00 · forecast 04:26 (26m late)`.
fn times_line(view: &CockpitView, ui: &UiState, width: u16) -> Line<'static> {
    let h = &view.header;
    let mut spans: Vec<Span<'static>> = Vec::new();
    if let Some(r) = &h.replay {
        spans.push(styled(
            format!(
                " REPLAY {} {} (read-only) ",
                r.at.hms(),
                outside(&r.speed, 12)
            ),
            ui.theme.info_banner(),
        ));
    } else if h.disconnected_since.is_some() {
        // the last known state is stale: never claim the line runs
        spans.push(styled(" ? line state unknown", ui.theme.tone(Tone::Muted)));
    } else if h.hold.is_none() && h.rollback.is_none() {
        spans.push(styled(" ● line running", ui.theme.tone(Tone::Good)));
    } else if h.hold.is_some() {
        spans.push(styled(" ■ line stopped", ui.theme.tone(Tone::Bad)));
    } else {
        spans.push(styled(" ↶ rolling back", ui.theme.tone(Tone::Bad)));
    }
    if h.signing_locked {
        // truthful about the key: the next signed action asks first
        spans.push(plain(" │ "));
        spans.push(styled(
            "key locked: passphrase asked at next signed action".to_string(),
            ui.theme.tone(Tone::Progress),
        ));
    }
    if let Some(p) = &h.pnr {
        spans.push(plain(" │ "));
        spans.push(styled(pnr_text(p), pnr_style(p, ui)));
    }
    if h.window.end.0 != 0 {
        let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
        let room = (width as usize).saturating_sub(used + 3);
        let (text, late) = forecast_text(h, room);
        let tone = if late { Tone::Bad } else { Tone::Plain };
        spans.push(plain(" │ "));
        spans.push(styled(text, ui.theme.tone(tone)));
    }
    fit(spans, width as usize)
}

/// `PNR 1h12m · return-read-path`; `PNR passed` once the slack is gone.
pub fn pnr_text(p: &PnrView) -> String {
    if p.slack <= Dur::ZERO {
        format!(
            "PNR passed {} ago · {}",
            long_dur(Dur(-p.slack.0)),
            outside(&p.scope, 32)
        )
    } else {
        format!("PNR {} · {}", long_dur(p.slack), outside(&p.scope, 32))
    }
}

/// Plain far from the point of no return, yellow within the hour, red within 30 minutes.
fn pnr_style(p: &PnrView, ui: &UiState) -> Style {
    if p.slack <= PNR_CLOSE {
        ui.theme.tone(Tone::Bad)
    } else if p.slack <= PNR_NEAR {
        ui.theme.tone(Tone::Progress)
    } else {
        Style::new()
    }
}

/// `window ends 04:00 · forecast 04:26 (26m late)` and whether the
/// forecast is late; with rehearsal baselines the band's late edge follows
/// (`, P90 04:41`). Shorter words when `room` is short; the band goes
/// before the forecast itself.
fn forecast_text(h: &HeaderView, room: usize) -> (String, bool) {
    let end = hm(h.window.end);
    let band = |long: bool| match h.window.forecast_p90_end {
        Some(p) if long => format!(", P90 {}", hm(p)),
        Some(p) => format!(" P90 {}", hm(p)),
        None => String::new(),
    };
    let (texts, late) = match h.window.forecast_end {
        Some(f) if f > h.window.end => {
            let by = long_dur(f - h.window.end);
            (
                [
                    format!(
                        "window ends {end} · forecast {} ({by} late){}",
                        hm(f),
                        band(true)
                    ),
                    format!("ends {end} · fc {} +{by}{}", hm(f), band(false)),
                    format!("ends {end} · fc {} +{by}", hm(f)),
                ],
                true,
            )
        }
        Some(f) => (
            [
                format!("window ends {end} · forecast {}{}", hm(f), band(true)),
                format!("ends {end} · fc {}{}", hm(f), band(false)),
                format!("ends {end} · fc {}", hm(f)),
            ],
            false,
        ),
        None => (
            [
                format!("window ends {end}"),
                format!("ends {end}"),
                format!("ends {end}"),
            ],
            false,
        ),
    };
    let [full, short, shortest] = texts;
    let text = [full, short]
        .into_iter()
        .find(|t| t.chars().count() <= room)
        .unwrap_or(shortest);
    (text, late)
}

/// `HH:MM` (UTC, like every time on screen).
fn hm(t: Ts) -> String {
    let s = t.hms();
    s.get(..5).unwrap_or(&s).to_string()
}

/// `2d 17h`, `1h12m`, `45m`, `30s`: the two largest parts.
pub fn long_dur(d: Dur) -> String {
    let secs = d.0.max(0) / 1000;
    let (days, h, m) = (secs / 86_400, (secs / 3600) % 24, (secs / 60) % 60);
    match (days, h, m) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h{m:02}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// Cuts the last spans so the line fits `width` (the state word first stays).
fn fit(spans: Vec<Span<'static>>, width: usize) -> Line<'static> {
    let mut used = 0;
    let mut out = Vec::new();
    for s in spans {
        let n = s.content.chars().count();
        if used + n <= width {
            used += n;
            out.push(s);
        } else {
            let room = width.saturating_sub(used);
            if room > 4 {
                out.push(Span::styled(outside(&s.content, room), s.style));
            }
            break;
        }
    }
    Line::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_durations_keep_their_two_largest_parts() {
        assert_eq!(long_dur(Dur::from_mins(72)), "1h12m");
        assert_eq!(long_dur(Dur::from_mins(65 * 60 + 5)), "2d 17h");
        assert_eq!(long_dur(Dur::from_mins(45)), "45m");
        assert_eq!(long_dur(Dur::from_secs(30)), "30s");
    }

    #[test]
    fn pnr_says_when_it_has_passed() {
        let p = PnrView {
            scope: "return-read-path".into(),
            slack: Dur::from_mins(72),
        };
        assert_eq!(pnr_text(&p), "PNR 1h12m · return-read-path");
        let gone = PnrView {
            slack: Dur::from_mins(-5),
            ..p
        };
        assert_eq!(pnr_text(&gone), "PNR passed 5m ago · return-read-path");
    }

    #[test]
    fn the_forecast_band_shows_its_p90_edge_and_is_dropped_first_when_short() {
        let at = |min: i64| Ts(Dur::from_mins(min).0);
        let mut h = HeaderView::default();
        h.window.end = at(4 * 60);
        h.window.forecast_end = Some(at(4 * 60 + 10));
        h.window.forecast_p90_end = Some(at(4 * 60 + 35));
        assert_eq!(
            forecast_text(&h, 80),
            (
                "window ends 04:00 · forecast 04:10 (10m late), P90 04:35".into(),
                true
            )
        );
        assert_eq!(
            forecast_text(&h, 40),
            ("ends 04:00 · fc 04:10 +10m P90 04:35".into(), true)
        );
        assert_eq!(forecast_text(&h, 20).0, "ends 04:00 · fc 04:10 +10m");
        h.window.forecast_end = Some(at(3 * 60 + 50));
        assert_eq!(
            forecast_text(&h, 80),
            (
                "window ends 04:00 · forecast 03:50, P90 04:35".into(),
                false
            )
        );
        h.window.forecast_p90_end = None;
        assert_eq!(
            forecast_text(&h, 80).0,
            "window ends 04:00 · forecast 03:50"
        );
    }
}
