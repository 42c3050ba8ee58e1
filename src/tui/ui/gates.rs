//! Gates and sign-offs: state, `for` progress, each comparison's current
//! value beside its limit, waivers with owner and expiry.

use super::text::{self, outside, plain, styled};
use crate::tui::label;
use crate::tui::notation::{self, Meaning};
use crate::tui::state::{Region, UiState};
use crate::tui::theme::{gate_tone, Tone};
use crate::tui::view::{CockpitView, ComparisonView, GateKind, GateState, GateView, SignOffView};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// "Gates 2/4 pass · 1 waived · 1 awaiting sign-off · 1 advisory": a waived
/// gate and an awaited sign-off are not counted as passing (go needs the
/// sign-off); advisory gates never block go, so they are counted apart.
pub fn title(view: &CockpitView) -> String {
    let (advisory, deciding): (Vec<&GateView>, Vec<&GateView>) =
        view.gates.iter().partition(|g| g.advisory);
    let count = |s: GateState| deciding.iter().filter(|g| g.state == s).count();
    let awaiting = view
        .signoffs
        .iter()
        .filter(|s| s.signed_at.is_none())
        .count();
    let total = deciding.len() + view.signoffs.len();
    let pass = count(GateState::Pass) + view.signoffs.len() - awaiting;
    let mut t = format!("Gates {pass}/{total} pass");
    if count(GateState::Waived) > 0 {
        t.push_str(&format!(" · {} waived", count(GateState::Waived)));
    }
    if awaiting > 0 {
        t.push_str(&format!(" · {awaiting} awaiting sign-off"));
    }
    if !advisory.is_empty() {
        let failing = advisory
            .iter()
            .filter(|g| g.state != GateState::Pass)
            .count();
        t.push_str(&format!(" · {} advisory", advisory.len()));
        if failing > 0 {
            t.push_str(&format!(" ({failing} not passing)"));
        }
    }
    t
}

/// Draws the gates region; comparisons get their own line when there is room.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let title = title(view);
    let inner = text::region(frame, area, ui, Region::Gates, title);
    if view.gates.is_empty() && view.signoffs.is_empty() {
        text::empty(frame, inner, ui, "no gates in this phase");
        return;
    }
    let width = inner.width as usize;
    let rows_needed = 2 * view.gates.len() + view.signoffs.len();
    let two_lines = rows_needed <= inner.height as usize;
    let n = view.gates.len();
    let list = text::List::of(ui, Region::Gates, n + view.signoffs.len());
    let height = |i: usize| if two_lines && i < n { 2 } else { 1 };
    text::rows(frame, inner, ui, list, height, |i| {
        match view.gates.get(i) {
            Some(g) => gate_rows(g, ui, width, two_lines),
            None => vec![signoff_line(&view.signoffs[i - n], ui, width)],
        }
    });
}

fn gate_rows(g: &GateView, ui: &UiState, width: usize, two_lines: bool) -> Vec<Line<'static>> {
    let (sym, word) = label::gate(g.state);
    let mut first = vec![text::state(ui, sym, word, gate_tone(g.state), 8)];
    if g.kind == GateKind::Entry {
        first.push(styled(" entry", ui.theme.tone(Tone::Muted)));
    }
    if g.advisory {
        first.push(styled(" advisory", ui.theme.tone(Tone::Muted)));
    }
    let extra = detail(g);
    let room = width.saturating_sub(12 + extra.chars().count());
    first.push(plain(format!(" {}", outside(&g.title, room.max(6)))));
    if !extra.is_empty() {
        first.push(styled(
            format!(" {extra}"),
            ui.theme.tone(gate_tone(g.state)),
        ));
    }
    let comparisons = comparisons(&g.comparisons, width.saturating_sub(4));
    if two_lines && !comparisons.is_empty() {
        return vec![
            Line::from(first),
            Line::from(vec![
                plain("    "),
                styled(comparisons, ui.theme.tone(Tone::Muted)),
            ]),
        ];
    }
    vec![Line::from(first)]
}

/// The `for` progress or the waiver, whichever applies.
fn detail(g: &GateView) -> String {
    if let Some(w) = &g.waiver {
        return format!(
            "by {} until {}: {}",
            outside(&w.owner, 12),
            w.expires.hms(),
            outside(&w.reason, 30)
        );
    }
    match g.held_for {
        Some((held, of)) => label::progress(held, of),
        None => String::new(),
    }
}

/// `p95 1,121 ms · needs below 800 ms; …`: every comparison as a sentence.
pub fn comparisons(cs: &[ComparisonView], max: usize) -> String {
    outside(&notation::sentences(cs, Meaning::Needs), max)
}

fn signoff_line(s: &SignOffView, ui: &UiState, width: usize) -> Line<'static> {
    let (state, tone) = match s.signed_at {
        Some(_) => (("✔", "signed"), Tone::Good),
        None => (
            label::gate(GateState::Awaiting),
            gate_tone(GateState::Awaiting),
        ),
    };
    let when = s
        .signed_at
        .map(|t| format!(" at {}", t.hms()))
        .unwrap_or_default();
    let role = outside(&s.role, width.saturating_sub(30).max(6));
    let spans: Vec<Span<'static>> = vec![
        text::state(ui, state.0, state.1, tone, 8),
        plain(format!(" sign-off {role}")),
        styled(
            format!(" ({}){when}", outside(&s.owner, 12)),
            ui.theme.tone(Tone::Muted),
        ),
    ];
    Line::from(spans)
}
