//! The real terminal: raw mode + alternate screen behind a guard that
//! restores the terminal on drop, on every exit path, and from a panic hook
//! installed before raw mode is entered. Also the thread that turns
//! terminal input into `AppEvent`s.

use crate::tui::app::{AppEvent, TuiError};
use crossterm::event::{self, Event, KeyEventKind};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;
use std::time::Duration;
use tokio::sync::mpsc;

/// The terminal type the cockpit draws on.
pub type CrosstermTerminal = Terminal<CrosstermBackend<Stdout>>;

/// Whether raw mode / the alternate screen are active (restore is idempotent).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Owns the terminal while the cockpit runs; dropping it restores the terminal.
pub struct TerminalGuard {
    terminal: CrosstermTerminal,
}

impl TerminalGuard {
    /// Installs the panic hook, then enters raw mode and the alternate screen.
    pub fn enter() -> Result<TerminalGuard, TuiError> {
        install_panic_hook();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let setup = (|| -> io::Result<CrosstermTerminal> {
            // cleared here, not with `Terminal::clear`, which asks the terminal
            // for the cursor position and fails when the answer is slow (SSH)
            execute!(
                io::stdout(),
                EnterAlternateScreen,
                cursor::Hide,
                Clear(ClearType::All)
            )?;
            Terminal::new(CrosstermBackend::new(io::stdout()))
        })();
        match setup {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                let _ = restore();
                Err(e.into())
            }
        }
    }

    /// The terminal to draw on.
    pub fn terminal(&mut self) -> &mut CrosstermTerminal {
        &mut self.terminal
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Leaves the alternate screen, shows the cursor, ends raw mode. Safe to
/// call more than once and from a panic hook; does nothing if not active.
pub fn restore() -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let screen = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
    let raw = disable_raw_mode();
    screen.and(raw)
}

/// Chains a hook that restores the terminal before the previous hook
/// (color-eyre's or the default) prints the panic. Installed once.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore();
            previous(info);
        }));
    });
}

/// Reads terminal input on its own thread (crossterm's `read` blocks) and
/// forwards keys and resizes; stops when the receiver is gone or input fails.
pub fn spawn_key_reader(tx: mpsc::Sender<AppEvent>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !tx.is_closed() {
            match event::poll(Duration::from_millis(200)) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(_) => break,
            }
            let ev = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => AppEvent::Key(k),
                Ok(Event::Resize(..)) => AppEvent::Resize,
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.blocking_send(ev).is_err() {
                break;
            }
        }
    })
}

/// Sets up tui-logger as the `log` backend for the diagnostics pane (`l`).
/// Call once at start, before the first log line.
pub fn init_diagnostics(level: log::LevelFilter) -> Result<(), TuiError> {
    crate::tui::diagnostics::init(level)
        .map_err(|e| TuiError::Setup(io::Error::other(e.to_string())))
}
