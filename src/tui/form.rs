//! Small forms that collect an action's fields before it goes to the core.
//!
//! Inside a form every printable key is text (typing "q" or "h" in a note
//! must never quit or hold). Enter submits once every required field has a
//! value (so a rationale-only form submits on Enter); Esc cancels; tab and
//! the up/down arrows move between fields; left/right cycle a field's
//! suggestions.
//!
//! A masked field (the passphrase) is never drawn, printed by `Debug` or
//! put in an error; its text is wiped when the field is dropped.

use crate::core::cockpit::{Action, Answer, IssueSeverity};
use crate::core::time::{parse_duration, Ts};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::{Zeroize, Zeroizing};

/// A typed passphrase on its way to the key file: wiped when dropped,
/// never shown by `Debug`.
#[derive(Clone, PartialEq, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(text: String) -> Secret {
        Secret(Zeroizing::new(text))
    }
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(hidden)")
    }
}

/// What waits for the signing key to be unlocked: the action or the
/// amendment that will be signed once the passphrase is given.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Act(Action),
    Amend(Amendment),
}

/// An amendment of an earlier log record (the record itself never changes).
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    /// The seq of the record amended.
    pub seq: u64,
    /// Why it is amended (required).
    pub reason: String,
    /// What it should have said, if anything (may be empty).
    pub correction: String,
}

/// Which action a form builds; carries what the form does not ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    Note,
    Hold,
    Resume,
    Go,
    Rollback,
    Waive,
    SignOff {
        phases_by_role: Vec<(String, String)>,
    },
    Decide {
        threshold: String,
    },
    StepSkip {
        step: String,
    },
    StepBlocked {
        step: String,
    },
    IssueOpen,
    IssueClose,
    Handover,
    /// Amend log record `seq` (reason, correction).
    Amend {
        seq: u64,
    },
    /// The signing key is locked: its passphrase (masked), then `pending`.
    Passphrase {
        pending: Box<Pending>,
    },
}

/// One text field, possibly with suggestions.
#[derive(Clone, PartialEq, Default)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    pub required: bool,
    /// Values offered with left/right; typing is still allowed.
    pub choices: Vec<String>,
    /// Shown beside an empty field.
    pub hint: &'static str,
    /// A passphrase: drawn as one dot per character, never as text.
    pub masked: bool,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = match self.masked {
            true => "(hidden)",
            false => self.value.as_str(),
        };
        f.debug_struct("Field")
            .field("label", &self.label)
            .field("value", &value)
            .field("required", &self.required)
            .field("choices", &self.choices)
            .field("masked", &self.masked)
            .finish()
    }
}

impl Drop for Field {
    fn drop(&mut self) {
        if self.masked {
            self.value.zeroize();
        }
    }
}

impl Field {
    /// A required free-text field.
    pub fn text(label: &'static str, hint: &'static str) -> Field {
        Field {
            label,
            value: String::new(),
            required: true,
            choices: Vec::new(),
            hint,
            masked: false,
        }
    }

    /// A free-text field that may stay empty.
    pub fn optional(label: &'static str, hint: &'static str) -> Field {
        let mut f = Field::text(label, hint);
        f.required = false;
        f
    }

    /// A required passphrase field: masked on screen and in `Debug`; room
    /// is reserved so typing never leaves an unwiped copy behind.
    pub fn passphrase(label: &'static str, hint: &'static str) -> Field {
        let mut f = Field::text(label, hint);
        f.masked = true;
        f.value = String::with_capacity(256);
        f
    }

    /// A required field with suggestions, prefilled with `value`.
    pub fn choice(label: &'static str, choices: Vec<String>, value: Option<String>) -> Field {
        let value = value
            .or_else(|| choices.first().cloned())
            .unwrap_or_default();
        Field {
            label,
            value,
            required: true,
            choices,
            hint: "←/→ to choose",
            masked: false,
        }
    }

    fn cycle(&mut self, step: isize) {
        if self.choices.is_empty() {
            return;
        }
        let n = self.choices.len() as isize;
        let cur = self
            .choices
            .iter()
            .position(|c| *c == self.value)
            .map_or(if step > 0 { -1 } else { 0 }, |p| p as isize);
        let next = (cur + step).rem_euclid(n) as usize;
        self.value = self.choices[next].clone();
    }
}

/// An open form.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    /// The field being typed into.
    pub focus: usize,
    /// Why the last Enter did not submit (or why the core refused it).
    pub error: Option<String>,
    /// Said above the fields: what the action will mean (e.g. what the
    /// outgoing commander keeps after a handover).
    pub note: Option<String>,
}

/// What a key did to a form.
#[derive(Debug, Clone, PartialEq)]
pub enum FormOutcome {
    /// Still editing (redraw).
    Editing,
    /// Esc: close without acting.
    Cancelled,
    /// Enter with every required field: the action to send.
    Submitted(Action),
    /// Enter on an amendment form.
    Amend(Amendment),
    /// Enter on the passphrase form: unlock with it, then do `pending`.
    Unlock {
        passphrase: Secret,
        pending: Box<Pending>,
    },
}

