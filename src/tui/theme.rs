//! Colours and emphasis, chosen once at start and passed to every renderer.
//!
//! State is never shown by colour alone (the symbol and word come from
//! `tui::label`); colour only adds speed. With `NO_COLOR` set the theme uses
//! bold/reverse emphasis instead, so banners still stand out.

use crate::tui::view::{GateState, PhaseState, StepStatus, ThresholdState, ToastKind};
use ratatui::style::{Color, Modifier, Style};

/// A tone a piece of state has, independent of how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Progress,
    Bad,
    Unknown,
    Exception,
    Manual,
    Muted,
    Plain,
}

/// How tones and banners are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// False under `NO_COLOR`: no colour, only modifiers.
    pub color: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::colored()
    }
}

impl Theme {
    /// Full colour.
    pub fn colored() -> Theme {
        Theme { color: true }
    }

    /// No colour at all (`NO_COLOR`).
    pub fn monochrome() -> Theme {
        Theme { color: false }
    }

    /// Honours `NO_COLOR` (set and non-empty, see no-color.org). Call once at start.
    pub fn from_env() -> Theme {
        Theme::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given `NO_COLOR` value (testable without touching the environment).
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        match value {
            Some(v) if !v.is_empty() => Theme::monochrome(),
            _ => Theme::colored(),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The style of a tone's symbol and word.
    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Good => self.fg(Color::Green),
            Tone::Progress => self.fg(Color::Yellow),
            Tone::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Tone::Unknown => self.fg(Color::Magenta),
            Tone::Exception => self.fg(Color::Cyan),
            Tone::Manual => self.fg(Color::Blue),
            Tone::Muted => {
                if self.color {
                    Style::new().fg(Color::DarkGray)
                } else {
                    Style::new().add_modifier(Modifier::DIM)
                }
            }
            Tone::Plain => Style::new(),
        }
    }

    /// The stop-the-line banner: white on red (reverse video without colour).
    pub fn hold_banner(&self) -> Style {
        self.banner(Color::White, Color::Red)
    }

    /// The rollback banner: black on magenta (reverse video without colour).
    pub fn rollback_banner(&self) -> Style {
        self.banner(Color::Black, Color::Magenta)
    }

    /// A pending recommendation in the header: an alarm in the colour of
    /// what it asks for (reverse video without colour).
    pub fn alarm_banner(&self, severity: crate::tui::view::Severity) -> Style {
        match severity {
            crate::tui::view::Severity::Rollback => self.banner(Color::White, Color::LightRed),
            crate::tui::view::Severity::Hold => self.banner(Color::Black, Color::Yellow),
        }
    }

    /// Follow mode with the link down: white on red, like an alarm.
    pub fn disconnected_banner(&self) -> Style {
        self.banner(Color::White, Color::Red)
    }

    /// Stale state (follow mode, link down): grey, whatever its tone was,
    /// so old green never reads as current.
    pub fn stale(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray).bg(Color::Reset)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// A neutral banner (replay).
    pub fn info_banner(&self) -> Style {
        self.banner(Color::Black, Color::Cyan)
    }

    fn banner(&self, fg: Color, bg: Color) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            s.fg(fg).bg(bg)
        } else {
            s.add_modifier(Modifier::REVERSED)
        }
    }

    /// Titles of regions; the focused one is emphasised.
    pub fn title(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            (false, _) => Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// The selected row in the focused region.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Key names in the footer and help.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The window clock: red when overrun is near.
    pub fn clock(&self, overrun_near: bool) -> Style {
        if overrun_near {
            self.tone(Tone::Bad)
        } else {
            Style::new()
        }
    }

    /// A toast by its kind.
    pub fn toast(&self, kind: ToastKind) -> Style {
        match kind {
            ToastKind::Info => Style::new(),
            ToastKind::Acknowledged => self.tone(Tone::Good),
            ToastKind::Refused => self.tone(Tone::Bad),
        }
    }
}

/// Tone of each state, shared by every region.
pub fn gate_tone(s: GateState) -> Tone {
    match s {
        GateState::Pass => Tone::Good,
        GateState::Holding => Tone::Progress,
        GateState::Fail => Tone::Bad,
        GateState::Unknown => Tone::Unknown,
        GateState::Waived => Tone::Exception,
        GateState::Awaiting => Tone::Manual,
    }
}

/// Tone of a threshold state.
pub fn threshold_tone(s: ThresholdState) -> Tone {
    match s {
        ThresholdState::Ok => Tone::Good,
        ThresholdState::Watch => Tone::Progress,
        ThresholdState::Breached => Tone::Bad,
        ThresholdState::Unknown => Tone::Unknown,
        ThresholdState::Inactive => Tone::Muted,
    }
}

/// Tone of a step status.
pub fn step_tone(s: StepStatus) -> Tone {
    match s {
        StepStatus::Pending => Tone::Plain,
        StepStatus::Running => Tone::Progress,
        StepStatus::Done => Tone::Good,
        StepStatus::Skipped => Tone::Muted,
        StepStatus::Blocked => Tone::Bad,
    }
}

/// Tone of a phase state.
pub fn phase_tone(s: PhaseState) -> Tone {
    match s {
        PhaseState::Done => Tone::Good,
        PhaseState::Current => Tone::Progress,
        PhaseState::Pending => Tone::Muted,
        PhaseState::RolledBack => Tone::Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_color_set_and_non_empty_drops_colour() {
        assert!(!Theme::for_no_color(Some(OsStr::new("1"))).color);
        assert!(Theme::for_no_color(Some(OsStr::new(""))).color);
        assert!(Theme::for_no_color(None).color);
    }

    #[test]
    fn monochrome_banners_still_stand_out() {
        let s = Theme::monochrome().hold_banner();
        assert_eq!(s.fg, None);
        assert!(s.add_modifier.contains(Modifier::REVERSED));
    }
}
