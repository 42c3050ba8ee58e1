//! Threshold (rollback trigger) state machine: `ok`, `watch` (true, `for`
//! running), `breached`, `unknown`, `inactive` (outside its phases).
//!
//! `watch` and `breached` keep their state while the inputs are Unknown (the
//! screen shows that they are) and leave it only on a false evaluation.

use crate::condition::ConditionState;
use crate::expr::{Expr, Tri, WindowCache};
use crate::gate::{reason_for, GateState};
use crate::metrics::MetricStore;
use crate::runbook::{Severity, Threshold};
use crate::time::{Dur, Ts};
use crate::timer::{ForTimer, Transition};
use serde::{Deserialize, Serialize};

/// A threshold's state as the screen and the log name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdState {
    /// The condition does not hold: all well.
    Ok,
    /// The condition holds, but not yet for its `for` duration.
    Watch,
    /// The condition held for its `for` duration: a recommendation is raised.
    Breached,
    /// The condition cannot be evaluated (a metric is missing or stale).
    Unknown,
    /// Not watched in the current phase (outside its phases).
    Inactive,
}

impl ThresholdState {
    /// The name the screen and the log use.
    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdState::Ok => "ok",
            ThresholdState::Watch => "watch",
            ThresholdState::Breached => "breached",
            ThresholdState::Unknown => "unknown",
            ThresholdState::Inactive => "inactive",
        }
    }
    /// The state named `s` (as [`ThresholdState::as_str`] writes it).
    pub fn from_name(s: &str) -> Option<ThresholdState> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

/// One threshold and where it stands. The condition's timer, latest
/// evaluation and reason are in [`ConditionState`] (reached as `t.timer`,
/// `t.last`, `t.reason` through `Deref`).
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdStatus {
    /// The threshold id from the runbook.
    pub id: String,
    /// What the threshold watches, in words.
    pub title: String,
    /// The `when` expression as written.
    pub when_src: String,
    /// What a breach recommends: rollback or hold.
    pub severity: Severity,
    /// The rollback scope a breach recommends, if any.
    pub scope: Option<String>,
    /// Where it stands now.
    pub state: ThresholdState,
    /// In `watch`/`breached` while the latest evaluation was Unknown.
    pub inputs_unknown: bool,
    /// Evaluated, shown and logged, but a breach never raises a recommendation.
    pub advisory: bool,
    /// Timer, latest evaluation, reason.
    pub cond: ConditionState,
}

crate::condition::deref_to_condition!(ThresholdStatus);

impl ThresholdStatus {
    /// The threshold `t`, not evaluated yet.
    pub fn new(t: &Threshold) -> ThresholdStatus {
        ThresholdStatus {
            id: t.id.clone(),
            title: t.title.clone(),
            when_src: t.when_src.clone(),
            severity: t.severity,
            scope: t.scope.clone(),
            state: ThresholdState::Unknown,
            inputs_unknown: false,
            advisory: t.advisory,
            cond: ConditionState::new(t.hold_for),
        }
    }

    /// Evaluates at `now` (`active` = its phases include the current one).
    /// Returns the transition or timer checkpoint to record, if any.
    pub fn evaluate(
        &mut self,
        active: bool,
        when: &Expr,
        store: &MetricStore,
        now: Ts,
        cache: &mut WindowCache,
    ) -> Option<Transition> {
        use ThresholdState::*;
        if !active {
            self.cond.timer = ForTimer::default();
            self.cond.last = None;
            self.cond.reason = Some("not active in this phase".into());
            self.inputs_unknown = false;
            return self.transition(Inactive, (None, None), false);
        }
        let (ev, tri) = self.cond.evaluate(when, store, now, cache);
        let next = match (tri, self.state) {
            (Tri::True, Breached) => Breached,
            (Tri::True, _) if self.timer.met(self.hold_for) => Breached,
            (Tri::True, _) => Watch,
            (Tri::False, _) => Ok,
            (Tri::Unknown, s @ (Watch | Breached)) => s,
            (Tri::Unknown, _) => Unknown,
        };
        self.inputs_unknown = tri == Tri::Unknown && matches!(next, Watch | Breached);
        let as_gate = match next {
            Watch => GateState::Holding,
            Ok => GateState::Pass,
            Unknown => GateState::Unknown,
            _ => GateState::Pass,
        };
        self.cond.reason = match tri {
            Tri::Unknown => ev.reason.clone().map(|r| format!("inputs unknown: {r}")),
            _ => reason_for(as_gate, &ev, self.timer.acc, self.hold_for),
        };
        let sides = self.cond.keep(ev);
        let checkpoint = next == self.state && next == Watch && self.checkpoint_due();
        self.transition(next, sides, checkpoint)
    }

