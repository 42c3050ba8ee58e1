//! Properties: the parsers never panic on arbitrary input, and a pretty-printed
//! expression AST parses back to the same AST.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::core::expr::{
    parse, ArithOp, CmpOp, Expr, MetricRef, TwoSampleFn, WindowFn, BASELINE_STATS,
};
use cutover_cockpit::core::time::Dur;
use cutover_cockpit::core::{config, runbook};
use proptest::prelude::*;

fn metric_name() -> impl Strategy<Value = String> {
    let seg = "[a-z][a-z0-9_]{0,4}(-[a-z0-9_]{1,3})?";
    proptest::collection::vec(seg, 1..4)
        .prop_map(|v| v.join("."))
        .prop_filter("not a keyword or function", |n| {
            !matches!(
                n.as_str(),
                "true" | "false" | "and" | "or" | "not" | "age" | "baseline"
            ) && TwoSampleFn::from_name(n).is_none()
                && WindowFn::from_name(n).is_none()
        })
}

fn metric() -> impl Strategy<Value = MetricRef> {
    metric_name().prop_map(|name| MetricRef { name, offset: 0 })
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0u32..100_000).prop_map(|n| Expr::Num(f64::from(n))),
        (0u32..4000).prop_map(|n| Expr::Num(f64::from(n) / 8.0)),
        any::<bool>().prop_map(Expr::Bool),
        metric().prop_map(Expr::Metric),
        metric().prop_map(Expr::Age),
        (0usize..9, metric(), 0i64..100_000_000).prop_map(|(f, metric, ms)| Expr::Window {
            func: WindowFn::ALL[f],
            metric,
            window: Dur(ms),
        }),
        (0usize..4, metric(), metric(), 1i64..100_000_000).prop_map(|(f, a, b, ms)| {
            Expr::TwoSample {
                func: TwoSampleFn::ALL[f],
                a,
                b,
                window: Dur(ms),
            }
        }),
        (0usize..6, metric()).prop_map(|(f, metric)| Expr::Baseline {
            stat: BASELINE_STATS[f],
            metric,
        }),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let arith = [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div];
    let cmp = [
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::Eq,
        CmpOp::Ne,
    ];
    leaf().prop_recursive(6, 48, 2, move |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Neg(Box::new(e))),
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            (0usize..4, inner.clone(), inner.clone()).prop_map(move |(i, l, r)| Expr::Arith {
                op: arith[i],
                lhs: Box::new(l),
                rhs: Box::new(r),
            }),
            (0usize..6, inner.clone(), inner.clone()).prop_map(move |(i, l, r)| Expr::Cmp {
                op: cmp[i],
                lhs: Box::new(l),
                rhs: Box::new(r),
            }),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
        ]
    })
}

/// Offsets depend on the printed text, so they are not part of AST equality here.
fn without_offsets(e: &Expr) -> Expr {
    let m = |m: &MetricRef| MetricRef {
        name: m.name.clone(),
        offset: 0,
    };
    let b = |e: &Expr| Box::new(without_offsets(e));
    match e {
        Expr::Num(_) | Expr::Bool(_) => e.clone(),
        Expr::Metric(x) => Expr::Metric(m(x)),
        Expr::Age(x) => Expr::Age(m(x)),
        Expr::Window {
            func,
            metric,
            window,
        } => Expr::Window {
            func: *func,
            metric: m(metric),
            window: *window,
        },
        Expr::TwoSample {
            func,
            a,
            b: other,
            window,
        } => Expr::TwoSample {
            func: *func,
            a: m(a),
            b: m(other),
            window: *window,
        },
        Expr::Baseline { stat, metric } => Expr::Baseline {
            stat: *stat,
            metric: m(metric),
        },
        Expr::Neg(x) => Expr::Neg(b(x)),
        Expr::Not(x) => Expr::Not(b(x)),
        Expr::Arith { op, lhs, rhs } => Expr::Arith {
            op: *op,
            lhs: b(lhs),
            rhs: b(rhs),
        },
        Expr::Cmp { op, lhs, rhs } => Expr::Cmp {
            op: *op,
            lhs: b(lhs),
            rhs: b(rhs),
        },
        Expr::And(x, y) => Expr::And(b(x), b(y)),
        Expr::Or(x, y) => Expr::Or(b(x), b(y)),
    }
}

/// A few lines of a plausible runbook, shuffled and mangled by proptest.
const RUNBOOK_BITS: &[&str] = &[
    "[runbook]\n",
    "name = \"x\"\n",
    "commander = \"dana\"\n",
    "max_duration = \"6h\"\n",
    "[[owner]]\nid = \"dana\"\nname = \"D\"\nrole = \"C\"\n",
    "[[phase]]\nid = \"p\"\n",
    "owner = \"dana\"\n",
    "[[phase.step]]\nid = \"s\"\n",
    "after = [\"s\", \"t\"]\n",
    "[[phase.gate]]\nid = \"g\"\n",
    "when = \"avg(target.pacs.latency_ms, 5m) > 800\"\n",
    "when = '''\n(a > 1\n'''\n",
    "for = \"1h\"\n",
    "[[threshold]]\n",
    "scope = \"x\"\n",
    "severity = \"hold\"\n",
    "text = \"{time} {\"\n",
    "phase = [1, \"p\"]\n",
    "= \n",
    "\"\n",
    "[[rollback]]\n",
    "[[rollback.step]]\n",
    "window_start = 2026-11-28T22:00:00Z\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printed_asts_parse_back_to_the_same_ast(e in expr()) {
        let text = e.to_string();
        let back = parse(&text);
        prop_assert!(back.is_ok(), "`{}` did not parse: {:?}", text, back);
        prop_assert_eq!(without_offsets(&back.unwrap()), without_offsets(&e), "via `{}`", text);
    }

    #[test]
    fn the_expression_parser_never_panics(s in "\\PC{0,80}") {
        let _ = parse(&s);
    }

    #[test]
    fn the_runbook_and_config_checks_never_panic_on_arbitrary_text(s in "\\PC{0,200}") {
        let _ = runbook::check("f.toml", &s);
        let _ = config::check("c.toml", &s);
    }

    #[test]
    fn the_runbook_check_never_panics_on_mangled_runbooks(
        parts in proptest::collection::vec(0..RUNBOOK_BITS.len(), 0..30),
        cut in 0usize..2000,
    ) {
        let text: String = parts.iter().map(|&i| RUNBOOK_BITS[i]).collect();
        let cut = text.char_indices().map(|(i, _)| i).find(|&i| i >= cut).unwrap_or(text.len());
        let out = runbook::check("f.toml", &text[..cut]);
        // every diagnostic points inside the file
        let lines = text[..cut].lines().count().max(1) as u32;
        for d in &out.diagnostics {
            prop_assert!(d.pos.line >= 1 && d.pos.line <= lines + 1, "{:?}", d);
            prop_assert!(d.pos.col >= 1);
        }
    }
}
