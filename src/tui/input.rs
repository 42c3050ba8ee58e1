//! Keys to commands. The only place that knows the key map (the help overlay
//! lists the same keys from [`KEYS`] and [`SCREEN_KEYS`]).
//!
//! Precedence: an open form takes every key as text; then the quit
//! confirmation (`y` quits, anything else stays); then the help overlay;
//! then the main screen's keys.

use crate::core::cockpit::Action;
use crate::tui::form::{Amendment, FormKind, FormOutcome, Pending, Secret};
use crate::tui::open_form;
use crate::tui::state::{DetailRef, Overlay, Region, UiState};
use crate::tui::view::{CockpitView, StepStatus, Toast, ToastKind};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What the event loop must do after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send this action to the core (the answer comes back as a toast).
    Act(Action),
    /// Quit was confirmed: close the log and leave.
    Quit,
    /// Only the screen changed (form, focus, overlay, toggle): redraw.
    Redraw,
    /// Write the filled template with this id to a file (the port decides where).
    SaveTemplate(String),
    /// The commander asks for the exact differing keys of this dataset (to a 0600 file).
    WriteExactKeys(String),
    /// Demo only: act as the next roster owner.
    ActAsNext,
    /// Append an amendment of an earlier log record.
    Amend(Amendment),
    /// Unlock the signing key with this passphrase, then do `pending`.
    Unlock {
        passphrase: Secret,
        pending: Box<Pending>,
    },
}

/// The cockpit's own keys with what they do (`?` lists [`SCREEN_KEYS`] after them).
pub const KEYS: &[(&str, &str)] = &[
    ("?", "help (this list)"),
    ("q", "quit (asks; y confirms)"),
    ("h", "HOLD: stop the line"),
    ("r", "resume after a hold"),
    ("g", "go: enter the next phase"),
    ("b", "rollback (scope, rationale)"),
    ("d", "decide a recommendation"),
    ("w", "waive a gate (with expiry)"),
    ("s", "sign off"),
    ("n", "note"),
    ("t", "start selected step"),
    ("x", "selected step done"),
    ("k", "skip selected step"),
    ("!", "selected step blocked"),
    ("i", "open an issue"),
    ("c", "close an issue"),
    ("o", "hand over command"),
    ("p", "communication templates"),
    ("A", "amend the selected log line"),
    ("a", "demo: act as another owner"),
];

/// Screen keys the cockpit and replay share; `?` lists them after either's own.
pub const SCREEN_KEYS: &[(&str, &str)] = &[
    ("m /", "my steps / all steps"),
    ("l", "diagnostics pane"),
    ("tab", "next region (⇧tab back)"),
    ("enter", "detail of the selected row"),
    ("↑ ↓", "select in the region"),
    ("esc", "close help/form/message"),
    ("ctrl-c", "same as q"),
];

/// The keys of `cutover replay` before [`SCREEN_KEYS`] (the screen is read-only).
pub const REPLAY_KEYS: &[(&str, &str)] = &[
    ("?", "help (this list)"),
    ("q", "quit (asks; y confirms)"),
    ("space", "play / pause"),
    ("+ -", "faster / slower (1x..1000x)"),
    (".", "step one record"),
    ("n", "next decision"),
    ("p", "previous decision"),
    ("t", "jump to HH:MM[:SS] or +1h20m"),
];

