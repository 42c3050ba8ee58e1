//! "Jump to a time" in replay: the little form (`t`) and what it accepts.
//!
//! `HH:MM` or `HH:MM:SS` is UTC on the window's day (the next day when that
//! is still inside a window that crosses midnight); `+1h20m` counts from the
//! window start. A time outside the log is refused with the log's range, so
//! the reviewer knows what to type instead of landing somewhere surprising.

use crate::core::time::{parse_duration, Dur, Ts};
use crossterm::event::{KeyCode, KeyEvent};

const DAY_MS: i64 = 86_400_000;

/// The jump form's text and the last refusal (shown in the form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JumpForm {
    pub input: String,
    pub error: Option<String>,
}

/// What a key did to the open form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JumpKey {
    /// Still typing (or refused: the error is in the form).
    Open,
    /// Esc: close without moving.
    Cancel,
    /// Enter with a valid time: go there.
    Go(Ts),
}

/// The window's origin (countdown start) and the log's first/last record time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JumpRange {
    pub origin: Ts,
    pub first: Ts,
    pub last: Ts,
}

impl JumpForm {
    /// Applies one key: text editing, Esc, or Enter (validated against `range`).
    pub fn key(&mut self, k: KeyEvent, range: JumpRange) -> JumpKey {
        match k.code {
            KeyCode::Esc => return JumpKey::Cancel,
            KeyCode::Enter => match parse_jump(&self.input, range) {
                Ok(t) => return JumpKey::Go(t),
                Err(e) => self.error = Some(e),
            },
            KeyCode::Backspace => {
                self.input.pop();
                self.error = None;
            }
            KeyCode::Char(c) if !c.is_control() && self.input.chars().count() < 24 => {
                self.input.push(c);
                self.error = None;
            }
            _ => {}
        }
        JumpKey::Open
    }
}

/// Reads the form's text as a log time inside `range`, or says what is wrong.
pub fn parse_jump(text: &str, range: JumpRange) -> Result<Ts, String> {
    let text = text.trim();
    let t = if let Some(rest) = text.strip_prefix('+') {
        let d = parse_duration(rest).map_err(|e| format!("{e}; or type HH:MM[:SS] UTC"))?;
        range.origin + d
    } else {
        clock_time(text, range)?
    };
    if t < range.first || t > range.last {
        return Err(format!(
            "{} is outside the log ({} to {} UTC)",
            t.hms(),
            range.first.hms(),
            range.last.hms()
        ));
    }
    Ok(t)
}

/// `HH:MM[:SS]` on the origin's UTC day (or the next, when that is in the log).
fn clock_time(text: &str, range: JumpRange) -> Result<Ts, String> {
    let bad = || {
        format!("\"{text}\" is not a time: type HH:MM or HH:MM:SS (UTC), or +1h20m from the window start")
    };
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
        return Err(bad());
    }
    let num = |p: &str, max: i64| -> Result<i64, String> {
        match p.parse::<i64>() {
            Ok(n) if (0..=max).contains(&n) && p.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(bad()),
        }
    };
    let h = num(parts[0], 23)?;
    let m = num(parts[1], 59)?;
    let s = parts.get(2).map(|p| num(p, 59)).transpose()?.unwrap_or(0);
    let day = range.origin.0.div_euclid(DAY_MS) * DAY_MS;
    let t = Ts(day) + Dur((h * 3600 + m * 60 + s) * 1000);
    let next_day = t + Dur(DAY_MS);
    // a window crossing midnight: 01:30 means the morning after
    if t < range.first && next_day <= range.last {
        return Ok(next_day);
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    /// 2026-11-28 22:00:00 UTC.
    const ORIGIN: Ts = Ts(1_795_903_200_000);

    fn range() -> JumpRange {
        JumpRange {
            origin: ORIGIN,
            first: ORIGIN + Dur::from_secs(5),
            last: ORIGIN + Dur::from_mins(300),
        }
    }

    #[test]
    fn clock_times_are_utc_on_the_window_day_or_the_morning_after() {
        assert_eq!(ORIGIN.hms(), "22:00:00");
        let t = parse_jump("22:30", range()).unwrap();
        assert_eq!(t, ORIGIN + Dur::from_mins(30));
        let t = parse_jump("01:30:15", range()).unwrap();
        assert_eq!(t, ORIGIN + Dur::from_mins(210) + Dur::from_secs(15));
    }

    #[test]
    fn offsets_count_from_the_window_start() {
        let t = parse_jump("+1h20m", range()).unwrap();
        assert_eq!(t, ORIGIN + Dur::from_mins(80));
    }

    #[test]
    fn bad_and_out_of_range_input_is_explained() {
        let e = parse_jump("25:00", range()).unwrap_err();
        assert!(e.contains("not a time") && e.contains("HH:MM"), "{e}");
        let e = parse_jump("+1x", range()).unwrap_err();
        assert!(e.contains("unknown unit"), "{e}");
        let e = parse_jump("21:00", range()).unwrap_err();
        assert!(
            e.contains("outside the log (22:00:05 to 03:00:00 UTC)"),
            "{e}"
        );
        let e = parse_jump("+9h", range()).unwrap_err();
        assert!(e.contains("outside the log"), "{e}");
    }

    #[test]
    fn the_form_types_refuses_and_submits() {
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        let mut f = JumpForm::default();
        for c in "2x".chars() {
            assert_eq!(f.key(key(KeyCode::Char(c)), range()), JumpKey::Open);
        }
        assert_eq!(f.key(key(KeyCode::Enter), range()), JumpKey::Open);
        assert!(f.error.is_some(), "the refusal is shown in the form");
        f.key(key(KeyCode::Backspace), range());
        for c in "3:00".chars() {
            f.key(key(KeyCode::Char(c)), range());
        }
        assert_eq!(f.error, None);
        assert_eq!(
            f.key(key(KeyCode::Enter), range()),
            JumpKey::Go(ORIGIN + Dur::from_mins(60))
        );
        assert_eq!(f.key(key(KeyCode::Esc), range()), JumpKey::Cancel);
    }
}
