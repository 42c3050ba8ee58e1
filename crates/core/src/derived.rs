//! Metrics the cockpit derives itself (docs/runbook.md): countdowns, the
//! overrun forecast, rollback slack and issue counts. Pure functions of the
//! cockpit state at `now`; fed into the metric store on every tick. A leaf:
//! the cockpit turns its steps into `critical_path` rows (`cockpit::forecast`).

use crate::time::{Dur, Ts};
use std::collections::HashMap;

/// Minutes since the window opened (negative before `window_start`).
pub const ELAPSED_MIN: &str = "cutover.elapsed_min";
/// Minutes left in the approved window.
pub const REMAINING_MIN: &str = "cutover.remaining_min";
/// Projected finish minus the window's end, in minutes.
pub const FORECAST_OVERRUN_MIN: &str = "cutover.forecast_overrun_min";
/// Minutes since the current phase was entered.
pub const PHASE_ELAPSED_MIN: &str = "phase.elapsed_min";
/// Open entries of the issue log.
pub const ISSUES_OPEN: &str = "issues.open";
/// Open critical entries of the issue log.
pub const ISSUES_OPEN_CRITICAL: &str = "issues.open_critical";

/// Every derived metric whose name does not depend on the runbook.
pub const FIXED: [&str; 6] = [
    ELAPSED_MIN,
    REMAINING_MIN,
    FORECAST_OVERRUN_MIN,
    PHASE_ELAPSED_MIN,
    ISSUES_OPEN,
    ISSUES_OPEN_CRITICAL,
];

/// `rollback.<scope>.slack_min`: remaining window minus that scope's plan
/// duration (the point of no return is when it reaches 0).
pub fn rollback_slack(scope: &str) -> String {
    format!("rollback.{scope}.slack_min")
}

/// The scope of a `rollback.<scope>.slack_min` name, if it is one.
pub fn slack_scope(name: &str) -> Option<&str> {
    let scope = name.strip_prefix("rollback.")?.strip_suffix(".slack_min")?;
    (!scope.is_empty() && !scope.contains('.')).then_some(scope)
}

/// Every derived metric of a runbook with these rollback scopes.
pub fn names<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
    out.extend(scopes.into_iter().map(rollback_slack));
    out
}

/// Whether `name` is one of the cockpit's own metrics (never stale, not probed).
pub fn is_derived(name: &str) -> bool {
    FIXED.contains(&name) || slack_scope(name).is_some()
}

/// Everything the derived metrics are computed from.
#[derive(Debug, Clone)]
pub struct DerivedInputs<'a> {
    /// The moment the metrics are computed for.
    pub now: Ts,
    /// `window_start` when set, else the log start.
    pub origin: Ts,
    /// End of the approved window (`origin + max_duration`).
    pub window_end: Ts,
    /// When the current phase was entered.
    pub phase_entered: Ts,
    /// Unfinished work still ahead (critical path over the remaining phases).
    pub remaining_work: Dur,
    /// `(scope, planned duration of its rollback plan)`.
    pub rollback_plans: Vec<(&'a str, Dur)>,
    /// Issue-log entries not yet closed.
    pub issues_open: usize,
    /// Of those, the ones of critical severity.
    pub issues_open_critical: usize,
}

/// The derived samples at `inp.now`, as `(name, value)`.
pub fn derived_samples(inp: &DerivedInputs) -> Vec<(String, f64)> {
    let mins = |d: Dur| d.as_mins_f64();
    let remaining = inp.window_end - inp.now;
    let mut out = vec![
        (ELAPSED_MIN.into(), mins(inp.now - inp.origin)),
        (REMAINING_MIN.into(), mins(remaining)),
        (PHASE_ELAPSED_MIN.into(), mins(inp.now - inp.phase_entered)),
        (
            FORECAST_OVERRUN_MIN.into(),
            mins((inp.now + inp.remaining_work) - inp.window_end),
        ),
        (ISSUES_OPEN.into(), inp.issues_open as f64),
        (ISSUES_OPEN_CRITICAL.into(), inp.issues_open_critical as f64),
    ];
    for (scope, plan) in &inp.rollback_plans {
        out.push((rollback_slack(scope), mins(remaining - *plan)));
    }
    out
}

/// The longest chain of `remaining` along `after` (steps run in parallel
/// unless ordered). `after` references outside `steps` are ignored; cycles
/// (refused by `check`) are cut rather than followed.
pub fn critical_path(steps: &[(&str, Dur, &[String])]) -> Dur {
    let index: HashMap<&str, usize> = steps.iter().enumerate().map(|(i, s)| (s.0, i)).collect();
    let mut memo: Vec<Mark> = vec![Mark::New; steps.len()];
    let mut best = Dur::ZERO;
    for i in 0..steps.len() {
        best = best.max(finish(i, steps, &index, &mut memo));
    }
    best
}

#[derive(Clone, Copy)]
enum Mark {
    New,
    Visiting,
    Done(Dur),
}

fn finish(
    i: usize,
    steps: &[(&str, Dur, &[String])],
    index: &HashMap<&str, usize>,
    memo: &mut [Mark],
) -> Dur {
    match memo[i] {
        Mark::Done(d) => return d,
        // A cycle: this chain contributes nothing more.
        Mark::Visiting => return Dur::ZERO,
        Mark::New => memo[i] = Mark::Visiting,
    }
    let (_, own, after) = steps[i];
    let mut before = Dur::ZERO;
    for dep in after.iter() {
        if let Some(&j) = index.get(dep.as_str()) {
            before = before.max(finish(j, steps, index, memo));
        }
    }
    let d = before + own;
    memo[i] = Mark::Done(d);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_slack_and_forecast() {
        let inp = DerivedInputs {
            now: Ts(Dur::from_mins(60).0),
            origin: Ts(0),
            window_end: Ts(Dur::from_mins(360).0),
            phase_entered: Ts(Dur::from_mins(45).0),
            remaining_work: Dur::from_mins(330),
            rollback_plans: vec![("return-read-path", Dur::from_mins(15))],
            issues_open: 2,
            issues_open_critical: 1,
        };
        let m: HashMap<String, f64> = derived_samples(&inp).into_iter().collect();
        assert_eq!(m["cutover.elapsed_min"], 60.0);
        assert_eq!(m["cutover.remaining_min"], 300.0);
        assert_eq!(m["phase.elapsed_min"], 15.0);
        assert_eq!(m["cutover.forecast_overrun_min"], 30.0);
        assert_eq!(m["rollback.return-read-path.slack_min"], 285.0);
        assert_eq!(m["issues.open"], 2.0);
        assert_eq!(m["issues.open_critical"], 1.0);
        assert!(is_derived("rollback.x.slack_min") && !is_derived("target.pacs.up"));
        assert!(!is_derived("cutover.nonsense") && !is_derived("rollback.a.b.slack_min"));
        assert_eq!(
            slack_scope("rollback.return-read-path.slack_min"),
            Some("return-read-path")
        );
        let all = names(["a"]);
        assert_eq!(all.len(), 7);
        assert!(all.iter().all(|n| is_derived(n)));
    }
}
