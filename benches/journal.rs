//! Journal benchmarks (docs/performance.md, "Journal"):
//! - decision append latency with fsync (p50/p99) next to the raw write+fdatasync
//!   latency of the same disk, interleaved in the same run;
//! - group-commit throughput of observations;
//! - `verify` speed on a 100,000-record log (and, with CUTOVER_BENCH_1M=1, one
//!   timed pass over 1,000,000 records, side by side with `openssl dgst
//!   -sha256` and split into its parts; CUTOVER_BENCH_ONLY_VERIFY=1 runs only
//!   that, CUTOVER_BENCH_KEEP=1 keeps the log).
//!
//! - the size of the log of an 8-hour window with 30 probes at 5 s, written
//!   through the real core (`Cockpit::handle`) on the demo runbook, next to
//!   the same reports written one record each (the format before batching).
//!
//! Files go to $CUTOVER_BENCH_DIR or the system temp dir (so: that disk).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use criterion::{BenchmarkId, Criterion, Throughput};
use cutover_cockpit::core::cockpit::{Cockpit, Effect, Msg};
use cutover_cockpit::core::entry::{Entry, EntryKind};
use cutover_cockpit::core::sample::{ProbeReport, Sample};
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::canon::Chain;
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
fn phase_record(what: &str, phase: &str) -> Entry {
    Entry {
        kind: EntryKind::Phase,
        actor: "dana".into(),
        phase: Some(phase.into()),
        body: json!({"type": what, "phase": phase, "reentry": false}),
    }
}

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
    let (mut raw, mut dec, mut inline) = (Vec::new(), Vec::new(), Vec::new());
    let mut go = Vec::new();
    let old_sidecar = dir.join("inline.jsonl");
    for i in 0..n {
        let t = Instant::now();
        raw_file.write_all(&line).expect("raw write");
        raw_file.sync_data().expect("raw fsync");
        raw.push(t.elapsed());
        let t = Instant::now();
        j.append_durable(decision(i), Ts(T0.0 + i as i64))
            .expect("append");
        dec.push(t.elapsed());
        // decisions come seconds apart: the sidecar is written by then
        j.wait_checkpoint();
        // a go: its decision and two phase records, one commit (as the
        // session does for every action before acknowledging it)
        let t = Instant::now();
        let at = Ts(T0.0 + i as i64);
        j.append(decision(i), at).expect("append");
        j.append(phase_record("completed", "readiness"), at)
            .expect("append");
        j.append(phase_record("entered", "pilot"), at)
            .expect("append");
        j.commit().expect("commit");
        go.push(t.elapsed());
        j.wait_checkpoint();
        // the path before the checkpoint thread: the sidecar written inline
        let t = Instant::now();
        let r = j
            .append_durable(decision(i), Ts(T0.0 + i as i64))
            .expect("append");
        let cp = cutover_cockpit::journal::Checkpoint {
            seq: r.seq,
            hash: r.hash.clone(),
            ts: Some(r.ts.clone()),
        };
        cp.write_sidecar(&old_sidecar).expect("sidecar");
        inline.push(t.elapsed());
        j.wait_checkpoint();
    }
    inline.sort();
    raw.sort();
    dec.sort();
    go.sort();
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
    show("note action (1 record, 1 commit)", &dec);
    show("go action (3 records, 1 commit)", &go);
    show("  same, sidecar written inline (old)", &inline);
    println!(
        "p99 ratio decision/raw fsync: {:.2}",
        pct(&dec, 99.0).as_secs_f64() / pct(&raw, 99.0).as_secs_f64()
    );
    println!(
        "p99 ratio go action/raw fsync: {:.2}",
        pct(&go, 99.0).as_secs_f64() / pct(&raw, 99.0).as_secs_f64()
    );
    println!(
        "p99 ratio with the sidecar inline (old path): {:.2}",
        pct(&inline, 99.0).as_secs_f64() / pct(&raw, 99.0).as_secs_f64()
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

/// `cutover verify` (the release binary) and `openssl dgst -sha256` on the
/// same file, in turn, five pairs: the floor is hashing every byte once.
fn verify_against_openssl(log: &Path) {
    let run = |cmd: &str, args: &[&std::ffi::OsStr]| {
        let t = Instant::now();
        let out = std::process::Command::new(cmd).args(args).output();
        match out {
            Ok(o) if o.status.success() => Some(t.elapsed()),
            _ => None,
        }
    };
    let bin = env!("CARGO_BIN_EXE_cutover");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let a = run(bin, &["verify".as_ref(), log.as_os_str()]);
        let b = run(
            "openssl",
            &["dgst".as_ref(), "-sha256".as_ref(), log.as_os_str()],
        );
        match (a, b) {
            (Some(a), Some(b)) => {
                ours.push(a);
                theirs.push(b);
            }
            (None, _) => return println!("cutover verify failed on {}", log.display()),
            (_, None) => return println!("openssl is not available: no side-by-side figure"),
        }
    }
    let ratios: Vec<String> = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| format!("{:.2}", a.as_secs_f64() / b.as_secs_f64()))
        .collect();
    ours.sort();
    theirs.sort();
    println!(
        "cutover verify {:.2?} (median of 5) vs openssl dgst -sha256 {:.2?}: ratio per pair {}",
        ours[2],
        theirs[2],
        ratios.join(" ")
    );
}

