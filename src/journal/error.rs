//! What can go wrong with the cutover log, in words an operator can act on.

use super::damage::Damage;
use std::io;
use std::path::PathBuf;

/// Errors of the journal (writer, lock, reader).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A file operation failed.
    #[error("{}: cannot {op}: {cause}", path.display())]
    Io {
        path: PathBuf,
        op: &'static str,
        cause: io::Error,
    },
    /// `create` on a path that already holds a log.
    #[error("{} already exists: resume it with `cutover run ... --log {}` or choose a new log path", path.display(), path.display())]
    Exists { path: PathBuf },
    /// Another process holds the log's lock.
    #[error("{} is already being written by pid {pid} on host {host} (lock {}): only one cockpit may write a log; stop that one or watch with `cutover replay`", path.display(), lock.display())]
    Locked {
        path: PathBuf,
        lock: PathBuf,
        pid: String,
        host: String,
    },
    /// Writing a batch failed; nothing of it was acknowledged.
    #[error("{}: write failed ({cause}): {dropped} unsaved record(s) were not recorded{}", path.display(), if *poisoned { "; the log is now closed for writing" } else { "; free space and try again" })]
    WriteFailed {
        path: PathBuf,
        dropped: usize,
        poisoned: bool,
        cause: io::Error,
    },
    /// A failed fsync (or an unrecoverable write) stopped the journal for good.
    #[error("{}: the cutover log is no longer writable ({reason}): decisions are no longer accepted; everything acknowledged up to seq {last_seq} is on disk; fix the disk, then restart `cutover run` on this log to resume", path.display())]
    Poisoned {
        path: PathBuf,
        reason: String,
        last_seq: i64,
    },
    /// The existing log does not verify.
    #[error("{}:{}: error: {}: {}", path.display(), damage.line, damage.kind, damage.message)]
    Damaged { path: PathBuf, damage: Damage },
    /// The log holds no complete record, not even `open`.
    #[error("{}: holds no complete record (not even `open`): the cockpit that created it never got started; move it away and start a new log", path.display())]
    NoOpenRecord { path: PathBuf },
    /// The log is HMAC-chained but no key was given.
    #[error("{}: the log is HMAC-chained (hmac-sha256): set CUTOVER_LOG_KEY to the key it was written with", path.display())]
    KeyRequired { path: PathBuf },
    /// `CUTOVER_LOG_KEY` is set to the empty string.
    #[error(
        "CUTOVER_LOG_KEY is set but empty: unset it for a plain SHA-256 chain, or set the HMAC key"
    )]
    EmptyKey,
    /// A record to sign has no object body (or already carries a signature).
    #[error("this record cannot be signed: its body is not an object, or it is already signed")]
    Unsignable,
    /// A signature made elsewhere does not verify over the record at the place it would take.
    #[error("the signature does not verify over this record at this place in the log")]
    SignatureMismatch,
    /// The writer thread is gone (the journal was closed or panicked).
    #[error("the cutover log writer has stopped: decisions are no longer accepted")]
    WriterGone,
}

impl JournalError {
    pub(crate) fn io(path: &std::path::Path, op: &'static str, source: io::Error) -> Self {
        JournalError::Io {
            path: path.to_path_buf(),
            op,
            cause: source,
        }
    }
}
