//! The config: model and TOML parsing with positions.

pub mod model;
pub mod parse;
pub mod recon;
pub mod serve;
pub mod webhook;

pub use model::*;
pub use parse::{check, load};
pub use webhook::{Webhook, WebhookFormat, WebhookUrl};
