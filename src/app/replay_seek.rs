//! Fast seeking in a replayed log: the replay state (cockpit + log tail) is
//! kept every [`SNAPSHOT_EVERY`] records, so any point is rebuilt by cloning
//! the nearest earlier snapshot and folding at most that many records.
//!
//! Why snapshots and not an undo log: `Cockpit` is `Clone` and
//! `apply_record` is the one way state changes, so a clone plus a short
//! fold is exactly the state a full fold would give (a test checks it).

use crate::app::log_tail::LogTail;
use crate::core::cockpit::Cockpit;
use crate::core::config::{Poll, Staleness, STALE_INTERVALS};
use crate::core::records::OpenBody;
use crate::core::runbook::Runbook;
use crate::core::time::{parse_duration, Dur, Ts};
use crate::journal::Record;

/// Records between two snapshots. At 100,000 records that is 50 snapshots;
/// a seek folds at most 2,000 records (docs/performance.md, "Replay seek").
pub const SNAPSHOT_EVERY: usize = 2_000;

/// The replay state after some records: what a seek restores.
#[derive(Debug, Clone)]
pub struct ReplayState {
    /// Records `..applied` are folded in.
    pub applied: usize,
    pub cockpit: Cockpit,
    pub tail: LogTail,
}

impl ReplayState {
    /// Nothing applied yet: a fresh cockpit at the log's start.
    pub fn start(runbook: &Runbook, records: &[Record]) -> ReplayState {
        let start = records.first().map(Record::ts).unwrap_or(Ts(0));
        let mut cockpit = Cockpit::new(runbook.clone(), start);
        if let Some(s) = records.first().and_then(logged_staleness) {
            cockpit.set_staleness(&s);
        }
        ReplayState {
            applied: 0,
            cockpit,
            tail: LogTail::default(),
        }
    }

    /// Folds the next record in (no-op at the end).
    pub fn apply_next(&mut self, records: &[Record]) {
        if let Some(r) = records.get(self.applied) {
            self.cockpit.apply_record(r.ts(), &r.entry());
            self.tail.push(r);
            self.applied += 1;
        }
    }

    /// Folds records until `upto` are applied (never backwards).
    pub fn apply_to(&mut self, records: &[Record], upto: usize) {
        while self.applied < upto.min(records.len()) {
            self.apply_next(records);
        }
    }
}

/// Snapshots of the replay state every `every` records, taken in one pass.
#[derive(Debug, Clone)]
pub struct Snapshots {
    every: usize,
    /// `snaps[k]` has `k * every` records applied.
    snaps: Vec<ReplayState>,
}

impl Snapshots {
    /// Folds the whole log once, keeping a snapshot every `every` records
    /// (`every` 0 is taken as 1).
    pub fn build(runbook: &Runbook, records: &[Record], every: usize) -> Snapshots {
        let every = every.max(1);
        let mut state = ReplayState::start(runbook, records);
        let mut snaps = vec![state.clone()];
        let mut next = every;
        while next <= records.len() {
            state.apply_to(records, next);
            snaps.push(state.clone());
            next += every;
        }
        Snapshots { every, snaps }
    }

    /// How many snapshots are kept.
    pub fn len(&self) -> usize {
        self.snaps.len()
    }

    /// Never empty (the start state is always kept).
    pub fn is_empty(&self) -> bool {
        self.snaps.is_empty()
    }

    /// The state with exactly `upto` records applied (clamped to the log).
    pub fn state_at(&self, records: &[Record], upto: usize) -> ReplayState {
        let upto = upto.min(records.len());
        let k = (upto / self.every).min(self.snaps.len().saturating_sub(1));
        // `snaps` always holds the start state, and `k` is clamped to it
        let mut state = self.snaps[k].clone();
        state.apply_to(records, upto);
        state
    }
}

/// The staleness of the config logged in the `open` record (per probe:
/// its `stale_after`, else `[poll] stale_after`, else 3 x its interval), so
/// that replay marks samples stale when the live cockpit did. A logged
/// config that no longer loads (secrets removed in a way the reader
/// refuses) still gives its `[poll]` values.
fn logged_staleness(open: &Record) -> Option<Staleness> {
    let open: OpenBody = crate::core::records::read(&open.body)?;
    if let Ok(config) = crate::core::config::load("logged config", &open.config) {
        return Some(config.staleness());
    }
    let config: toml::Table = toml::from_str(&open.config).ok()?;
    let poll = config.get("poll");
    let dur = |key: &str| {
        poll.and_then(|p| p.get(key))
            .and_then(|v| v.as_str())
            .and_then(|s| parse_duration(s).ok())
    };
    let default = dur("stale_after").unwrap_or_else(|| {
        let interval = dur("interval").unwrap_or(Poll::default().interval);
        Dur(interval.0.saturating_mul(STALE_INTERVALS))
    });
    Some(Staleness {
        default,
        ..Staleness::default()
    })
}

/// How many records are at or before `t` (the index just after the last
/// record at or before `t`); records are in time order.
pub fn records_until(records: &[Record], t: Ts) -> usize {
    records.partition_point(|r| r.ts() <= t)
}
