//! Gate state machine: `pass`, `holding` (true, `for` not yet met), `fail`,
//! `unknown`, and, layered on top by the cockpit, `waived` and `awaiting`.

use crate::condition::ConditionState;
use crate::expr::{Evaluation, Expr, Tri, WindowCache};
use crate::metrics::MetricStore;
use crate::runbook::{Gate, GateKind};
use crate::time::{Dur, Ts};
use crate::timer::Transition;
use serde::{Deserialize, Serialize};

/// A gate's (or sign-off's) state as the screen and the log name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateState {
    /// The condition holds (for its `for` duration, if any).
    Pass,
    /// The condition holds, but not yet for its `for` duration.
    Holding,
    /// The condition does not hold.
    Fail,
    /// The condition cannot be evaluated (a metric is missing or stale).
    Unknown,
    /// Not passing, but a waiver in force lets go proceed.
    Waived,
    /// A sign-off not given yet.
    Awaiting,
}

impl GateState {
    /// The name the screen and the log use.
    pub fn as_str(self) -> &'static str {
        match self {
            GateState::Pass => "pass",
            GateState::Holding => "holding",
            GateState::Fail => "fail",
            GateState::Unknown => "unknown",
            GateState::Waived => "waived",
            GateState::Awaiting => "awaiting",
        }
    }
    /// The state named `s` (as [`GateState::as_str`] writes it).
    pub fn from_name(s: &str) -> Option<GateState> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

/// One gate of the runbook and where it stands. The condition's timer,
/// latest evaluation and reason are in [`ConditionState`] (reached as
/// `g.timer`, `g.last`, `g.reason` through `Deref`).
#[derive(Debug, Clone, PartialEq)]
pub struct GateStatus {
    /// The gate id from the runbook.
    pub id: String,
    /// The phase the gate belongs to.
    pub phase: String,
    /// Entry or exit gate.
    pub kind: GateKind,
    /// What the gate checks, in words.
    pub title: String,
    /// The `when` expression as written.
    pub when_src: String,
    /// State from evaluation alone (a waiver does not change it).
    pub evaluated: GateState,
    /// A waiver is in force (not expired).
    pub waived: bool,
    /// Evaluated, shown and logged, but never blocks `go`.
    pub advisory: bool,
    /// Timer, latest evaluation, reason ("waived ..." too).
    pub cond: ConditionState,
}

crate::condition::deref_to_condition!(GateStatus);

impl GateStatus {
    /// The gate `g` of `phase`, not evaluated yet.
    pub fn new(phase: &str, g: &Gate) -> GateStatus {
        GateStatus {
            id: g.id.clone(),
            phase: phase.to_string(),
            kind: g.kind,
            title: g.title.clone(),
            when_src: g.when_src.clone(),
            evaluated: GateState::Unknown,
            waived: false,
            advisory: g.advisory,
            cond: ConditionState::new(g.hold_for),
        }
    }

    /// The state shown: `waived` while a waiver is in force, else the evaluated one.
    pub fn state(&self) -> GateState {
        if self.waived {
            GateState::Waived
        } else {
            self.evaluated
        }
    }

    /// Whether `go` may count this gate as satisfied.
    pub fn satisfied(&self) -> bool {
        matches!(self.state(), GateState::Pass | GateState::Waived)
    }

    /// Evaluates `when` at `now`; returns the transition (or timer checkpoint)
    /// to record, if any. The caller applies it with [`GateStatus::apply`].
    pub fn evaluate(
        &mut self,
        when: &Expr,
        store: &MetricStore,
        now: Ts,
        cache: &mut WindowCache,
    ) -> Option<Transition> {
        let (ev, tri) = self.cond.evaluate(when, store, now, cache);
        let next = match tri {
            Tri::True if self.timer.met(self.hold_for) => GateState::Pass,
            Tri::True => GateState::Holding,
            Tri::False => GateState::Fail,
            Tri::Unknown => GateState::Unknown,
        };
        self.cond.reason = reason_for(next, &ev, self.timer.acc, self.hold_for);
        let sides = self.cond.keep(ev);
        let changed = next != self.evaluated;
        let checkpoint = !changed && next == GateState::Holding && self.checkpoint_due();
        if !changed && !checkpoint {
            return None;
        }
        let states = (self.evaluated.as_str(), next.as_str());
        Some(self.cond.transition(&self.id, states, sides, checkpoint))
    }

