//! The evidence pack (`cutover report`, spec section 6): a single file a
//! compliance reviewer can read without this program.
//!
//! `Evidence::from_records` is pure (records in, model out); `markdown` and
//! `html` only format the model. Field names of record bodies live in
//! `records`, so a rename elsewhere is fixed in one place.

mod decisions;
pub mod evidence;
mod header;
pub mod plan;
pub mod records;
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
