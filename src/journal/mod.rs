//! The cutover log (docs/log-format.md): an append-only, hash-chained JSON Lines
//! file written by exactly one cockpit, verifiable without this program.
//!
//! Layers, bottom up: [`storage`] (bytes to disk, with a fault-injecting twin
//! for tests), [`canon`] (the exact bytes that are hashed), [`writer`] (the
//! [`Journal`]: seq, ts, chain, group commit, poisoning), [`task`] (a writer
//! thread the async cockpit talks to), [`publisher`] (the checkpoint
//! sidecar, written on its own thread), [`verify`] and [`checkpoint`] (the
//! reader side), [`open`] (what the `open` record holds).
//! The byte format is documented in docs/log-format.md.

pub mod canon;
mod chain_walk;
pub mod checkpoint;
pub mod damage;
mod envelope;
pub mod error;
pub mod lock;
pub mod open;
mod parallel_walk;
pub mod publisher;
pub mod record;
pub mod sidecar;
pub mod sig_walk;
pub mod signed;
pub mod storage;
pub mod task;
mod torn;
pub mod verify;
pub mod writer;

pub use checkpoint::Checkpoint;
pub use error::JournalError;
pub use open::ResumeInfo;
pub use open::{
    is_rehearsal, open_body, open_record, open_record_body, resume_body, resume_record_body,
    runbook_digest, sha256_hex, OpenSource,
};
pub use record::Record;
pub use task::{spawn_writer, JournalHandle};
pub use torn::TornInfo;
pub use verify::{
    read_records, verify_bytes, verify_file, Damage, DamageKind, Summary, VerifyOutcome,
};
pub use writer::Journal;

/// The environment variable holding the HMAC key for the chain.
pub const KEY_ENV: &str = "CUTOVER_LOG_KEY";

/// Reads the chain key from `CUTOVER_LOG_KEY` (its UTF-8 bytes, as is).
///
/// Unset means plain SHA-256. Set but empty is refused: an empty HMAC key
/// would look keyed while proving nothing.
pub fn key_from_env() -> Result<Option<Vec<u8>>, JournalError> {
    match std::env::var_os(KEY_ENV) {
        None => Ok(None),
        Some(v) if v.is_empty() => Err(JournalError::EmptyKey),
        Some(v) => Ok(Some(v.into_encoded_bytes())),
    }
}