    /// Applies a recorded transition (live, or while rebuilding from the log).
    pub fn apply(&mut self, to: GateState, timer: Dur) {
        if to != GateState::Waived && to != GateState::Awaiting {
            self.evaluated = to;
        }
        self.cond.restore(timer);
    }
}

/// Why a condition is in `state`, in words for the screen.
pub fn reason_for(
    state: GateState,
    ev: &Evaluation,
    acc: Dur,
    hold_for: Option<Dur>,
) -> Option<String> {
    match state {
        GateState::Pass => None,
        GateState::Holding => Some(format!(
            "true for {} of {}",
            Dur((acc.0 / 1000) * 1000),
            hold_for.unwrap_or(Dur::ZERO)
        )),
        GateState::Fail => Some(failing_comparisons(ev)),
        _ => ev.reason.clone(),
    }
}

/// The comparisons that are false, with their current values, e.g.
/// `recon.pacs-pilot.match is 0 (needs == 1)`.
fn failing_comparisons(ev: &Evaluation) -> String {
    let parts: Vec<String> = ev
        .comparisons
        .iter()
        .filter(|c| c.result == Tri::False)
        .map(|c| {
            let l = c.left.map(fmt_num).unwrap_or_else(|| "?".into());
            let r = c.right.map(fmt_num).unwrap_or_else(|| "?".into());
            format!("{} is {l} (needs {} {r})", lhs_text(&c.text, &c.op), c.op)
        })
        .collect();
    if parts.is_empty() {
        "condition is false".into()
    } else {
        parts.join("; ")
    }
}

fn lhs_text<'a>(text: &'a str, op: &str) -> &'a str {
    text.split(&format!(" {op} ")).next().unwrap_or(text)
}