impl Form {
    /// A form; focus starts on the first required field that is still empty.
    pub fn new(kind: FormKind, title: impl Into<String>, fields: Vec<Field>) -> Form {
        let focus = fields
            .iter()
            .position(|f| f.required && f.value.trim().is_empty())
            .unwrap_or(fields.len().saturating_sub(1));
        Form {
            kind,
            title: title.into(),
            fields,
            focus,
            error: None,
            note: None,
        }
    }

    /// The same form with a note above its fields.
    pub fn with_note(mut self, note: impl Into<String>) -> Form {
        self.note = Some(note.into());
        self
    }

    /// Handles one key; `now` turns a relative expiry ("45m") into a time.
    pub fn key(&mut self, key: KeyEvent, now: Ts) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancelled,
            KeyCode::Enter => return self.submit(now),
            KeyCode::Tab | KeyCode::Down => self.focus_by(1),
            KeyCode::BackTab | KeyCode::Up => self.focus_by(-1),
            code => {
                let Some(field) = self.fields.get_mut(self.focus) else {
                    return FormOutcome::Editing;
                };
                match code {
                    KeyCode::Left => field.cycle(-1),
                    KeyCode::Right => field.cycle(1),
                    KeyCode::Backspace => {
                        field.value.pop();
                    }
                    KeyCode::Char('u') if ctrl => field.value.clear(),
                    KeyCode::Char(c) if !ctrl => field.value.push(c),
                    _ => return FormOutcome::Editing,
                }
            }
        }
        self.error = None;
        FormOutcome::Editing
    }

    fn focus_by(&mut self, delta: isize) {
        let n = self.fields.len().max(1) as isize;
        self.focus = (self.focus as isize + delta).rem_euclid(n) as usize;
    }

    fn value(&self, i: usize) -> String {
        self.fields
            .get(i)
            .map(|f| f.value.trim().to_string())
            .unwrap_or_default()
    }

    fn submit(&mut self, now: Ts) -> FormOutcome {
        if let Some(i) = self
            .fields
            .iter()
            .position(|f| f.required && f.value.trim().is_empty())
        {
            self.focus = i;
            self.error = Some(format!("{} is required", self.fields[i].label));
            return FormOutcome::Editing;
        }
        match &self.kind {
            FormKind::Amend { seq } => {
                return FormOutcome::Amend(Amendment {
                    seq: *seq,
                    reason: self.value(0),
                    correction: self.value(1),
                })
            }
            FormKind::Passphrase { pending } => {
                let pending = pending.clone();
                // taken, not copied: the form keeps no passphrase once submitted
                let typed = self
                    .fields
                    .first_mut()
                    .map(|f| std::mem::take(&mut f.value))
                    .unwrap_or_default();
                return FormOutcome::Unlock {
                    passphrase: Secret::new(typed),
                    pending,
                };
            }
            _ => {}
        }
        match self.build_action(now) {
            Ok(a) => FormOutcome::Submitted(a),
            Err(e) => {
                self.error = Some(e);
                FormOutcome::Editing
            }
        }
    }

    /// The action this form describes, or what is wrong with a field.
    fn build_action(&mut self, now: Ts) -> Result<Action, String> {
        let v = |i| self.value(i);
        Ok(match &self.kind {
            FormKind::Note => Action::Note { text: v(0) },
            FormKind::Hold => Action::Hold { reason: v(0) },
            FormKind::Resume => Action::Resume { rationale: v(0) },
            FormKind::Go => Action::Go { rationale: v(0) },
            FormKind::Rollback => Action::Rollback {
                scope: v(0),
                rationale: v(1),
            },
            FormKind::Waive => Action::Waive {
                gate: v(0),
                owner: v(1),
                reason: v(2),
                expires: self.expiry(3, now)?,
            },
            FormKind::SignOff { phases_by_role } => {
                let role = v(0);
                let phase = phases_by_role
                    .iter()
                    .find(|(r, _)| *r == role)
                    .map(|(_, p)| p.clone())
                    .ok_or_else(|| format!("no sign-off with role \"{role}\" is awaited"))?;
                Action::SignOff {
                    phase,
                    role,
                    statement: v(1),
                }
            }
            FormKind::Decide { threshold } => Action::Decide {
                threshold: threshold.clone(),
                answer: parse_answer(&v(0))?,
                rationale: v(1),
            },
            FormKind::StepSkip { step } => Action::StepSkip {
                step: step.clone(),
                reason: v(0),
            },
            FormKind::StepBlocked { step } => Action::StepBlocked {
                step: step.clone(),
                reason: v(0),
            },
            FormKind::IssueOpen => Action::IssueOpen {
                id: v(0),
                severity: parse_severity(&v(1))?,
                title: v(2),
                owner: v(3),
            },
            FormKind::IssueClose => Action::IssueClose {
                id: v(0),
                rationale: v(1),
            },
            FormKind::Handover => Action::Handover {
                to: v(0),
                rationale: v(1),
            },
            // answered in `submit` (they are not core actions)
            FormKind::Amend { .. } | FormKind::Passphrase { .. } => {
                return Err("this form takes no action".into())
            }
        })
    }

    /// An expiry typed as a duration from now ("45m") or an RFC 3339 time.
    fn expiry(&mut self, i: usize, now: Ts) -> Result<Ts, String> {
        let text = self.value(i);
        if let Some(t) = Ts::parse_rfc3339(&text) {
            return Ok(t);
        }
        parse_duration(&text).map(|d| now + d).map_err(|_| {
            self.focus = i;
            format!("expiry \"{text}\" is neither a duration like 45m nor a time like 2026-11-28T23:30:00Z")
        })
    }
}

