//! The `for = D` timer of gates and thresholds (docs/runbook.md), and the
//! transition record both state machines report.
//!
//! The timer adds up the time between *consecutive* true evaluations; a false
//! evaluation resets it; an Unknown evaluation, and time the cockpit was not
//! running, neither count nor reset it (the next true evaluation starts a new
//! run of consecutive trues on top of what was accumulated).

use crate::expr::Tri;
use crate::time::{Dur, Ts};
use serde_json::{json, Value};

/// How often a running timer is written to the log even without a state
/// change, so that a crash loses at most this much of it.
pub const CHECKPOINT_EVERY: Dur = Dur(60_000);

/// Two evaluations further apart than this are not "consecutive": the
/// cockpit was suspended or starved, and that time must not count (ticks
/// normally come every second).
pub const MAX_EVAL_GAP: Dur = Dur(60_000);

/// Accumulated truth time of a condition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForTimer {
    /// Time accumulated so far.
    pub acc: Dur,
    /// The previous evaluation, when it was true (and the cockpit kept running since).
    last_true: Option<Ts>,
}

impl ForTimer {
    /// A timer restored from the log: accumulated time, no run in progress.
    pub fn restored(acc: Dur) -> ForTimer {
        ForTimer {
            acc: Dur(acc.0.max(0)),
            last_true: None,
        }
    }

    /// Feeds one evaluation at `now`.
    pub fn observe(&mut self, t: Tri, now: Ts) {
        match t {
            Tri::True => {
                if let Some(prev) = self.last_true {
                    if now > prev && now - prev <= MAX_EVAL_GAP {
                        self.acc = self.acc + (now - prev);
                    }
                }
                self.last_true = Some(now);
            }
            Tri::False => *self = ForTimer::default(),
            Tri::Unknown => self.last_true = None,
        }
    }

    /// The cockpit stopped (or a log is being resumed): the gap must not count.
    pub fn pause(&mut self) {
        self.last_true = None;
    }

    /// Whether the condition has now held for `hold_for` (no `for` = at once).
    pub fn met(&self, hold_for: Option<Dur>) -> bool {
        hold_for.is_none_or(|d| self.acc >= d)
    }
}

/// A state change (or a timer checkpoint) of a gate or threshold, for the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub id: String,
    pub from: &'static str,
    pub to: &'static str,
    /// Left side of the first comparison (the current value).
    pub value: Option<f64>,
    /// Right side of the first comparison (the limit).
    pub limit: Option<f64>,
    /// Accumulated `for` timer after this evaluation.
    pub timer: Dur,
    pub hold_for: Option<Dur>,
    pub reason: Option<String>,
    /// True when nothing changed but the timer is written down.
    pub checkpoint: bool,
}

impl Transition {
    /// The record body (`id, from, to, value, limit, timer_ms, for_ms, reason[, checkpoint]`).
    pub fn body(&self) -> Value {
        let mut b = json!({
            "id": self.id,
            "from": self.from,
            "to": self.to,
            "value": self.value,
            "limit": self.limit,
            "timer_ms": self.timer.0,
            "for_ms": self.hold_for.map(|d| d.0),
            "reason": self.reason,
        });
        if self.checkpoint {
            b["checkpoint"] = json!(true);
        }
        b
    }
}

/// Whether a timer that is running in `state` is due for a checkpoint record.
pub fn checkpoint_due(acc: Dur, last_recorded: Dur) -> bool {
    acc - last_recorded >= CHECKPOINT_EVERY
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Tri::*;

    fn run(seq: &[(i64, Tri)]) -> Dur {
        let mut t = ForTimer::default();
        for (s, v) in seq {
            t.observe(*v, Ts(s * 1000));
        }
        t.acc
    }

    #[test]
    fn adds_time_between_consecutive_trues() {
        assert_eq!(run(&[(0, True), (5, True), (10, True)]), Dur::from_secs(10));
    }

    #[test]
    fn false_resets() {
        assert_eq!(
            run(&[(0, True), (5, True), (6, False), (7, True)]),
            Dur::ZERO
        );
        assert_eq!(
            run(&[(0, True), (5, True), (6, False), (7, True), (9, True)]),
            Dur::from_secs(2)
        );
    }

    #[test]
    fn unknown_neither_counts_nor_resets() {
        // 0..5 counts (5 s); 5 -> 8 -> 20 spans an Unknown: not counted; 20..22 counts.
        let acc = run(&[(0, True), (5, True), (8, Unknown), (20, True), (22, True)]);
        assert_eq!(acc, Dur::from_secs(7));
    }

    #[test]
    fn a_gap_between_evaluations_longer_than_a_minute_does_not_count() {
        assert_eq!(
            run(&[(0, True), (30, True), (200, True), (210, True)]),
            Dur::from_secs(40)
        );
    }

    #[test]
    fn time_not_running_does_not_count() {
        let mut t = ForTimer::default();
        t.observe(True, Ts(0));
        t.observe(True, Ts(60_000));
        t.pause();
        t.observe(True, Ts(3_600_000));
        t.observe(True, Ts(3_601_000));
        assert_eq!(t.acc, Dur::from_secs(61));
        let mut r = ForTimer::restored(Dur::from_mins(110));
        for i in 0..=60 {
            r.observe(True, Ts(i * 10_000));
        }
        assert!(r.met(Some(Dur::from_mins(120))));
        assert!(!ForTimer::restored(Dur::from_mins(119)).met(Some(Dur::from_mins(120))));
        assert!(ForTimer::default().met(None));
    }

    proptest! {
        /// The timer never exceeds the wall time spent in the current run of
        /// non-false evaluations, so a `for` never fires early; and it never
        /// decreases except on a false.
        #[test]
        fn never_early_and_monotonic(steps in proptest::collection::vec((1i64..10_000, 0u8..3), 1..200)) {
            let mut t = ForTimer::default();
            let mut now = 0i64;
            let mut since_false = 0i64;
            for (dt, v) in steps {
                now += dt;
                let v = [True, False, Unknown][v as usize];
                let before = t.acc;
                t.observe(v, Ts(now));
                if v == False {
                    since_false = now;
                    prop_assert_eq!(t.acc, Dur::ZERO);
                } else {
                    prop_assert!(t.acc >= before);
                }
                prop_assert!(t.acc.0 <= now - since_false);
            }
        }
    }
}
