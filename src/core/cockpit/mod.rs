//! The cockpit state machine: `Cockpit::handle(msg, now) -> Vec<Effect>`.

pub mod msg;

pub use msg::{Action, Answer, Effect, IssueSeverity, Msg};
