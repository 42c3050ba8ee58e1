//! The journal on its own thread, for the async cockpit: group commit of
//! observations and transitions, and decisions acknowledged after one fsync.

use super::error::JournalError;
use super::record::Record;
use super::writer::Journal;
use crate::core::entry::Entry;
use crate::core::time::Ts;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Buffered records are flushed at least this often.
pub const FLUSH_EVERY: Duration = Duration::from_millis(1000);
/// ... or as soon as this many bytes are buffered.
pub const FLUSH_BYTES: usize = 256 * 1024;

type Reply<T> = oneshot::Sender<Result<T, JournalError>>;

enum Request {
    Append(Entry, Ts, Reply<Record>),
    Durable(Entry, Ts, Reply<Record>),
    Commit(Reply<()>),
    Shutdown(Reply<()>),
}

/// The cockpit's end of the writer thread. Cloneable; the thread commits what
/// is buffered and ends when the last handle is dropped.
#[derive(Clone)]
pub struct JournalHandle {
    tx: mpsc::Sender<Request>,
    problem: Arc<Mutex<Option<String>>>,
}

/// Moves `journal` onto a writer thread and returns its handle.
pub fn spawn_writer(journal: Journal) -> JournalHandle {
    let (tx, rx) = mpsc::channel();
    let problem = Arc::new(Mutex::new(None));
    let shared = Arc::clone(&problem);
    let spawned = std::thread::Builder::new()
        .name("cutover-journal".into())
        .spawn(move || writer_loop(journal, &rx, &shared));
    if let Err(e) = spawned {
        // the handle's sends will fail, so every append reports WriterGone
        set_problem(&problem, format!("cannot start the log writer thread: {e}"));
    }
    JournalHandle { tx, problem }
}

impl JournalHandle {
    /// Buffers `entry` (an observation or transition); returns its record
    /// once sealed. It reaches the disk within [`FLUSH_EVERY`].
    pub async fn append(&self, entry: Entry, ts: Ts) -> Result<Record, JournalError> {
        self.ask(|r| Request::Append(entry, ts, r)).await
    }

    /// Appends and fsyncs: returns only when the record is on disk. A
    /// decision is acknowledged on screen only after this returns `Ok`.
    pub async fn append_durable(&self, entry: Entry, ts: Ts) -> Result<Record, JournalError> {
        self.ask(|r| Request::Durable(entry, ts, r)).await
    }

    /// Makes everything appended so far durable.
    pub async fn commit(&self) -> Result<(), JournalError> {
        self.ask(Request::Commit).await
    }

    /// Commits what is buffered, releases the log (and its lock), and stops
    /// the writer; later calls on any clone report [`JournalError::WriterGone`].
    pub async fn shutdown(&self) -> Result<(), JournalError> {
        self.ask(Request::Shutdown).await
    }

    /// The last background flush failure, if any (for the screen).
    pub fn problem(&self) -> Option<String> {
        self.problem.lock().ok().and_then(|g| g.clone())
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, JournalError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(make(reply))
            .map_err(|_| JournalError::WriterGone)?;
        answer.await.map_err(|_| JournalError::WriterGone)?
    }
}

fn set_problem(problem: &Mutex<Option<String>>, text: String) {
    if let Ok(mut g) = problem.lock() {
        *g = Some(text);
    }
}

/// Serves requests in order. A durable request commits the batch it ends,
/// so it waits for at most the fsync already running plus its own.
fn writer_loop(
    mut journal: Journal,
    rx: &mpsc::Receiver<Request>,
    problem: &Mutex<Option<String>>,
) {
    let mut first_pending: Option<Instant> = None;
    loop {
        let wait = first_pending.map_or(Duration::from_secs(3600), |t| {
            FLUSH_EVERY.saturating_sub(t.elapsed())
        });
        match rx.recv_timeout(wait) {
            Ok(Request::Append(entry, ts, reply)) => {
                let _ = reply.send(journal.append(entry, ts));
                first_pending.get_or_insert_with(Instant::now);
                if journal.pending_bytes() >= FLUSH_BYTES {
                    flush(&mut journal, problem, &mut first_pending);
                }
            }
            Ok(Request::Durable(entry, ts, reply)) => {
                let _ = reply.send(journal.append_durable(entry, ts));
                first_pending = None;
            }
            Ok(Request::Commit(reply)) => {
                let _ = reply.send(journal.commit());
                first_pending = None;
            }
            Ok(Request::Shutdown(reply)) => {
                let result = journal.commit();
                drop(journal);
                let _ = reply.send(result);
                return;
            }
            Err(RecvTimeoutError::Timeout) => flush(&mut journal, problem, &mut first_pending),
            Err(RecvTimeoutError::Disconnected) => {
                flush(&mut journal, problem, &mut first_pending);
                return;
            }
        }
    }
}

fn flush(
    journal: &mut Journal,
    problem: &Mutex<Option<String>>,
    first_pending: &mut Option<Instant>,
) {
    *first_pending = None;
    if let Err(e) = journal.commit() {
        set_problem(problem, e.to_string());
    }
}
