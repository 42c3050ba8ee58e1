//! Idle cost of the cockpit's event loop: a static view, a 1 s tick, 20 s on
//! the clock, CPU time of the whole process from /proc/self/stat. The issue
//! 7 target (under 1% of a core with 30 probes at 5 s) also counts the
//! probes and the core; this measures the screen's share alone.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "../tests/support/views.rs"]
mod fixtures;

use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::tui::app::spawn_ticks;
use cutover_cockpit::tui::{run, ActResult, AppEvent, CockpitPort, CockpitView, UiState};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};

struct StaticPort(CockpitView);

impl CockpitPort for StaticPort {
    fn view(&self) -> CockpitView {
        self.0.clone()
    }
    fn act(&mut self, _: Action) -> ActResult {
        ActResult::Pending
    }
}

/// utime + stime of this process in clock ticks (100 per second on Linux).
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn main() {
    let secs: u64 = std::env::var("TUI_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        eprintln!("no runtime");
        return;
    };
    rt.block_on(async {
        let (tx, rx) = tokio::sync::mpsc::channel::<AppEvent>(64);
        let ticks = spawn_ticks(tx.clone(), Duration::from_secs(1));
        let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 40));
        let mut port = StaticPort(fixtures::breached_view());
        let mut ui = UiState::default();
        let (c0, t0) = (cpu_ticks(), Instant::now());
        let stop = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            let _ = tx.send(AppEvent::Quit).await;
        });
        let outcome = run(&mut terminal, rx, &mut port, &mut ui).await;
        let wall = t0.elapsed().as_secs_f64();
        ticks.abort();
        let _ = stop.await;
        let frames = outcome.map(|o| o.frames).unwrap_or(0);
        if let (Some(a), Some(b)) = (c0, cpu_ticks()) {
            let cpu = (b - a) as f64 / 100.0;
            println!(
                "idle loop {wall:.1} s: cpu {cpu:.2} s = {:.2}% of one core, {frames} frame(s)",
                100.0 * cpu / wall
            );
        }
    });
}
