//! The config: model and TOML parsing with positions.

pub mod model;

pub use model::*;
