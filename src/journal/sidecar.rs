//! Where the files that sit beside a log live (`LOG.lock`, `LOG.checkpoint`,
//! `LOG.torn`, ...): one rule, no dependencies, so every journal file can
//! use it without importing the lock or the checkpoint.

use std::path::{Path, PathBuf};

/// `LOG` + `suffix` (e.g. `cutover.jsonl.lock`), next to the log.
pub fn sidecar(log: &Path, suffix: &str) -> PathBuf {
    let mut s = log.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
