//! The pure core: no IO, no async, no clock reads. Time is passed in.
// Every public item of the core is documented.
#![warn(missing_docs)]

pub mod baseline;
pub mod cockpit;
pub mod condition;
pub mod config;
pub mod derived;
pub mod diag;
pub mod entry;
pub mod export;
pub mod expr;
pub mod gate;
pub mod metrics;
pub mod missing;
pub mod records;
pub mod runbook;
pub mod sample;
pub mod sanitize;
pub mod span;
pub mod stats;
pub mod threshold;
pub mod time;
pub mod timer;
pub mod tomlread;
