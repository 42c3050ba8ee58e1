//! The metric store: a bounded ring buffer of samples per metric, with the
//! window queries the expression language needs (docs/runbook.md).
//!
//! Memory stays flat over a 12-hour window: every series keeps at most
//! `cap` samples and drops samples older than `retain` (the longest window
//! the runbook uses), always keeping the newest sample so `age()` works.

use crate::baseline::Baseline;
use crate::expr::WindowFn;
use crate::time::{Dur, Ts};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

pub use crate::missing::Missing;

/// Default number of samples kept per metric (about 5.7 h at one sample per 5 s).
pub const DEFAULT_CAP: usize = 4096;

/// One metric's samples, oldest first, timestamps non-decreasing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    samples: VecDeque<(Ts, f64)>,
}

impl Series {
    /// Samples oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Ts, f64)> + '_ {
        self.samples.iter().copied()
    }
    /// How many samples are kept.
    pub fn len(&self) -> usize {
        self.samples.len()
    }
    /// Whether no sample is kept.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
    /// The newest sample taken at or before `now`.
    pub fn latest_at(&self, now: Ts) -> Option<(Ts, f64)> {
        let end = self.samples.partition_point(|(t, _)| *t <= now);
        end.checked_sub(1)
            .and_then(|i| self.samples.get(i).copied())
    }
    /// Values with `now - window <= ts <= now`, oldest first.
    fn window(&self, now: Ts, window: Dur) -> impl Iterator<Item = (Ts, f64)> + '_ {
        let from = now - window;
        let start = self.samples.partition_point(|(t, _)| *t < from);
        let end = self.samples.partition_point(|(t, _)| *t <= now);
        self.samples.range(start..end.max(start)).copied()
    }
}

/// All metrics, by name.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricStore {
    series: HashMap<String, Series>,
    cap: usize,
    retain: Dur,
    stale_after: Dur,
    /// Metrics with their own staleness (`None` = never stale, e.g. derived ones).
    stale_overrides: HashMap<String, Option<Dur>>,
    /// Earlier runs (`--baseline` logs) and the phase `baseline()` reads.
    baseline: Option<Arc<Baseline>>,
    baseline_phase: String,
}

impl Default for MetricStore {
    fn default() -> Self {
        MetricStore::new(DEFAULT_CAP, Dur::from_mins(60), Dur::from_secs(20))
    }
}

impl MetricStore {
    /// A store keeping at most `cap` samples per metric and none older than
    /// `retain` (except each metric's newest); bare metrics older than
    /// `stale_after` count as missing.
    pub fn new(cap: usize, retain: Dur, stale_after: Dur) -> MetricStore {
        MetricStore {
            series: HashMap::new(),
            cap: cap.max(2),
            retain,
            stale_after,
            stale_overrides: HashMap::new(),
            baseline: None,
            baseline_phase: String::new(),
        }
    }

    /// The baseline runs `baseline(STAT, METRIC)` reads.
    pub fn set_baseline(&mut self, baseline: Arc<Baseline>) {
        self.baseline = Some(baseline);
    }

    /// The baseline runs, if any.
    pub fn baseline_runs(&self) -> Option<&Baseline> {
        self.baseline.as_deref()
    }

    /// The phase whose baseline samples `baseline()` reads (the current one).
    pub fn set_baseline_phase(&mut self, phase: &str) {
        if self.baseline_phase != phase {
            self.baseline_phase = phase.to_string();
        }
    }

    /// `baseline(stat, name)`: Unknown without baseline logs.
    pub fn baseline(&self, stat: WindowFn, name: &str) -> Result<f64, Missing> {
        match &self.baseline {
            None => Err(Missing(format!(
                "baseline({}, {name}): no --baseline logs",
                stat.name()
            ))),
            Some(b) => b.stat(&self.baseline_phase, stat, name),
        }
    }

    /// Changes the default staleness (the config's `poll.stale_after`).
    pub fn set_stale_after(&mut self, stale_after: Dur) {
        self.stale_after = stale_after;
    }

