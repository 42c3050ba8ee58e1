//! One tokio task per probe, each on its own interval, the probes sharing an
//! interval spread evenly over it (one common start instant), and
//! a record of how late each attempt started against its schedule.

use crate::clock::Pace;
use crate::core::config::Config;
use crate::core::sample::ProbeReport;
use crate::core::time::Dur;
use crate::probe::attempt::ProbeRunner;
use crate::probe::Clock;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

/// Start drift in whole milliseconds, 0..=DRIFT_MAX_MS (the last bucket holds everything later).
const DRIFT_MAX_MS: usize = 2000;

/// How late attempts started against their schedule (a histogram, constant memory).
#[derive(Debug)]
pub struct StartDrift {
    buckets: Vec<AtomicU64>,
    /// Ticks that came due while the previous attempt was still running.
    pub overruns: AtomicU64,
}

impl Default for StartDrift {
    fn default() -> Self {
        StartDrift {
            buckets: (0..=DRIFT_MAX_MS).map(|_| AtomicU64::new(0)).collect(),
            overruns: AtomicU64::new(0),
        }
    }
}

impl StartDrift {
    fn record(&self, late: Duration) {
        let ms = (late.as_millis() as usize).min(DRIFT_MAX_MS);
        if let Some(b) = self.buckets.get(ms) {
            b.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Attempts recorded so far.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// Drift (ms, upper bound of its 1 ms bucket) at quantile `q` in 0..=1; None if empty.
    pub fn quantile_ms(&self, q: f64) -> Option<u64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (ms, b) in self.buckets.iter().enumerate() {
            seen += b.load(Ordering::Relaxed);
            if seen >= rank {
                return Some(ms as u64 + 1);
            }
        }
        Some(DRIFT_MAX_MS as u64)
    }
}

/// The running probe tasks; dropping the handles stops them.
pub struct ProbeHandles {
    tasks: Vec<JoinHandle<()>>,
    drift: Arc<StartDrift>,
}

impl ProbeHandles {
    /// How late attempts started against their schedule.
    pub fn drift(&self) -> &StartDrift {
        &self.drift
    }

    /// Number of probe tasks running.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether no probe is configured.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Stops every probe task.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for ProbeHandles {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The start offset of the `k`-th of `n` probes sharing `interval`: spread
/// evenly over the interval, so that starts never bunch up (random phases
/// put several probes on the same millisecond now and then, and each one
/// waits for the others' work: measured as start drift).
fn phase(interval: Duration, k: usize, n: usize) -> Duration {
    let ms = interval.as_millis().max(1) as u64;
    Duration::from_millis(ms * k as u64 / n.max(1) as u64)
}

fn std_dur(d: Dur) -> Duration {
    Duration::from_millis(d.0.max(1) as u64)
}

/// Spawns one task per configured probe on the current tokio runtime (call it
/// from inside one: it uses `tokio::spawn`); each sends a `ProbeReport` after
/// every attempt. Tasks end when `tx` is closed or the handles are dropped.
pub fn spawn_all(config: &Config, tx: Sender<ProbeReport>, clock: Clock) -> ProbeHandles {
    spawn_all_at(config, tx, clock, Pace::default())
}

/// [`spawn_all`] for a clock running at `pace`: the configured intervals
/// are clock time, so each probe runs every interval / speed of wall time,
/// never more often than [`Pace::PROBE_FLOOR`] (docs/runbook.md, "Rehearsals").
pub fn spawn_all_at(
    config: &Config,
    tx: Sender<ProbeReport>,
    clock: Clock,
    pace: Pace,
) -> ProbeHandles {
    let drift = Arc::new(StartDrift::default());
    let clients = crate::probe::ClientCache::default();
    let mut tasks = Vec::with_capacity(config.probes.len());
    let period_of = |p: &crate::core::config::Probe| {
        pace.probe_period(std_dur(p.interval.unwrap_or(config.poll.interval)))
    };
    let mut sharing: HashMap<Duration, (usize, usize)> = HashMap::new();
    for p in &config.probes {
        sharing.entry(period_of(p)).or_default().1 += 1;
    }
    // one base for all, so the offsets hold however long spawning takes
    let start = Instant::now();
    for p in &config.probes {
        let runner = ProbeRunner::new(p, clients.get(p), config.poll.timeout).at_pace(pace);
        let period = period_of(p);
        let first = match sharing.get_mut(&period) {
            Some((k, n)) => {
                *k += 1;
                start + phase(period, *k - 1, *n)
            }
            None => start,
        };
        let (tx, clock, drift) = (tx.clone(), clock.clone(), drift.clone());
        tasks.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(first, period);
            // an attempt longer than the interval skips the missed ticks instead of bursting
            ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
            let mut idle_since = Instant::now();
            loop {
                let scheduled = ticks.tick().await;
                // only a tick that found the probe idle measures the engine's lateness;
                // one that fell inside a long attempt is an overrun (the attempt's doing)
                if scheduled >= idle_since {
                    drift.record(Instant::now().saturating_duration_since(scheduled));
                } else {
                    drift.overruns.fetch_add(1, Ordering::Relaxed);
                }
                let report = runner.attempt(&clock).await;
                idle_since = Instant::now();
                if tx.send(report).await.is_err() {
                    return;
                }
            }
        }));
    }
    ProbeHandles { tasks, drift }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_quantiles_use_nearest_rank() {
        let d = StartDrift::default();
        assert_eq!(d.quantile_ms(0.99), None);
        for ms in [0, 0, 0, 5, 40] {
            d.record(Duration::from_millis(ms));
        }
        d.record(Duration::from_secs(60));
        assert_eq!(d.count(), 6);
        assert_eq!(d.quantile_ms(0.5), Some(1));
        assert_eq!(d.quantile_ms(0.8), Some(41));
        assert_eq!(d.quantile_ms(1.0), Some(DRIFT_MAX_MS as u64 + 1));
    }

    #[test]
    fn phases_spread_evenly_inside_the_interval() {
        let second = Duration::from_secs(1);
        let all: Vec<_> = (0..1000).map(|k| phase(second, k, 1000)).collect();
        assert!(all.iter().all(|p| *p < second));
        // 1,000 probes at 1 s: one start per millisecond, none shared
        let mut ms: Vec<_> = all.iter().map(Duration::as_millis).collect();
        ms.dedup();
        assert_eq!(ms.len(), 1000);
        assert_eq!(
            phase(Duration::from_secs(5), 3, 30),
            Duration::from_millis(500)
        );
        assert_eq!(phase(second, 0, 0), Duration::ZERO);
    }
}
