//! 1,000 probes at a 1 s interval against the simulator (a separate `cutover sim`
//! process): CPU of the probe engine, p99 start drift, with pooled keep-alive
//! connections and then with `fresh_connection = true` (a new TCP connection
//! per attempt, the work blackbox_exporter does per probe); then, in the same
//! run, prometheus-blackbox-exporter probing the same endpoints on the same
//! schedule, and the CPU-per-attempt ratios side by side.
//!
//! Run: `cargo bench --bench probe_load` (see docs/performance.md), env
//! BENCH_SECS (default 30, per phase), BENCH_PROBES (default 1000),
//! BENCH_INTERVAL (seconds, default 1), BENCH_PHASES (default
//! `pooled,fresh,blackbox`: which phases run, in that order).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::core::config::load as load_config;
use cutover_cockpit::probe;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn clk_tck() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of a process, in seconds.
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // fields after the command: state is index 0, utime 11, stime 12
    (ticks(11) + ticks(12)) / clk_tck()
}

fn wait_ready(port: u16) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("port {port} never opened");
}

/// The endpoints, cycled: health and latency of every system on both sides.
fn urls(base: &str, n: usize) -> Vec<(String, String, String)> {
    let mut all = Vec::new();
    for side in ["source", "target"] {
        for sys in ["pacs", "ehr", "ris"] {
            for kind in ["health", "latency"] {
                all.push((side.to_string(), sys.to_string(), kind.to_string()));
            }
        }
    }
    (0..n)
        .map(|i| {
            let (side, sys, kind) = all[i % all.len()].clone();
            (
                format!("{base}/{side}/{sys}/{kind}"),
                format!("{side}.{sys}"),
                kind,
            )
        })
        .collect()
}

/// Runs the engine for `secs`; returns its CPU per attempt in ms.
fn engine_phase(
    rt: &tokio::runtime::Runtime,
    base: &str,
    n: usize,
    secs: u64,
    sim_pid: &str,
    fresh: bool,
) -> f64 {
    let every = env_num("BENCH_INTERVAL", 1);
    let mut text = format!("[poll]\ninterval = \"{every}s\"\ntimeout = \"2s\"\n");
    // a system name per probe (`pacs17`): the config refuses two probes of one label
    for (i, (url, prefix, kind)) in urls(base, n).into_iter().enumerate() {
        let (side, sys) = prefix.split_once('.').unwrap();
        text.push_str(&format!(
            "[[probe]]\nside = \"{side}\"\nsystem = \"{sys}{i}\"\nkind = \"{kind}\"\nurl = \"{url}\"\nfresh_connection = {fresh}\n"
        ));
    }
    let what = if fresh {
        "engine, fresh connections"
    } else {
        "engine, pooled connections"
    };
    let cfg = load_config("bench.toml", &text).unwrap();
    let (cpu0, sim0, t0) = (cpu_secs("self"), cpu_secs(sim_pid), Instant::now());
    let (ok, failed) = rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let handles = probe::spawn_all(&cfg, tx, probe::system_clock());
        let (mut ok, mut failed) = (0u64, 0u64);
        let end = tokio::time::Instant::now() + Duration::from_secs(secs);
        while let Ok(Some(r)) = tokio::time::timeout_at(end, rx.recv()).await {
            if r.ok { ok += 1 } else { failed += 1 }
        }
        let d = handles.drift();
        println!(
            "{what}: {n} probes, {secs} s: attempts ok {ok}, failed {failed}; start drift p50 {} ms, p99 {} ms, p99.9 {} ms, max {} ms; overruns {}",
            d.quantile_ms(0.5).unwrap_or(0),
            d.quantile_ms(0.99).unwrap_or(0),
            d.quantile_ms(0.999).unwrap_or(0),
            d.quantile_ms(1.0).unwrap_or(0),
            d.overruns.load(Ordering::Relaxed)
        );
        (ok, failed)
    });
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_secs("self") - cpu0;
    let sim = cpu_secs(sim_pid) - sim0;
    let per_attempt = 1000.0 * cpu / (ok + failed).max(1) as f64;
    println!(
        "{what}: CPU {:.2} s over {:.1} s = {:.1}% of one core; {:.3} ms CPU per attempt; simulator CPU {:.1}%",
        cpu,
        wall,
        100.0 * cpu / wall,
        per_attempt,
        100.0 * sim / wall
    );
    per_attempt
}

