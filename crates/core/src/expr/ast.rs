//! The expression AST of gates and thresholds (docs/runbook.md).

use crate::time::Dur;
use std::fmt;

/// A metric name as written, with its character offset inside the `when` string.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRef {
    /// The dotted metric name, e.g. `target.pacs.latency_ms`.
    pub name: String,
    /// Character offset (0-based) of the name inside the expression source.
    pub offset: usize,
}

/// Window functions over a metric's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFn {
    /// `avg`: mean of the samples in the window.
    Avg,
    /// `min`: smallest sample in the window.
    Min,
    /// `max`: largest sample in the window.
    Max,
    /// `p50`: median of the window, by nearest rank.
    P50,
    /// `p95`: 95th percentile of the window, by nearest rank.
    P95,
    /// `p99`: 99th percentile of the window, by nearest rank.
    P99,
    /// `last`: the newest sample in the window (staleness does not apply).
    Last,
    /// `delta`: last minus first sample in the window.
    Delta,
    /// `rate`: delta per second; Unknown with fewer than 2 samples.
    Rate,
}

impl WindowFn {
    /// Every window function, in the order the grammar lists them.
    pub const ALL: [WindowFn; 9] = [
        WindowFn::Avg,
        WindowFn::Min,
        WindowFn::Max,
        WindowFn::P50,
        WindowFn::P95,
        WindowFn::P99,
        WindowFn::Last,
        WindowFn::Delta,
        WindowFn::Rate,
    ];
    /// The function's name as written in a `when`.
    pub fn name(self) -> &'static str {
        match self {
            WindowFn::Avg => "avg",
            WindowFn::Min => "min",
            WindowFn::Max => "max",
            WindowFn::P50 => "p50",
            WindowFn::P95 => "p95",
            WindowFn::P99 => "p99",
            WindowFn::Last => "last",
            WindowFn::Delta => "delta",
            WindowFn::Rate => "rate",
        }
    }
    /// The window function written `s`, if it is one.
    pub fn from_name(s: &str) -> Option<WindowFn> {
        WindowFn::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// Two-sample statistics of A against B over a window (source versus target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TwoSampleFn {
    /// Hodges-Lehmann estimate of A - B.
    Shift,
    /// Lower two-sided 95% confidence bound of the shift.
    ShiftLo,
    /// Upper two-sided 95% confidence bound of the shift.
    ShiftHi,
    /// Two-sided Mann-Whitney U p-value.
    MwuP,
}

impl TwoSampleFn {
    /// Every two-sample function, in the order the docs list them.
    pub const ALL: [TwoSampleFn; 4] = [
        TwoSampleFn::Shift,
        TwoSampleFn::ShiftLo,
        TwoSampleFn::ShiftHi,
        TwoSampleFn::MwuP,
    ];
    /// The function's name as written in a `when`.
    pub fn name(self) -> &'static str {
        match self {
            TwoSampleFn::Shift => "shift",
            TwoSampleFn::ShiftLo => "shift_lo",
            TwoSampleFn::ShiftHi => "shift_hi",
            TwoSampleFn::MwuP => "mwu_p",
        }
    }
    /// The two-sample function written `s`, if it is one.
    pub fn from_name(s: &str) -> Option<TwoSampleFn> {
        TwoSampleFn::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// The statistics `baseline(STAT, METRIC)` accepts.
pub const BASELINE_STATS: [WindowFn; 6] = [
    WindowFn::Avg,
    WindowFn::P50,
    WindowFn::P95,
    WindowFn::P99,
    WindowFn::Max,
    WindowFn::Min,
];

/// An arithmetic operator between two numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`: sum.
    Add,
    /// `-` (needs spaces around it: `a-b` is one metric name).
    Sub,
    /// `*`: product.
    Mul,
    /// `/`; division by zero is Unknown.
    Div,
}

/// A comparison operator; its result is a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`: less than.
    Lt,
    /// `<=`: at most.
    Le,
    /// `>`: greater than.
    Gt,
    /// `>=`: at least.
    Ge,
    /// `==`: exactly equal (no tolerance: suits counts and 0/1 flags).
    Eq,
    /// `!=`: not exactly equal.
    Ne,
}

impl CmpOp {
    /// The operator as written in a `when`.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

impl ArithOp {
    /// `+` and `-` (one precedence level; `*` and `/` are the other).
    pub fn is_additive(self) -> bool {
        matches!(self, ArithOp::Add | ArithOp::Sub)
    }

