//! One writer per log: an exclusive OS lock on `LOG.lock`, which also names
//! the holder (pid and host) so a refused second writer can say who it is.

use super::error::JournalError;
pub use super::sidecar::sidecar;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// This machine's host name, for the lock and the `open` record.
pub fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into())
}

/// A held writer lock; released when dropped (the OS releases it on crash too).
#[derive(Debug)]
pub struct LogLock {
    _file: File,
}

impl LogLock {
    /// Takes the lock for `log`, or says which pid on which host holds it.
    pub fn acquire(log: &Path) -> Result<LogLock, JournalError> {
        let path = sidecar(log, ".lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| JournalError::io(&path, "open the lock file", e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let mut parts = holder.split_whitespace();
                let pid = parts.next().unwrap_or("?").to_string();
                let host = parts.next().unwrap_or("?").to_string();
                return Err(JournalError::Locked {
                    path: log.to_path_buf(),
                    lock: path,
                    pid: crate::core::sanitize::inert(&pid),
                    host: crate::core::sanitize::inert(&host),
                });
            }
            Err(TryLockError::Error(e)) => return Err(JournalError::io(&path, "lock", e)),
        }
        let stamp = format!("{} {}\n", std::process::id(), hostname());
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(stamp.as_bytes()));
        written.map_err(|e| JournalError::io(&path, "write the lock file", e))?;
        Ok(LogLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_pid_and_host() {
        let dir = std::env::temp_dir().join(format!("cutover-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("a.jsonl");
        let first = LogLock::acquire(&log).unwrap();
        let err = LogLock::acquire(&log).unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        assert!(err.contains(&hostname()), "{err}");
        drop(first);
        assert!(LogLock::acquire(&log).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
