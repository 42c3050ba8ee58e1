//! The cockpit's terminal UI (an edge: crossterm, tokio, ratatui).
//!
//! - [`view`]: the plain-data `CockpitView` the lead builds from the core.
//! - [`ui::render`]: a pure function of (view, screen state) drawing one frame.
//! - [`input`]: keys to `Command`s (`Action`s for the core, or screen-only).
//! - [`form`]: the small forms that collect an action's fields.
//! - [`app::run`]: the event loop over one `AppEvent` channel and a `CockpitPort`.
//! - [`diagnostics`]: the program's log for the diagnostics pane.
//! - [`terminal`]: raw mode / alternate screen guard, panic hook, key reader.

pub mod app;
pub mod diagnostics;
pub mod form;
pub mod input;
pub mod label;
pub mod notation;
mod open_form;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod view;

pub use app::{run, ActResult, AppEvent, CockpitPort, Exit, Outcome, TuiError};
pub use input::{handle_key, Command};
pub use state::{Overlay, Region, UiState};
pub use theme::Theme;
pub use ui::render;
pub use view::CockpitView;