/// Handles one key against the screen state; `None` means nothing changed.
pub fn handle_key(ui: &mut UiState, view: &CockpitView, key: KeyEvent) -> Option<Command> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c && ui.overlay != Overlay::ConfirmQuit {
        ui.overlay = Overlay::ConfirmQuit;
        return Some(Command::Redraw);
    }
    match &mut ui.overlay {
        Overlay::Form(form) => match form.key(key, view.now) {
            FormOutcome::Editing => Some(Command::Redraw),
            FormOutcome::Cancelled => {
                let asked = matches!(form.kind, FormKind::Passphrase { .. });
                ui.overlay = Overlay::None;
                if asked {
                    // Esc on the passphrase: what waited for it is not taken
                    ui.submitted = None;
                    return Some(toast(
                        ui,
                        ToastKind::Info,
                        "not taken: the passphrase was not given (the key stays locked)",
                    ));
                }
                Some(Command::Redraw)
            }
            FormOutcome::Submitted(action) => {
                // kept until the core answers: a refusal reopens it as typed
                if let Overlay::Form(f) = std::mem::take(&mut ui.overlay) {
                    ui.submitted = Some(f);
                }
                Some(Command::Act(action))
            }
            FormOutcome::Amend(a) => {
                ui.overlay = Overlay::None;
                Some(Command::Amend(a))
            }
            FormOutcome::Unlock {
                passphrase,
                pending,
            } => {
                ui.overlay = Overlay::None;
                Some(Command::Unlock {
                    passphrase,
                    pending,
                })
            }
        },
        Overlay::ConfirmQuit => {
            let yes = matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) || ctrl_c;
            ui.overlay = Overlay::None;
            Some(if yes { Command::Quit } else { Command::Redraw })
        }
        Overlay::Help => {
            ui.overlay = Overlay::None;
            Some(Command::Redraw)
        }
        Overlay::Template(i) => {
            let i = *i;
            Some(template_key(ui, view, i, key))
        }
        Overlay::Detail(d) => {
            if key.code == KeyCode::Char('c') && d.region == Region::Issues {
                // close the issue shown, from its detail
                let i = Region::ALL.iter().position(|r| *r == Region::Issues);
                if let Some(slot) = i.and_then(|i| ui.selected.get_mut(i)) {
                    *slot = d.index;
                }
                ui.focus = Region::Issues;
                ui.overlay = Overlay::Form(open_form::issue_close(view, ui));
                return Some(Command::Redraw);
            }
            if key.code == KeyCode::Char('A') && d.region == Region::Log {
                let i = d.index;
                return Some(amend_key(ui, view, Some(i)));
            }
            if key.code == KeyCode::Char('e') && d.region == Region::Endpoints {
                let ds = view
                    .datasets
                    .get(d.index.wrapping_sub(view.endpoints.len()));
                if let Some(ds) = ds {
                    return Some(Command::WriteExactKeys(ds.dataset.clone()));
                }
            }
            match key.code {
                KeyCode::Up => d.scroll = d.scroll.saturating_sub(1),
                KeyCode::Down => d.scroll = d.scroll.saturating_add(1),
                KeyCode::PageUp => d.scroll = d.scroll.saturating_sub(10),
                KeyCode::PageDown => d.scroll = d.scroll.saturating_add(10),
                _ => ui.overlay = Overlay::None,
            }
            Some(Command::Redraw)
        }
        Overlay::None => main_key(ui, view, key),
    }
}

/// Keys of the main screen.
fn main_key(ui: &mut UiState, view: &CockpitView, key: KeyEvent) -> Option<Command> {
    let had_toast = ui.toast.take().is_some();
    let redraw_if_toast = || had_toast.then_some(Command::Redraw);
    if let Some(cmd) = navigation_key(ui, view, key) {
        return Some(cmd);
    }
    let KeyCode::Char(c) = key.code else {
        return redraw_if_toast();
    };
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return redraw_if_toast();
    }
    if view.header.replay.is_some() && is_action_key(c) {
        return Some(toast(ui, ToastKind::Info, "replay is read-only"));
    }
    match c {
        'q' => ui.overlay = Overlay::ConfirmQuit,
        '?' => ui.overlay = Overlay::Help,
        'l' => ui.show_diagnostics = !ui.show_diagnostics,
        'p' if view.templates.is_empty() => {
            return Some(toast(ui, ToastKind::Info, "this runbook has no templates"))
        }
        'p' => ui.overlay = Overlay::Template(0),
        'm' | '/' => {
            ui.only_mine = !ui.only_mine;
            ui.selected[0] = 0;
        }
        't' | 'x' | 'k' | '!' => return step_key(ui, view, c),
        'a' if view.forms.demo_keyboard.is_some() => return Some(Command::ActAsNext),
        'A' => return Some(amend_key(ui, view, None)),
        _ => match form_for(ui, view, c) {
            Some(Ok(form)) => ui.overlay = Overlay::Form(form),
            Some(Err((kind, msg))) => return Some(toast(ui, kind, &msg)),
            None => return redraw_if_toast(),
        },
    }
    Some(Command::Redraw)
}

fn is_action_key(c: char) -> bool {
    "hrgbdwsntxk!icoA".contains(c)
}

/// `A`: amend the log line selected in the log pane (or shown in its
/// detail, `at`); the amendment form names the record.
fn amend_key(ui: &mut UiState, view: &CockpitView, at: Option<usize>) -> Command {
    let rows = view.log_tail.len();
    let i = match at {
        Some(i) => i,
        None if ui.focus == Region::Log && rows > 0 => ui.selection(Region::Log),
        None => {
            return toast(
                ui,
                ToastKind::Info,
                "select the log line to amend first: tab to the cutover log, ↑/↓, then A",
            )
        }
    };
    let Some(line) = view.log_tail.get(i.min(rows.saturating_sub(1))) else {
        return toast(ui, ToastKind::Info, "the log has no line to amend yet");
    };
    let text = format!(
        "{} {} {}",
        line.kind.as_str(),
        crate::core::sanitize::inert_short(&line.actor, 16),
        crate::core::sanitize::inert_short(&line.summary, 60)
    );
    ui.overlay = Overlay::Form(open_form::amend(line.seq, &text));
    Command::Redraw
}

/// In the template popup: ←/→ switch template, `w` writes it to a file,
/// any other key closes.
fn template_key(ui: &mut UiState, view: &CockpitView, i: usize, key: KeyEvent) -> Command {
    let n = view.templates.len().max(1);
    match key.code {
        KeyCode::Left => ui.overlay = Overlay::Template((i + n - 1) % n),
        KeyCode::Right => ui.overlay = Overlay::Template((i + 1) % n),
        KeyCode::Char('w') => {
            if let Some(t) = view.templates.get(i) {
                return Command::SaveTemplate(t.id.clone());
            }
        }
        _ => ui.overlay = Overlay::None,
    }
    Command::Redraw
}

