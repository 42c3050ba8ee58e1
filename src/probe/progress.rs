//! Reconciliations running now, per dataset, and how far each has got:
//! the cockpit's reconciliation view shows "running for 40s, 12 segments,
//! 1,200,000 rows hashed" while a comparison runs (a process-wide registry:
//! the probe tasks write it, the session reads it when it builds a view).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
struct Entry {
    started: Instant,
    segments: u64,
    rows: u64,
}

/// How far a running comparison has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Since it started.
    pub elapsed: Duration,
    /// Segment and bucket queries answered on both sides.
    pub segments: u64,
    /// Rows hashed inside the databases so far (both sides).
    pub rows: u64,
}

fn registry() -> &'static Mutex<BTreeMap<String, Entry>> {
    static R: std::sync::OnceLock<Mutex<BTreeMap<String, Entry>>> = std::sync::OnceLock::new();
    R.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// A running comparison of one dataset; it leaves the registry when dropped
/// (finished, failed, timed out or cancelled alike).
#[derive(Debug)]
pub struct Running {
    dataset: String,
}

impl Running {
    pub fn start(dataset: &str) -> Running {
        if let Ok(mut r) = registry().lock() {
            r.insert(
                dataset.to_string(),
                Entry {
                    started: Instant::now(),
                    segments: 0,
                    rows: 0,
                },
            );
        }
        Running {
            dataset: dataset.to_string(),
        }
    }

    /// `segments` more segment queries answered, covering `rows` rows.
    pub fn advance(&self, segments: u64, rows: u64) {
        if let Ok(mut r) = registry().lock() {
            if let Some(e) = r.get_mut(&self.dataset) {
                e.segments += segments;
                e.rows += rows;
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut r) = registry().lock() {
            r.remove(&self.dataset);
        }
    }
}

/// The dataset's comparison running now, if any.
pub fn of(dataset: &str) -> Option<Progress> {
    let r = registry().lock().ok()?;
    r.get(dataset).map(|e| Progress {
        elapsed: e.started.elapsed(),
        segments: e.segments,
        rows: e.rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_is_listed_while_it_runs_with_its_progress() {
        assert_eq!(of("progress-test"), None);
        let run = Running::start("progress-test");
        run.advance(2, 1_000);
        run.advance(1, 500);
        let p = of("progress-test").map(|p| (p.segments, p.rows));
        assert_eq!(p, Some((3, 1_500)));
        drop(run);
        assert_eq!(of("progress-test"), None);
    }
}
