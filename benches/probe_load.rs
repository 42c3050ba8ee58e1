//! 1,000 probes at a 1 s interval against the simulator (a separate `cutover sim`
//! process): CPU of the probe engine, p99 start drift; then, in the same run,
//! prometheus-blackbox-exporter probing the same endpoints on the same schedule.
//!
//! Run: `cargo test --bench probe_load -- ` (dev profile, see docs/performance.md),
//! env BENCH_SECS (default 30), BENCH_PROBES (default 1000), BENCH_ENGINE_ONLY
//! (set: skip the blackbox-exporter comparison).
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

fn engine_phase(rt: &tokio::runtime::Runtime, base: &str, n: usize, secs: u64, sim_pid: &str) {
    let mut text = String::from("[poll]\ninterval = \"1s\"\ntimeout = \"2s\"\n");
    // a system name per probe (`pacs17`): the config refuses two probes of one label
    for (i, (url, prefix, kind)) in urls(base, n).into_iter().enumerate() {
        let (side, sys) = prefix.split_once('.').unwrap();
        text.push_str(&format!(
            "[[probe]]\nside = \"{side}\"\nsystem = \"{sys}{i}\"\nkind = \"{kind}\"\nurl = \"{url}\"\n"
        ));
    }
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
            "engine: {n} probes, {secs} s: attempts ok {ok}, failed {failed}; start drift p50 {} ms, p99 {} ms, p99.9 {} ms, max {} ms; overruns {}",
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
    println!(
        "engine: CPU {:.2} s over {:.1} s = {:.1}% of one core; {:.3} ms CPU per attempt; simulator CPU {:.1}%",
        cpu,
        wall,
        100.0 * cpu / wall,
        1000.0 * cpu / (ok + failed).max(1) as f64,
        100.0 * sim / wall
    );
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

/// Drives blackbox-exporter like Prometheus would: one /probe request per probe per second.
fn blackbox_phase(rt: &tokio::runtime::Runtime, base: &str, n: usize, secs: u64, sim_pid: &str) {
    let port = free_port();
    let Some(mut bb) = start_blackbox(port) else {
        println!("blackbox: prometheus-blackbox-exporter not installed, skipped");
        return;
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
    println!(
        "blackbox: {n} probes, {secs} s: probes sent {sent}, probe_success {ok}; exporter CPU {:.2} s = {:.1}% of one core, {:.3} ms per probe; driver (scraper stand-in) CPU {:.1}%; simulator CPU {:.1}%",
        bb_cpu,
        100.0 * bb_cpu / wall,
        1000.0 * bb_cpu / sent.max(1) as f64,
        100.0 * driver / wall,
        100.0 * sim / wall
    );
    let _ = bb.kill();
    let _ = bb.wait();
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
    engine_phase(&rt, &base, n, secs, &sim_pid);
    std::thread::sleep(Duration::from_secs(2));
    if std::env::var_os("BENCH_ENGINE_ONLY").is_none() {
        blackbox_phase(&rt, &base, n, secs, &sim_pid);
    }
    let _ = sim.kill();
    let _ = sim.wait();
}
