//! The forecast finish and its band. Without baseline logs the remaining
//! steps take their runbook `expected`; with them, each step that a baseline
//! run finished takes its rehearsal P50 (the forecast that
//! `cutover.forecast_overrun_min` measures) or P90 (the band's late edge),
//! and the runbook's `expected` where no rehearsal finished it.

use super::state::StepState;
use super::state::StepStatus;
use super::Cockpit;
use crate::derived::critical_path;
use crate::time::{Dur, Ts};

/// Which duration a step with a rehearsal baseline is forecast to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimate {
    /// The median actual duration of the baseline runs.
    P50,
    /// The 90th percentile of the actual durations of the baseline runs.
    P90,
}

/// The projected finish of the remaining work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forecast {
    /// With rehearsal P50s where known (what `cutover.forecast_overrun_min` measures).
    pub end: Ts,
    /// With rehearsal P90s where known; `None` without baseline logs.
    pub p90_end: Option<Ts>,
}

impl Cockpit {
    /// The forecast finish at `now`, with its P90 edge when baselines are loaded.
    pub fn forecast(&self, now: Ts) -> Forecast {
        Forecast {
            end: now + self.remaining_work(now, Estimate::P50),
            p90_end: self.forecast_p90_end(now),
        }
    }

    /// The band's late edge alone (the P50 end is in the metric store);
    /// `None` without baseline logs.
    pub fn forecast_p90_end(&self, now: Ts) -> Option<Ts> {
        self.store
            .baseline_runs()
            .map(|_| now + self.remaining_work(now, Estimate::P90))
    }

    /// A step's whole duration as the forecast counts it.
    pub fn step_estimate(&self, s: &StepStatus, est: Estimate) -> Option<Dur> {
        let rehearsed = s.phase.as_deref().and_then(|p| {
            let b = self.store.baseline_runs()?.step(p, &s.id)?;
            Some(match est {
                Estimate::P50 => b.p50,
                Estimate::P90 => b.p90,
            })
        });
        rehearsed.or(s.expected)
    }

    /// Unfinished work still ahead at `now`: phases one after another, steps
    /// inside a phase along `after`, then a rollback in progress (rollback
    /// steps always take their plan's `expected`).
    pub(super) fn remaining_work(&self, now: Ts, est: Estimate) -> Dur {
        let ahead: Vec<&StepStatus> = self
            .steps
            .iter()
            .filter(|s| {
                s.phase
                    .as_deref()
                    .and_then(|p| self.runbook.phase_index(p))
                    .is_some_and(|i| i >= self.phase.index && !self.phase.finished)
            })
            .collect();
        let mut work = Dur::ZERO;
        for p in self.runbook.phases.iter().skip(self.phase.index) {
            let in_phase: Vec<&StepStatus> = ahead
                .iter()
                .copied()
                .filter(|s| s.phase.as_deref() == Some(&p.id))
                .collect();
            work = work + remaining_path_as(&in_phase, now, |s| self.step_estimate(s, est));
        }
        if let Some(rb) = &self.rollback {
            let steps: Vec<&StepStatus> = rb.steps.iter().collect();
            work = work + remaining_path_as(&steps, now, |s| s.expected);
        }
        work
    }
}

/// Time still needed for one step at `now` (0 when finished or unplanned).
pub fn step_remaining(s: &StepStatus, now: Ts) -> Dur {
    step_remaining_as(s, now, s.expected)
}

/// As [`step_remaining`], with `estimate` as the step's whole duration (the
/// runbook's `expected`, or a rehearsal P50/P90).
pub fn step_remaining_as(s: &StepStatus, now: Ts, estimate: Option<Dur>) -> Dur {
    let expected = estimate.unwrap_or(Dur::ZERO);
    match &s.state {
        StepState::Done { .. } | StepState::Skipped { .. } => Dur::ZERO,
        StepState::InProgress { since, .. } => Dur((expected - (now - *since)).0.max(0)),
        StepState::Pending | StepState::Blocked { .. } => expected,
    }
}

/// Critical path of the unfinished part of `steps` at `now`.
pub fn remaining_path(steps: &[&StepStatus], now: Ts) -> Dur {
    remaining_path_as(steps, now, |s| s.expected)
}

/// As [`remaining_path`], each step's duration given by `estimate`.
pub fn remaining_path_as(
    steps: &[&StepStatus],
    now: Ts,
    estimate: impl Fn(&StepStatus) -> Option<Dur>,
) -> Dur {
    let rows: Vec<(&str, Dur, &[String])> = steps
        .iter()
        .map(|s| {
            (
                s.id.as_str(),
                step_remaining_as(s, now, estimate(s)),
                s.after.as_slice(),
            )
        })
        .collect();
    critical_path(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(id: &str, mins: i64, after: &[&str], state: StepState) -> StepStatus {
        StepStatus {
            id: id.into(),
            phase: Some("p".into()),
            title: id.into(),
            owner: "o".into(),
            expected: Some(Dur::from_mins(mins)),
            after: after.iter().map(|s| s.to_string()).collect(),
            state,
            undone_by: None,
        }
    }

    #[test]
    fn critical_path_follows_after_and_runs_the_rest_in_parallel() {
        let a = st("a", 20, &[], StepState::Pending);
        let b = st("b", 15, &["a"], StepState::Pending);
        let c = st("c", 30, &[], StepState::Pending);
        assert_eq!(remaining_path(&[&a, &b, &c], Ts(0)), Dur::from_mins(35));
        let a_started = st(
            "a",
            20,
            &[],
            StepState::InProgress {
                by: "x".into(),
                since: Ts(0),
            },
        );
        // 10 minutes into a 20-minute step: 10 + 15 remain on that chain.
        let now = Ts(Dur::from_mins(10).0);
        assert_eq!(remaining_path(&[&a_started, &b], now), Dur::from_mins(25));
    }

    #[test]
    fn cycles_are_cut_not_followed() {
        let a = st("a", 1, &["b"], StepState::Pending);
        let b = st("b", 1, &["a"], StepState::Pending);
        assert_eq!(remaining_path(&[&a, &b], Ts(0)), Dur::from_mins(2));
    }
}