fn start_blackbox(port: u16) -> Option<Child> {
    let cfg = std::env::temp_dir().join(format!("cutover-bench-blackbox-{port}.yml"));
    std::fs::write(&cfg, "modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n    http:\n      preferred_ip_protocol: ip4\n").ok()?;
    let child = Command::new("prometheus-blackbox-exporter")
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    wait_ready(port);
    Some(child)
}

/// Drives blackbox-exporter like Prometheus would: one /probe request per
/// probe per second; returns the exporter's CPU per probe in ms.
fn blackbox_phase(
    rt: &tokio::runtime::Runtime,
    base: &str,
    n: usize,
    secs: u64,
    sim_pid: &str,
) -> Option<f64> {
    let port = free_port();
    let Some(mut bb) = start_blackbox(port) else {
        println!("blackbox: prometheus-blackbox-exporter not installed, skipped");
        return None;
    };
    let bb_pid = bb.id().to_string();
    let ok = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let (cpu0, bb0, sim0, t0) = (
        cpu_secs("self"),
        cpu_secs(&bb_pid),
        cpu_secs(sim_pid),
        Instant::now(),
    );
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap();
        let mut tasks = Vec::new();
        for (i, (url, _, _)) in urls(base, n).into_iter().enumerate() {
            let probe_url = format!("http://127.0.0.1:{port}/probe?module=http_2xx&target={url}");
            let (client, ok, sent) = (client.clone(), ok.clone(), sent.clone());
            tasks.push(tokio::spawn(async move {
                let phase = Duration::from_millis((i as u64 * 997) % 1000);
                let mut tick = tokio::time::interval_at(
                    tokio::time::Instant::now() + phase,
                    Duration::from_secs(1),
                );
                loop {
                    tick.tick().await;
                    sent.fetch_add(1, Ordering::Relaxed);
                    if let Ok(r) = client.get(&probe_url).send().await {
                        if r.text()
                            .await
                            .unwrap_or_default()
                            .contains("probe_success 1")
                        {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_secs(secs)).await;
        for t in tasks {
            t.abort();
        }
    });
    let wall = t0.elapsed().as_secs_f64();
    let (bb_cpu, driver, sim) = (
        cpu_secs(&bb_pid) - bb0,
        cpu_secs("self") - cpu0,
        cpu_secs(sim_pid) - sim0,
    );
    let (ok, sent) = (ok.load(Ordering::Relaxed), sent.load(Ordering::Relaxed));
    let per_probe = 1000.0 * bb_cpu / sent.max(1) as f64;
    println!(
        "blackbox: {n} probes, {secs} s: probes sent {sent}, probe_success {ok}; exporter CPU {:.2} s = {:.1}% of one core, {:.3} ms per probe; driver (scraper stand-in) CPU {:.1}%; simulator CPU {:.1}%",
        bb_cpu,
        100.0 * bb_cpu / wall,
        per_probe,
        100.0 * driver / wall,
        100.0 * sim / wall
    );
    let _ = bb.kill();
    let _ = bb.wait();
    Some(per_probe)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists; nothing to list
    }
    let secs = env_num("BENCH_SECS", 30);
    let n = env_num("BENCH_PROBES", 1000) as usize;
    let port = free_port();
    let mut sim = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args([
            "sim",
            "assets/scenarios/steady.toml",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(port);
    let sim_pid = sim.id().to_string();
    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let phases = std::env::var("BENCH_PHASES").unwrap_or("pooled,fresh,blackbox".into());
    let runs = |name: &str| phases.split(',').any(|p| p.trim() == name);
    let mut engine = Vec::new();
    for (name, fresh) in [("pooled", false), ("fresh", true)] {
        if runs(name) {
            engine.push((name, engine_phase(&rt, &base, n, secs, &sim_pid, fresh)));
            std::thread::sleep(Duration::from_secs(2));
        }
    }
    if runs("blackbox") {
        if let Some(bb) = blackbox_phase(&rt, &base, n, secs, &sim_pid) {
            let side: Vec<String> = engine
                .iter()
                .map(|(name, ms)| format!("{name} {ms:.3} ms = {:.2}x", ms / bb))
                .collect();
            println!(
                "CPU per attempt against blackbox-exporter's {bb:.3} ms per probe: {}",
                side.join(", ")
            );
        }
    }
    let _ = sim.kill();
    let _ = sim.wait();
}
