//! Two-sample statistics: `shift_hi(a, b, 10m)` over 10 minutes of 1 s
//! samples on each side (600 x 600 = 360,000 pairwise differences), as one
//! gate evaluation computes it, against sorting every difference; and ten
//! conditions reading the same call in one tick. Figures: docs/performance.md.
#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code

use criterion::{criterion_group, criterion_main, Criterion};
use cutover_core::expr::{eval_cached, parse, WindowCache};
use cutover_core::metrics::MetricStore;
use cutover_core::stats::{two_sample, two_sample_brute};
use cutover_core::time::Ts;
use std::hint::black_box;

/// Latency-like samples in whole milliseconds (so with ties), reproducible.
fn samples(seed: u64, base: f64) -> Vec<f64> {
    let mut z = seed;
    (0..600)
        .map(|_| {
            z = z
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let u = (z >> 11) as f64 / (1u64 << 53) as f64;
            (base + 80.0 * (-(1.0 - u).ln())).round()
        })
        .collect()
}

fn store() -> MetricStore {
    let mut s = MetricStore::default();
    let (a, b) = (samples(1, 320.0), samples(2, 300.0));
    for i in 0..600 {
        s.push("target.pacs.latency_ms", Ts(i as i64 * 1000), a[i]);
        s.push("source.pacs.latency_ms", Ts(i as i64 * 1000), b[i]);
    }
    s
}

fn bench(c: &mut Criterion) {
    let (a, b) = (samples(1, 320.0), samples(2, 300.0));
    assert_eq!(two_sample(&a, &b), Some(two_sample_brute(&a, &b)));
    c.bench_function("two_sample 600x600 (selection)", |bn| {
        bn.iter(|| two_sample(black_box(&a), black_box(&b)))
    });
    c.bench_function(
        "two_sample 600x600 (brute force: sort 360k differences)",
        |bn| bn.iter(|| two_sample_brute(black_box(&a), black_box(&b))),
    );
    let s = store();
    let now = Ts(599_000);
    let gate = parse("shift_hi(target.pacs.latency_ms, source.pacs.latency_ms, 10m) < 50").unwrap();
    c.bench_function("eval shift_hi(a, b, 10m) < 50, fresh cache", |bn| {
        bn.iter(|| eval_cached(&gate, &s, now, &mut WindowCache::default()))
    });
    let conds: Vec<_> = (0..10)
        .map(|i| {
            let f = ["shift", "shift_lo", "shift_hi", "mwu_p"][i % 4];
            parse(&format!(
                "{f}(target.pacs.latency_ms, source.pacs.latency_ms, 10m) < {}",
                50 + i
            ))
            .unwrap()
        })
        .collect();
    c.bench_function(
        "ten conditions on one pair in one tick (shared cache)",
        |bn| {
            bn.iter(|| {
                let mut cache = WindowCache::default();
                for e in &conds {
                    black_box(eval_cached(e, &s, now, &mut cache));
                }
                assert_eq!(cache.pair_computations(), 1);
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
