//! HTTP probe phases against loopback servers: `fresh_connection = true`
//! opens a connection per attempt (connect on every attempt, TLS too over
//! https); a pooled connection that is reused has no connect phase at all
//! (not a 0); `_ttfb_ms` follows a server that delays its headers and
//! `_transfer_ms` a server that dribbles its body.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use axum::body::Body;
use cutover_cockpit::core::config::load as load_config;
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::probe::attempt::ProbeRunner;
use cutover_cockpit::probe::{self, http};
use cutover_cockpit::sim::tls;
use std::time::Duration;

const HEAD_DELAY_MS: u64 = 200;
const BODY_PAUSE_MS: u64 = 300;

/// `/slow-head`: headers after 200 ms; `/slow-body`: half the body, a
/// 300 ms pause, the rest.
fn app() -> axum::Router {
    axum::Router::new()
        .route(
            "/slow-head",
            axum::routing::get(|| async {
                tokio::time::sleep(Duration::from_millis(HEAD_DELAY_MS)).await;
                "ok"
            }),
        )
        .route(
            "/slow-body",
            axum::routing::get(|| async {
                let chunks = futures_util::stream::unfold(0u8, |i| async move {
                    match i {
                        0 => Some((Ok::<_, std::io::Error>("first half ".to_string()), 1)),
                        1 => {
                            tokio::time::sleep(Duration::from_millis(BODY_PAUSE_MS)).await;
                            Some((Ok("second half".to_string()), 2))
                        }
                        _ => None,
                    }
                });
                Body::from_stream(chunks)
            }),
        )
}

async fn plain_server() -> (String, tokio::task::JoinHandle<()>) {
    let l = support::net::listener();
    l.set_nonblocking(true).unwrap();
    let addr = l.local_addr().unwrap();
    let l = tokio::net::TcpListener::from_std(l).unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(l, app()).await;
    });
    (format!("http://127.0.0.1:{}", addr.port()), task)
}

/// A latency probe on `url`, with `extra` config lines, and its own client.
fn runner(url: &str, extra: &str) -> ProbeRunner {
    let text = format!(
        "[poll]\ntimeout = \"5s\"\n[[probe]]\nside = \"target\"\nsystem = \"pacs\"\nkind = \"latency\"\nurl = \"{url}\"\n{extra}"
    );
    let cfg = load_config("phases.toml", &text).unwrap();
    let p = &cfg.probes[0];
    let client = http::build_client(p.ca_file.as_deref(), p.fresh_connection);
    ProbeRunner::new(p, client, Dur::from_secs(5))
}

fn value(r: &ProbeReport, name: &str) -> Option<f64> {
    r.samples.iter().find(|s| s.name == name).map(|s| s.value)
}

const CONNECT: &str = "target.pacs.latency_connect_ms";
const TLS: &str = "target.pacs.latency_tls_ms";
const TTFB: &str = "target.pacs.latency_ttfb_ms";
const TRANSFER: &str = "target.pacs.latency_transfer_ms";

async fn attempts(r: &ProbeRunner, n: usize) -> Vec<ProbeReport> {
    let clock = probe::system_clock();
    let mut out = Vec::new();
    for _ in 0..n {
        let rep = r.attempt(&clock).await;
        assert!(rep.ok, "{rep:?}");
        out.push(rep);
    }
    out
}

#[tokio::test]
async fn fresh_connection_measures_connect_on_every_attempt_and_ttfb_follows_the_server() {
    let (base, task) = plain_server().await;
    let fresh = runner(&format!("{base}/slow-head"), "fresh_connection = true\n");
    for rep in attempts(&fresh, 3).await {
        let connect = value(&rep, CONNECT).expect("connect on every fresh attempt");
        assert!((0.0..HEAD_DELAY_MS as f64).contains(&connect), "{rep:?}");
        assert_eq!(value(&rep, TLS), None, "plain HTTP has no TLS phase");
        let ttfb = value(&rep, TTFB).expect("ttfb");
        assert!(
            ttfb >= HEAD_DELAY_MS as f64 - 1.0 && ttfb < 2.0 * HEAD_DELAY_MS as f64,
            "ttfb {ttfb} for a server that waits {HEAD_DELAY_MS} ms: {rep:?}"
        );
        assert!(value(&rep, TRANSFER).is_some_and(|t| t < HEAD_DELAY_MS as f64));
        let total = value(&rep, "target.pacs.latency_ms").unwrap();
        assert!(connect + ttfb <= total + 1.0, "{rep:?}");
    }
    // the pooled client reuses its connection: the second attempt has no
    // connect phase at all (not a 0), and still its ttfb
    let pooled = runner(&format!("{base}/slow-head"), "");
    let reps = attempts(&pooled, 2).await;
    assert!(value(&reps[0], CONNECT).is_some(), "{:?}", reps[0]);
    assert_eq!(value(&reps[1], CONNECT), None, "{:?}", reps[1]);
    assert!(value(&reps[1], TTFB).is_some_and(|t| t >= HEAD_DELAY_MS as f64 - 1.0));
    task.abort();
}

#[tokio::test]
async fn transfer_follows_a_slow_body() {
    let (base, task) = plain_server().await;
    let r = runner(&format!("{base}/slow-body"), "fresh_connection = true\n");
    for rep in attempts(&r, 2).await {
        let transfer = value(&rep, TRANSFER).expect("transfer");
        assert!(
            transfer >= BODY_PAUSE_MS as f64 - 1.0 && transfer < 3.0 * BODY_PAUSE_MS as f64,
            "transfer {transfer} for a body paused {BODY_PAUSE_MS} ms: {rep:?}"
        );
        assert!(value(&rep, TTFB).is_some_and(|t| t < BODY_PAUSE_MS as f64));
    }
    task.abort();
}

#[tokio::test]
async fn over_tls_a_fresh_connection_measures_connect_and_handshake_every_time() {
    let now = probe::system_clock()();
    let day = 86_400_000;
    let id = tls::identity(Ts(now.0 - day), Ts(now.0 + 30 * day), false).unwrap();
    let (addr, task) = tls::serve_tls(app(), "127.0.0.1:0".parse().unwrap(), &id)
        .await
        .unwrap();
    let dir = support::temp_dir("probe-phases");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &id.ca_pem).unwrap();
    let url = format!("https://127.0.0.1:{}/slow-head", addr.port());
    let extra = format!("ca_file = \"{}\"\nfresh_connection = true\n", ca.display());
    let r = runner(&url, &extra);
    for rep in attempts(&r, 3).await {
        let connect = value(&rep, CONNECT).expect("connect");
        let handshake = value(&rep, TLS).expect("tls on every fresh attempt");
        assert!(connect >= 0.0 && handshake > 0.0, "{rep:?}");
        assert!(
            value(&rep, TTFB).is_some_and(|t| t >= HEAD_DELAY_MS as f64 - 1.0),
            "{rep:?}"
        );
        assert!(value(&rep, "target.pacs.cert_days_left").is_some());
    }
    // pooled over TLS: the reused connection has neither phase
    let pooled = runner(&url, &format!("ca_file = \"{}\"\n", ca.display()));
    let reps = attempts(&pooled, 2).await;
    assert!(value(&reps[0], TLS).is_some(), "{:?}", reps[0]);
    assert_eq!(
        (value(&reps[1], CONNECT), value(&reps[1], TLS)),
        (None, None)
    );
    task.abort();
}
