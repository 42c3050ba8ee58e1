//! Evaluation of an expression against the metric store, with the
//! three-valued logic of docs/runbook.md: a missing or stale input makes a
//! result Unknown, and Unknown never passes (`false and Unknown` is false,
//! `true or Unknown` is true). Every comparison's two sides are kept, so the
//! cockpit can show the current value beside its limit.

use super::ast::{ArithOp, CmpOp, Expr};
use super::ast::{MetricRef, TwoSampleFn, WindowFn};
use crate::metrics::{MetricStore, Missing};
use crate::stats::{two_sample, TwoSample, MIN_SAMPLES};
use crate::time::Dur;
use crate::time::Ts;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tri {
    /// Known to hold.
    True,
    /// Known not to hold.
    False,
    /// Cannot be told (a metric is missing or stale).
    Unknown,
}

impl std::ops::Not for Tri {
    type Output = Tri;
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

impl Tri {
    /// Kleene conjunction: false wins over unknown.
    pub fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
    /// Kleene disjunction: true wins over unknown.
    pub fn or(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }
    fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

/// The value of an expression: a truth (possibly Unknown) or a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A truth (comparisons, `and`, `or`, `not`).
    Bool(Tri),
    /// A number (metrics, functions, arithmetic).
    Num(f64),
}

impl Value {
    /// The truth of a condition; a number (never a valid `when`) counts as Unknown.
    pub fn tri(self) -> Tri {
        match self {
            Value::Bool(t) => t,
            Value::Num(_) => Tri::Unknown,
        }
    }
}

/// One comparison of the expression with both sides as evaluated now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonView {
    /// The comparison as text, e.g. `p95(target.pacs.latency_ms, 5m) > 800`.
    pub text: String,
    /// The left side's current value (`None` = Unknown).
    pub left: Option<f64>,
    /// The operator symbol (`<`, `<=`, `>`, `>=`, `==`, `!=`).
    pub op: String,
    /// The right side (the limit), `None` = Unknown.
    pub right: Option<f64>,
    /// The comparison's outcome.
    pub result: Tri,
}

/// The outcome of evaluating an expression at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The expression's value.
    pub value: Value,
    /// Every comparison, in source order.
    pub comparisons: Vec<ComparisonView>,
    /// Why the result is Unknown (names the metric), `None` when it is known.
    pub reason: Option<String>,
    /// One line per two-sample statistic used: estimate, 95% interval,
    /// p-value and sample counts, for the gate's detail.
    pub stats: Vec<String>,
}

impl Evaluation {
    /// The truth of the expression (a number counts as Unknown).
    pub fn tri(&self) -> Tri {
        self.value.tri()
    }
    /// The two sides of the first comparison (value, limit), as status/log show them.
    pub fn first_sides(&self) -> (Option<f64>, Option<f64>) {
        self.comparisons
            .first()
            .map(|c| (c.left, c.right))
            .unwrap_or((None, None))
    }
}

/// Evaluates `expr` against `store` at `now`. Never panics; NaN, infinities and
/// division by zero are Unknown.
pub fn eval(expr: &Expr, store: &MetricStore, now: Ts) -> Evaluation {
    eval_cached(expr, store, now, &mut WindowCache::default())
}

/// One cached `func(metric, window)` result.
type CachedWindow = (WindowFn, Dur, Result<f64, Missing>);

/// The statistics of one `(a, b, window)`: every two-sample function of
/// that triple reads the same computation.
type CachedPair = Result<TwoSample, Missing>;

/// Window results of one moment, shared by every condition evaluated at that
/// moment against the same store (many read the same `p95(x, 5m)`; a gate
/// and a threshold may read the same `shift_hi(a, b, 10m)`).
#[derive(Debug, Default)]
pub struct WindowCache {
    at: Option<Ts>,
    by_metric: HashMap<String, Vec<CachedWindow>>,
    pairs: HashMap<(String, String, Dur), CachedPair>,
    pair_computations: usize,
}

impl WindowCache {
    /// How many two-sample computations this cache has run (over its life):
    /// one per distinct `(a, b, window)` per moment.
    pub fn pair_computations(&self) -> usize {
        self.pair_computations
    }

    fn reset_if_moved(&mut self, now: Ts) {
        if self.at != Some(now) {
            self.by_metric.clear();
            self.pairs.clear();
            self.at = Some(now);
        }
    }

