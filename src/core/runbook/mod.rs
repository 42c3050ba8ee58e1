//! The runbook: model, TOML parsing with positions, and validation.

pub mod model;

pub use model::*;
