//! Journal benchmarks (docs/performance.md, "Journal"):
//! - decision append latency with fsync (p50/p99) next to the raw write+fdatasync
//!   latency of the same disk, interleaved in the same run;
//! - group-commit throughput of observations;
//! - `verify` speed on a 100,000-record log (and, with CUTOVER_BENCH_1M=1, one
//!   timed pass over 1,000,000 records).
//!
//! Files go to $CUTOVER_BENCH_DIR or the system temp dir (so: that disk).

use criterion::{BenchmarkId, Criterion, Throughput};
use cutover_cockpit::core::entry::{Entry, EntryKind};
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::{open_body, verify, Journal};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const T0: Ts = Ts(1_795_903_200_000);

fn bench_dir() -> PathBuf {
    let base = std::env::var_os("CUTOVER_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let d = base.join(format!("cutover-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("bench dir");
    d
}

fn open_entry() -> Entry {
    Entry {
        kind: EntryKind::Open,
        actor: "dana".into(),
        phase: None,
        body: open_body(
            "[runbook]\nname = \"bench\"\n",
            "[poll]\ninterval = \"5s\"\n",
            "dana",
            "bench",
        ),
    }
}

fn decision(i: u64) -> Entry {
    Entry {
        kind: EntryKind::Decision,
        actor: "dana".into(),
        phase: Some("parallel-run".into()),
        body: json!({"decision": "note", "rationale": format!("bench note {i}"),
                     "gates": [{"id": "pilot-checksums", "state": "pass"}, {"id": "ehr-lag", "state": "holding"}]}),
    }
}

/// A typical observation: one probe's samples (~250 bytes on disk).
fn observe(i: u64) -> Entry {
    Entry {
        kind: EntryKind::Observe,
        actor: "probe".into(),
        phase: Some("parallel-run".into()),
        body: json!({"probe": "target.pacs.latency", "samples": {
            "target.pacs.latency_ms": 300.0 + (i % 97) as f64, "target.pacs.latency_ok": 1,
            "target.pacs.replication_lag_s": (i % 13) as f64}}),
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Decision latency vs raw fsync, interleaved so both see the same disk.
fn durable_latency(dir: &Path, n: u64) {
    let log = dir.join("latency.jsonl");
    let mut j = Journal::create(&log, open_entry(), T0, None).expect("create");
    let mut raw_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("raw.bin"))
        .expect("raw file");
    let line = vec![b'x'; 330];
    let (mut raw, mut dec) = (Vec::new(), Vec::new());
    for i in 0..n {
        let t = Instant::now();
        raw_file.write_all(&line).expect("raw write");
        raw_file.sync_data().expect("raw fsync");
        raw.push(t.elapsed());
        let t = Instant::now();
        j.append_durable(decision(i), Ts(T0.0 + i as i64))
            .expect("append");
        dec.push(t.elapsed());
    }
    raw.sort();
    dec.sort();
    let show = |name: &str, v: &[Duration]| {
        println!(
            "{name:<34} p50 {:>9.3?}  p99 {:>9.3?}  max {:>9.3?}  (n={})",
            pct(v, 50.0),
            pct(v, 99.0),
            v[v.len() - 1],
            v.len()
        )
    };
    show("raw write+fdatasync (330 B)", &raw);
    show("decision append_durable", &dec);
    println!(
        "p99 ratio decision/raw fsync: {:.2}",
        pct(&dec, 99.0).as_secs_f64() / pct(&raw, 99.0).as_secs_f64()
    );
}

/// Nanoseconds this process has spent on a CPU (Linux schedstat), so the
/// figure means something on a loaded machine; 0 where unavailable.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn build_log(path: &Path, records: u64) -> u64 {
    let mut j = Journal::create(path, open_entry(), T0, None).expect("create");
    for i in 1..records {
        let e = if i % 500 == 0 {
            decision(i)
        } else {
            observe(i)
        };
        j.append(e, Ts(T0.0 + i as i64 * 100)).expect("append");
        if i % 10_000 == 0 {
            j.commit().expect("commit");
        }
    }
    j.commit().expect("commit");
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn main() {
    let dir = bench_dir();
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    durable_latency(&dir, 300);

    let mut g = c.benchmark_group("journal");
    let log = dir.join("group.jsonl");
    let mut j = Journal::create(&log, open_entry(), T0, None).expect("create");
    let mut i = 0u64;
    g.throughput(Throughput::Elements(1000));
    g.bench_function("group_commit_1000_observations", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                i += 1;
                j.append(observe(i), Ts(T0.0 + i as i64)).expect("append");
            }
            j.commit().expect("commit");
        })
    });
    drop(j);

    let big = dir.join("verify-100k.jsonl");
    let bytes = build_log(&big, 100_000);
    println!("verify input: 100000 records, {:.1} MB", bytes as f64 / 1e6);
    g.throughput(Throughput::Elements(100_000));
    g.bench_with_input(BenchmarkId::new("verify_summary", "100k"), &big, |b, p| {
        b.iter(|| {
            let out = verify::verify_summary(p, None, None).expect("verify");
            assert!(out.damage.is_none());
        })
    });
    g.bench_with_input(
        BenchmarkId::new("verify_file_keep_records", "100k"),
        &big,
        |b, p| b.iter(|| verify::verify_file(p, None, None).expect("verify")),
    );
    g.finish();

    if std::env::var_os("CUTOVER_BENCH_1M").is_some() {
        let huge = dir.join("verify-1m.jsonl");
        let t = Instant::now();
        let bytes = build_log(&huge, 1_000_000);
        println!(
            "built 1,000,000 records ({:.0} MB) in {:.2?}",
            bytes as f64 / 1e6,
            t.elapsed()
        );
        let (t, cpu) = (Instant::now(), cpu_ns());
        let out = verify::verify_summary(&huge, None, None).expect("verify");
        println!(
            "verify_summary 1,000,000 records: {:.2?} wall, {:.2} s on CPU (count {}, damage {:?})",
            t.elapsed(),
            (cpu_ns() - cpu) as f64 / 1e9,
            out.summary.count,
            out.damage
        );
    }
    c.final_summary();
    let _ = std::fs::remove_dir_all(&dir);
}
