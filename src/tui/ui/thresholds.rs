//! Thresholds (rollback/hold triggers): value against limit as a gauge,
//! breach timer against `for`, scope, state in words.

use super::text::{self, outside, plain, styled};
use crate::tui::label;
use crate::tui::notation::{self, Meaning};
use crate::tui::state::{Region, UiState};
use crate::tui::theme::{threshold_tone, Tone};
use crate::tui::view::{CockpitView, ComparisonView, ThresholdState, ThresholdView};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

/// Draws the thresholds region; the gauge gets its own line when there is room.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let title = title(view);
    let inner = text::region(frame, area, ui, Region::Thresholds, title);
    if view.thresholds.is_empty() {
        text::empty(frame, inner, ui, "no thresholds");
        return;
    }
    let width = inner.width as usize;
    let list = text::List::of(ui, Region::Thresholds, view.thresholds.len());
    text::rows_one_or_two(frame, inner, ui, list, |i, two| {
        threshold_rows(&view.thresholds[i], ui, width, two)
    });
}

/// "Thresholds 1 alarming · 1 handled · 1 advisory over limit": an advisory
/// threshold never recommends, so it is never counted as alarming.
pub fn title(view: &CockpitView) -> String {
    let over =
        |t: &&ThresholdView| matches!(t.state, ThresholdState::Watch | ThresholdState::Breached);
    let alarming = view
        .thresholds
        .iter()
        .filter(over)
        .filter(|t| t.handled.is_none() && !t.advisory)
        .count();
    let handled = view
        .thresholds
        .iter()
        .filter(|t| t.handled.is_some())
        .count();
    let mut title = format!("Thresholds {alarming} alarming");
    if handled > 0 {
        title.push_str(&format!(" · {handled} handled"));
    }
    let advisory = view
        .thresholds
        .iter()
        .filter(over)
        .filter(|t| t.advisory)
        .count();
    if advisory > 0 {
        title.push_str(&format!(" · {advisory} advisory over limit"));
    }
    title
}

fn threshold_rows(t: &ThresholdView, ui: &UiState, width: usize, two: bool) -> Vec<Line<'static>> {
    let (sym, word) = label::threshold(t.state);
    let tone = match threshold_tone(t.state) {
        // an advisory breach alarms nobody: shown, not in the alarm colour
        Tone::Bad if t.advisory => Tone::Progress,
        tone => tone,
    };
    let action = t.severity.word();
    let scope = match &t.scope {
        Some(sc) => format!(" → {action} {sc}"),
        None => format!(" → {action}"),
    };
    let timer = t
        .breach_for
        .map(|(run, of)| format!(" ◷ {}", label::progress(run, of)))
        .unwrap_or_default();
    let unknown = match (t.inputs_unknown, t.advisory) {
        (true, true) => " inputs ? · advisory",
        (true, false) => " inputs ?",
        (false, true) => " · advisory",
        (false, false) => "",
    };
    // a settled recommendation: say who handled it instead of the running timer
    let timer = match &t.handled {
        Some(h) => format!(" {h}"),
        None => timer,
    };
    let numbers = format!("{}{timer}{unknown}", value_vs_limit(t));
    let muted = ui.theme.tone(Tone::Muted);
    // not evaluated in this phase: a gauge of `?` would look like a fault
    let idle = t.state == ThresholdState::Inactive && t.comparison.value.is_none();
    let numbers = if idle { String::new() } else { numbers };
    if two {
        let (id_w, scope_w) = share(width.saturating_sub(11), t.id.chars().count(), &scope);
        let head = Line::from(vec![
            text::state(ui, sym, word, tone, 8),
            plain(format!(" {}", text::outside_mid(&t.id, id_w))),
            styled(outside(&scope, scope_w), muted),
        ]);
        if idle {
            return vec![
                head,
                Line::from(styled("   not watched in this phase", muted)),
            ];
        }
        // the timer stays whole, the sentence comes next, the gauge takes what is left
        let tail = format!("{timer}{unknown}");
        let room = width.saturating_sub(3 + tail.chars().count());
        let sentence = value_vs_limit(t);
        let bar_w = room.saturating_sub(sentence.chars().count() + 3).min(24);
        let mut spans = vec![plain("   ")];
        let mut room = room;
        if bar_w >= 6 {
            spans.push(styled(gauge(&t.comparison, bar_w), ui.theme.tone(tone)));
            spans.push(plain(" "));
            room = room.saturating_sub(bar_w + 3);
        }
        spans.push(plain(outside(&sentence, room)));
        spans.push(plain(tail));
        return vec![head, Line::from(spans)];
    }
    let room = width.saturating_sub(12);
    let numbers = one_line_numbers(
        room,
        t.id.chars().count(),
        numbers,
        format!("{timer}{unknown}"),
    );
    let id_w = room.saturating_sub(numbers.chars().count()).max(6);
    vec![Line::from(vec![
        text::state(ui, sym, word, tone, 8),
        plain(format!(" {} ", text::outside_mid(&t.id, id_w))),
        plain(numbers),
    ])]
}