    fn transition(
        &self,
        next: ThresholdState,
        sides: (Option<f64>, Option<f64>),
        checkpoint: bool,
    ) -> Option<Transition> {
        if next == self.state && !checkpoint {
            return None;
        }
        let states = (self.state.as_str(), next.as_str());
        Some(self.cond.transition(&self.id, states, sides, checkpoint))
    }

    /// Applies a recorded transition (live, or while rebuilding from the log).
    pub fn apply(&mut self, to: ThresholdState, timer: Dur) {
        self.state = to;
        self.cond.restore(timer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_condition;
    use crate::span::Pos;
    use ThresholdState::*;

    fn drive(hold_for: Option<Dur>, steps: &[(bool, Option<f64>)]) -> Vec<ThresholdState> {
        let expr = parse_condition("m > 800").expect("parses");
        let t = Threshold {
            id: "lat".into(),
            title: "t".into(),
            when_src: "m > 800".into(),
            when: expr.clone(),
            hold_for,
            scope: Some("s".into()),
            severity: Severity::Rollback,
            phases: vec![],
            advisory: false,
            pos: Pos::default(),
        };
        let mut th = ThresholdStatus::new(&t);
        let mut store = MetricStore::new(64, Dur::from_mins(5), Dur(1500));
        let mut out = vec![];
        for (i, (active, v)) in steps.iter().enumerate() {
            let now = Ts(i as i64 * 1000);
            if let Some(v) = v {
                store.push("m", now, *v);
            }
            if let Some(tr) = th.evaluate(*active, &expr, &store, now, &mut WindowCache::default())
            {
                th.apply(ThresholdState::from_name(tr.to).expect("state"), tr.timer);
            }
            out.push(th.state);
        }
        out
    }

    #[test]
    fn watch_then_breach_then_ok_on_false() {
        let s = drive(
            Some(Dur::from_secs(2)),
            &[
                (true, Some(500.0)),
                (true, Some(900.0)),
                (true, Some(900.0)),
                (true, Some(900.0)),
                (true, Some(100.0)),
            ],
        );
        assert_eq!(s, vec![Ok, Watch, Watch, Breached, Ok]);
    }

    #[test]
    fn breached_and_watch_keep_state_while_unknown() {
        // Staleness 1.5 s: no samples at t=2..4 makes the inputs Unknown.
        let s = drive(
            None,
            &[
                (true, Some(900.0)),
                (true, None),
                (true, None),
                (true, None),
                (true, Some(100.0)),
            ],
        );
        assert_eq!(s, vec![Breached, Breached, Breached, Breached, Ok]);
        let w = drive(
            Some(Dur::from_secs(60)),
            &[
                (true, Some(900.0)),
                (true, None),
                (true, None),
                (true, Some(900.0)),
            ],
        );
        assert_eq!(w, vec![Watch, Watch, Watch, Watch]);
    }

    #[test]
    fn unknown_from_ok_is_unknown_and_inactive_outside_phases() {
        let s = drive(
            None,
            &[(true, None), (false, Some(900.0)), (true, Some(900.0))],
        );
        assert_eq!(s, vec![Unknown, Inactive, Breached]);
    }

    #[test]
    fn unknown_gap_does_not_advance_watch_timer() {
        // for = 3 s; true at 0,1,2 (the t=1 sample is still fresh at 2: 2 s),
        // Unknown at 3 (stale: the 2->3->4 gap does not count), true at 4,5 -> 3 s at 5.
        let s = drive(
            Some(Dur::from_secs(3)),
            &[
                (true, Some(900.0)),
                (true, Some(900.0)),
                (true, None),
                (true, None),
                (true, Some(900.0)),
                (true, Some(900.0)),
                (true, Some(900.0)),
            ],
        );
        assert_eq!(
            s,
            vec![Watch, Watch, Watch, Watch, Watch, Breached, Breached]
        );
    }
}
