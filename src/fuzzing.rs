//! Fuzz target bodies, shared by the libFuzzer crate under `fuzz/` and by
//! `tests/fuzz_corpus.rs`, which replays the kept corpus on stable in CI.
//! Keeping one copy means the engine and the replay cannot drift apart.
//!
//! Each target takes arbitrary bytes and panics (via `assert!`) only when a
//! property a user would notice is broken: beyond "does not crash", parsed
//! expressions print and re-parse to the same text, a verifier never calls a
//! byte-mutated log intact, reasons read from endpoints are inert.

use crate::core::expr::{self, Tri, Value};
use crate::core::metrics::MetricStore;
use crate::core::sanitize::is_dangerous;
use crate::core::time::{Dur, Ts};
use crate::journal::canon::Chain;
use crate::journal::verify::verify_bytes;
use crate::journal::Record;
use std::path::Path;

/// The fuzz targets by name (the names of `fuzz/fuzz_targets/*.rs` and of
/// the corpus folders under `fuzz/corpus/`).
pub const TARGETS: &[&str] = &["runbook", "config", "expr", "verify", "prom", "checksum"];

/// Runs the target called `name` on `data`; `false` when no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "runbook" => runbook(data),
        "config" => config(data),
        "expr" => expr(data),
        "verify" => verify(data),
        "prom" => prom(data),
        "checksum" => checksum(data),
        _ => return false,
    }
    true
}

/// Asserts every diagnostic points inside `text` and renders without panic.
fn check_diagnostics(text: &str, diags: &[crate::core::diag::Diagnostic]) {
    let lines = text.split('\n').count() as u32;
    for d in diags {
        assert!(
            d.pos.line >= 1 && d.pos.line <= lines.max(1),
            "diagnostic line {} outside a {lines}-line file: {}",
            d.pos.line,
            d.message
        );
        let _ = d.render(text);
    }
}

/// Runbook parser and validator: deterministic, diagnostics inside the file,
/// a runbook only when there is no error.
pub fn runbook(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let out = crate::core::runbook::check("fuzz.toml", text);
    check_diagnostics(text, &out.diagnostics);
    assert_eq!(out.runbook.is_some(), !out.has_errors());
    assert_eq!(out, crate::core::runbook::check("fuzz.toml", text));
}

/// Config parser: the same properties as the runbook.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let out = crate::core::config::check("fuzz.toml", text);
    check_diagnostics(text, &out.diagnostics);
    let errors = out.diagnostics.iter().any(|d| d.is_error());
    assert!(
        !(out.config.is_some() && errors),
        "a config was returned despite errors"
    );
}

/// A store where every metric the expression names has a few samples.
fn store_for(e: &expr::Expr, now: Ts) -> MetricStore {
    let mut store = MetricStore::new(1024, Dur(3_600_000), Dur(30_000));
    for (i, m) in e.metrics().iter().enumerate() {
        for k in 0..8i64 {
            let v = (i as f64 + 1.0) * (k as f64 - 3.0);
            store.push(&m.name, now - Dur(5_000 * (8 - k)), v);
        }
    }
    store
}

/// Expression parser and evaluator: printing round-trips, evaluation is
/// total and Kleene `not` flips a known truth.
pub fn expr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(e) = expr::parse(text) else {
        return;
    };
    let printed = e.to_string();
    let again = match expr::parse(&printed) {
        Ok(a) => a,
        Err(err) => panic!("`{text}` printed as `{printed}` does not re-parse: {err:?}"),
    };
    assert_eq!(printed, again.to_string(), "printing is not a fixed point");
    let now = Ts(1_800_000_000_000);
    let empty = MetricStore::new(16, Dur(60_000), Dur(30_000));
    let full = store_for(&e, now);
    // Kleene logic is monotone: data can only turn Unknown into a truth, so
    // a truth reached with no data at all (e.g. `x > 1 or 1 < 2`) stays.
    let blind = expr::eval(&e, &empty, now).tri();
    if blind != Tri::Unknown && matches!(expr::eval(&e, &empty, now).value, Value::Bool(_)) {
        assert_eq!(
            expr::eval(&e, &full, now).tri(),
            blind,
            "data flipped `{text}`"
        );
    }
    for store in [&empty, &full] {
        let a = expr::eval(&e, store, now);
        let b = expr::eval(&again, store, now);
        assert!(same_value(a.value, b.value), "{a:?} vs {b:?} for `{text}`");
        if let Value::Bool(t) = a.value {
            if let Ok(neg) = expr::parse(&format!("not ({printed})")) {
                let n = expr::eval(&neg, store, now).tri();
                assert_eq!(n, !t, "not ({printed}) is {n:?} but {printed} is {t:?}");
            }
        }
    }
}

/// NaN-aware equality of two evaluated values.
fn same_value(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x == y || (x.is_nan() && y.is_nan()),
        (x, y) => x == y,
    }
}