    fn pair(&mut self, store: &MetricStore, a: &str, b: &str, w: Dur, now: Ts) -> CachedPair {
        self.reset_if_moved(now);
        let key = (a.to_string(), b.to_string(), w);
        if let Some(r) = self.pairs.get(&key) {
            return r.clone();
        }
        self.pair_computations += 1;
        let xs = store.window_values(a, w, now);
        let ys = store.window_values(b, w, now);
        let r = two_sample(&xs, &ys).ok_or_else(|| {
            Missing(format!(
                "{a} vs {b} over {w} needs {MIN_SAMPLES} samples on each side, has {} and {}",
                xs.len(),
                ys.len()
            ))
        });
        self.pairs.insert(key, r.clone());
        r
    }

    fn get(
        &mut self,
        store: &MetricStore,
        f: WindowFn,
        name: &str,
        w: Dur,
        now: Ts,
    ) -> Result<f64, Missing> {
        self.reset_if_moved(now);
        if let Some(rows) = self.by_metric.get(name) {
            if let Some((_, _, r)) = rows.iter().find(|(g, d, _)| *g == f && *d == w) {
                return r.clone();
            }
        }
        let r = store.window(f, name, w, now);
        self.by_metric
            .entry(name.to_string())
            .or_default()
            .push((f, w, r.clone()));
        r
    }
}

/// `eval` sharing window results through `cache`. The cache is only valid
/// for one unchanged store: make a new one (or call at another `now`) after
/// pushing samples.
pub fn eval_cached(
    expr: &Expr,
    store: &MetricStore,
    now: Ts,
    cache: &mut WindowCache,
) -> Evaluation {
    let mut cx = Ctx {
        cache,
        store,
        now,
        comparisons: Vec::new(),
        reasons: Vec::new(),
        stats: Vec::new(),
    };
    let v = cx.value(expr);
    let value = match v {
        V::Num(n) => Value::Num(n),
        V::Bool(t) => Value::Bool(t),
        V::Unknown => Value::Bool(Tri::Unknown),
    };
    let unknown = matches!(v, V::Unknown | V::Bool(Tri::Unknown));
    let reason = if unknown {
        cx.reasons.dedup();
        Some(if cx.reasons.is_empty() {
            "unknown".to_string()
        } else {
            cx.reasons.join("; ")
        })
    } else {
        None
    };
    cx.stats.dedup();
    Evaluation {
        value,
        comparisons: cx.comparisons,
        reason,
        stats: cx.stats,
    }
}

/// Internal value: a number, a truth, or an Unknown number.
#[derive(Clone, Copy)]
enum V {
    Num(f64),
    Bool(Tri),
    Unknown,
}

impl V {
    fn num(self) -> Option<f64> {
        match self {
            V::Num(n) => Some(n),
            _ => None,
        }
    }
    fn tri(self) -> Tri {
        match self {
            V::Bool(t) => t,
            _ => Tri::Unknown,
        }
    }
}

struct Ctx<'a> {
    cache: &'a mut WindowCache,
    store: &'a MetricStore,
    now: Ts,
    comparisons: Vec<ComparisonView>,
    reasons: Vec<String>,
    stats: Vec<String>,
}