    /// Gives `name` its own staleness; `None` means it never goes stale.
    pub fn set_stale_override(&mut self, name: &str, stale_after: Option<Dur>) {
        self.stale_overrides.insert(name.to_string(), stale_after);
    }

    /// Makes sure samples are kept at least `retain` long (the longest window used).
    pub fn retain_at_least(&mut self, retain: Dur) {
        self.retain = self.retain.max(retain);
    }

    /// Records a sample. Non-finite values are refused (they would be Unknown
    /// anyway); returns whether the sample was kept.
    pub fn push(&mut self, name: &str, ts: Ts, value: f64) -> bool {
        if !value.is_finite() {
            return false;
        }
        let (cap, retain) = (self.cap, self.retain);
        let series = match self.series.get_mut(name) {
            Some(s) => s,
            None => self.series.entry(name.to_string()).or_default(),
        };
        let q = &mut series.samples;
        match q.back() {
            Some((last, _)) if *last > ts => {
                // Rare: out-of-order arrival. Keep the buffer sorted.
                let at = q.partition_point(|(t, _)| *t <= ts);
                q.insert(at, (ts, value));
            }
            _ => q.push_back((ts, value)),
        }
        let newest = q.back().map(|(t, _)| *t).unwrap_or(ts);
        while q.len() > cap || (q.len() > 1 && q.front().is_some_and(|(t, _)| newest - *t > retain))
        {
            q.pop_front();
        }
        true
    }

    /// The series of `name`, if it ever had a sample.
    pub fn series(&self, name: &str) -> Option<&Series> {
        self.series.get(name)
    }

    /// Every metric name with samples, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.series.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    fn stale_after_of(&self, name: &str) -> Option<Dur> {
        match self.stale_overrides.get(name) {
            Some(o) => *o,
            None => Some(self.stale_after),
        }
    }

    /// The newest sample taken at or before `now`, regardless of staleness.
    pub fn latest_raw(&self, name: &str, now: Ts) -> Option<(Ts, f64)> {
        self.series.get(name).and_then(|s| s.latest_at(now))
    }

    /// A bare metric: its latest sample, unless missing or stale.
    pub fn latest(&self, name: &str, now: Ts) -> Result<f64, Missing> {
        let (ts, v) = self
            .latest_raw(name, now)
            .ok_or_else(|| Missing(format!("no sample of {name}")))?;
        match self.stale_after_of(name) {
            Some(limit) if now - ts > limit => Err(Missing(format!(
                "stale: last sample of {name} {} ago",
                Dur(((now - ts).0 / 1000) * 1000)
            ))),
            _ => Ok(v),
        }
    }

    /// `age(name)`: seconds since its last sample.
    pub fn age(&self, name: &str, now: Ts) -> Result<f64, Missing> {
        self.latest_raw(name, now)
            .map(|(ts, _)| (now - ts).as_secs_f64())
            .ok_or_else(|| Missing(format!("no sample of {name}")))
    }

    /// `func(name, window)` over the samples with `now - window <= ts <= now`.
    pub fn window(&self, func: WindowFn, name: &str, window: Dur, now: Ts) -> Result<f64, Missing> {
        let empty = || Missing(format!("no sample of {name} in the last {window}"));
        let series = self.series.get(name).ok_or_else(empty)?;
        let it = series.window(now, window);
        let v = match func {
            WindowFn::Avg => avg(it),
            WindowFn::Min => it.map(|(_, v)| v).reduce(f64::min),
            WindowFn::Max => it.map(|(_, v)| v).reduce(f64::max),
            WindowFn::Last => it.last().map(|(_, v)| v),
            WindowFn::P50 => percentile(it, 50.0),
            WindowFn::P95 => percentile(it, 95.0),
            WindowFn::P99 => percentile(it, 99.0),
            WindowFn::Delta => first_last(it).map(|((_, a), (_, b))| b - a),
            WindowFn::Rate => {
                let (n, fl) = count_first_last(it);
                if n < 2 {
                    return Err(Missing(format!(
                        "rate({name}, {window}) needs 2 samples, has {n}"
                    )));
                }
                fl.and_then(|((ta, a), (tb, b))| {
                    let secs = (tb - ta).as_secs_f64();
                    (secs > 0.0).then(|| (b - a) / secs)
                })
            }
        };
        match v {
            Some(x) if x.is_finite() => Ok(x),
            Some(_) => Err(Missing(format!(
                "{}({name}, {window}) is not a finite number",
                func.name()
            ))),
            None => Err(empty()),
        }
    }

    /// The values with `now - window <= ts <= now`, oldest first (the
    /// two-sample statistics rank them).
    pub fn window_values(&self, name: &str, window: Dur, now: Ts) -> Vec<f64> {
        self.series
            .get(name)
            .map(|s| s.window(now, window).map(|(_, v)| v).collect())
            .unwrap_or_default()
    }

    /// Total samples held (for the memory bound).
    pub fn sample_count(&self) -> usize {
        self.series.values().map(Series::len).sum()
    }

    /// Approximate heap bytes held by samples and names.
    pub fn approx_bytes(&self) -> usize {
        self.series
            .iter()
            .map(|(k, s)| k.capacity() + s.samples.capacity() * 16 + 64)
            .sum()
    }

    /// A sorted copy of every series (name -> samples), for comparisons and tests.
    pub fn dump(&self) -> BTreeMap<String, Vec<(Ts, f64)>> {
        self.series
            .iter()
            .map(|(k, s)| (k.clone(), s.iter().collect()))
            .collect()
    }
}