fn parse_answer(s: &str) -> Result<Answer, String> {
    match s {
        "rollback" => Ok(Answer::Rollback),
        "hold" => Ok(Answer::Hold),
        "continue" => Ok(Answer::Continue),
        other => Err(format!(
            "answer \"{other}\" is not one of rollback, hold, continue"
        )),
    }
}

fn parse_severity(s: &str) -> Result<IssueSeverity, String> {
    match s {
        "critical" => Ok(IssueSeverity::Critical),
        "major" => Ok(IssueSeverity::Major),
        "minor" => Ok(IssueSeverity::Minor),
        other => Err(format!(
            "severity \"{other}\" is not one of critical, major, minor"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn type_text(f: &mut Form, s: &str) {
        for c in s.chars() {
            assert_eq!(f.key(key(KeyCode::Char(c)), Ts(0)), FormOutcome::Editing);
        }
    }

    #[test]
    fn rationale_form_submits_typed_text_on_enter() {
        let mut f = Form::new(FormKind::Hold, "Hold", vec![Field::text("reason", "")]);
        type_text(&mut f, "quench h");
        f.key(key(KeyCode::Backspace), Ts(0));
        assert_eq!(
            f.key(key(KeyCode::Enter), Ts(0)),
            FormOutcome::Submitted(Action::Hold {
                reason: "quench".into()
            })
        );
    }

    #[test]
    fn empty_required_field_blocks_submit_and_says_which() {
        let mut f = Form::new(FormKind::Go, "Go", vec![Field::text("rationale", "")]);
        type_text(&mut f, "   ");
        assert_eq!(f.key(key(KeyCode::Enter), Ts(0)), FormOutcome::Editing);
        assert_eq!(f.error.as_deref(), Some("rationale is required"));
    }

    #[test]
    fn waive_expiry_accepts_duration_from_now_and_refuses_nonsense() {
        let fields = vec![
            Field::choice("gate", vec!["g1".into()], None),
            Field::choice("owner", vec!["dana".into()], None),
            Field::text("reason", ""),
            Field::text("expires", ""),
        ];
        let mut f = Form::new(FormKind::Waive, "Waive", fields);
        assert_eq!(f.focus, 2, "focus starts on the first empty field");
        type_text(&mut f, "known drift");
        f.key(key(KeyCode::Tab), Ts(0));
        type_text(&mut f, "soon");
        assert_eq!(f.key(key(KeyCode::Enter), Ts(1000)), FormOutcome::Editing);
        assert!(f.error.as_deref().is_some_and(|e| e.contains("soon")));
        f.key(
            KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            Ts(0),
        );
        type_text(&mut f, "45m");
        let FormOutcome::Submitted(Action::Waive { expires, gate, .. }) =
            f.key(key(KeyCode::Enter), Ts(1000))
        else {
            panic!("waive not submitted: {:?}", f.error);
        };
        assert_eq!(gate, "g1");
        assert_eq!(expires, Ts(1000 + 45 * 60_000));
    }

    #[test]
    fn choices_cycle_with_arrows() {
        let choices = vec!["rollback".into(), "hold".into(), "continue".into()];
        let mut f = Form::new(
            FormKind::Decide {
                threshold: "lat".into(),
            },
            "Decide",
            vec![
                Field::choice("answer", choices, None),
                Field::text("rationale", ""),
            ],
        );
        f.key(key(KeyCode::Up), Ts(0));
        f.key(key(KeyCode::Left), Ts(0));
        assert_eq!(f.fields[0].value, "continue");
        f.key(key(KeyCode::Right), Ts(0));
        assert_eq!(f.fields[0].value, "rollback");
    }

    #[test]
    fn escape_cancels() {
        let mut f = Form::new(FormKind::Note, "Note", vec![Field::text("text", "")]);
        type_text(&mut f, "x");
        assert_eq!(f.key(key(KeyCode::Esc), Ts(0)), FormOutcome::Cancelled);
    }
}