impl Ctx<'_> {
    fn two_sample(&mut self, func: TwoSampleFn, a: &MetricRef, b: &MetricRef, w: Dur) -> V {
        let r = self.cache.pair(self.store, &a.name, &b.name, w, self.now);
        let r = r.map(|t| {
            let line = format!(
                "{} - {} over {w}: shift {} (95% interval {} to {}), p = {}, n = {} / {}",
                a.name,
                b.name,
                crate::gate::fmt_num(t.shift),
                crate::gate::fmt_num(t.lo),
                crate::gate::fmt_num(t.hi),
                fmt_p(t.p),
                t.n_a,
                t.n_b
            );
            self.stats.push(line);
            match func {
                TwoSampleFn::Shift => t.shift,
                TwoSampleFn::ShiftLo => t.lo,
                TwoSampleFn::ShiftHi => t.hi,
                TwoSampleFn::MwuP => t.p,
            }
        });
        self.lookup(r)
    }

    fn finite(&mut self, x: f64, what: &dyn Fn() -> String) -> V {
        if x.is_finite() {
            V::Num(x)
        } else {
            self.reasons
                .push(format!("{} is not a finite number", what()));
            V::Unknown
        }
    }

    fn lookup(&mut self, r: Result<f64, Missing>) -> V {
        match r {
            Ok(x) if x.is_finite() => V::Num(x),
            Ok(_) => V::Unknown,
            Err(m) => {
                self.reasons.push(m.0);
                V::Unknown
            }
        }
    }

    fn value(&mut self, e: &Expr) -> V {
        match e {
            Expr::Num(n) => self.finite(*n, &|| format!("{n}")),
            Expr::Bool(b) => V::Bool(Tri::from_bool(*b)),
            Expr::Metric(m) => self.lookup(self.store.latest(&m.name, self.now)),
            Expr::Age(m) => self.lookup(self.store.age(&m.name, self.now)),
            Expr::Window {
                func,
                metric,
                window,
            } => {
                let r = self
                    .cache
                    .get(self.store, *func, &metric.name, *window, self.now);
                self.lookup(r)
            }
            Expr::TwoSample { func, a, b, window } => self.two_sample(*func, a, b, *window),
            Expr::Baseline { stat, metric } => {
                let r = self.store.baseline(*stat, &metric.name);
                self.lookup(r)
            }
            Expr::Neg(inner) => match self.value(inner).num() {
                Some(x) => V::Num(-x),
                None => V::Unknown,
            },
            Expr::Arith { op, lhs, rhs } => self.arith(e, *op, lhs, rhs),
            Expr::Cmp { op, lhs, rhs } => self.cmp(*op, lhs, rhs),
            Expr::Not(inner) => V::Bool(!self.value(inner).tri()),
            // Both sides are always evaluated so every comparison is shown.
            Expr::And(a, b) => {
                let (x, y) = (self.value(a).tri(), self.value(b).tri());
                V::Bool(x.and(y))
            }
            Expr::Or(a, b) => {
                let (x, y) = (self.value(a).tri(), self.value(b).tri());
                V::Bool(x.or(y))
            }
        }
    }

    fn arith(&mut self, whole: &Expr, op: ArithOp, lhs: &Expr, rhs: &Expr) -> V {
        let (a, b) = (self.value(lhs).num(), self.value(rhs).num());
        let (Some(a), Some(b)) = (a, b) else {
            return V::Unknown;
        };
        if op == ArithOp::Div && b == 0.0 {
            self.reasons.push(format!("division by zero in `{whole}`"));
            return V::Unknown;
        }
        let x = match op {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div => a / b,
        };
        self.finite(x, &|| format!("`{whole}`"))
    }

    fn cmp(&mut self, op: CmpOp, lhs: &Expr, rhs: &Expr) -> V {
        let (a, b) = (self.value(lhs).num(), self.value(rhs).num());
        let result = match (a, b) {
            (Some(a), Some(b)) => Tri::from_bool(match op {
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Gt => a > b,
                CmpOp::Ge => a >= b,
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
            }),
            _ => Tri::Unknown,
        };
        self.comparisons.push(ComparisonView {
            text: format!("{} {} {}", side_text(lhs), op.symbol(), side_text(rhs)),
            left: a,
            op: op.symbol().to_string(),
            right: b,
            result,
        });
        V::Bool(result)
    }
}

