//! Where the log's bytes go: a small trait so tests can inject disk faults.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Append-only byte storage under the journal.
pub trait Storage: Send {
    /// Appends some prefix of `buf`, returning how many bytes were written.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize>;
    /// Makes everything written so far durable (fsync).
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts the file back to `len` bytes (to drop a batch that failed half-way).
    fn truncate(&mut self, len: u64) -> io::Result<()>;
}

/// The real log file: mode 0600, `O_APPEND`.
#[derive(Debug)]
pub struct FileStorage {
    file: File,
}

impl FileStorage {
    /// Creates the log holding `first` (its `open` line) atomically, so a
    /// crash leaves either no log or one with a complete first record: the
    /// bytes go to `LOG.new` (mode 0600), are fsynced, then hard-linked to
    /// `LOG` (which refuses an existing log) and the directory is fsynced.
    pub fn create(path: &Path, first: &[u8]) -> io::Result<FileStorage> {
        let tmp = super::sidecar::sidecar(path, ".new");
        // we hold the writer lock, so a leftover LOG.new is from a crashed create
        let _ = std::fs::remove_file(&tmp);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(first)?;
        f.sync_all()?;
        drop(f);
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        linked?;
        sync_parent_dir(path)?;
        FileStorage::open(path)
    }

    /// Opens an existing file for appending.
    pub fn open(path: &Path) -> io::Result<FileStorage> {
        let file = OpenOptions::new().append(true).open(path)?;
        Ok(FileStorage { file })
    }
}

impl Storage for FileStorage {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }
    fn sync(&mut self) -> io::Result<()> {
        // fdatasync suffices: size changes are data for fdatasync purposes
        self.file.sync_data()
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.file.set_len(len)
    }
}

/// fsyncs the directory holding `path`, so a create or rename is durable.
pub fn sync_parent_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

/// A disk fault to inject on the next matching operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `write` fails with EIO, nothing written.
    WriteEio,
    /// `sync` fails with EIO.
    SyncEio,
    /// `write` fails with ENOSPC, nothing written; stays until cleared.
    DiskFull,
    /// `write` writes half the bytes, then the next write fails with ENOSPC.
    ShortWrite,
}

const EIO: i32 = 5;
const ENOSPC: i32 = 28;

/// Wraps a real [`Storage`] and injects the armed [`Fault`]; tests arm and
/// clear faults through a cloned [`FaultSwitch`].
pub struct FaultStorage<S: Storage> {
    inner: S,
    switch: FaultSwitch,
    short_written: bool,
}

/// Shared control of a [`FaultStorage`].
#[derive(Clone, Default, Debug)]
pub struct FaultSwitch(Arc<Mutex<Option<Fault>>>);

impl FaultSwitch {
    /// Arms `fault` (`None` clears it).
    pub fn set(&self, fault: Option<Fault>) {
        if let Ok(mut g) = self.0.lock() {
            *g = fault;
        }
    }
    fn get(&self) -> Option<Fault> {
        self.0.lock().ok().and_then(|g| *g)
    }
}

impl<S: Storage> FaultStorage<S> {
    /// Wraps `inner`; faults are armed through `switch`.
    pub fn new(inner: S, switch: FaultSwitch) -> Self {
        FaultStorage {
            inner,
            switch,
            short_written: false,
        }
    }
}

impl<S: Storage> Storage for FaultStorage<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.switch.get() {
            Some(Fault::WriteEio) => Err(io::Error::from_raw_os_error(EIO)),
            Some(Fault::DiskFull) => Err(io::Error::from_raw_os_error(ENOSPC)),
            Some(Fault::ShortWrite) if self.short_written => {
                Err(io::Error::from_raw_os_error(ENOSPC))
            }
            Some(Fault::ShortWrite) => {
                self.short_written = true;
                self.inner.write(&buf[..buf.len() / 2])
            }
            _ => self.inner.write(buf),
        }
    }
    fn sync(&mut self) -> io::Result<()> {
        match self.switch.get() {
            Some(Fault::SyncEio) => Err(io::Error::from_raw_os_error(EIO)),
            _ => self.inner.sync(),
        }
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.short_written = false;
        self.inner.truncate(len)
    }
}
