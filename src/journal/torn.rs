//! A torn last line (a write cut off by a crash) is never dropped or repaired:
//! on resume its bytes are moved aside to `LOG.torn` and the log is cut back.

use super::error::JournalError;
use super::sidecar::sidecar;
use super::storage::sync_parent_dir;
use std::path::{Path, PathBuf};

/// A torn last line: where it started and where its bytes went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornInfo {
    /// Byte offset of the torn line in the log (the log now ends there).
    pub offset: u64,
    /// How many bytes were moved aside.
    pub len: u64,
    /// The file now holding those bytes (`LOG.torn`, or `LOG.torn.N`).
    pub moved_to: PathBuf,
}

/// Moves the bytes from `offset` to `LOG.torn` (or `.torn.N`), durably, then
/// cuts the log back to `offset`.
pub(crate) fn move_aside(path: &Path, offset: u64) -> Result<TornInfo, JournalError> {
    let bytes = std::fs::read(path).map_err(|e| JournalError::io(path, "read the log", e))?;
    let tail = bytes.get(offset as usize..).unwrap_or_default();
    let moved_to = (0..1000)
        .map(|n| match n {
            0 => sidecar(path, ".torn"),
            n => sidecar(path, &format!(".torn.{n}")),
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| sidecar(path, ".torn.last"));
    let saved = (|| {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&moved_to)?;
        f.write_all(tail)?;
        f.sync_all()?;
        sync_parent_dir(&moved_to)
    })();
    saved.map_err(|e| JournalError::io(&moved_to, "save the torn last line", e))?;
    let cut = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(offset).and_then(|()| f.sync_all()));
    cut.map_err(|e| JournalError::io(path, "cut the torn last line off", e))?;
    Ok(TornInfo {
        offset,
        len: tail.len() as u64,
        moved_to,
    })
}
