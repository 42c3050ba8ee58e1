//! What one streamed update costs a follower: SSE parsing of a full
//! `event: view` (arriving in 1,400-byte chunks, a TCP segment's payload)
//! plus deserialising the `CockpitView`, for the demo view and a
//! 300-step/100-gate view. The follower does this once per change the
//! commander's server sends (at most ~5 per second, coalesced).
//! Also: `Notifier::enqueue`, the only notification work the cockpit's
//! session does on a decision.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "../tests/support/views.rs"]
mod fixtures;

use criterion::Criterion;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::follow::sse::{Parsed, SseParser};
use cutover_cockpit::notify::{Notice, Notifier, RetryPolicy};
use cutover_cockpit::tui::CockpitView;
use std::hint::black_box;
use std::time::Duration;

fn event_bytes(view: &CockpitView) -> Vec<u8> {
    let json = serde_json::to_string(view).unwrap_or_default();
    format!("event: view\ndata: {json}\n\n").into_bytes()
}

fn parse_and_decode(bytes: &[u8]) -> usize {
    let mut p = SseParser::default();
    let mut n = 0;
    for chunk in bytes.chunks(1400) {
        for ev in p.feed(chunk) {
            if let Parsed::Event(ev) = ev {
                if let Ok(v) = serde_json::from_str::<CockpitView>(&ev.data) {
                    n += v.steps.len();
                }
            }
        }
    }
    n
}

fn main() {
    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    for (name, view) in [
        ("demo", fixtures::breached_view()),
        ("300steps_100gates", fixtures::large_view(300, 100)),
    ] {
        let bytes = event_bytes(&view);
        println!("follow_sse/{name}: event of {} bytes", bytes.len());
        c.bench_function(&format!("follow_sse/{name}"), |b| {
            b.iter(|| parse_and_decode(black_box(&bytes)))
        });
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let _g = rt.enter();
    // a receiver that is never polled (this runtime is not driven): enqueue only
    let hook = cutover_cockpit::core::config::Webhook {
        url: cutover_cockpit::core::config::WebhookUrl::Literal("http://127.0.0.1:9/h".into()),
        format: Default::default(),
        events: vec!["hold".into()],
        timeout: Dur::from_secs(5),
        pos: Default::default(),
    };
    let n = Notifier::spawn(&[hook], |_| None, RetryPolicy::default(), 256);
    let notice = Notice {
        event: "hold".into(),
        text: "HOLD at 22:41:07 UTC: Phase 2 paused by Dana: storage alarm".into(),
        runbook: "PACS archive cutover".into(),
        phase: "Phase 2".into(),
        time: Ts(0),
        checkpoint: None,
    };
    c.bench_function("notify/enqueue_full_queue", |b| {
        b.iter(|| n.enqueue(black_box(notice.clone())))
    });
    c.final_summary();
}