fn avg(it: impl Iterator<Item = (Ts, f64)>) -> Option<f64> {
    let (n, sum) = it.fold((0usize, 0.0f64), |(n, s), (_, v)| (n + 1, s + v));
    (n > 0).then(|| sum / n as f64)
}

/// Nearest rank: the smallest value with at least p% of the samples at or below it.
fn percentile(it: impl Iterator<Item = (Ts, f64)>, p: f64) -> Option<f64> {
    let mut v: Vec<f64> = it.map(|(_, v)| v).collect();
    if v.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    let idx = rank.min(v.len()) - 1;
    let (_, nth, _) = v.select_nth_unstable_by(idx, f64::total_cmp);
    Some(*nth)
}

type Pair = ((Ts, f64), (Ts, f64));

fn first_last(it: impl Iterator<Item = (Ts, f64)>) -> Option<Pair> {
    count_first_last(it).1
}

fn count_first_last(it: impl Iterator<Item = (Ts, f64)>) -> (usize, Option<Pair>) {
    let mut n = 0;
    let mut first = None;
    let mut last = None;
    for s in it {
        n += 1;
        if first.is_none() {
            first = Some(s);
        }
        last = Some(s);
    }
    (n, first.zip(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(name: &str, vals: &[(i64, f64)]) -> MetricStore {
        let mut s = MetricStore::default();
        for (t, v) in vals {
            s.push(name, Ts(t * 1000), *v);
        }
        s
    }

    #[test]
    fn window_functions_over_the_samples_inside_the_window() {
        // 10 samples at t=1..10 s with values 1..10.
        let vals: Vec<(i64, f64)> = (1..=10).map(|i| (i, i as f64)).collect();
        let s = store_with("m", &vals);
        let now = Ts(10_000);
        let w = |f| s.window(f, "m", Dur::from_secs(4), now);
        // Window [6s, 10s] holds 6,7,8,9,10.
        assert_eq!(w(WindowFn::Avg), Ok(8.0));
        assert_eq!(w(WindowFn::Min), Ok(6.0));
        assert_eq!(w(WindowFn::Max), Ok(10.0));
        assert_eq!(w(WindowFn::Last), Ok(10.0));
        assert_eq!(w(WindowFn::Delta), Ok(4.0));
        assert_eq!(w(WindowFn::Rate), Ok(1.0));
        assert_eq!(w(WindowFn::P50), Ok(8.0));
        assert_eq!(w(WindowFn::P95), Ok(10.0));
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let vals: Vec<(i64, f64)> = (1..=100).map(|i| (i, (101 - i) as f64)).collect();
        let s = store_with("m", &vals);
        let p = |f| s.window(f, "m", Dur::from_secs(1000), Ts(100_000));
        assert_eq!(p(WindowFn::P50), Ok(50.0));
        assert_eq!(p(WindowFn::P95), Ok(95.0));
        assert_eq!(p(WindowFn::P99), Ok(99.0));
        let one = store_with("x", &[(1, 7.0)]);
        assert_eq!(
            one.window(WindowFn::P99, "x", Dur::from_secs(5), Ts(1000)),
            Ok(7.0)
        );
    }

    #[test]
    fn rate_needs_two_samples_and_an_empty_window_is_missing() {
        let s = store_with("m", &[(1, 5.0)]);
        let now = Ts(1000);
        assert!(s
            .window(WindowFn::Rate, "m", Dur::from_secs(5), now)
            .is_err());
        assert_eq!(
            s.window(WindowFn::Delta, "m", Dur::from_secs(5), now),
            Ok(0.0)
        );
        let later = Ts(100_000);
        let e = s.window(WindowFn::Avg, "m", Dur::from_secs(5), later);
        assert_eq!(e, Err(Missing("no sample of m in the last 5s".into())));
        assert_eq!(
            s.window(WindowFn::Avg, "nope", Dur::from_secs(5), later),
            Err(Missing("no sample of nope in the last 5s".into()))
        );
    }

    #[test]
    fn bare_metrics_go_stale_but_age_keeps_counting() {
        let s = store_with("target.pacs.latency_ms", &[(0, 400.0)]);
        assert_eq!(s.latest("target.pacs.latency_ms", Ts(20_000)), Ok(400.0));
        assert_eq!(
            s.latest("target.pacs.latency_ms", Ts(34_000)),
            Err(Missing(
                "stale: last sample of target.pacs.latency_ms 34s ago".into()
            ))
        );
        assert_eq!(s.age("target.pacs.latency_ms", Ts(34_000)), Ok(34.0));
        assert_eq!(s.latest("x", Ts(0)), Err(Missing("no sample of x".into())));
    }

    #[test]
    fn overrides_make_derived_metrics_never_stale() {
        let mut s = store_with("issues.open", &[(0, 1.0)]);
        s.set_stale_override("issues.open", None);
        assert_eq!(s.latest("issues.open", Ts(3_600_000)), Ok(1.0));
    }

    #[test]
    fn non_finite_samples_are_refused() {
        let mut s = MetricStore::default();
        assert!(!s.push("m", Ts(0), f64::NAN));
        assert!(!s.push("m", Ts(0), f64::INFINITY));
        assert!(s.latest("m", Ts(0)).is_err());
    }

    #[test]
    fn series_are_bounded_by_cap_and_by_age() {
        let mut s = MetricStore::new(100, Dur::from_secs(50), Dur::from_secs(20));
        for i in 0..1000 {
            s.push("m", Ts(i * 1000), i as f64);
        }
        let series = s.series("m").expect("series");
        assert!(series.len() <= 51, "{}", series.len());
        // Only samples within the last 50 s remain; the newest is kept.
        assert_eq!(series.iter().next().map(|(t, _)| t), Some(Ts(949_000)));
        let mut c = MetricStore::new(100, Dur::from_mins(600), Dur::from_secs(20));
        for i in 0..1000 {
            c.push("m", Ts(i * 1000), i as f64);
        }
        assert_eq!(c.sample_count(), 100);
        // An old lone sample survives for age().
        let mut lone = MetricStore::new(100, Dur::from_secs(5), Dur::from_secs(20));
        lone.push("m", Ts(0), 1.0);
        lone.push("m", Ts(0), 2.0);
        assert_eq!(lone.age("m", Ts(3_600_000)), Ok(3600.0));
    }

    #[test]
    fn out_of_order_samples_are_sorted_in() {
        let s = store_with("m", &[(1, 1.0), (3, 3.0), (2, 2.0)]);
        let got: Vec<f64> = s.series("m").expect("m").iter().map(|(_, v)| v).collect();
        assert_eq!(got, vec![1.0, 2.0, 3.0]);
    }
}