/// A small valid log whose records carry text from `seed`.
fn valid_log(seed: &str) -> Vec<u8> {
    use crate::core::entry::{Entry, EntryKind};
    let chain = Chain::from_key(None);
    let mut prev = "0".repeat(64);
    let mut out = Vec::new();
    let kinds = [EntryKind::Open, EntryKind::Observe, EntryKind::Decision];
    for (seq, kind) in kinds.into_iter().enumerate() {
        let entry = Entry {
            kind,
            actor: "fuzz".into(),
            phase: Some("pilot".into()),
            body: serde_json::json!({ "reason": seed, "n": seq }),
        };
        let now = Ts(1_800_000_000_000 + seq as i64 * 1000);
        let (rec, line) = Record::seal(entry, seq as u64, now, &prev, &chain);
        prev = rec.hash;
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// Log verifier: arbitrary bytes never panic; an intact verdict counts the
/// lines; a valid log with one byte changed is never called intact, and the
/// same log unchanged always is.
pub fn verify(data: &[u8]) {
    let p = Path::new("fuzz.log");
    if let Ok(out) = verify_bytes(data, p, None, None) {
        if out.damage.is_none() {
            let lines = data.iter().filter(|b| **b == b'\n').count() as u64;
            assert_eq!(out.summary.count, lines, "intact count != line count");
        }
    }
    let (Some((&at, rest)), true) = (data.split_first(), data.len() >= 2) else {
        return;
    };
    let seed = String::from_utf8_lossy(&rest[1..]);
    let log = valid_log(&seed);
    let intact = verify_bytes(&log, p, None, None).map(|o| o.damage.is_none());
    assert!(
        matches!(intact, Ok(true)),
        "a freshly sealed log does not verify"
    );
    let mut bad = log.clone();
    let i = (usize::from(at) * 7919 + usize::from(rest[0])) % bad.len();
    bad[i] = bad[i].wrapping_add(1 + rest[0] % 254);
    if bad == log {
        return;
    }
    if let Ok(out) = verify_bytes(&bad, p, None, None) {
        assert!(
            out.damage.is_some(),
            "byte {i} changed from {:#x} to {:#x} and the log still verifies",
            log[i],
            bad[i]
        );
    }
}

/// Prometheus text parser: every series kept has a readable name, and a
/// selector built from a parsed series finds a value.
pub fn prom(data: &[u8]) {
    use crate::probe::prom::{parse_exposition, select, Selector};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (series, bad) = parse_exposition(text);
    assert!(series.len() + bad <= text.lines().count());
    if let Some(first) = series.first() {
        assert!(!first.name.is_empty());
        if let Ok(sel) = Selector::parse(&first.name) {
            assert!(select(&series, &sel).is_some(), "{} not found", first.name);
        }
    }
    if let Some(line) = text.lines().next() {
        if let Ok(sel) = Selector::parse(line) {
            let _ = select(&series, &sel);
        }
    }
}

/// Checksum JSON reader: a read document has a lowercase hex digest; a
/// refusal reason is inert; a document reconciles with itself.
pub fn checksum(data: &[u8]) {
    use crate::probe::http::Fetched;
    use crate::probe::kinds::{parse_checksum, reconcile};
    let f = Fetched {
        status: 200,
        content_type: Some("application/json".into()),
        body: data.to_vec(),
        elapsed: std::time::Duration::from_millis(1),
        cert_not_after: None,
        phases: Default::default(),
    };
    match parse_checksum(&f, &[200]) {
        Ok(c) => {
            assert!(c
                .digest
                .chars()
                .all(|ch| matches!(ch, '0'..='9' | 'a'..='f')));
            let out = reconcile(&c, &c);
            let m = out.values.iter().find(|(k, _)| k == "match").map(|v| v.1);
            assert_eq!(m, Some(1.0), "a checksum does not match itself");
        }
        Err(fail) => assert!(
            !fail.0.chars().any(is_dangerous),
            "reason not inert: {:?}",
            fail.0
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_runs_on_empty_and_small_input() {
        for t in TARGETS {
            assert!(run(t, b""));
            assert!(run(t, b"x = 1\n"));
        }
        assert!(!run("nope", b""));
    }

    #[test]
    fn printed_expressions_stay_within_the_parsers_depth_limit() {
        // found by the expr fuzzer: `-` printed as `-(..)` doubled the nesting
        expr(b"------- -- --- --- -- --- --- --- -- --- -a-a-- --- -- --- --- --- 1");
        // long flat chains print one parenthesis per operator
        let chain = vec!["a"; 70].join(" + ");
        expr(chain.as_bytes());
        let both = vec!["a > 1"; 70].join(" and ");
        expr(both.as_bytes());
        // found by the third run: 62 minus signs under an or-chain and a
        // comparison; the printer added parentheses the source did not need
        let edge = format!("2 - {}a < 1 or b > 2", "-".repeat(62));
        assert!(
            crate::core::expr::parse(&edge).is_ok(),
            "input within the limit"
        );
        expr(edge.as_bytes());
    }

    #[test]
    fn a_sealed_log_verifies_and_a_flipped_byte_does_not() {
        let log = valid_log("ok");
        let p = Path::new("t.log");
        assert!(verify_bytes(&log, p, None, None).unwrap().damage.is_none());
        for i in [5, log.len() / 2, log.len() - 2] {
            let mut bad = log.clone();
            bad[i] ^= 0x01;
            let out = verify_bytes(&bad, p, None, None).unwrap();
            assert!(out.damage.is_some(), "flip at {i} not detected");
        }
    }
}
