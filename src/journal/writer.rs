//! The [`Journal`]: seals entries into chained records, batches them (group
//! commit), makes them durable, and stops for good after a failed fsync.

use super::canon::{Chain, ZERO_HASH};
use super::checkpoint::Checkpoint;
use super::error::JournalError;
use super::lock::LogLock;
use super::open::ResumeInfo;
use super::publisher::CheckpointPublisher;
use super::record::Record;
use super::storage::{FileStorage, Storage};
use super::verify::{self, DamageKind};
use crate::core::entry::{Entry, EntryKind};
use crate::core::time::{Dur, Ts};
use std::io;
use std::path::{Path, PathBuf};

/// A checkpoint is written at least this often, besides every decision.
pub const CHECKPOINT_EVERY: Dur = Dur(15 * 60_000);

/// The durable state: what is on disk and fsynced.
#[derive(Debug, Clone)]
struct Durable {
    next_seq: u64,
    prev: String,
    len: u64,
    last_ts: Option<Ts>,
}

/// The single writer of one cutover log.
pub struct Journal {
    /// First field, so it is dropped (and its last sidecar written) before the lock.
    publisher: CheckpointPublisher,
    path: PathBuf,
    storage: Box<dyn Storage>,
    _lock: LogLock,
    chain: Chain,
    durable: Durable,
    next_seq: u64,
    prev: String,
    pending: String,
    pending_count: usize,
    pending_checkpoint: bool,
    poisoned: Option<String>,
    checkpoint: Option<Checkpoint>,
}

impl Journal {
    /// Creates a new log at `path` (refusing an existing file), takes the
    /// writer lock, and writes `open_entry` durably as record 0. The journal
    /// sets the open body's `chain` field (`sha256` or `hmac-sha256`).
    pub fn create(
        path: &Path,
        open_entry: Entry,
        now: Ts,
        key: Option<Vec<u8>>,
    ) -> Result<Journal, JournalError> {
        Self::create_with(path, open_entry, now, key, |f| Box::new(f))
    }