/// A number for people: integers without a fraction, others with up to 3 decimals.
pub fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_condition;
    use crate::span::Pos;

    fn gate(when: &str, hold_for: Option<Dur>) -> (GateStatus, Expr) {
        let expr = parse_condition(when).expect("parses");
        let g = Gate {
            id: "g".into(),
            title: "t".into(),
            when_src: when.into(),
            when: expr.clone(),
            hold_for,
            kind: GateKind::Exit,
            advisory: false,
            pos: Pos::default(),
        };
        (GateStatus::new("p", &g), expr)
    }

    /// Drives a gate over `m` samples (None = no sample) at 1 s ticks and
    /// returns the state after each tick.
    fn drive(hold_for: Option<Dur>, values: &[Option<f64>]) -> Vec<GateState> {
        let (mut g, expr) = gate("m == 1", hold_for);
        let mut store = MetricStore::new(64, Dur::from_mins(5), Dur(1500));
        let mut out = vec![];
        for (i, v) in values.iter().enumerate() {
            let now = Ts(i as i64 * 1000);
            if let Some(v) = v {
                store.push("m", now, *v);
            }
            if let Some(t) = g.evaluate(&expr, &store, now, &mut WindowCache::default()) {
                let to = GateState::from_name(t.to).expect("state");
                g.apply(to, t.timer);
            }
            out.push(g.state());
        }
        out
    }

    use GateState::*;

    #[test]
    fn passes_at_once_without_for() {
        assert_eq!(drive(None, &[Some(0.0), Some(1.0)]), vec![Fail, Pass]);
    }

    #[test]
    fn holds_until_for_is_met_and_false_resets() {
        let s = drive(
            Some(Dur::from_secs(2)),
            &[
                Some(1.0),
                Some(1.0),
                Some(1.0),
                Some(0.0),
                Some(1.0),
                Some(1.0),
            ],
        );
        assert_eq!(s, vec![Holding, Holding, Pass, Fail, Holding, Holding]);
    }

    #[test]
    fn missing_input_is_unknown_never_pass() {
        // Staleness is 1.5 s: the sample at t=0 is gone by t=2 (Unknown, not
        // pass); the second of truth gathered before is kept, so t=3 passes.
        let s = drive(
            Some(Dur::from_secs(1)),
            &[Some(1.0), None, None, Some(1.0), Some(1.0)],
        );
        assert_eq!(s, vec![Holding, Pass, Unknown, Pass, Pass]);
        let f = drive(
            Some(Dur::from_secs(1)),
            &[Some(1.0), None, None, Some(0.0), Some(1.0)],
        );
        assert_eq!(f, vec![Holding, Pass, Unknown, Fail, Holding]);
    }

    #[test]
    fn waiver_overrides_the_shown_state_only() {
        let (mut g, _) = gate("m == 1", None);
        g.waived = true;
        assert_eq!(g.state(), Waived);
        assert!(g.satisfied());
        assert_eq!(g.evaluated, Unknown);
    }

    #[test]
    fn fail_reason_names_value_and_limit() {
        let (mut g, expr) = gate("m == 1 and n < 5", None);
        let mut store = MetricStore::default();
        store.push("m", Ts(0), 0.0);
        store.push("n", Ts(0), 2.5);
        g.evaluate(&expr, &store, Ts(0), &mut WindowCache::default());
        assert_eq!(g.reason.as_deref(), Some("m is 0 (needs == 1)"));
    }

    #[test]
    fn long_holding_writes_timer_checkpoints() {
        let (mut g, expr) = gate("m == 1", Some(Dur::from_mins(10)));
        let mut store = MetricStore::default();
        let mut checkpoints = 0;
        for i in 0..=180 {
            let now = Ts(i * 1000);
            store.push("m", now, 1.0);
            if let Some(t) = g.evaluate(&expr, &store, now, &mut WindowCache::default()) {
                checkpoints += usize::from(t.checkpoint);
                g.apply(GateState::from_name(t.to).expect("state"), t.timer);
            }
        }
        assert_eq!(checkpoints, 3);
        assert_eq!(g.recorded_timer, Dur::from_secs(180));
    }

    use proptest::prelude::*;

    proptest! {
        /// Random samples with gaps: a gate never passes while an input is
        /// missing or stale, and a `for` never fires before the condition has
        /// been seen true for that long since the last false.
        #[test]
        fn never_passes_on_missing_input_nor_early(
            steps in proptest::collection::vec((proptest::option::of(0u8..3), proptest::option::of(0u8..8), 1i64..4), 1..120),
            hold in 0i64..10,
        ) {
            let hold_for = (hold > 0).then(|| Dur::from_secs(hold));
            let (mut g, expr) = gate("a == 1 and b < 5", hold_for);
            let stale = Dur::from_secs(3);
            let mut store = MetricStore::new(64, Dur::from_mins(5), stale);
            let (mut now, mut last_false) = (0i64, 0i64);
            for (a, b, dt) in steps {
                now += dt * 1000;
                let t = Ts(now);
                if let Some(a) = a { store.push("a", t, f64::from(a)); }
                if let Some(b) = b { store.push("b", t, f64::from(b)); }
                if let Some(tr) = g.evaluate(&expr, &store, t, &mut WindowCache::default()) {
                    g.apply(GateState::from_name(tr.to).expect("state"), tr.timer);
                }
                let fresh = |n: &str| store.latest(n, t).ok();
                let truth = match (fresh("a"), fresh("b")) {
                    (Some(a), Some(b)) => Some(a == 1.0 && b < 5.0),
                    (Some(a), None) if a != 1.0 => Some(false),
                    (None, Some(b)) if b >= 5.0 => Some(false),
                    _ => None,
                };
                if truth == Some(false) { last_false = now; }
                if g.state() == Pass {
                    prop_assert_eq!(truth, Some(true));
                    prop_assert!(g.timer.met(hold_for));
                    prop_assert!(g.timer.acc.0 <= now - last_false);
                }
            }
        }
    }
}
