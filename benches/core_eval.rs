//! Decision-core costs: one tick evaluating N gates + thresholds over
//! 5-minute windows at 1 s samples, and the metric store's memory bound over
//! a 12-hour window. Figures and method: docs/performance.md.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use criterion::{criterion_group, criterion_main, Criterion};
use cutover_cockpit::core::cockpit::{Cockpit, Msg};
use cutover_cockpit::core::expr::parse_condition;
use cutover_cockpit::core::metrics::{MetricStore, DEFAULT_CAP};
use cutover_cockpit::core::runbook::*;
use cutover_cockpit::core::span::Pos;
use cutover_cockpit::core::time::{Dur, Ts};
use std::hint::black_box;

const METRICS: usize = 20;

fn when(i: usize) -> String {
    let m = format!("target.sys{}.latency_ms", i % METRICS);
    match i % 4 {
        0 => format!("p95({m}, 5m) < 800"),
        1 => format!("avg({m}, 5m) < 500 and max({m}, 5m) < 2000"),
        2 => format!("{m} < 900"),
        _ => format!("rate({m}, 5m) < 10 or min({m}, 5m) > 0"),
    }
}

/// A runbook with `gates` exit gates and `thresholds` thresholds.
fn runbook(gates: usize, thresholds: usize) -> Runbook {
    let owner = Owner {
        id: "dana".into(),
        name: "Dana".into(),
        role: "c".into(),
        contact: None,
        signing_key: None,
        pos: Pos::default(),
    };
    let gates = (0..gates)
        .map(|i| Gate {
            id: format!("g{i}"),
            title: "g".into(),
            when_src: when(i),
            when: parse_condition(&when(i)).expect("bench gate parses"),
            hold_for: Some(Dur::from_mins(10)),
            kind: GateKind::Exit,
            advisory: false,
            pos: Pos::default(),
        })
        .collect();
    let thresholds = (0..thresholds)
        .map(|i| Threshold {
            id: format!("t{i}"),
            title: "t".into(),
            when_src: when(i + 1),
            when: parse_condition(&when(i + 1)).expect("bench threshold parses"),
            hold_for: Some(Dur::from_mins(30)),
            scope: None,
            severity: Severity::Hold,
            phases: vec![],
            advisory: false,
            pos: Pos::default(),
        })
        .collect();
    Runbook {
        name: "bench".into(),
        version: "1".into(),
        commander: "dana".into(),
        max_duration: Dur::from_mins(720),
        update_every: Dur::from_mins(30),
        window_start: None,
        overrun_scope: None,
        owners: vec![owner],
        phases: vec![Phase {
            id: "p".into(),
            name: "p".into(),
            owner: "dana".into(),
            steps: vec![],
            gates,
            signoffs: vec![],
            pos: Pos::default(),
        }],
        thresholds,
        rollbacks: vec![],
        templates: vec![],
        require_signature: vec![],
    }
}

/// A cockpit with 5 minutes of 1 s samples for every metric.
fn loaded(gates: usize, thresholds: usize) -> (Cockpit, Ts) {
    let mut c = Cockpit::new(runbook(gates, thresholds), Ts(0));
    let mut now = Ts(0);
    for s in 0..=300i64 {
        now = Ts(s * 1000);
        let samples = (0..METRICS)
            .map(|m| cutover_cockpit::core::sample::Sample {
                name: format!("target.sys{m}.latency_ms"),
                ts: now,
                value: 300.0 + ((s * 7 + m as i64 * 13) % 400) as f64,
            })
            .collect();
        let report = cutover_cockpit::core::sample::ProbeReport {
            probe: "b".into(),
            ts: now,
            ok: true,
            reason: None,
            samples,
        };
        c.handle(Msg::Probe(report), now);
    }
    (c, now)
}

fn tick_cost(cr: &mut Criterion) {
    for (g, t) in [(100, 0), (250, 250)] {
        let (mut c, now) = loaded(g, t);
        c.handle(Msg::Tick, now);
        let mut i = 0;
        cr.bench_function(
            &format!("tick_{g}_gates_{t}_thresholds_5m_windows_1s"),
            |b| {
                b.iter(|| {
                    i += 1;
                    black_box(c.handle(Msg::Tick, Ts(now.0 + i % 1000)));
                })
            },
        );
    }
}

fn store_bound(cr: &mut Criterion) {
    // 12 h at 1 s for 50 metrics, retaining a 1 h window: memory must stay flat.
    let mut s = MetricStore::new(DEFAULT_CAP, Dur::from_mins(60), Dur::from_secs(20));
    let names: Vec<String> = (0..50)
        .map(|i| format!("target.sys{i}.latency_ms"))
        .collect();
    let mut peak_after_1h = 0;
    for sec in 0..(12 * 3600i64) {
        for n in &names {
            s.push(n, Ts(sec * 1000), sec as f64);
        }
        if sec == 3600 {
            peak_after_1h = s.approx_bytes();
        }
    }
    eprintln!(
        "store: 50 metrics x 12 h at 1 s: {} samples held, ~{} KiB at 12 h (~{} KiB at 1 h)",
        s.sample_count(),
        s.approx_bytes() / 1024,
        peak_after_1h / 1024
    );
    let mut sec = 12 * 3600i64;
    cr.bench_function("store_push_50_metrics", |b| {
        b.iter(|| {
            sec += 1;
            for n in &names {
                s.push(n, Ts(sec * 1000), 1.0);
            }
        })
    });
}

criterion_group!(benches, tick_cost, store_bound);
criterion_main!(benches);
