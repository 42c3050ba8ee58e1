//! Change notification out of the session, for the team server (`--serve`):
//! a version counter bumped whenever the state may have moved, and every
//! appended log record as its JSON line. Sending never blocks the cockpit:
//! a watch keeps only the latest version and a lagging broadcast receiver
//! loses old records (the follower is told, see `serve::sse`).

use crate::journal::Record;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// How many appended records a slow follower may be behind before it lags.
pub const RECORD_BACKLOG: usize = 1024;

/// The session's outgoing signals.
pub struct Feed {
    version: watch::Sender<u64>,
    records: broadcast::Sender<Arc<str>>,
}

impl Default for Feed {
    fn default() -> Feed {
        let (version, _) = watch::channel(0);
        let (records, _) = broadcast::channel(RECORD_BACKLOG);
        Feed { version, records }
    }
}

impl Feed {
    /// The state may have changed: wake every watcher (coalesced by the watch).
    pub fn changed(&self) {
        self.version.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// A record was appended: pass its JSON line to every subscriber.
    pub fn record(&self, r: &Record) {
        if self.records.receiver_count() == 0 {
            return;
        }
        if let Ok(line) = serde_json::to_string(r) {
            // no receiver is fine: nobody follows right now
            let _ = self.records.send(Arc::from(line));
        }
    }

    /// A receiver of the change version (marks the current one as seen).
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// A receiver of records appended from now on.
    pub fn records(&self) -> broadcast::Receiver<Arc<str>> {
        self.records.subscribe()
    }
}