    /// The operator as written in a `when`.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// An expression node. Numbers are f64; booleans come from comparisons and literals.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number literal.
    Num(f64),
    /// `true` or `false`.
    Bool(bool),
    /// Latest sample of a metric (subject to staleness).
    Metric(MetricRef),
    /// `FUNC(metric, window)`.
    Window {
        /// Which window function.
        func: WindowFn,
        /// The metric whose samples are read.
        metric: MetricRef,
        /// How far back from now the samples are taken.
        window: Dur,
    },
    /// `age(metric)`: seconds since its last sample.
    Age(MetricRef),
    /// `FUNC(a, b, window)`: a two-sample statistic of a against b.
    TwoSample {
        /// Which statistic.
        func: TwoSampleFn,
        /// The first metric (A), typically the target.
        a: MetricRef,
        /// The second metric (B), typically the source.
        b: MetricRef,
        /// How far back from now both metrics' samples are taken.
        window: Dur,
    },
    /// `baseline(STAT, metric)`: STAT of the metric's samples in the same
    /// phase of the baseline logs.
    Baseline {
        /// `avg`, `p50`, `p95`, `p99`, `max` or `min` (see [`BASELINE_STATS`]).
        stat: WindowFn,
        /// The metric whose baseline samples are read.
        metric: MetricRef,
    },
    /// Unary minus: `-x`.
    Neg(Box<Expr>),
    /// `lhs OP rhs` on numbers: `+ - * /`.
    Arith {
        /// Which operator.
        op: ArithOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
    /// `lhs OP rhs` comparing two numbers: `< <= > >= == !=`.
    Cmp {
        /// Which comparison.
        op: CmpOp,
        /// The left operand; its current value is shown beside the limit.
        lhs: Box<Expr>,
        /// The right operand (usually the limit).
        rhs: Box<Expr>,
    },
    /// `not x`: Unknown stays Unknown.
    Not(Box<Expr>),
    /// `a and b`: false if either is false, else Unknown if either is Unknown.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`: true if either is true, else Unknown if either is Unknown.
    Or(Box<Expr>, Box<Expr>),
}

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A number (metrics, functions, arithmetic); not allowed as a whole `when`.
    Number,
    /// A condition (comparisons, `and`/`or`/`not`, `true`/`false`); what a `when` must be.
    Bool,
}

impl Expr {
    /// Every metric this expression reads, in source order.
    pub fn metrics(&self) -> Vec<&MetricRef> {
        let mut out = Vec::new();
        self.collect_metrics(&mut out);
        out
    }

    fn collect_metrics<'a>(&'a self, out: &mut Vec<&'a MetricRef>) {
        match self {
            Expr::Num(_) | Expr::Bool(_) => {}
            Expr::Metric(m)
            | Expr::Age(m)
            | Expr::Window { metric: m, .. }
            | Expr::Baseline { metric: m, .. } => out.push(m),
            Expr::TwoSample { a, b, .. } => {
                out.push(a);
                out.push(b);
            }
            Expr::Neg(e) | Expr::Not(e) => e.collect_metrics(out),
            Expr::Arith { lhs, rhs, .. } | Expr::Cmp { lhs, rhs, .. } => {
                lhs.collect_metrics(out);
                rhs.collect_metrics(out);
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.collect_metrics(out);
                b.collect_metrics(out);
            }
        }
    }

