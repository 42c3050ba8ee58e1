//! Team server under load (issue 9): 50 followers on `/api/events`, 10
//! actions a second through `/api/act` for 60 s (`SERVE_LOAD_SECS` shortens
//! it), the commander's screen building a view every 33 ms meanwhile. Counts
//! that every action reached the log and every follower, and measures the
//! commander's frame (lock wait + view build) against the 33 ms budget.
//! Figures go to docs/performance.md ("Team server").
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::app::session::{lock, SharedPort, SharedSession};
use cutover_cockpit::app::start;
use cutover_cockpit::core::config::serve::TokenHash;
use cutover_cockpit::core::span::Pos;
use cutover_cockpit::journal::read_records;
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::serve::auth::{token_hash, Tokens};
use cutover_cockpit::serve::{self, ServeOptions};
use cutover_cockpit::tui::CockpitPort;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FOLLOWERS: usize = 50;
const ACTIONS_PER_SEC: u64 = 10;
const TOKENS: [(&str, &str); 2] = [("dana", "cct_bench_dana"), ("sam", "cct_bench_sam")];

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn summary(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    println!(
        "{name}: n={} p50={:.3} ms p95={:.3} ms p99={:.3} ms max={:.3} ms",
        v.len(),
        pct(&v, 0.5),
        pct(&v, 0.95),
        pct(&v, 0.99),
        v.last().copied().unwrap_or(f64::NAN)
    );
}

/// Counts `event: record` / `event: view` on one follower's stream.
async fn follow(url: String, token: &'static str, records: Arc<AtomicU64>, views: Arc<AtomicU64>) {
    let http = reqwest::Client::new();
    let Ok(mut resp) = http.get(url).bearer_auth(token).send().await else {
        return;
    };
    let mut carry = String::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        carry.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = carry.find("\n\n") {
            let ev: String = carry.drain(..end + 2).collect();
            if ev.starts_with("event: record") {
                records.fetch_add(1, Ordering::Relaxed);
            } else if ev.starts_with("event: view") {
                views.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

fn main() {
    let secs: u64 = std::env::var("SERVE_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        eprintln!("cannot start a runtime");
        return;
    };
    rt.block_on(run(secs));
}

async fn run(secs: u64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = start::load(
        &root.join("runbooks/demo-pacs-cutover.toml"),
        &root.join("config/demo.toml"),
    )
    .expect("demo runbook and config");
    let dir = std::env::temp_dir().join(format!("cutover-serve-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let log = dir.join("cutover.jsonl");
    let (session, _) =
        start::open_session(&loaded, &log, "dana", system_clock()).expect("session opens");
    let session: SharedSession = Arc::new(Mutex::new(session));
    let mut opts = ServeOptions::from_config(&loaded.config, Some("127.0.0.1:0")).expect("addr");
    opts.rate_per_min = 1_000_000;
    opts.tokens = Tokens::new(
        TOKENS
            .iter()
            .map(|(o, t)| TokenHash {
                owner: o.to_string(),
                sha256: token_hash(t),
                owner_pos: Pos::new(1, 1),
            })
            .collect(),
    );
    let server = serve::start(session.clone(), opts, None)
        .await
        .expect("serves");
    let base = server.url();

    // the cockpit's own 1 s tick, as in `cutover run`
    let s = session.clone();
    let tick = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            lock(&s).tick();
        }
    });
    let (records, views) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let followers: Vec<_> = (0..FOLLOWERS)
        .map(|i| {
            let token = TOKENS[i % 2].1;
            tokio::spawn(follow(
                format!("{base}/api/events"),
                token,
                records.clone(),
                views.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let records_before = records.load(Ordering::Relaxed);

    // the commander's screen: one view every 33 ms, lock wait included
    let s = session.clone();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let frames = std::thread::spawn(move || {
        let (mut frame, mut waited, mut build) = (Vec::new(), Vec::new(), Vec::new());
        let port = SharedPort::new(s.clone());
        while !stop2.load(Ordering::Relaxed) {
            // what the TUI's frame does (never waits for the lock)
            let t0 = Instant::now();
            std::hint::black_box(port.view());
            frame.push(t0.elapsed().as_secs_f64() * 1000.0);
            // for comparison: waiting for the lock, then building
            let t0 = Instant::now();
            let g = lock(&s);
            let t1 = Instant::now();
            std::hint::black_box(g.view_for("dana"));
            let t2 = Instant::now();
            drop(g);
            waited.push((t2 - t0).as_secs_f64() * 1000.0);
            build.push((t2 - t1).as_secs_f64() * 1000.0);
            std::thread::sleep(Duration::from_millis(33));
        }
        (frame, waited, build)
    });

    let http = reqwest::Client::new();
    let total = secs * ACTIONS_PER_SEC;
    let mut every = tokio::time::interval(Duration::from_millis(1000 / ACTIONS_PER_SEC));
    let mut latencies = Vec::new();
    let mut failed = 0u64;
    let started = Instant::now();
    for n in 0..total {
        every.tick().await;
        let token = TOKENS[(n % 2) as usize].1;
        let body = format!(r#"{{"action":"note","text":"load-{n}"}}"#);
        let t0 = Instant::now();
        let ok = http
            .post(format!("{base}/api/act"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
        failed += u64::from(!ok);
    }
    let wall = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    let (frame, waited, build) = frames.join().unwrap_or_default();
    lock(&session).tick();
    tick.abort();
    let logged = read_records(&log)
        .expect("log reads")
        .iter()
        .filter(|r| r.body.to_string().contains("\"load-"))
        .count() as u64;
    let got = records.load(Ordering::Relaxed) - records_before;
    println!(
        "serve_load: {FOLLOWERS} followers, {total} actions in {wall:.1} s ({:.1}/s), {failed} failed",
        total as f64 / wall
    );
    println!(
        "actions in the log: {logged}/{total} (lost: {})",
        total - logged.min(total)
    );
    println!(
        "records delivered to followers: {got} (expected at least {} = actions x followers)",
        total * FOLLOWERS as u64
    );
    println!(
        "views delivered: {} ({:.1} per follower per second)",
        views.load(Ordering::Relaxed),
        views.load(Ordering::Relaxed) as f64 / FOLLOWERS as f64 / wall
    );
    summary("action round trip", latencies);
    summary("commander frame (SharedPort::view, as the TUI)", frame);
    summary("lock wait + view build (a blocking frame)", waited);
    summary("view build alone", build);
    followers.iter().for_each(|f| f.abort());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
