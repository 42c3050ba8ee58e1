//! What gates and thresholds share: a `when` condition with its `for`
//! timer, the timer as last logged, the latest evaluation and the reason
//! shown. Each state machine keeps only its own states on top of this.

use crate::expr::{eval_cached, Evaluation, Expr, Tri, WindowCache};
use crate::metrics::MetricStore;
use crate::time::{Dur, Ts};
use crate::timer::{checkpoint_due, ForTimer, Transition};

/// `Deref`/`DerefMut` from a status struct with a `cond` field to its
/// [`ConditionState`], so `g.timer`, `g.last`, `g.reason` read as before.
macro_rules! deref_to_condition {
    ($t:ty) => {
        impl std::ops::Deref for $t {
            type Target = $crate::condition::ConditionState;
            fn deref(&self) -> &Self::Target {
                &self.cond
            }
        }
        impl std::ops::DerefMut for $t {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.cond
            }
        }
    };
}
pub(crate) use deref_to_condition;

/// The evaluation state of one condition (a gate's or a threshold's).
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionState {
    /// The `for` duration the condition must hold, if any.
    pub hold_for: Option<Dur>,
    /// The running `for` timer.
    pub timer: ForTimer,
    /// The timer as last written to the log.
    pub recorded_timer: Dur,
    /// The latest evaluation (for the screen), if evaluated since start.
    pub last: Option<Evaluation>,
    /// Why it is where it is, for screen and `status`.
    pub reason: Option<String>,
}

impl ConditionState {
    /// Not evaluated yet.
    pub fn new(hold_for: Option<Dur>) -> ConditionState {
        ConditionState {
            hold_for,
            timer: ForTimer::default(),
            recorded_timer: Dur::ZERO,
            last: None,
            reason: Some("not evaluated yet".into()),
        }
    }

    /// Evaluates `when` at `now` and feeds the result to the `for` timer.
    pub fn evaluate(
        &mut self,
        when: &Expr,
        store: &MetricStore,
        now: Ts,
        cache: &mut WindowCache,
    ) -> (Evaluation, Tri) {
        let ev = eval_cached(when, store, now, cache);
        let tri = ev.tri();
        self.timer.observe(tri, now);
        (ev, tri)
    }

    /// Keeps `ev` as the latest evaluation; returns its first comparison's sides.
    pub fn keep(&mut self, ev: Evaluation) -> (Option<f64>, Option<f64>) {
        let sides = ev.first_sides();
        self.last = Some(ev);
        sides
    }

    /// The latest evaluation's first comparison: `(value, limit)`.
    pub fn sides(&self) -> (Option<f64>, Option<f64>) {
        self.last
            .as_ref()
            .map(|e| e.first_sides())
            .unwrap_or((None, None))
    }

    /// Whether a running timer is due to be written to the log again.
    pub fn checkpoint_due(&self) -> bool {
        checkpoint_due(self.timer.acc, self.recorded_timer)
    }

    /// The record of a change `from` -> `to` (or a timer checkpoint).
    pub fn transition(
        &self,
        id: &str,
        (from, to): (&'static str, &'static str),
        (value, limit): (Option<f64>, Option<f64>),
        checkpoint: bool,
    ) -> Transition {
        Transition {
            id: id.to_string(),
            from,
            to,
            value,
            limit,
            timer: self.timer.acc,
            hold_for: self.hold_for,
            reason: self.reason.clone(),
            checkpoint,
        }
    }

    /// Takes the timer a recorded transition carries (live or from the log).
    pub fn restore(&mut self, timer: Dur) {
        if self.timer.acc != timer {
            self.timer = ForTimer::restored(timer);
        }
        self.recorded_timer = timer;
    }
}
