//! The application edge: wires the pure core, the journal, the probes, the
//! simulator and the TUI into the live cockpit (`cutover run`, `cutover demo`).

pub mod baseline;
pub use crate::clock;
pub mod feed;
pub mod form_hints;
pub mod live;
pub mod log_tail;
pub mod rehearse;
pub mod replay;
pub mod replay_jump;
pub mod replay_seek;
pub mod replay_timeline;
pub mod session;
pub mod shared;
pub mod start;
pub mod view_model;
