//! cutover-cockpit: a terminal cockpit for running a system cutover.
//!
//! `core` is pure (model, validation, expressions, gate/threshold evaluation,
//! the cockpit state machine). Everything else is an edge around it: probes,
//! the journal (cutover log), the simulator, the terminal UI, the team server.
//!
//! Lints (no unsafe, no unwrap/expect outside tests) are declared once, in
//! the workspace manifest.

pub mod app;
pub mod clock;
pub use cutover_core as core;
pub mod follow;
#[doc(hidden)]
pub mod fuzzing;
pub mod journal;
pub mod notify;
pub mod probe;
pub mod report;
pub mod serve;
pub mod session_port;
pub mod sign;
pub mod sim;
pub mod tui;
