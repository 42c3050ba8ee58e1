//! The probe engine against the simulator over time: the demo story unfolds
//! (latency above 800 ms, then drift), and stopping the handles ends the tasks.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::core::config::load as load_config;
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::probe;
use cutover_cockpit::sim::{self, Scenario};
use std::path::Path;
use std::time::Duration;

fn value(r: &ProbeReport, suffix: &str) -> Option<f64> {
    r.samples
        .iter()
        .find(|s| s.name.ends_with(suffix))
        .map(|s| s.value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_story_unfolds_and_handles_stop_the_tasks() {
    let scenario = Scenario::load(Path::new("assets/scenarios/demo.toml")).unwrap();
    // speed 100: 2m30s (latency fully up) = 1.5 s, 3m30s (drift) = 2.1 s
    let sim = sim::start(scenario, "127.0.0.1:0".parse().unwrap(), 100.0)
        .await
        .unwrap();
    let base = sim.base_url();
    let text = format!(
        "[poll]\ninterval = \"200ms\"\ntimeout = \"3s\"\n\
         [[probe]]\nside = \"target\"\nsystem = \"pacs\"\nkind = \"latency\"\nurl = \"{base}/target/pacs/latency\"\n\
         [[probe]]\nkind = \"checksum\"\ndataset = \"pacs-critical\"\n\
         source_url = \"{base}/source/checksum/pacs-critical\"\ntarget_url = \"{base}/target/checksum/pacs-critical\"\n"
    );
    let cfg = load_config("engine.toml", &text).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let handles = probe::spawn_all(&cfg, tx, probe::system_clock());
    assert_eq!(handles.len(), 2);
    let (mut latencies, mut matches) = (Vec::new(), Vec::new());
    let end = tokio::time::Instant::now() + Duration::from_millis(3500);
    while let Ok(Some(r)) = tokio::time::timeout_at(end, rx.recv()).await {
        assert!(r.ok, "{r:?}");
        if let Some(v) = value(&r, ".latency_ms") {
            latencies.push(v);
        }
        if let Some(v) = value(&r, ".match") {
            matches.push(v);
        }
    }
    // green first, above 800 ms later
    assert!(latencies.first().unwrap() < &700.0, "{latencies:?}");
    assert!(latencies.last().unwrap() > &800.0, "{latencies:?}");
    assert_eq!(matches.first(), Some(&1.0), "{matches:?}");
    assert_eq!(matches.last(), Some(&0.0), "{matches:?}");
    drop(handles);
    // every task held a sender: once they are stopped the channel drains and closes
    let closed = tokio::time::timeout(Duration::from_secs(2), async {
        while rx.recv().await.is_some() {}
    })
    .await;
    assert!(
        closed.is_ok(),
        "probe tasks kept running after the handles were dropped"
    );
    sim.stop().await;
}