    /// [`Journal::create`] with the file storage wrapped (fault injection in tests).
    pub fn create_with(
        path: &Path,
        mut open_entry: Entry,
        now: Ts,
        key: Option<Vec<u8>>,
        wrap: impl FnOnce(FileStorage) -> Box<dyn Storage>,
    ) -> Result<Journal, JournalError> {
        let lock = LogLock::acquire(path)?;
        let chain = Chain::from_key(key);
        if let Some(body) = open_entry.body.as_object_mut() {
            body.insert("chain".into(), chain.name().into());
        }
        let (open, line) = Record::seal(open_entry, 0, now, ZERO_HASH, &chain);
        let file = FileStorage::create(path, line.as_bytes()).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => JournalError::Exists {
                path: path.to_path_buf(),
            },
            _ => JournalError::io(path, "create the log", e),
        })?;
        let durable = Durable {
            next_seq: 1,
            prev: open.hash,
            len: line.len() as u64,
            last_ts: Some(now),
        };
        let mut journal = Journal::assemble(path, wrap(file), lock, chain, durable);
        journal.pending_checkpoint = true;
        journal.maybe_checkpoint();
        Ok(journal)
    }

    /// Opens an existing log for resuming: takes the lock, verifies the chain
    /// (refusing any damage but a torn last line), moves a torn last line
    /// aside to `LOG.torn`, and returns the journal, the records, and what it did.
    pub fn open_existing(
        path: &Path,
        key: Option<Vec<u8>>,
    ) -> Result<(Journal, Vec<Record>, ResumeInfo), JournalError> {
        Self::open_existing_with(path, key, |f| Box::new(f))
    }

    /// [`Journal::open_existing`] with the file storage wrapped.
    pub fn open_existing_with(
        path: &Path,
        key: Option<Vec<u8>>,
        wrap: impl FnOnce(FileStorage) -> Box<dyn Storage>,
    ) -> Result<(Journal, Vec<Record>, ResumeInfo), JournalError> {
        let lock = LogLock::acquire(path)?;
        let outcome = verify::verify_file(path, key.clone(), None)?;
        let mut info = ResumeInfo::default();
        let mut len = std::fs::metadata(path)
            .map_err(|e| JournalError::io(path, "read the log's size", e))?
            .len();
        match outcome.damage {
            None => {}
            Some(d) if d.kind == DamageKind::Torn => {
                let torn = super::torn::move_aside(path, d.offset)?;
                len = torn.offset;
                info.torn = Some(torn);
            }
            Some(damage) => {
                return Err(JournalError::Damaged {
                    path: path.to_path_buf(),
                    damage,
                })
            }
        }
        info.cut_action = super::open::cut_action(&outcome.records);
        let Some(last) = outcome.records.last() else {
            return Err(JournalError::NoOpenRecord {
                path: path.to_path_buf(),
            });
        };
        let durable = Durable {
            next_seq: last.seq + 1,
            prev: last.hash.clone(),
            len,
            last_ts: Some(last.ts()),
        };
        let file =
            FileStorage::open(path).map_err(|e| JournalError::io(path, "open the log", e))?;
        let journal = Journal::assemble(path, wrap(file), lock, Chain::from_key(key), durable);
        Ok((journal, outcome.records, info))
    }

    fn assemble(
        path: &Path,
        storage: Box<dyn Storage>,
        lock: LogLock,
        chain: Chain,
        durable: Durable,
    ) -> Journal {
        Journal {
            publisher: CheckpointPublisher::start(path),
            path: path.to_path_buf(),
            storage,
            _lock: lock,
            chain,
            next_seq: durable.next_seq,
            prev: durable.prev.clone(),
            durable,
            pending: String::new(),
            pending_count: 0,
            pending_checkpoint: false,
            poisoned: None,
            checkpoint: None,
        }
    }

    /// Seals `entry` as the next record and buffers it (not yet on disk).
    /// A `close` entry's object body gets `head`: the hash it closes on.
    pub fn append(&mut self, mut entry: Entry, now: Ts) -> Result<Record, JournalError> {
        self.refuse_if_poisoned()?;
        if entry.kind == EntryKind::Close {
            if let Some(body) = entry.body.as_object_mut() {
                body.insert("head".into(), self.prev.clone().into());
            }
        }
        self.pending_checkpoint |= entry.kind.is_lifecycle() || entry.kind.is_action_record();
        let (record, line) = Record::seal(entry, self.next_seq, now, &self.prev, &self.chain);
        Ok(self.buffer(record, line))
    }

    /// Writes the buffered records and fsyncs them. Only after this returns
    /// `Ok` are they acknowledged.
    pub fn commit(&mut self) -> Result<(), JournalError> {
        self.refuse_if_poisoned()?;
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        if let Err(e) = write_all(self.storage.as_mut(), batch.as_bytes()) {
            return Err(self.fail_write(e));
        }
        if let Err(e) = self.storage.sync() {
            return Err(self.fail_sync(e));
        }
        self.durable = Durable {
            next_seq: self.next_seq,
            prev: self.prev.clone(),
            len: self.durable.len + batch.len() as u64,
            last_ts: Some(ts_of_last_line(&batch).unwrap_or(Ts(0))),
        };
        self.pending_count = 0;
        self.maybe_checkpoint();
        Ok(())
    }

    /// Appends and commits: the way to record a decision. The record (and
    /// everything batched before it) is on disk when this returns `Ok`.
    pub fn append_durable(&mut self, entry: Entry, now: Ts) -> Result<Record, JournalError> {
        let record = self.append(entry, now)?;
        self.commit()?;
        Ok(record)
    }

    /// [`Journal::append_signed`], then commit.
    pub fn append_durable_signed(
        &mut self,
        entry: Entry,
        now: Ts,
        key: &crate::sign::Unlocked,
        meaning: crate::sign::Meaning,
    ) -> Result<Record, JournalError> {
        let record = self.append_signed(entry, now, key, meaning)?;
        self.commit()?;
        Ok(record)
    }

    /// [`Journal::append`] for a record signed by `key`: the journal knows
    /// seq, ts and prev here, so the signature covers exactly what is
    /// written. Buffered like any record: the action commits it with the rest.
    pub fn append_signed(
        &mut self,
        entry: Entry,
        now: Ts,
        key: &crate::sign::Unlocked,
        meaning: crate::sign::Meaning,
    ) -> Result<Record, JournalError> {
        self.refuse_if_poisoned()?;
        let sealed = Record::seal_signed(
            entry,
            self.next_seq,
            now,
            &self.prev,
            &self.chain,
            key,
            meaning,
        );
        let Some((record, line)) = sealed else {
            return Err(JournalError::Unsignable);
        };
        self.pending_checkpoint = true;
        Ok(self.buffer(record, line))
    }

    /// Buffers a sealed record's line and moves the chain on to it: the one
    /// place the plain, signed and presigned appends share.
    fn buffer(&mut self, record: Record, line: String) -> Record {
        self.pending.push_str(&line);
        self.pending_count += 1;
        self.next_seq += 1;
        self.prev.clone_from(&record.hash);
        record
    }

    /// The unsigned canonical bytes `entry` would have as the next record
    /// at `now` (after what is buffered): what its signer must sign.
    pub fn next_unsigned_canon(&self, entry: &Entry, now: Ts) -> Option<String> {
        Record::unsigned_canon(entry, self.next_seq, now, &self.prev)
    }

    /// Appends `entry` as the next record with a signature made elsewhere
    /// (a follower signs on its own machine). The signature must verify
    /// with `key` over the record's unsigned canonical bytes here, at this
    /// seq and prev: a signature made for any other place is refused.
    pub fn append_presigned(
        &mut self,
        entry: Entry,
        now: Ts,
        member: &crate::journal::signed::SigMember,
        key: &ed25519_dalek::VerifyingKey,
    ) -> Result<Record, JournalError> {
        self.refuse_if_poisoned()?;
        let unsigned = self
            .next_unsigned_canon(&entry, now)
            .ok_or(JournalError::Unsignable)?;
        if member.alg != "ed25519"
            || member.key != crate::sign::fingerprint(key)
            || !crate::sign::verify_b64(key, unsigned.as_bytes(), &member.value)
        {
            return Err(JournalError::SignatureMismatch);
        }
        let sealed = Record::seal_with(
            entry,
            self.next_seq,
            now,
            &self.prev,
            &self.chain,
            &unsigned,
            member,
        );
        let Some((record, line)) = sealed else {
            return Err(JournalError::Unsignable);
        };
        self.pending_checkpoint = true;
        Ok(self.buffer(record, line))
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The hash of the last durable record (the head hash on disk).
    pub fn head_hash(&self) -> &str {
        &self.durable.prev
    }

    /// The seq the next appended record will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Bytes buffered and not yet committed.
    pub fn pending_bytes(&self) -> usize {
        self.pending.len()
    }

    /// Why the journal stopped accepting records, if it did.
    pub fn poisoned(&self) -> Option<&str> {
        self.poisoned.as_deref()
    }

    /// The last checkpoint written to `LOG.checkpoint` (for the screen footer).
    pub fn last_checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.as_ref()
    }

    /// Why the last checkpoint sidecar could not be written, if it could not.
    pub fn checkpoint_error(&self) -> Option<String> {
        self.publisher.error()
    }

    /// Blocks until the sidecar holds [`Journal::last_checkpoint`] (it is
    /// written on its own thread, after the commit that took it returned).
    pub fn wait_checkpoint(&self) {
        self.publisher.wait();
    }

    fn refuse_if_poisoned(&self) -> Result<(), JournalError> {
        match &self.poisoned {
            None => Ok(()),
            Some(reason) => Err(JournalError::Poisoned {
                path: self.path.clone(),
                reason: reason.clone(),
                last_seq: self.durable.next_seq as i64 - 1,
            }),
        }
    }

    /// Forgets the failed batch and cuts any partial bytes off the file. Only
    /// a full disk with a clean cut leaves the journal usable.
    fn fail_write(&mut self, e: io::Error) -> JournalError {
        let dropped = self.pending_count;
        let cut = self.storage.truncate(self.durable.len);
        let full = e.kind() == io::ErrorKind::StorageFull;
        let poisoned = !(full && cut.is_ok());
        self.reset_to_durable();
        if poisoned {
            self.poisoned = Some(format!("write failed: {e}"));
        }
        JournalError::WriteFailed {
            path: self.path.clone(),
            dropped,
            poisoned,
            cause: e,
        }
    }

    /// After a failed fsync the page cache state is unknown; never retry it.
    /// The unacknowledged batch is cut off on a best-effort basis.
    fn fail_sync(&mut self, e: io::Error) -> JournalError {
        let _ = self.storage.truncate(self.durable.len);
        let reason = format!(
            "fsync failed: {e}; the last {} unacknowledged record(s) were not recorded",
            self.pending_count
        );
        self.reset_to_durable();
        self.poisoned = Some(reason);
        match self.refuse_if_poisoned() {
            Err(err) => err,
            Ok(()) => JournalError::WriterGone,
        }
    }

    fn reset_to_durable(&mut self) {
        self.next_seq = self.durable.next_seq;
        self.prev.clone_from(&self.durable.prev);
        self.pending.clear();
        self.pending_count = 0;
        self.pending_checkpoint = false;
    }

    fn maybe_checkpoint(&mut self) {
        let Some(now) = self.durable.last_ts else {
            return;
        };
        let due = match &self.checkpoint {
            None => true,
            Some(c) => {
                c.ts.as_deref()
                    .and_then(Ts::parse_rfc3339)
                    .is_none_or(|t| now - t >= CHECKPOINT_EVERY)
            }
        };
        if !(self.pending_checkpoint || due) {
            return;
        }
        self.pending_checkpoint = false;
        let cp = Checkpoint {
            seq: self.durable.next_seq - 1,
            hash: self.durable.prev.clone(),
            ts: Some(now.to_rfc3339()),
        };
        // Off the decision's critical path: the caller is acknowledged now.
        self.publisher.publish(cp.clone());
        self.checkpoint = Some(cp);
    }
}

/// Writes all of `buf`, failing on an error or a write that makes no progress.
fn write_all(storage: &mut dyn Storage, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        match storage.write(buf) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "short write")),
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The `ts` of the last line of a batch, read back from the canonical prefix.
fn ts_of_last_line(batch: &str) -> Option<Ts> {
    let last = batch.trim_end_matches('\n').rsplit('\n').next()?;
    let start = last.find("\"ts\":\"")? + 6;
    let end = start + last[start..].find('"')?;
    Ts::parse_rfc3339(&last[start..end])
}