    /// Every window duration used, for checking against `max_duration`.
    pub fn windows(&self) -> Vec<Dur> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Window { window, .. } | Expr::TwoSample { window, .. } = e {
                out.push(*window);
            }
        });
        out
    }

    fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Neg(e) | Expr::Not(e) => e.visit(f),
            Expr::Arith { lhs, rhs, .. } | Expr::Cmp { lhs, rhs, .. } => {
                lhs.visit(f);
                rhs.visit(f);
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.visit(f);
                b.visit(f);
            }
            _ => {}
        }
    }

    /// Type-checks the expression; the error names what was expected.
    pub fn ty(&self) -> Result<Ty, String> {
        let want = |e: &Expr, t: Ty, ctx: &str| -> Result<(), String> {
            let got = e.ty()?;
            if got == t {
                Ok(())
            } else {
                Err(format!(
                    "{ctx} needs a {} operand, found a {} (`{e}`)",
                    ty_name(t),
                    ty_name(got)
                ))
            }
        };
        match self {
            Expr::Num(_)
            | Expr::Metric(_)
            | Expr::Window { .. }
            | Expr::Age(_)
            | Expr::TwoSample { .. }
            | Expr::Baseline { .. } => Ok(Ty::Number),
            Expr::Bool(_) => Ok(Ty::Bool),
            Expr::Neg(e) => want(e, Ty::Number, "unary `-`").map(|_| Ty::Number),
            Expr::Arith { op, lhs, rhs } => {
                let ctx = format!("`{}`", op.symbol());
                want(lhs, Ty::Number, &ctx)?;
                want(rhs, Ty::Number, &ctx)?;
                Ok(Ty::Number)
            }
            Expr::Cmp { op, lhs, rhs } => {
                let ctx = format!("`{}`", op.symbol());
                want(lhs, Ty::Number, &ctx)?;
                want(rhs, Ty::Number, &ctx)?;
                Ok(Ty::Bool)
            }
            Expr::Not(e) => want(e, Ty::Bool, "`not`").map(|_| Ty::Bool),
            Expr::And(a, b) => {
                want(a, Ty::Bool, "`and`")?;
                want(b, Ty::Bool, "`and`")?;
                Ok(Ty::Bool)
            }
            Expr::Or(a, b) => {
                want(a, Ty::Bool, "`or`")?;
                want(b, Ty::Bool, "`or`")?;
                Ok(Ty::Bool)
            }
        }
    }
}

fn ty_name(t: Ty) -> &'static str {
    match t {
        Ty::Number => "number",
        Ty::Bool => "boolean",
    }
}

/// Prints the expression with parentheses only where precedence needs them,
/// so that it parses back to the same AST and never nests deeper than any
/// source of that AST (the parser bounds nesting depth).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_at(f, 0)
    }
}

impl Expr {
    /// Binding strength, loosest first, as the parser's levels:
    /// or, and, not, comparison, + -, * /, unary minus, atoms.
    fn precedence(&self) -> u8 {
        match self {
            Expr::Or(..) => 1,
            Expr::And(..) => 2,
            Expr::Not(_) => 3,
            Expr::Cmp { .. } => 4,
            Expr::Arith { op, .. } if op.is_additive() => 5,
            Expr::Arith { .. } => 6,
            Expr::Neg(_) => 7,
            _ => 8,
        }
    }

    /// Prints `self` where the parser expects an operand of at least `min`.
    fn fmt_at(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            f.write_str("(")?;
            self.fmt_bare(f)?;
            f.write_str(")")
        } else {
            self.fmt_bare(f)
        }
    }

    /// Binary chains are left-associative: the left operand may be of the
    /// same level, the right one must bind tighter.
    fn fmt_bare(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    write!(f, "{}", *n as i64)
                } else {
                    write!(f, "{n}")
                }
            }
            Expr::Bool(b) => write!(f, "{b}"),
            Expr::Metric(m) => f.write_str(&m.name),
            Expr::Window {
                func,
                metric,
                window,
            } => write!(f, "{}({}, {})", func.name(), metric.name, window),
            Expr::Age(m) => write!(f, "age({})", m.name),
            Expr::TwoSample { func, a, b, window } => {
                write!(f, "{}({}, {}, {})", func.name(), a.name, b.name, window)
            }
            Expr::Baseline { stat, metric } => {
                write!(f, "baseline({}, {})", stat.name(), metric.name)
            }
            Expr::Neg(e) => {
                f.write_str("-")?;
                e.fmt_at(f, 7)
            }
            Expr::Arith { op, lhs, rhs } => {
                let p = self.precedence();
                lhs.fmt_at(f, p)?;
                write!(f, " {} ", op.symbol())?;
                rhs.fmt_at(f, p + 1)
            }
            Expr::Cmp { op, lhs, rhs } => {
                lhs.fmt_at(f, 5)?;
                write!(f, " {} ", op.symbol())?;
                rhs.fmt_at(f, 5)
            }
            Expr::Not(e) => {
                f.write_str("not ")?;
                e.fmt_at(f, 3)
            }
            Expr::And(a, b) => {
                a.fmt_at(f, 2)?;
                f.write_str(" and ")?;
                b.fmt_at(f, 3)
            }
            Expr::Or(a, b) => {
                a.fmt_at(f, 1)?;
                f.write_str(" or ")?;
                b.fmt_at(f, 2)
            }
        }
    }
}
