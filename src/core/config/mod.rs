//! The config: model and TOML parsing with positions.

pub mod model;
pub mod parse;
pub mod serve;

pub use model::*;
pub use parse::{check, load};
