//! Rehearsal baselines: what earlier runs of the same runbook (the
//! `--baseline` logs) observed, per phase. Two uses: `baseline(STAT, METRIC)`
//! in expressions (STAT of the metric's samples logged during the same phase)
//! and per-step P50/P90 of the actual durations, for the forecast.
//!
//! Built from log records only (pure): the caller reads and verifies the logs.

use crate::entry::{Entry, EntryKind};
use crate::expr::WindowFn;
use crate::missing::Missing;
use crate::time::{Dur, Ts};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The samples and step durations of one or more earlier runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    /// How many logs went in.
    pub runs: usize,
    /// phase -> metric -> values (sorted once every run is in).
    samples: BTreeMap<String, BTreeMap<String, Vec<f64>>>,
    /// (phase, step) -> actual durations, one per run that finished the step.
    steps: BTreeMap<(String, String), Vec<Dur>>,
}

/// P50 and P90 of a step's actual durations in the baseline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepBaseline {
    /// Median actual duration.
    pub p50: Dur,
    /// 90th percentile of the actual durations.
    pub p90: Dur,
    /// How many runs finished the step (start and done both logged).
    pub runs: usize,
}

impl Baseline {
    /// Adds one run's records (oldest first, with their timestamps).
    pub fn add_run<'a>(&mut self, records: impl IntoIterator<Item = (Ts, &'a Entry)>) {
        let mut started: HashMap<(String, String), Ts> = HashMap::new();
        let mut durations: HashMap<(String, String), Dur> = HashMap::new();
        for (ts, e) in records {
            let phase = e.phase.clone().unwrap_or_default();
            match e.kind {
                EntryKind::Observe => self.add_observe(&phase, &e.body),
                EntryKind::Step => {
                    let b = &e.body;
                    if b.get("rollback").is_some_and(|r| !r.is_null()) {
                        continue; // rollback steps have no phase to forecast
                    }
                    let Some(step) = b.get("step").and_then(Value::as_str) else {
                        continue;
                    };
                    let step_phase = b
                        .get("phase")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .unwrap_or(phase);
                    let key = (step_phase, step.to_string());
                    match b.get("type").and_then(Value::as_str) {
                        // a re-start (after a rollback) measures from the latest start
                        Some("start") => {
                            started.insert(key, ts);
                        }
                        Some("done") => {
                            if let Some(s) = started.get(&key) {
                                durations.insert(key, ts - *s);
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        for (k, d) in durations {
            self.steps.entry(k).or_default().push(d);
        }
        for metrics in self.samples.values_mut() {
            for v in metrics.values_mut() {
                v.sort_unstable_by(f64::total_cmp);
            }
        }
        for v in self.steps.values_mut() {
            v.sort_unstable();
        }
        self.runs += 1;
    }

    fn add_observe(&mut self, phase: &str, body: &Value) {
        let reports: Vec<&Value> = match body.get("reports").and_then(Value::as_array) {
            Some(r) => r.iter().collect(),
            None => vec![body],
        };
        let per_phase = self.samples.entry(phase.to_string()).or_default();
        for r in reports {
            let Some(samples) = r.get("samples").and_then(Value::as_object) else {
                continue;
            };
            for (name, v) in samples {
                if let Some(x) = v.as_f64().filter(|x| x.is_finite()) {
                    per_phase.entry(name.clone()).or_default().push(x);
                }
            }
        }
    }

    /// `baseline(stat, metric)` in `phase`: avg, min, max, or a nearest-rank
    /// percentile (as the window functions) of every sample of the metric
    /// logged during that phase in any baseline run.
    pub fn stat(&self, phase: &str, stat: WindowFn, metric: &str) -> Result<f64, Missing> {
        let values = self
            .samples
            .get(phase)
            .and_then(|m| m.get(metric))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                Missing(format!(
                    "no sample of {metric} in phase {phase} of the baseline logs"
                ))
            })?;
        let v = match stat {
            WindowFn::Avg => values.iter().sum::<f64>() / values.len() as f64,
            WindowFn::Min => values[0],
            WindowFn::Max => values[values.len() - 1],
            WindowFn::P50 => nearest_rank(values, 50.0),
            WindowFn::P95 => nearest_rank(values, 95.0),
            WindowFn::P99 => nearest_rank(values, 99.0),
            other => {
                return Err(Missing(format!(
                    "baseline({}, {metric}): not a baseline statistic",
                    other.name()
                )))
            }
        };
        Ok(v)
    }

    /// The step's P50/P90 actual duration, when any baseline run finished it.
    pub fn step(&self, phase: &str, step: &str) -> Option<StepBaseline> {
        let d = self.steps.get(&(phase.to_string(), step.to_string()))?;
        if d.is_empty() {
            return None;
        }
        Some(StepBaseline {
            p50: nearest_rank(d, 50.0),
            p90: nearest_rank(d, 90.0),
            runs: d.len(),
        })
    }
}

/// Nearest rank on sorted values: the smallest with at least p% at or below it.
fn nearest_rank<T: Copy>(sorted: &[T], p: f64) -> T {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(ts: i64, phase: &str, id: &str, ty: &str) -> (Ts, Entry) {
        (
            Ts(ts * 60_000),
            Entry {
                kind: EntryKind::Step,
                actor: "sam".into(),
                phase: Some(phase.into()),
                body: json!({"type": ty, "step": id, "phase": phase, "rollback": null}),
            },
        )
    }

    fn observe(ts: i64, phase: &str, v: f64) -> (Ts, Entry) {
        (
            Ts(ts * 60_000),
            Entry {
                kind: EntryKind::Observe,
                actor: "system".into(),
                phase: Some(phase.into()),
                body: json!({"reports": [{"probe": "p", "ok": true, "samples": {"m": v}}]}),
            },
        )
    }

    #[test]
    fn step_durations_give_p50_and_p90_by_nearest_rank() {
        let mut b = Baseline::default();
        for mins in [10, 20, 30, 40, 50] {
            let run = [step(0, "a", "s1", "start"), step(mins, "a", "s1", "done")];
            b.add_run(run.iter().map(|(t, e)| (*t, e)));
        }
        assert_eq!(b.runs, 5);
        let s = b.step("a", "s1").expect("s1 has a baseline");
        assert_eq!(s.p50, Dur::from_mins(30));
        assert_eq!(s.p90, Dur::from_mins(50));
        assert_eq!(s.runs, 5);
        assert_eq!(b.step("a", "other"), None);
    }

    #[test]
    fn a_step_never_finished_has_no_duration() {
        let mut b = Baseline::default();
        let run = [step(0, "a", "s1", "start")];
        b.add_run(run.iter().map(|(t, e)| (*t, e)));
        assert_eq!(b.step("a", "s1"), None);
    }

    #[test]
    fn stats_come_from_the_same_phase_only() {
        let mut b = Baseline::default();
        let run: Vec<_> = (1..=10)
            .map(|i| observe(i, "a", i as f64))
            .chain([observe(11, "b", 1000.0)])
            .collect();
        b.add_run(run.iter().map(|(t, e)| (*t, e)));
        assert_eq!(b.stat("a", WindowFn::Avg, "m"), Ok(5.5));
        assert_eq!(b.stat("a", WindowFn::P95, "m"), Ok(10.0));
        assert_eq!(b.stat("a", WindowFn::P50, "m"), Ok(5.0));
        assert_eq!(b.stat("a", WindowFn::Max, "m"), Ok(10.0));
        assert_eq!(b.stat("b", WindowFn::Min, "m"), Ok(1000.0));
        assert!(b.stat("c", WindowFn::Avg, "m").is_err());
        assert!(b.stat("a", WindowFn::Avg, "other").is_err());
    }
}