/// Where verify's time goes, each part alone on one thread: reading the
/// file, SHA-256 of every line (the floor), and parsing every line's
/// envelope with its body skipped (what bad_json needs).
fn verify_breakdown(log: &Path) {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)] // parsed to be timed, not read
    struct Envelope<'a> {
        seq: u64,
        #[serde(borrow)]
        ts: std::borrow::Cow<'a, str>,
        kind: EntryKind,
        #[serde(borrow)]
        actor: std::borrow::Cow<'a, str>,
        body: serde::de::IgnoredAny,
        #[serde(borrow)]
        prev: std::borrow::Cow<'a, str>,
    }
    let t = Instant::now();
    let bytes = std::fs::read(log).expect("read");
    let read = t.elapsed();
    let lines: Vec<&[u8]> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let t = Instant::now();
    let mut x = 0u8;
    for l in &lines {
        x ^= Chain::Sha256.digest("0", &[l])[0];
    }
    let sha = t.elapsed();
    let t = Instant::now();
    let mut n = 0u64;
    for l in &lines {
        n += serde_json::from_slice::<Envelope>(l).map_or(0, |e| e.seq & 1);
    }
    let json = t.elapsed();
    println!(
        "one thread, {} lines: read {read:.2?}, SHA-256 of every line {sha:.2?}, envelope parse {json:.2?} ({x}{n})",
        lines.len()
    );
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

/// Report `n` of probe `p` (30 labels: 3 systems x 2 sides x health/latency,
/// plus checksums), with the samples a real probe of that kind gives.
fn window_report(p: usize, at: Ts, n: u64) -> ProbeReport {
    let systems = ["pacs", "ehr", "ris"];
    let (label, names): (String, Vec<String>) = match p % 5 {
        0 | 1 => {
            let side = ["source", "target"][p % 5 % 2];
            let sys = systems[p / 5 % 3];
            let l = format!("{side}.{sys}.latency");
            let names = ["latency_ms", "latency_ok", "replication_lag_s"]
                .iter()
                .map(|m| format!("{side}.{sys}.{m}"))
                .collect();
            (l, names)
        }
        2 | 3 => {
            let side = ["source", "target"][p % 5 % 2];
            let sys = systems[p / 5 % 3];
            (
                format!("{side}.{sys}.health"),
                vec![format!("{side}.{sys}.up")],
            )
        }
        _ => {
            let ds = format!("set{}", p / 5);
            (
                format!("recon.{ds}.checksum"),
                vec![format!("recon.{ds}.match"), format!("recon.{ds}.rows")],
            )
        }
    };
    let samples = names
        .into_iter()
        .enumerate()
        .map(|(k, name)| Sample {
            name,
            ts: at,
            value: ((n * 7 + k as u64 * 13) % 500) as f64 + 0.25,
        })
        .collect();
    ProbeReport {
        probe: label,
        ts: at,
        ok: true,
        reason: None,
        samples,
    }
}