/// A p-value to three significant digits (small ones in scientific notation).
fn fmt_p(p: f64) -> String {
    if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

/// A comparison side as text, without the outer parentheses Display adds.
fn side_text(e: &Expr) -> String {
    let s = e.to_string();
    match e {
        Expr::Arith { .. } => s
            .strip_prefix('(')
            .and_then(|x| x.strip_suffix(')'))
            .map(str::to_string)
            .unwrap_or(s),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse;
    use proptest::prelude::*;

    fn store() -> MetricStore {
        let mut s = MetricStore::default();
        for i in 0..=60 {
            s.push(
                "target.pacs.latency_ms",
                Ts(i * 1000),
                700.0 + i as f64 * 5.0,
            );
        }
        s.push("recon.pacs-pilot.match", Ts(60_000), 1.0);
        s.push("recon.pacs-pilot.count_delta", Ts(60_000), 0.0);
        s.push("zero", Ts(60_000), 0.0);
        s
    }

    fn ev(src: &str) -> Evaluation {
        let e = parse(src).expect("parses");
        eval(&e, &store(), Ts(60_000))
    }

    #[test]
    fn three_valued_truth_tables() {
        use Tri::*;
        let all = [True, False, Unknown];
        let and = [
            [True, False, Unknown],
            [False, False, False],
            [Unknown, False, Unknown],
        ];
        let or = [
            [True, True, True],
            [True, False, Unknown],
            [True, Unknown, Unknown],
        ];
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                assert_eq!(a.and(*b), and[i][j], "{a:?} and {b:?}");
                assert_eq!(a.or(*b), or[i][j], "{a:?} or {b:?}");
            }
        }
        assert_eq!(!Unknown, Unknown);
    }

    #[test]
    fn missing_inputs_in_expressions_follow_kleene_logic() {
        assert_eq!(ev("false and missing.x.y > 1").tri(), Tri::False);
        assert_eq!(ev("true or missing.x.y > 1").tri(), Tri::True);
        let u = ev("true and missing.x.y > 1");
        assert_eq!(u.tri(), Tri::Unknown);
        assert_eq!(u.reason.as_deref(), Some("no sample of missing.x.y"));
        assert_eq!(ev("not (missing.x.y > 1)").tri(), Tri::Unknown);
    }

    #[test]
    fn the_spec_gate_passes_and_shows_both_sides() {
        let e = ev("recon.pacs-pilot.match == 1 and recon.pacs-pilot.count_delta == 0");
        assert_eq!(e.tri(), Tri::True);
        assert_eq!(e.comparisons.len(), 2);
        assert_eq!(e.comparisons[0].text, "recon.pacs-pilot.match == 1");
        assert_eq!(e.comparisons[0].left, Some(1.0));
        assert_eq!(e.comparisons[0].right, Some(1.0));
        let t = ev("p95(target.pacs.latency_ms, 5m) > 800");
        assert_eq!(t.tri(), Tri::True);
        assert_eq!(t.first_sides(), (Some(985.0), Some(800.0)));
        assert_eq!(
            t.comparisons[0].text,
            "p95(target.pacs.latency_ms, 5m) > 800"
        );
    }

    #[test]
    fn stale_bare_metric_is_unknown_with_reason() {
        let e = parse("recon.pacs-pilot.match == 1").expect("parses");
        let r = eval(&e, &store(), Ts(94_000));
        assert_eq!(r.tri(), Tri::Unknown);
        assert_eq!(
            r.reason.as_deref(),
            Some("stale: last sample of recon.pacs-pilot.match 34s ago")
        );
        assert_eq!(r.comparisons[0].left, None);
        assert_eq!(r.comparisons[0].right, Some(1.0));
    }

    #[test]
    fn division_by_zero_and_overflow_are_unknown() {
        let d = ev("1 / zero > 0");
        assert_eq!(d.tri(), Tri::Unknown);
        assert!(d
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("division by zero"));
        assert_eq!(ev("1e308 * 10 > 0").tri(), Tri::Unknown);
        assert_eq!(ev("age(zero) == 0").tri(), Tri::True);
        assert_eq!(ev("-zero - 1 < 0").tri(), Tri::True);
        assert_eq!(
            ev("(2 + 3) * 2 == 10").comparisons[0].text,
            "(2 + 3) * 2 == 10"
        );
    }

    #[test]
    fn a_window_cache_serves_one_moment_only() {
        let e = parse("max(m, 1m) > 5").expect("parses");
        let mut s = MetricStore::default();
        s.push("m", Ts(0), 1.0);
        let mut cache = WindowCache::default();
        assert_eq!(eval_cached(&e, &s, Ts(0), &mut cache).tri(), Tri::False);
        s.push("m", Ts(1000), 9.0);
        assert_eq!(eval_cached(&e, &s, Ts(1000), &mut cache).tri(), Tri::True);
        assert_eq!(
            eval_cached(&e, &s, Ts(1000), &mut cache).first_sides(),
            (Some(9.0), Some(5.0))
        );
    }

    fn paired() -> MetricStore {
        let mut s = MetricStore::default();
        for i in 0..600 {
            let t = Ts(i * 1000);
            s.push("target.pacs.latency_ms", t, 300.0 + (i % 37) as f64);
            s.push("source.pacs.latency_ms", t, 280.0 + (i % 41) as f64);
        }
        s
    }

    #[test]
    fn one_computation_per_distinct_pair_and_window_per_moment() {
        let s = paired();
        let now = Ts(599_000);
        let mut cache = WindowCache::default();
        let conds = [
            "shift_hi(target.pacs.latency_ms, source.pacs.latency_ms, 10m) < 50",
            "shift_lo(target.pacs.latency_ms, source.pacs.latency_ms, 10m) > -50",
            "mwu_p(target.pacs.latency_ms, source.pacs.latency_ms, 10m) < 0.05 and shift(target.pacs.latency_ms, source.pacs.latency_ms, 10m) > 0",
        ];
        for c in conds {
            let e = parse(c).expect("parses");
            assert_eq!(eval_cached(&e, &s, now, &mut cache).tri(), Tri::True, "{c}");
        }
        assert_eq!(cache.pair_computations(), 1);
        // another window is another computation; another moment starts afresh
        let e =
            parse("shift(target.pacs.latency_ms, source.pacs.latency_ms, 5m) > 0").expect("parses");
        eval_cached(&e, &s, now, &mut cache);
        assert_eq!(cache.pair_computations(), 2);
        eval_cached(&e, &s, Ts(599_500), &mut cache);
        assert_eq!(cache.pair_computations(), 3);
    }

    #[test]
    fn the_gate_detail_names_estimate_interval_and_counts() {
        let e = parse("shift_hi(target.pacs.latency_ms, source.pacs.latency_ms, 10m) < 50")
            .expect("parses");
        let r = eval(&e, &paired(), Ts(599_000));
        assert_eq!(r.stats.len(), 1);
        let line = &r.stats[0];
        assert!(
            line.starts_with("target.pacs.latency_ms - source.pacs.latency_ms over 10m: shift "),
            "{line}"
        );
        assert!(
            line.contains("95% interval") && line.ends_with("n = 600 / 600"),
            "{line}"
        );
    }

    #[test]
    fn baseline_is_unknown_without_baseline_logs() {
        let e =
            parse("p95(target.pacs.latency_ms, 5m) < 1.2 * baseline(p95, target.pacs.latency_ms)")
                .expect("parses");
        let r = eval(&e, &store(), Ts(60_000));
        assert_eq!(r.tri(), Tri::Unknown);
        assert!(r.reason.unwrap_or_default().contains("no --baseline logs"));
    }

    #[test]
    fn statistics_parse_print_and_point_at_mistakes() {
        let printed = |s: &str| parse(s).map(|e| e.to_string());
        assert_eq!(
            printed("shift_hi( a.b , c.d ,10m)<50"),
            Ok("shift_hi(a.b, c.d, 10m) < 50".into())
        );
        assert_eq!(
            printed("baseline(p95, a.b) > 1"),
            Ok("baseline(p95, a.b) > 1".into())
        );
        let at = |s: &str| parse(s).map_err(|e| (e.offset, e.message));
        assert_eq!(at("shift(a.b, 10m) > 1").map_err(|e| e.0), Err(11));
        assert_eq!(at("mwu_p(a.b, c.d) > 1").map_err(|e| e.0), Err(14));
        let e = at("baseline(p90, a.b) > 1").unwrap_err();
        assert_eq!(e.0, 9);
        assert!(e.1.contains("avg, p50, p95, p99, max, min"), "{}", e.1);
    }

    fn arb_expr() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("zero".to_string()),
            Just("missing.m".to_string()),
            Just("target.pacs.latency_ms".to_string()),
            Just("p95(target.pacs.latency_ms, 5m)".to_string()),
            Just("rate(zero, 1m)".to_string()),
            Just("age(zero)".to_string()),
            (-1e308f64..1e308).prop_map(|x| format!("{:e}", x.abs())),
        ];
        let num = leaf.prop_recursive(4, 16, 2, |inner| {
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/"]),
                inner,
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})"))
        });
        let cmp = (
            num.clone(),
            prop::sample::select(vec!["<", ">", "==", "!=", "<=", ">="]),
            num,
        )
            .prop_map(|(a, op, b)| format!("{a} {op} {b}"));
        cmp.prop_recursive(3, 8, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
                inner.prop_map(|a| format!("not ({a})")),
            ]
        })
    }

    proptest! {
        /// Kleene monotonicity: a result that is True (or False) while an input
        /// is missing stays so whatever value that input later takes; so a
        /// missing input can never be what makes a gate pass.
        #[test]
        fn evaluating_never_panics_and_missing_inputs_never_decide(
            src in arb_expr(), t in 0i64..200, v in -1e6f64..1e6,
        ) {
            let e = parse(&src).expect("generated expressions parse");
            let now = Ts(t * 1000);
            let without = eval(&e, &store(), now);
            let mut with = store();
            with.push("missing.m", now, v);
            let filled = eval(&e, &with, now);
            if without.tri() != Tri::Unknown {
                prop_assert_eq!(without.tri(), filled.tri(), "{}", src);
            }
            for c in &without.comparisons {
                prop_assert!(c.left.is_none_or(f64::is_finite));
                prop_assert!(c.right.is_none_or(f64::is_finite));
            }
            if without.tri() == Tri::Unknown {
                prop_assert!(without.reason.is_some());
            }
        }
    }
}
