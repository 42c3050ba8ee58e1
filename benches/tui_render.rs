//! Full-frame render time of the cockpit screen (issue 7 target: p99 under
//! 2 ms) for the demo view and a 300-step, 100-gate view, at 80x24 and
//! 200x50, on ratatui's TestBackend (render + diff, no terminal IO).
//! Prints p50/p99 over 2000 frames first, then criterion's estimates.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "../tests/support/views.rs"]
mod fixtures;

use criterion::Criterion;
use cutover_cockpit::tui::{render, CockpitView, UiState};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn cases() -> Vec<(&'static str, CockpitView)> {
    vec![
        ("demo", fixtures::breached_view()),
        ("300steps_100gates", fixtures::large_view(300, 100)),
    ]
}

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn frame(t: &mut Terminal<TestBackend>, view: &CockpitView, ui: &UiState) {
    t.draw(|f| render(f, black_box(view), ui))
        .map(|_| ())
        .unwrap_or_else(|e| match e {});
}

/// CPU time of this thread in ns (Linux schedstat), so that figures on a
/// shared, loaded machine count our work and not the wait for a core.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn pct(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

/// p50/p99 wall time over many frames (criterion reports means, the
/// target is a p99), and the mean CPU time per frame of this thread, which
/// on a shared, loaded machine says more than wall time (schedstat only
/// advances at scheduler ticks, so it is summed, not taken per frame).
fn percentiles() {
    const FRAMES: u32 = 2000;
    let ui = UiState::default();
    for (name, view) in cases() {
        for (w, h) in SIZES {
            let Ok(mut t) = Terminal::new(TestBackend::new(w, h));
            let mut wall = Vec::with_capacity(FRAMES as usize);
            let cpu0 = thread_cpu_ns();
            for _ in 0..FRAMES {
                let start = Instant::now();
                frame(&mut t, &view, &ui);
                wall.push(start.elapsed());
            }
            let cpu = match (cpu0, thread_cpu_ns()) {
                (Some(a), Some(b)) => {
                    format!("{:?}", Duration::from_nanos(b.saturating_sub(a)) / FRAMES)
                }
                _ => "n/a".to_string(),
            };
            wall.sort();
            println!(
                "render {name} {w}x{h}: wall p50 {:?} p99 {:?} | cpu mean {cpu}",
                pct(&wall, 0.5),
                pct(&wall, 0.99),
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    let ui = UiState::default();
    for (name, view) in cases() {
        for (w, h) in SIZES {
            let Ok(mut t) = Terminal::new(TestBackend::new(w, h));
            c.bench_function(&format!("render/{name}/{w}x{h}"), |b| {
                b.iter(|| frame(&mut t, &view, &ui))
            });
        }
    }
}

fn main() {
    percentiles();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench(&mut c);
    c.final_summary();
}