/// An 8-hour window: 30 probes at 5 s (staggered over the interval, as the
/// engine starts them), a 1 s tick, through the real core. Returns the log
/// size batched (what the cockpit writes) and one record per report.
fn window_log_size(dir: &Path) -> (u64, u64, u64, u64) {
    let text = std::fs::read_to_string("runbooks/demo-pacs-cutover.toml").expect("demo runbook");
    let rb = cutover_cockpit::core::runbook::load("demo", &text).expect("demo runbook loads");
    let (batched, single) = (dir.join("window.jsonl"), dir.join("window-single.jsonl"));
    let mut jb = Journal::create(&batched, open_entry(), T0, None).expect("create");
    let mut js = Journal::create(&single, open_entry(), T0, None).expect("create");
    let mut c = Cockpit::new(rb, T0);
    let (mut nb, mut ns) = (1u64, 1u64);
    let (probes, every_ms, secs) = (30u64, 5_000i64, 8 * 3600i64);
    for sec in 0..secs {
        for p in 0..probes {
            // probe p runs at offset p * 5 s / 30 within each interval
            let offset = p as i64 * every_ms / probes as i64;
            let due = (sec * 1000 - offset).rem_euclid(every_ms);
            if due >= 1000 {
                continue;
            }
            let at = Ts(T0.0 + sec * 1000 + 1000 - due - 1);
            let r = window_report(p as usize, at, sec as u64);
            let old = Entry {
                kind: EntryKind::Observe,
                actor: "cockpit".into(),
                phase: Some("parallel-run".into()),
                body: json!({"probe": r.probe, "ok": true, "reason": null, "at": at.to_rfc3339(),
                    "samples": r.samples.iter().map(|s| (s.name.clone(), json!(s.value))).collect::<serde_json::Map<_, _>>()}),
            };
            js.append(old, at).expect("append");
            ns += 1;
            let _ = c.handle(Msg::Probe(r), at);
        }
        let now = Ts(T0.0 + (sec + 1) * 1000);
        for e in c.handle(Msg::Tick, now) {
            if let Effect::Append(e) = e {
                jb.append(e, now).expect("append");
                nb += 1;
            }
        }
        if sec % 600 == 0 {
            jb.commit().expect("commit");
            js.commit().expect("commit");
        }
    }
    jb.commit().expect("commit");
    js.commit().expect("commit");
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    (size(&batched), nb, size(&single), ns)
}

/// One timed pass of verify over 1,000,000 records, side by side with
/// openssl; false when the log is kept for timing the binary by hand.
fn verify_1m(dir: &Path) -> bool {
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
    verify_against_openssl(&huge);
    verify_breakdown(&huge);
    if std::env::var_os("CUTOVER_BENCH_KEEP").is_some() {
        println!("kept {}", huge.display());
        return false;
    }
    true
}

fn main() {
    let dir = bench_dir();
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    if std::env::var_os("CUTOVER_BENCH_ONLY_VERIFY").is_some() {
        if verify_1m(&dir) {
            let _ = std::fs::remove_dir_all(&dir);
        }
        return;
    }
    durable_latency(&dir, 300);
    if std::env::var_os("CUTOVER_BENCH_ONLY_LATENCY").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let t = Instant::now();
    let (b, nb, s1, ns) = window_log_size(&dir);
    println!(
        "8 h window, 30 probes at 5 s, 1 s tick: batched {:.1} MB in {nb} records; one record per report {:.1} MB in {ns} records ({:.1?})",
        b as f64 / 1e6,
        s1 as f64 / 1e6,
        t.elapsed()
    );

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

    if std::env::var_os("CUTOVER_BENCH_1M").is_some() && !verify_1m(&dir) {
        return;
    }
    c.final_summary();
    let _ = std::fs::remove_dir_all(&dir);
}