/// Tab/arrows/Esc on the main screen.
fn navigation_key(ui: &mut UiState, view: &CockpitView, key: KeyEvent) -> Option<Command> {
    match key.code {
        KeyCode::Tab => ui.focus = ui.focus.next(),
        KeyCode::BackTab => ui.focus = ui.focus.prev(),
        KeyCode::Up | KeyCode::Down => {
            let delta = if key.code == KeyCode::Up { -1 } else { 1 };
            let rows = ui.rows(view, ui.focus);
            ui.move_selection(delta, rows);
        }
        KeyCode::Esc => {}
        KeyCode::Enter => {
            let rows = ui.rows(view, ui.focus);
            if rows == 0 {
                return None;
            }
            ui.overlay = Overlay::Detail(DetailRef {
                region: ui.focus,
                index: ui.selection(ui.focus).min(rows - 1),
                scroll: 0,
            });
        }
        _ => return None,
    }
    Some(Command::Redraw)
}

/// The action a form key stands for, as `FormHints::refused` names it.
fn action_name(c: char) -> Option<&'static str> {
    Some(match c {
        'h' => "hold",
        'r' => "resume",
        'g' => "go",
        'b' => "rollback",
        'w' => "waive",
        's' => "signoff",
        'd' => "decide",
        'c' => "issue_close",
        'o' => "handover",
        _ => return None,
    })
}

/// The form an action key opens, or why it cannot open one now: a form
/// opens only when its action can succeed for this operator now.
fn form_for(
    ui: &UiState,
    view: &CockpitView,
    c: char,
) -> Option<Result<crate::tui::form::Form, (ToastKind, String)>> {
    if let Some(why) = action_name(c).and_then(|a| view.forms.refused.get(a)) {
        return Some(Err((ToastKind::Refused, why.clone())));
    }
    Some(Ok(match c {
        'n' => open_form::single(FormKind::Note, "Note", "text"),
        'h' => open_form::single(FormKind::Hold, "HOLD: stop the line", "reason"),
        'r' => open_form::single(FormKind::Resume, "Resume", "rationale"),
        'g' => open_form::go(view),
        'b' => open_form::rollback(view),
        'w' => open_form::waive(view, ui),
        's' => match open_form::signoff(view) {
            Some(f) => f,
            None => {
                let why = "no sign-off is awaited in this phase".into();
                return Some(Err((ToastKind::Info, why)));
            }
        },
        'd' => match open_form::decide(view, ui) {
            Some(f) => f,
            None => {
                let why = "no recommendation is pending".into();
                return Some(Err((ToastKind::Info, why)));
            }
        },
        'i' => open_form::issue_open(view),
        'c' => open_form::issue_close(view, ui),
        'o' => open_form::handover(view),
        _ => return None,
    }))
}

/// Step keys act on the selected step: start and done go straight to the
/// core, skip and blocked ask for a reason.
fn step_key(ui: &mut UiState, view: &CockpitView, c: char) -> Option<Command> {
    let Some(step) = ui.selected_step(view) else {
        return Some(toast(ui, ToastKind::Info, "no step is selected"));
    };
    let id = step.id.clone();
    let title = crate::core::sanitize::inert_short(&step.title, 40);
    let action = match c {
        't' => "start",
        'x' => "done",
        'k' => "skip",
        _ => "blocked",
    };
    if let Some(why) = step.refused.get(action) {
        // refused before any form opens: why, and what would make it possible
        return Some(toast(ui, ToastKind::Refused, &why.clone()));
    }
    Some(match c {
        't' if step.status == StepStatus::Running => {
            toast(ui, ToastKind::Info, "that step is already running")
        }
        't' => Command::Act(Action::StepStart { step: id }),
        'x' => Command::Act(Action::StepDone { step: id }),
        'k' => {
            let kind = FormKind::StepSkip { step: id };
            ui.overlay = Overlay::Form(open_form::single(kind, format!("Skip: {title}"), "reason"));
            Command::Redraw
        }
        _ => {
            let kind = FormKind::StepBlocked { step: id };
            let form = open_form::single(kind, format!("Blocked: {title}"), "reason");
            ui.overlay = Overlay::Form(form);
            Command::Redraw
        }
    })
}

fn toast(ui: &mut UiState, kind: ToastKind, message: &str) -> Command {
    ui.toast_at = None; // its age starts at the next view
    ui.toast = Some(Toast {
        kind,
        message: message.to_string(),
    });
    Command::Redraw
}

/// Whether a region is the focused one (renderers highlight its selection).
pub fn is_focused(ui: &UiState, region: Region) -> bool {
    ui.overlay == Overlay::None && ui.focus == region
}
