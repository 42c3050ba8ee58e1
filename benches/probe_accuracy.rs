//! Latency accuracy: the simulator injects 0, 50, 200 and 800 ms before
//! answering; `latency_ms` from the probe engine is compared with
//! `curl -w '%{time_total}'` on the same endpoint, alternating, one fresh
//! connection per request for both.
//!
//! Run: `cargo test --bench probe_accuracy` (env BENCH_ROUNDS, default 20).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::core::config::load as load_config;
use cutover_cockpit::probe;
use cutover_cockpit::sim::{self, Scenario};
use std::process::Command;

const SCENARIO: &str = r#"
[scenario]
name = "accuracy"
[[system]]
side = "source"
system = "pacs"
latency_ms = 0
body_kb = 64
[[system]]
side = "target"
system = "pacs"
latency_ms = 50
body_kb = 64
[[system]]
side = "target"
system = "ehr"
latency_ms = 200
body_kb = 64
[[system]]
side = "target"
system = "ris"
latency_ms = 800
body_kb = 64
"#;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn curl_ms(url: &str) -> f64 {
    let out = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{time_total}", url])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse::<f64>()
        .unwrap()
        * 1000.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let scenario = Scenario::parse("accuracy", SCENARIO).unwrap();
    let handle = rt
        .block_on(sim::start(scenario, "127.0.0.1:0".parse().unwrap(), 1.0))
        .unwrap();
    let base = handle.base_url();
    println!("| injected ms | curl median ms | latency_ms median | probe - curl (median of pairs) | max abs pair diff |");
    println!("|---:|---:|---:|---:|---:|");
    let mut baseline_curl = 0.0;
    for (target, injected) in [
        ("source/pacs", 0.0),
        ("target/pacs", 50.0),
        ("target/ehr", 200.0),
        ("target/ris", 800.0),
    ] {
        let url = format!("{base}/{target}/latency");
        let (side, sys) = target.split_once('/').unwrap();
        let text = format!("[poll]\ntimeout = \"5s\"\n[[probe]]\nside = \"{side}\"\nsystem = \"{sys}\"\nkind = \"latency\"\nurl = \"{url}\"\n");
        let cfg = load_config("acc.toml", &text).unwrap();
        let (mut curls, mut probes, mut diffs) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let c = curl_ms(&url);
            let r = rt
                .block_on(probe::poll_once(&cfg, probe::system_clock()))
                .remove(0);
            let p = r
                .samples
                .iter()
                .find(|s| s.name.ends_with(".latency_ms"))
                .unwrap()
                .value;
            curls.push(c);
            probes.push(p);
            diffs.push(p - c);
        }
        let max_abs = diffs.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        let (c, p, d) = (median(&mut curls), median(&mut probes), median(&mut diffs));
        if injected == 0.0 {
            baseline_curl = c;
        }
        println!("| {injected:.0} | {c:.2} | {p:.2} | {d:+.2} | {max_abs:.2} |");
        println!(
            "<!-- latency_ms - (injected + curl baseline {baseline_curl:.2}) = {:+.2} ms -->",
            p - (injected + baseline_curl)
        );
    }
    rt.block_on(handle.stop());
}
