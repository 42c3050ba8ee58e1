//! "This run against its rehearsals": each phase step's actual duration
//! beside the P50/P90 of the same step in the `--baseline` logs given to
//! `cutover report`, and the drift (actual minus P50), with a per-phase
//! total of the steps that have both (the cumulative drift).

use super::facts::StepRun;
use super::plan::Plan;
use super::text::dur;
use crate::core::baseline::{Baseline, StepBaseline};
use crate::core::time::Dur;

/// The comparison, per phase of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Rehearsals {
    /// The baseline logs as given (display names).
    pub logs: Vec<String>,
    pub phases: Vec<PhaseVsRehearsals>,
}

/// One phase's steps against their rehearsals.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseVsRehearsals {
    pub phase: String,
    pub name: String,
    pub steps: Vec<StepVsRehearsals>,
}

/// One step: its actual duration (when done) and the rehearsals' figures.
#[derive(Debug, Clone, PartialEq)]
pub struct StepVsRehearsals {
    pub id: String,
    pub title: String,
    /// Start to done in this run; `None` unless the step was done.
    pub actual: Option<Dur>,
    /// `None` when no baseline run finished the step.
    pub rehearsed: Option<StepBaseline>,
}

impl StepVsRehearsals {
    /// Actual minus the rehearsals' P50, when both are known.
    pub fn drift(&self) -> Option<Dur> {
        Some(self.actual? - self.rehearsed?.p50)
    }

    /// Took longer than 9 in 10 rehearsals did.
    pub fn beyond_p90(&self) -> bool {
        matches!((self.actual, self.rehearsed), (Some(a), Some(r)) if a > r.p90)
    }
}

/// Sums over the steps of a phase that have both an actual and a rehearsal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseTotal {
    pub steps: usize,
    pub actual: Dur,
    pub p50: Dur,
    pub p90: Dur,
}

impl PhaseTotal {
    /// The phase's cumulative drift (actual minus P50).
    pub fn drift(&self) -> Dur {
        self.actual - self.p50
    }
}

impl PhaseVsRehearsals {
    /// The total over the comparable steps; `None` when there is none.
    pub fn total(&self) -> Option<PhaseTotal> {
        let both: Vec<(Dur, StepBaseline)> = self
            .steps
            .iter()
            .filter_map(|s| Some((s.actual?, s.rehearsed?)))
            .collect();
        if both.is_empty() {
            return None;
        }
        let sum =
            |f: fn(&(Dur, StepBaseline)) -> Dur| both.iter().map(f).fold(Dur::ZERO, |a, b| a + b);
        Some(PhaseTotal {
            steps: both.len(),
            actual: sum(|b| b.0),
            p50: sum(|b| b.1.p50),
            p90: sum(|b| b.1.p90),
        })
    }
}

/// Every phase step of `plan`, with this run's `steps` and the baseline.
pub fn rehearsals(
    steps: &[StepRun],
    plan: &Plan,
    baseline: &Baseline,
    logs: Vec<String>,
) -> Rehearsals {
    let phases = plan
        .phases
        .iter()
        .map(|p| PhaseVsRehearsals {
            phase: p.id.clone(),
            name: p.name.clone(),
            steps: p
                .steps
                .iter()
                .map(|s| StepVsRehearsals {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    actual: steps
                        .iter()
                        .find(|r| r.phase == p.id && r.id == s.id && r.outcome == "done")
                        .and_then(|r| r.actual),
                    rehearsed: baseline.step(&p.id, &s.id),
                })
                .collect(),
        })
        .collect();
    Rehearsals { logs, phases }
}

/// `+2m`, `-3m30s`, `0s`: a signed duration to the second.
pub fn signed(d: Dur) -> String {
    if d.0 < 0 {
        format!("-{}", dur(Dur(-d.0)))
    } else if d.0 >= 500 {
        format!("+{}", dur(d))
    } else {
        "0s".into()
    }
}

/// The table both renderers print for a phase: header, then rows of plain
/// text (the renderers escape each cell); the last row is the phase total.
pub fn table(p: &PhaseVsRehearsals) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        "Step",
        "Actual",
        "Rehearsal P50",
        "Rehearsal P90",
        "Runs",
        "Drift (actual - P50)",
    ];
    let opt = |d: Option<Dur>| d.map_or_else(|| "–".to_string(), dur);
    let mut rows: Vec<Vec<String>> = p
        .steps
        .iter()
        .map(|s| {
            let drift = match s.drift() {
                Some(d) if s.beyond_p90() => format!("{} (beyond P90)", signed(d)),
                Some(d) => signed(d),
                None => "–".into(),
            };
            vec![
                format!("{} {}", s.id, s.title),
                opt(s.actual),
                opt(s.rehearsed.map(|r| r.p50)),
                opt(s.rehearsed.map(|r| r.p90)),
                s.rehearsed.map_or("0".into(), |r| r.runs.to_string()),
                drift,
            ]
        })
        .collect();
    if let Some(t) = p.total() {
        rows.push(vec![
            format!("phase total ({} steps with both)", t.steps),
            dur(t.actual),
            dur(t.p50),
            dur(t.p90),
            String::new(),
            signed(t.drift()),
        ]);
    }
    (head, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_is_actual_minus_p50_and_the_total_sums_steps_with_both() {
        let r = |p50: i64, p90: i64| {
            Some(StepBaseline {
                p50: Dur::from_mins(p50),
                p90: Dur::from_mins(p90),
                runs: 3,
            })
        };
        let step = |id: &str, actual: Option<i64>, rehearsed| StepVsRehearsals {
            id: id.into(),
            title: id.into(),
            actual: actual.map(Dur::from_mins),
            rehearsed,
        };
        let p = PhaseVsRehearsals {
            phase: "p".into(),
            name: "P".into(),
            steps: vec![
                step("a", Some(12), r(10, 15)),
                step("b", Some(30), r(20, 25)),
                step("c", Some(5), None),
                step("d", None, r(7, 9)),
            ],
        };
        assert_eq!(p.steps[0].drift(), Some(Dur::from_mins(2)));
        assert!(!p.steps[0].beyond_p90() && p.steps[1].beyond_p90());
        assert_eq!(p.steps[2].drift(), None);
        let t = p.total().expect("two steps have both");
        assert_eq!((t.steps, t.drift()), (2, Dur::from_mins(12)));
        let (_, rows) = table(&p);
        assert_eq!(rows[1][5], "+10m (beyond P90)");
        assert_eq!(
            rows[4],
            [
                "phase total (2 steps with both)",
                "42m",
                "30m",
                "40m",
                "",
                "+12m"
            ]
        );
        assert_eq!(signed(Dur::from_secs(-210)), "-3m30s");
    }
}
