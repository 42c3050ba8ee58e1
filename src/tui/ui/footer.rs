//! The two footer lines: the latest answer (toast), else a pending
//! recommendation, else the main keys; then the log path, always.

use super::area;
use super::recommendations::headline;
use super::text::{outside, plain, styled};
use crate::tui::state::UiState;
use crate::tui::theme::Tone;
use crate::tui::view::{CockpitView, ToastKind};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Keys shown in the footer when nothing else needs the line.
const FOOTER_KEYS: &[(&str, &str)] = &[
    ("?", "help"),
    ("h", "hold"),
    ("r", "resume"),
    ("g", "go"),
    ("n", "note"),
    ("d", "decide"),
    ("b", "rollback"),
    ("tab", "focus"),
    ("q", "quit"),
];

/// Replay's footer keys (the screen is read-only: no action keys).
const REPLAY_FOOTER_KEYS: &[(&str, &str)] = &[
    ("?", "help"),
    ("space", "play/pause"),
    ("+/-", "speed"),
    (".", "step"),
    ("n/p", "decision"),
    ("t", "jump"),
    ("q", "quit"),
];

/// Draws the footer into a 2-line area.
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let (status, path) = area::top(area, 1);
    frame.render_widget(Paragraph::new(status_line(view, ui, status.width)), status);
    frame.render_widget(Paragraph::new(path_line(view, ui, path.width)), path);
}

fn status_line(view: &CockpitView, ui: &UiState, width: u16) -> Line<'static> {
    let width = width as usize;
    if let Some(t) = ui.toast.as_ref().or(view.toast.as_ref()) {
        let (sym, word) = match t.kind {
            ToastKind::Info => ("i", "note"),
            ToastKind::Acknowledged => ("✔", "done"),
            ToastKind::Refused => ("✘", "refused"),
        };
        return Line::from(vec![
            styled(format!(" {sym} {word}: "), ui.theme.toast(t.kind)),
            plain(outside(&t.message, width.saturating_sub(14))),
        ]);
    }
    let replay = view.header.replay.is_some();
    if let Some(r) = view.recommendations.first().filter(|_| !replay) {
        return Line::from(vec![
            styled(" ⚑ RECOMMENDATION ", ui.theme.tone(Tone::Bad)),
            plain(headline(r, width.saturating_sub(34))),
            styled("  d", ui.theme.key()),
            plain(" to decide"),
        ]);
    }
    let mut spans: Vec<Span<'static>> = vec![plain(" ")];
    let keys = if replay {
        REPLAY_FOOTER_KEYS
    } else {
        FOOTER_KEYS
    };
    for (k, what) in keys {
        spans.push(styled(*k, ui.theme.key()));
        spans.push(plain(format!(" {what}  ")));
    }
    Line::from(spans)
}

/// `log /path/to/cutover.jsonl · checkpoint 12:ab34cd`: the path is cut
/// from the left if it must be, since its end names the file.
fn path_line(view: &CockpitView, ui: &UiState, width: u16) -> Line<'static> {
    let h = &view.header;
    let checkpoint = h
        .checkpoint
        .as_deref()
        .map(|c| format!(" · checkpoint {}", outside(c, 24)))
        .unwrap_or_default();
    // demo only: whom the keyboard acts as, always in sight
    let (marker, tone) = match &view.forms.acting_as {
        Some(who) => (
            format!(" acting as {} (demo only; a: next) ·", outside(who, 20)),
            Tone::Bad,
        ),
        _ => (String::new(), Tone::Muted),
    };
    let room =
        (width as usize).saturating_sub(6 + checkpoint.chars().count() + marker.chars().count());
    let path = outside(&h.log_path, usize::MAX);
    let n = path.chars().count();
    let path = if n > room {
        let keep: String = path.chars().skip(n - room.saturating_sub(1)).collect();
        format!("…{keep}")
    } else {
        path
    };
    Line::from(vec![
        styled(marker, ui.theme.tone(tone)),
        styled(" log ", ui.theme.tone(Tone::Muted)),
        plain(path),
        styled(checkpoint, ui.theme.tone(Tone::Muted)),
    ])
}
