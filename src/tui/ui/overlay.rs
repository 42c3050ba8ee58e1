//! Popups drawn over the main screen (help, quit confirmation, forms) and
//! the "too small" notice.

use super::area::centered;
use super::text::{outside, plain, styled};
use crate::tui::form::Form;
use crate::tui::input::{KEYS, REPLAY_KEYS, SCREEN_KEYS};
use crate::tui::state::UiState;
use crate::tui::theme::Tone;
use crate::tui::view::{CockpitView, JumpPrompt};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// Clears `rect`, draws a bordered box titled `title`, returns its inside.
fn popup(frame: &mut Frame, rect: Rect, title: &str, ui: &UiState) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), ui.theme.title(true)));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

/// `?`: every key in two columns (replay's own in replay), then what the symbols mean.
pub fn help(frame: &mut Frame, area: Rect, replay: bool, ui: &UiState) {
    let own = if replay { REPLAY_KEYS } else { KEYS };
    let keys: Vec<&(&str, &str)> = own.iter().chain(SCREEN_KEYS).collect();
    let half = keys.len().div_ceil(2);
    let rect = centered(area, 78, half as u16 + 6);
    let inner = popup(frame, rect, "Keys (any key closes)", ui);
    let col = (inner.width as usize / 2).saturating_sub(1);
    let key_w = 7;
    let cell = |i: usize| -> Vec<Span<'static>> {
        match keys.get(i).copied() {
            Some((k, what)) => vec![
                styled(format!(" {k:<w$}", w = key_w), ui.theme.key()),
                plain(format!(
                    "{:w$}",
                    outside(what, col.saturating_sub(key_w + 1)),
                    w = col.saturating_sub(key_w + 1)
                )),
            ],
            None => vec![],
        }
    };
    let mut lines: Vec<Line<'static>> = (0..half)
        .map(|i| {
            let mut spans = cell(i);
            spans.push(plain(" "));
            spans.extend(cell(i + half));
            Line::from(spans)
        })
        .collect();
    let muted = ui.theme.tone(Tone::Muted);
    lines.push(Line::from(""));
    lines.push(Line::from(styled(
        " gates ✔ pass ◷ holding ✘ fail ? unknown ⚑ waived ✎ awaiting",
        muted,
    )));
    lines.push(Line::from(styled(
        " thresholds ✔ ok ◷ watch ▲ breached · inactive  steps ○ ▶ ✔ ↷ ✘",
        muted,
    )));
    lines.push(Line::from(styled(
        " phases ✔ done ▶ current ○ pending ↶ rolled back",
        muted,
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Replay's `t`: the time typed so far, the refusal if any, how to answer.
pub fn jump(frame: &mut Frame, area: Rect, j: &JumpPrompt, ui: &UiState) {
    let rect = centered(area, 72, 7);
    let inner = popup(frame, rect, "Jump to a time", ui);
    let room = (inner.width as usize).saturating_sub(8);
    let mut lines = vec![Line::from(vec![
        styled("›time: ", ui.theme.title(true)),
        plain(tail(&outside(&j.input, usize::MAX), room)),
        styled("▏", ui.theme.key()),
        styled(
            if j.input.is_empty() {
                " HH:MM[:SS] UTC or +1h20m"
            } else {
                ""
            },
            ui.theme.tone(Tone::Muted),
        ),
    ])];
    match &j.error {
        Some(e) => lines.push(Line::from(styled(
            format!(" ✘ {}", outside(e, 2 * inner.width as usize)),
            ui.theme.tone(Tone::Bad),
        ))),
        None => lines.push(Line::from("")),
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        styled(" enter", ui.theme.key()),
        plain(" jump  "),
        styled("esc", ui.theme.key()),
        plain(" cancel"),
    ]));
    // a refusal names the log's range and may take two lines
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// `q`: ask before leaving.
pub fn confirm_quit(frame: &mut Frame, area: Rect, replay: bool, ui: &UiState) {
    let rect = centered(area, 52, 5);
    let inner = popup(frame, rect, "Quit?", ui);
    // replay only reads the log: it must not promise a record it never writes
    let question = match replay {
        true => " Quit the replay? The log is not changed.",
        false => " Quit the cockpit? The log gets a close record.",
    };
    let lines = vec![
        Line::from(question),
        Line::from(vec![
            styled(" y", ui.theme.key()),
            plain(" quit   "),
            styled("any other key", ui.theme.key()),
            plain(" stay"),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}

/// An open form: one line per field, the focused one marked, then the
/// error (if any) and the keys.
pub fn form(frame: &mut Frame, area: Rect, form: &Form, ui: &UiState) {
    let extra = u16::from(form.note.is_some()) * 2 + u16::from(form.error.is_some()) * 2;
    let height = form.fields.len() as u16 + 5 + extra;
    let rect = centered(area, 72, height);
    let inner = popup(frame, rect, &outside(&form.title, 60), ui);
    let label_w = form.fields.iter().map(|f| f.label.len()).max().unwrap_or(0);
    let room = (inner.width as usize).saturating_sub(label_w + 6);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(note) = &form.note {
        // what the action means before it is submitted (e.g. what a handover leaves)
        lines.push(Line::from(styled(
            format!(" {}", outside(note, 4 * inner.width as usize)),
            ui.theme.tone(Tone::Muted),
        )));
    }
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let marker = if focused { "›" } else { " " };
        let star = if f.required { "*" } else { " " };
        // a passphrase is never drawn: one dot per character typed
        let value = match f.masked {
            true => tail(&"•".repeat(f.value.chars().count()), room),
            false => tail(&outside(&f.value, usize::MAX), room),
        };
        let mut spans = vec![
            styled(
                format!("{marker}{star}{:>label_w$}: ", f.label),
                ui.theme.title(focused),
            ),
            plain(value),
        ];
        if focused {
            spans.push(styled("▏", ui.theme.key()));
        }
        if f.value.is_empty() {
            spans.push(styled(format!(" {}", f.hint), ui.theme.tone(Tone::Muted)));
        } else if !f.choices.is_empty() {
            // the other answers are part of the question, focused or not
            let keys = if focused { " ←/→" } else { "" };
            let of = outside(&f.choices.join(" / "), room);
            spans.push(styled(format!("{keys} ({of})"), ui.theme.tone(Tone::Muted)));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(styled(
            format!(" ✘ {e}"),
            ui.theme.tone(Tone::Bad),
        )));
    }
    lines.push(Line::from(vec![
        styled(" enter", ui.theme.key()),
        plain(" submit  "),
        styled("esc", ui.theme.key()),
        plain(" cancel  "),
        styled("tab", ui.theme.key()),
        plain(" next field"),
    ]));
    // a note or a refusal may need two lines
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// A filled communication template, wrapped, with its keys.
pub fn template(frame: &mut Frame, area: Rect, view: &CockpitView, i: usize, ui: &UiState) {
    let Some(t) = view.templates.get(i) else {
        return;
    };
    let rect = centered(area, 76, 12);
    let title = format!("Template {}/{}: {}", i + 1, view.templates.len(), t.title);
    let inner = popup(frame, rect, &outside(&title, 60), ui);
    let (body, keys) = super::area::bottom(inner, 1);
    let text =
        Paragraph::new(outside(&t.text, usize::MAX)).wrap(ratatui::widgets::Wrap { trim: true });
    frame.render_widget(text, body);
    let keys_line = Line::from(vec![
        styled(" w", ui.theme.key()),
        plain(" write to a file  "),
        styled("←/→", ui.theme.key()),
        plain(" other template  "),
        styled("any key", ui.theme.key()),
        plain(" close"),
    ]);
    frame.render_widget(Paragraph::new(keys_line), keys);
}

/// The end of `s` when it is longer than `max` (the cursor is at the end).
fn tail(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let keep: String = s.chars().skip(n - max.saturating_sub(1)).collect();
    format!("…{keep}")
}

/// Below the minimum size: say so, and still show HOLD and the log path.
pub fn too_small(frame: &mut Frame, area: Rect, view: &CockpitView, ui: &UiState) {
    let w = area.width as usize;
    let mut lines = vec![Line::from(outside(
        &format!(
            "Terminal too small: {}x{}, need {}x{}",
            area.width,
            area.height,
            super::MIN_WIDTH,
            super::MIN_HEIGHT
        ),
        w,
    ))];
    if let Some(h) = &view.header.hold {
        let text = format!("HOLD by {}: {}", h.by, h.reason);
        lines.push(Line::from(styled(
            outside(&text, w),
            ui.theme.hold_banner(),
        )));
    }
    if let Some(r) = &view.header.rollback {
        let text = format!("ROLLBACK {}", r.scope);
        lines.push(Line::from(styled(
            outside(&text, w),
            ui.theme.rollback_banner(),
        )));
    }
    lines.push(Line::from(outside(
        &format!("log {}", view.header.log_path),
        w,
    )));
    lines.push(Line::from(outside("q quits (y confirms)", w)));
    frame.render_widget(Paragraph::new(lines), area);
}
