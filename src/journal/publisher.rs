//! Writes the checkpoint sidecar on its own thread, after the decision it
//! names was acknowledged: the sidecar (temp file, write, rename) is not in
//! a decision's critical path, only the fsync of the log is.
//!
//! Latest wins: a slow disk never queues checkpoints, it skips to the newest
//! (an older checkpoint is still a true statement, just less useful).

use super::checkpoint::Checkpoint;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

#[derive(Default)]
struct Slot {
    /// The newest checkpoint not yet written.
    next: Option<Checkpoint>,
    /// Handed over / written so far (to wait for "everything written").
    asked: u64,
    written: u64,
    error: Option<String>,
    stop: bool,
}

type Shared = Arc<(Mutex<Slot>, Condvar)>;

/// The sidecar writer of one log. Dropping it writes what is pending first.
pub struct CheckpointPublisher {
    shared: Shared,
    thread: Option<JoinHandle<()>>,
    log: PathBuf,
}

impl CheckpointPublisher {
    /// Starts the writer thread for `log`'s sidecar (`LOG.checkpoint`). If no
    /// thread can be started, checkpoints are written in the caller's thread.
    pub fn start(log: &Path) -> CheckpointPublisher {
        let shared: Shared = Arc::default();
        let (s, path) = (Arc::clone(&shared), log.to_path_buf());
        let thread = std::thread::Builder::new()
            .name("cutover-checkpoint".into())
            .spawn(move || run(&s, &path))
            .ok();
        CheckpointPublisher {
            shared,
            thread,
            log: log.to_path_buf(),
        }
    }

    /// Hands `cp` over to be written; returns at once.
    pub fn publish(&self, cp: Checkpoint) {
        if self.thread.is_none() {
            let err = cp.write_sidecar(&self.log).err();
            let mut g = lock(&self.shared.0);
            g.error = err.map(|e| describe(&self.log, &e));
            return;
        }
        let mut g = lock(&self.shared.0);
        g.next = Some(cp);
        g.asked += 1;
        self.shared.1.notify_all();
    }

    /// Blocks until everything handed over so far is written (or failed).
    pub fn wait(&self) {
        let mut g = lock(&self.shared.0);
        while self.thread.is_some() && g.written < g.asked {
            g = self.shared.1.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Why the last sidecar write failed, if it did.
    pub fn error(&self) -> Option<String> {
        lock(&self.shared.0).error.clone()
    }
}

impl Drop for CheckpointPublisher {
    fn drop(&mut self) {
        lock(&self.shared.0).stop = true;
        self.shared.1.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(shared: &Shared, log: &Path) {
    let (slot, cv) = (&shared.0, &shared.1);
    loop {
        let (cp, asked) = {
            let mut g = lock(slot);
            while g.next.is_none() && !g.stop {
                g = cv.wait(g).unwrap_or_else(|p| p.into_inner());
            }
            match g.next.take() {
                Some(cp) => (cp, g.asked),
                None => return, // stopping, nothing left to write
            }
        };
        let err = cp.write_sidecar(log).err().map(|e| describe(log, &e));
        let mut g = lock(slot);
        g.error = err;
        g.written = asked;
        cv.notify_all();
    }
}

fn describe(log: &Path, e: &std::io::Error) -> String {
    format!("cannot write {}.checkpoint: {e}", log.display())
}

/// A poisoned lock only means a writer panicked mid-update of plain data.
fn lock(m: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(seq: u64) -> Checkpoint {
        Checkpoint {
            seq,
            hash: "ab".repeat(32),
            ts: None,
        }
    }

    fn read(log: &Path) -> serde_json::Value {
        let text = std::fs::read_to_string(format!("{}.checkpoint", log.display())).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_newest_checkpoint_is_on_disk_after_wait_and_after_drop() {
        let dir = std::env::temp_dir().join(format!("cutover-pub-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("c.jsonl");
        let p = CheckpointPublisher::start(&log);
        for seq in 1..=50 {
            p.publish(cp(seq));
        }
        p.wait();
        assert_eq!(read(&log)["seq"], 50);
        p.publish(cp(51));
        drop(p);
        assert_eq!(read(&log)["seq"], 51, "drop writes what is pending");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_is_reported() {
        let log = Path::new("/nonexistent-dir-cutover/c.jsonl");
        let p = CheckpointPublisher::start(log);
        p.publish(cp(1));
        p.wait();
        let e = p.error().expect("error");
        assert!(e.starts_with("cannot write /nonexistent-dir-cutover/c.jsonl.checkpoint"));
    }
}
