//! Replay seek (docs/performance.md, "Replay seek"): a 100,000-record log is
//! written with the journal (a demo cockpit driven for ~7 h: four probes a
//! second, ticks, a hold/resume, a note and step records every 20 minutes),
//! then loaded into a `Replayer` and sought to random points.
//!
//! Prints: load time (verify + snapshots + timeline), snapshot count and
//! their memory (RSS growth while building them), seek p50/p99/max over 300
//! random targets (the state rebuilt), and seek + screen view. Criterion then
//! times one random seek.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use criterion::Criterion;
use cutover_cockpit::app::replay::Replayer;
use cutover_cockpit::app::replay_seek::{Snapshots, SNAPSHOT_EVERY};
use cutover_cockpit::core::cockpit::{Action, Cockpit, Effect, Msg};
use cutover_cockpit::core::entry::{Entry, EntryKind};
use cutover_cockpit::core::runbook::{self, Runbook};
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::journal::{open_body, verify_file, Journal, Record};
use cutover_cockpit::tui::CockpitPort;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const T0: Ts = Ts(1_795_903_200_000);
const RECORDS: usize = 100_000;
const RUNBOOK: &str = include_str!("../runbooks/demo-pacs-cutover.toml");
const CONFIG: &str = include_str!("../config/demo.toml");

/// The operator's actions every 20 minutes (cycling), as dana.
fn action(s: i64) -> Option<Action> {
    if s % 1200 != 0 {
        return None;
    }
    Some(match (s / 1200) % 4 {
        0 => Action::Hold {
            reason: "bench hold".into(),
        },
        1 => Action::Resume {
            rationale: "bench resume".into(),
        },
        2 => Action::Note {
            text: format!("note at {s}"),
        },
        _ => Action::StepStart {
            step: "freeze-scope".into(),
        },
    })
}

fn append(j: &mut Journal, fx: Vec<Effect>, now: Ts, n: &mut usize) {
    for e in fx {
        if let Effect::Append(e) = e {
            j.append(e, now).expect("append");
            *n += 1;
        }
    }
}

/// Writes the log: returns its path.
fn write_log(dir: &Path, rb: &Runbook) -> PathBuf {
    let path = dir.join("cutover.jsonl");
    let open = Entry {
        kind: EntryKind::Open,
        actor: "dana".into(),
        phase: None,
        body: open_body(RUNBOOK, CONFIG, "dana", "bench"),
    };
    let mut j = Journal::create(&path, open, T0, None).expect("create log");
    let mut c = Cockpit::new(rb.clone(), T0);
    let mut n = 1;
    append(&mut j, c.begin(T0), T0, &mut n);
    let mut s = 0i64;
    while n < RECORDS {
        s += 1;
        let now = T0 + Dur::from_secs(s);
        let latency = 300.0 + ((s / 97) % 11) as f64 * 60.0;
        for r in [
            ProbeReport::ok_with("source.pacs.health", now, &[("source.pacs.up", 1.0)]),
            ProbeReport::ok_with("target.pacs.health", now, &[("target.pacs.up", 1.0)]),
            ProbeReport::ok_with(
                "target.pacs.latency",
                now,
                &[
                    ("target.pacs.latency_ms", latency),
                    ("target.pacs.replication_lag_s", (s % 400) as f64),
                ],
            ),
            ProbeReport::ok_with(
                "recon.pacs-pilot.checksum",
                now,
                &[("recon.pacs-pilot.match", 1.0)],
            ),
        ] {
            append(&mut j, c.handle(Msg::Probe(r), now), now, &mut n);
        }
        append(&mut j, c.handle(Msg::Tick, now), now, &mut n);
        if let Some(a) = action(s) {
            let msg = Msg::Act {
                actor: "dana".into(),
                action: a,
            };
            append(&mut j, c.handle(msg, now), now, &mut n);
        }
        if s % 60 == 0 {
            j.commit().expect("commit");
        }
    }
    j.commit().expect("commit");
    path
}

/// Resident memory in bytes (Linux `/proc/self/statm`).
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// A small deterministic generator (no rand dependency).
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn figures(label: &str, mut d: Vec<Duration>) {
    d.sort();
    println!(
        "{label}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} seeks)",
        pct(&d, 0.5).as_secs_f64() * 1e3,
        pct(&d, 0.99).as_secs_f64() * 1e3,
        d[d.len() - 1].as_secs_f64() * 1e3,
        d.len()
    );
}

fn main() {
    let dir = std::env::temp_dir().join(format!("cutover-replay-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    let rb = runbook::load("demo.toml", RUNBOOK).expect("demo runbook");
    let t = Instant::now();
    let log = write_log(&dir, &rb);
    println!(
        "wrote {} in {:.1} s",
        log.display(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let records: Vec<Record> = verify_file(&log, None, None).expect("verify").records;
    let verified = t.elapsed();
    let span = records[records.len() - 1].ts() - records[0].ts();
    println!(
        "{} records over {:.1} h; verify+read {:.0} ms",
        records.len(),
        span.as_secs_f64() / 3600.0,
        verified.as_secs_f64() * 1e3
    );
    let before = rss();
    let t = Instant::now();
    let snaps = Snapshots::build(&rb, &records, SNAPSHOT_EVERY);
    let built = t.elapsed();
    let grown = rss().saturating_sub(before);
    println!(
        "snapshots: {} (every {SNAPSHOT_EVERY}), built in {:.0} ms, RSS +{:.1} MiB ({:.0} KiB each)",
        snaps.len(),
        built.as_secs_f64() * 1e3,
        grown as f64 / 1048576.0,
        grown as f64 / 1024.0 / snaps.len() as f64
    );
    drop(snaps);
    let t = Instant::now();
    let mut r = Replayer::new(rb, records, &log.display().to_string(), 1.0);
    println!(
        "Replayer::new (snapshots + timeline): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let n = r.records().len();
    let mut seed = 7u64;
    let (mut seek, mut with_view) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let to = (next(&mut seed) as usize) % n + 1;
        let t = Instant::now();
        r.seek(to);
        seek.push(t.elapsed());
        let v = r.view();
        with_view.push(t.elapsed());
        assert_eq!(r.applied(), to);
        std::hint::black_box(v);
    }
    figures("seek (state rebuilt)", seek);
    figures("seek + screen view", with_view);

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("seek to a random point (100k records)", |b| {
        b.iter(|| {
            let to = (next(&mut seed) as usize) % n + 1;
            r.seek(to);
        })
    });
    c.final_summary();
    let _ = std::fs::remove_dir_all(&dir);
}
