//! Simulated long window: 50 probes every 5 s on a simulated clock, for
//! `SOAK_HOURS` (default 12) simulated hours, through the real session: the
//! core and the journal on disk (one `observe` record per report), ticks
//! every second, the screen's view built every 5 s. Prints one row per simulated hour:
//! resident memory (/proc/self/statm), CPU time (/proc/self/stat), log size,
//! metric-store size; then a flatness verdict (exit 1 when memory grows).
//! Run: `SOAK_HOURS=12 cargo bench --bench soak`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::app::start;
use cutover_cockpit::core::sample::{ProbeReport, Sample};
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::probe::Clock;
use cutover_cockpit::tui::CockpitPort;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Instant;

const PROBES: usize = 50;
const EVERY_MS: i64 = 5_000;
const HOUR_MS: i64 = 3_600_000;
/// 2026-11-28T22:00:00Z
const START: i64 = 1_795_903_200_000;

/// utime + stime in seconds (clock ticks are 1/100 s on Linux).
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    let f: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, a)| a.split_whitespace().collect())
        .unwrap_or_default();
    let t = |i: usize| {
        f.get(i)
            .and_then(|x| x.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (t(11) + t(12)) / 100.0
}

/// Resident set size in MiB.
fn rss_mib() -> f64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    pages * 4096.0 / (1024.0 * 1024.0)
}

/// One probe's report at `now`: the demo's real labels first, then
/// synthetic latency probes, values wandering with time.
fn report(i: usize, now: Ts) -> ProbeReport {
    let (probe, metric, value) = match i {
        0 => ("recon.pacs-pilot.checksum", "recon.pacs-pilot.match", 1.0),
        1 => ("target.pacs.latency", "target.pacs.latency_ms", 300.0),
        2 => ("source.pacs.latency", "source.pacs.latency_ms", 250.0),
        _ => ("", "", 100.0),
    };
    let label = if probe.is_empty() {
        format!("target.sys{i:02}.latency")
    } else {
        probe.to_string()
    };
    let metric = if metric.is_empty() {
        format!("target.sys{i:02}.latency_ms")
    } else {
        metric.to_string()
    };
    let wobble = ((now.0 / EVERY_MS) % 97) as f64;
    let kind = label.rsplit('.').next().unwrap_or("latency");
    let ok_name = format!("{}.{kind}_ok", label.rsplit_once('.').map_or("", |p| p.0));
    ProbeReport {
        probe: label,
        ts: now,
        ok: true,
        reason: None,
        samples: vec![
            Sample {
                name: ok_name,
                ts: now,
                value: 1.0,
            },
            Sample {
                name: metric,
                ts: now,
                value: value + wobble,
            },
        ],
    }
}

fn main() {
    let hours: i64 = std::env::var("SOAK_HOURS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = match start::load(
        &root.join("runbooks/demo-pacs-cutover.toml"),
        &root.join("config/demo.toml"),
    ) {
        Ok(l) => l,
        Err(e) => return eprintln!("soak: {e}"),
    };
    let dir = std::env::temp_dir().join(format!("cutover-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return eprintln!("soak: {e}");
    }
    let log = dir.join("cutover.jsonl");
    let sim = Arc::new(AtomicI64::new(START));
    let s2 = sim.clone();
    let clock: Clock = Arc::new(move || Ts(s2.load(SeqCst)));
    let commander = loaded.runbook.commander.clone();
    let Ok((mut session, _)) = start::open_session(&loaded, &log, &commander, clock) else {
        return eprintln!("soak: cannot open the session");
    };

    println!(
        "soak: {PROBES} probes every {}s, {hours} simulated hours, log {}",
        EVERY_MS / 1000,
        log.display()
    );
    println!("| sim hour | records | log MiB | RSS MiB | store samples | CPU s (this hour) | wall s (this hour) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut rows: Vec<(f64, f64)> = Vec::new();
    let (mut cpu0, mut wall0) = (cpu_secs(), Instant::now());
    let mut view_bytes = 0usize;
    for hour in 1..=hours {
        let end = START + hour * HOUR_MS;
        while sim.load(SeqCst) < end {
            for _ in 0..EVERY_MS / 1000 {
                sim.fetch_add(1000, SeqCst);
                session.tick();
            }
            let now = Ts(sim.load(SeqCst));
            for i in 0..PROBES {
                session.probe(report(i, now - Dur(i as i64 * 50)));
            }
            view_bytes = view_bytes.max(session.view().log_tail.len());
        }
        let (cpu, wall) = (cpu_secs(), wall0.elapsed().as_secs_f64());
        let log_mib = std::fs::metadata(&log).map_or(f64::NAN, |m| m.len() as f64 / 1048576.0);
        let rss = rss_mib();
        let store = session.cockpit().store().sample_count();
        println!(
            "| {hour} | {} | {log_mib:.1} | {rss:.1} | {store} | {:.2} | {wall:.2} |",
            session.journal().next_seq(),
            cpu - cpu0
        );
        rows.push((rss, cpu - cpu0));
        cpu0 = cpu;
        wall0 = Instant::now();
    }
    if let Some(f) = session.failed() {
        println!("soak: the log failed: {f}");
        std::process::exit(1);
    }
    let _ = session.close();
    let _ = std::fs::remove_dir_all(&dir);
    verdict(&rows, view_bytes);
}

/// Memory is flat when RSS after the first two hours (store windows full)
/// grows by less than 8 MiB; CPU per hour is bounded when the last hour
/// costs under twice the second.
fn verdict(rows: &[(f64, f64)], tail: usize) {
    if rows.len() < 3 {
        println!("soak: fewer than 3 hours, no verdict (log pane kept {tail} lines)");
        return;
    }
    let base = rows[1];
    let peak = rows[1..].iter().map(|r| r.0).fold(f64::MIN, f64::max);
    let last_cpu = rows[rows.len() - 1].1;
    let mem_ok = peak - base.0 < 8.0;
    let cpu_ok = last_cpu < 2.0 * base.1.max(0.05);
    println!(
        "soak: RSS hour 2 {:.1} MiB, peak after {:.1} MiB (growth {:+.1} MiB): {}",
        base.0,
        peak,
        peak - base.0,
        if mem_ok { "FLAT" } else { "GROWING" }
    );
    println!(
        "soak: CPU hour 2 {:.2} s, last hour {last_cpu:.2} s: {}",
        base.1,
        if cpu_ok { "BOUNDED" } else { "GROWING" }
    );
    if !(mem_ok && cpu_ok) {
        std::process::exit(1);
    }
}
