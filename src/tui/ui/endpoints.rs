//! Endpoints: per system, source and target side by side (up, latency with
//! a sparkline, last error, certificate days, staleness).

use super::area;
use super::text::{self, outside, plain, styled};
use crate::tui::state::{Region, UiState};
use crate::tui::theme::Tone;
use crate::tui::view::{CockpitView, DatasetView, EndpointRow, EndpointSide};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

const SYSTEM_W: usize = 5;

/// Draws the endpoints region: a header row, then one row per system.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let down = view
        .endpoints
        .iter()
        .flat_map(|r| [&r.source, &r.target])
        .flatten()
        .filter(|s| s.up == Some(false))
        .count();
    let title = format!("Endpoints {down} down");
    let inner = text::region(frame, area, ui, Region::Endpoints, title);
    if view.endpoints.is_empty() && view.datasets.is_empty() {
        text::empty(frame, inner, ui, "no probes configured");
        return;
    }
    let side_w = (inner.width as usize).saturating_sub(SYSTEM_W + 3) / 2;
    let muted = ui.theme.tone(Tone::Muted);
    let head = Line::from(styled(
        format!("{:SYSTEM_W$} {:side_w$} │ target", "", "source"),
        muted,
    ));
    let (head_area, inner) = area::top(inner, 1);
    frame.render_widget(ratatui::widgets::Paragraph::new(head), head_area);
    let n = view.endpoints.len();
    let list = text::List::of(ui, Region::Endpoints, n + view.datasets.len());
    text::lines(frame, inner, ui, list, |i| match view.endpoints.get(i) {
        Some(r) => row(r, ui, side_w),
        None => dataset_row(&view.datasets[i - n], ui, inner.width as usize),
    });
}

/// `pacs-pilot  ✔ match  count_delta 0 · mismatched_buckets 0`.
fn dataset_row(d: &DatasetView, ui: &UiState, width: usize) -> Line<'static> {
    let (state, tone) = match d.matched {
        Some(true) => ("✔ match", Tone::Good),
        Some(false) => ("✘ differs", Tone::Bad),
        None => ("? unknown", Tone::Unknown),
    };
    let name = outside(&d.dataset, 12);
    let facts: Vec<String> = d
        .metrics
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "count_delta" | "mismatched_buckets" | "differing_rows"
            )
        })
        .map(|(k, v)| format!("{k} {}", crate::tui::label::value(*v)))
        .collect();
    let mut facts = facts.join(" · ");
    if let Some(e) = &d.last_error {
        facts = outside(e, 60);
    }
    let room = width.saturating_sub(name.chars().count() + state.chars().count() + 3);
    Line::from(vec![
        plain(format!("{name} ")),
        styled(state, ui.theme.tone(tone)),
        styled(
            format!(" {}", outside(&facts, room.max(1))),
            ui.theme.tone(Tone::Muted),
        ),
    ])
}

fn row(r: &EndpointRow, ui: &UiState, side_w: usize) -> Line<'static> {
    let mut spans = vec![plain(format!(
        "{:SYSTEM_W$} ",
        outside(&r.system, SYSTEM_W)
    ))];
    spans.extend(side(r.source.as_ref(), ui, side_w));
    spans.push(plain("│ "));
    spans.extend(side(r.target.as_ref(), ui, side_w));
    Line::from(spans)
}

/// One side, padded to `w` columns: `● up 412ms ▂▃▅ cert 12d` or `○ down: reason`.
fn side(s: Option<&EndpointSide>, ui: &UiState, w: usize) -> Vec<Span<'static>> {
    let Some(s) = s else {
        return vec![styled(format!("{:w$} ", "–"), ui.theme.tone(Tone::Muted))];
    };
    let (state, tone) = match (s.up, s.stale) {
        (_, true) => ("? stale", Tone::Unknown),
        // ● / ○, never ▲: that symbol means a breached threshold
        (Some(true), _) => ("● up", Tone::Good),
        (Some(false), _) => ("○ down", Tone::Bad),
        (None, _) => ("? unknown", Tone::Unknown),
    };
    let mut room = w.saturating_sub(state.chars().count());
    let mut spans = vec![styled(state, ui.theme.tone(tone))];
    for (part, tone) in details(s, room) {
        if room == 0 {
            break;
        }
        let part = outside(&part, room);
        room = room.saturating_sub(part.chars().count());
        spans.push(styled(part, ui.theme.tone(tone)));
    }
    spans.push(plain(format!("{} ", " ".repeat(room))));
    spans
}

/// Latency, then what needs attention (a certificate close to expiry, the
/// last error), then the sparkline and a healthy certificate if room is left.
fn details(s: &EndpointSide, room: usize) -> Vec<(String, Tone)> {
    let mut parts: Vec<(String, Tone)> = Vec::new();
    if let Some(ms) = s.latency_ms {
        parts.push((format!(" {}ms", ms.round() as i64), Tone::Plain));
    }
    let cert = s.cert_days_left.map(|d| {
        let tone = if d < 14 { Tone::Bad } else { Tone::Plain };
        (d, (format!(" cert {d}d"), tone))
    });
    if let Some((d, part)) = &cert {
        if *d < 30 {
            parts.push(part.clone());
        }
    }
    if let Some(err) = &s.last_error {
        parts.push((format!(" {}", outside(err, 40)), Tone::Bad));
    }
    let used: usize = parts.iter().map(|(p, _)| p.chars().count()).sum();
    let spark_w = room.saturating_sub(used + 1).min(12);
    if spark_w >= 3 && !s.latency_history.is_empty() {
        let spark = sparkline(&s.latency_history, spark_w);
        parts.push((format!(" {spark}"), Tone::Muted));
    }
    if let Some((d, part)) = cert {
        if d >= 30 {
            parts.push(part);
        }
    }
    parts
}

/// The last `width` values as block characters scaled to their maximum.
pub fn sparkline(values: &[u64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(width)..];
    let max = tail.iter().copied().max().unwrap_or(0).max(1);
    tail.iter()
        .map(|v| BARS[((v * 7) / max).min(7) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn sparkline_scales_to_the_max_and_keeps_the_latest() {
        assert_eq!(sparkline(&[0, 50, 100], 3), "▁▄█");
        assert_eq!(sparkline(&[100, 0, 100], 2), "▁█");
        assert_eq!(sparkline(&[], 5), "");
        assert_eq!(sparkline(&[1, 2], 0), "");
    }
}