/// The id is the threshold's name and must stay recognisable: it gets what
/// `room` allows once the scope keeps its first `SCOPE_MIN` columns (enough
/// for ` → rollback`), and the scope text gets the rest.
fn share(room: usize, id_len: usize, scope: &str) -> (usize, usize) {
    let scope_len = scope.chars().count();
    let id_w = id_len
        .min(room.saturating_sub(scope_len.min(SCOPE_MIN)))
        .max(6);
    (id_w, room.saturating_sub(id_w).max(1))
}

/// Columns the scope keeps on a cramped two-line row: ` → rollback…`.
const SCOPE_MIN: usize = 12;

/// On one line the id and the breach timer matter more than the value
/// against its limit: when all three do not fit, the comparison goes first
/// so that neither the name (`retrieval-latency` vs `retrieval-latency-spike`)
/// nor the `for` timer is cut.
fn one_line_numbers(room: usize, id_len: usize, full: String, timer: String) -> String {
    let needed = id_len.min(ONE_LINE_ID);
    if room.saturating_sub(full.chars().count()) >= needed {
        return full;
    }
    timer.trim_start().to_string()
}

/// How much of the id a one-line row keeps before it drops the comparison.
const ONE_LINE_ID: usize = 16;

/// `912 ms · breach above 800 ms; …`: every comparison of the condition.
fn value_vs_limit(t: &ThresholdView) -> String {
    if t.comparisons.is_empty() {
        return notation::sentence(&t.comparison, Meaning::Breach, false);
    }
    notation::sentences(&t.comparisons, Meaning::Breach)
}

/// How close the value is to its limit, 1.0 = at the limit. For `>`/`>=`
/// that is value/limit; for `<`/`<=` (a floor) it is limit/value.
pub fn closeness(c: &ComparisonView) -> Option<f64> {
    let (v, l) = (c.value?, c.limit?);
    let r = match c.op.as_str() {
        "<" | "<=" if v > 0.0 => l / v,
        "<" | "<=" => return Some(1.0),
        _ if l != 0.0 => v / l,
        _ => return None,
    };
    r.is_finite().then_some(r.max(0.0))
}

/// A text gauge `[██████░░░░]`; full and marked `▲` past the limit.
fn gauge(c: &ComparisonView, width: usize) -> String {
    let Some(r) = closeness(c) else {
        return format!("[{}]", "?".repeat(width));
    };
    let filled = ((r.min(1.0) * width as f64).round() as usize).min(width);
    let end = if r > 1.0 { "▲" } else { "]" };
    format!("[{}{}{end}", "█".repeat(filled), "░".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(v: Option<f64>, op: &str, l: f64) -> ComparisonView {
        ComparisonView {
            left: "x".into(),
            op: op.into(),
            value: v,
            limit: Some(l),
            reason: None,
            ..ComparisonView::default()
        }
    }

    #[test]
    fn closeness_counts_toward_the_limit_in_both_directions() {
        assert_eq!(closeness(&cmp(Some(400.0), ">", 800.0)), Some(0.5));
        assert_eq!(closeness(&cmp(Some(0.5), "<", 0.25)), Some(0.5));
        assert_eq!(closeness(&cmp(None, ">", 800.0)), None);
    }

    #[test]
    fn gauge_fills_and_marks_a_breach() {
        assert_eq!(gauge(&cmp(Some(400.0), ">", 800.0), 4), "[██░░]");
        assert_eq!(gauge(&cmp(Some(1600.0), ">", 800.0), 4), "[████▲");
        assert_eq!(gauge(&cmp(None, ">", 800.0), 2), "[??]");
    }
}
