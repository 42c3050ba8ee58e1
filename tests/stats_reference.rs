//! The two-sample statistics of the expression language against reference
//! values computed once with scipy (scripts/stats_reference.py writes
//! tests/fixtures/stats/reference.json): each case's samples go into a metric
//! store one second apart and the expressions are evaluated as a gate would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use cutover_cockpit::core::expr::{eval, parse, Tri, Value};
use cutover_cockpit::core::metrics::MetricStore;
use cutover_cockpit::core::time::{Dur, Ts};
use serde_json::Value as Json;

fn reference() -> Json {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/stats/reference.json"
    );
    let text = std::fs::read_to_string(path).expect("reference table is in the repository");
    serde_json::from_str(&text).expect("reference table is JSON")
}

fn values(case: &Json, key: &str) -> Vec<f64> {
    case[key]
        .as_array()
        .expect("sample array")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect()
}

/// Both samples as `a.x.v` and `b.x.v`, one per second, ending at the returned `now`.
fn store_of(a: &[f64], b: &[f64]) -> (MetricStore, Ts) {
    let mut s = MetricStore::new(4096, Dur::from_mins(60), Dur::from_secs(20));
    for (i, v) in a.iter().enumerate() {
        s.push("a.x.v", Ts(i as i64 * 1000), *v);
    }
    for (i, v) in b.iter().enumerate() {
        s.push("b.x.v", Ts(i as i64 * 1000), *v);
    }
    let last = a.len().max(b.len()) as i64 - 1;
    (s, Ts(last * 1000))
}

fn number(src: &str, store: &MetricStore, now: Ts) -> Option<f64> {
    let e = parse(src).expect("parses");
    match eval(&e, store, now).value {
        Value::Num(x) => Some(x),
        Value::Bool(_) => None,
    }
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1e-300) || (got - want).abs() <= 1e-12
}

#[test]
fn every_reference_case_agrees_with_scipy() {
    let doc = reference();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10, "the table has its cases");
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (a, b) = (values(case, "a"), values(case, "b"));
        let (store, now) = store_of(&a, &b);
        let window = "1h";
        for (func, key, rel) in [
            ("shift", "shift", 1e-12),
            ("shift_lo", "shift_lo", 1e-12),
            ("shift_hi", "shift_hi", 1e-12),
            // erfc implementations agree to about 1e-14 relative, even far in the tail
            ("mwu_p", "mwu_p", 1e-9),
        ] {
            let got = number(&format!("{func}(a.x.v, b.x.v, {window})"), &store, now);
            match case[key].as_f64() {
                None => assert_eq!(got, None, "{name}: {func} must be unknown"),
                Some(want) => {
                    let got = got.unwrap_or_else(|| panic!("{name}: {func} is unknown"));
                    assert!(
                        close(got, want, rel),
                        "{name}: {func} = {got}, scipy says {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn below_twenty_samples_a_statistical_gate_is_unknown_never_pass() {
    let a: Vec<f64> = (0..19).map(f64::from).collect();
    let b: Vec<f64> = (0..600).map(|i| f64::from(i % 7)).collect();
    let (store, now) = store_of(&a, &b);
    // would be true for any value: it must still not pass
    let e = parse("shift_hi(a.x.v, b.x.v, 10m) < 1e9").expect("parses");
    let r = eval(&e, &store, now);
    assert_eq!(r.tri(), Tri::Unknown);
    let why = r.reason.unwrap_or_default();
    assert!(
        why.contains("needs 20 samples on each side, has 19 and 600"),
        "{why}"
    );
}

#[test]
fn only_samples_inside_the_window_count() {
    // 30 old samples far apart, then 25 recent ones 50 higher on side a
    let mut s = MetricStore::new(4096, Dur::from_mins(120), Dur::from_secs(20));
    for i in 0..30 {
        s.push("a.x.v", Ts(i * 1000), 1000.0);
    }
    for i in 0..25 {
        let t = Ts(3_600_000 + i * 1000);
        s.push("a.x.v", t, 150.0 + f64::from(i as i32 % 5));
        s.push("b.x.v", t, 100.0 + f64::from(i as i32 % 5));
    }
    let now = Ts(3_600_000 + 24_000);
    assert_eq!(number("shift(a.x.v, b.x.v, 1m)", &s, now), Some(50.0));
    let detail = eval(
        &parse("shift_hi(a.x.v, b.x.v, 1m) < 60").expect("parses"),
        &s,
        now,
    );
    assert_eq!(detail.tri(), Tri::True);
    assert!(
        detail
            .stats
            .iter()
            .any(|l| l.contains("shift 50") && l.contains("n = 25 / 25")),
        "{:?}",
        detail.stats
    );
}
