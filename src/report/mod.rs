//! The evidence pack (`cutover report`, docs/report.md): a single file a
//! compliance reviewer can read without this program.
//!
//! `Evidence::from_records` is pure (records in, model out); `markdown` and
//! `html` only format the model. Record bodies are read as the core's typed
//! definitions (`crate::core::records`), through `records::Rec`.

mod cut_actions;
mod decisions;
pub mod evidence;
mod facts;
mod header;
pub mod plan;
pub mod recon;
pub mod records;
pub mod rehearsals;
mod series;
pub mod signatures;
mod timeline;
pub mod verify;
mod waivers;

pub use evidence::Evidence;
pub use verify::{verification_of, ReportError, VerificationSummary};
mod markdown;
mod text;

pub use markdown::markdown;
mod html;
mod svg;

pub use html::html;
