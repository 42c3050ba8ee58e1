//! Evidence pack cost: building the model and rendering both formats, for
//! the demo fixture (1,029 records) and for a 100,000-record log (the
//! fixture with its observe records repeated, as a long cutover would have).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use criterion::{criterion_group, criterion_main, Criterion};
use cutover_cockpit::report::{self, verify, Evidence, VerificationSummary};
use serde_json::Value;
use std::hint::black_box;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/report/demo-cutover.jsonl"
);

fn fixture() -> (String, Vec<Value>) {
    let text = std::fs::read_to_string(FIXTURE).expect("fixture log");
    let records = verify::parse_records(&text);
    (text, records)
}

/// The fixture padded to `n` records with copies of its observe records.
fn padded(records: &[Value], n: usize) -> Vec<Value> {
    let observes: Vec<&Value> = records.iter().filter(|r| r["kind"] == "observe").collect();
    let mut out = records.to_vec();
    let mut i = 0;
    while out.len() < n {
        out.push(observes[i % observes.len()].clone());
        i += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let (text, records) = fixture();
    let ok = VerificationSummary {
        ok: true,
        ..Default::default()
    };
    c.bench_function("verify fixture (journal verifier, 1029 records)", |b| {
        let path = std::path::Path::new(FIXTURE);
        b.iter(|| verify::verify_log(black_box(text.as_bytes()), path, None, None))
    });
    c.bench_function("parse fixture lines (1029 records)", |b| {
        b.iter(|| verify::parse_records(black_box(&text)))
    });
    for (label, recs) in [
        ("1029", records.clone()),
        ("100k", padded(&records, 100_000)),
    ] {
        c.bench_function(&format!("Evidence::from_records ({label} records)"), |b| {
            b.iter(|| Evidence::from_records(black_box(&recs), ok.clone()))
        });
        let e = Evidence::from_records(&recs, ok.clone());
        c.bench_function(&format!("markdown ({label} records)"), |b| {
            b.iter(|| report::markdown(black_box(&e)))
        });
        c.bench_function(&format!("html ({label} records)"), |b| {
            b.iter(|| report::html(black_box(&e)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
