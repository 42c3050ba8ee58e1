//! Shared helpers for the TUI tests: draw a view on a TestBackend, turn the
//! screen into text, a fake `CockpitPort`, key events.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
#[path = "../support/external.rs"]
pub mod external;
#[path = "../support/tmux.rs"]
pub mod tmux;

use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::tui::{ActResult, CockpitPort, CockpitView, UiState};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::sync::{Arc, Mutex};

/// Draws one frame of `view` at `w`x`h` and returns the buffer.
pub fn draw(view: &CockpitView, ui: &UiState, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| cutover_cockpit::tui::render(f, view, ui))
        .unwrap();
    t.backend().buffer().clone()
}

/// The buffer as lines of text (trailing spaces trimmed).
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Position of the first cell where `needle` starts, if on screen.
pub fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let first = needle.chars().next()?;
    let n: Vec<String> = needle.chars().map(String::from).collect();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if buf[(x, y)].symbol() != first.to_string() {
                continue;
            }
            let hit = n.iter().enumerate().all(|(i, s)| {
                let xi = x + i as u16;
                xi < buf.area.width && buf[(xi, y)].symbol() == s
            });
            if hit {
                return Some((x, y));
            }
        }
    }
    None
}

pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// A cockpit stand-in: shows a fixed view, records actions, answers with a
/// scripted result; a `Hold` puts up the HOLD banner like the core would.
#[derive(Clone)]
pub struct FakePort {
    pub view: Arc<Mutex<CockpitView>>,
    pub actions: Arc<Mutex<Vec<Action>>>,
    pub answer: ActResult,
    /// How many times the loop fetched the view.
    pub fetches: Arc<std::sync::atomic::AtomicUsize>,
}

impl FakePort {
    pub fn new(view: CockpitView) -> FakePort {
        FakePort {
            view: Arc::new(Mutex::new(view)),
            actions: Arc::default(),
            answer: ActResult::Acknowledged("recorded".into()),
            fetches: Arc::default(),
        }
    }
}

impl CockpitPort for FakePort {
    fn view(&self) -> CockpitView {
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.view.lock().expect("fake port lock").clone()
    }

    fn act(&mut self, action: Action) -> ActResult {
        if let Action::Hold { reason } = &action {
            let mut v = self.view.lock().expect("fake port lock");
            let operator = v.header.operator.clone();
            v.header.hold = Some(cutover_cockpit::tui::view::HoldBanner {
                by: operator,
                reason: reason.clone(),
                since: v.now,
            });
        }
        self.actions.lock().expect("fake port lock").push(action);
        self.answer.clone()
    }
}
