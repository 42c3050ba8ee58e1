//! Hostile TLS: a self-signed certificate and an expired one yield `_ok = 0`
//! and a clear reason; a valid one under `ca_file` yields `cert_days_left`;
//! the cert-expiry scenario's certificate really expires mid-run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::core::config::load as load_config;
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::sanitize::is_dangerous;
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::probe;
use cutover_cockpit::sim::{self, tls, Scenario};
use std::net::SocketAddr;

const DAY: i64 = 86_400_000;

async fn tls_server(
    not_before: Ts,
    not_after: Ts,
    self_signed: bool,
) -> (String, String, tokio::task::JoinHandle<()>) {
    let id = tls::identity(not_before, not_after, self_signed).unwrap();
    let app = axum::Router::new().route(
        "/health",
        axum::routing::get(|| async {
            ([("content-type", "application/json")], r#"{"status":"ok"}"#)
        }),
    );
    let (addr, task) = tls::serve_tls(app, "127.0.0.1:0".parse().unwrap(), &id)
        .await
        .unwrap();
    (
        format!("https://127.0.0.1:{}/health", addr.port()),
        id.ca_pem,
        task,
    )
}

fn write_ca(dir: &std::path::Path, name: &str, pem: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path.display().to_string()
}

async fn health(url: &str, ca_file: Option<&str>) -> ProbeReport {
    let ca = ca_file
        .map(|c| format!("ca_file = \"{c}\"\n"))
        .unwrap_or_default();
    let text = format!(
        "[poll]\ntimeout = \"2s\"\n[[probe]]\nside = \"target\"\nsystem = \"pacs\"\nkind = \"health\"\nurl = \"{url}\"\n{ca}"
    );
    let cfg = load_config("tls.toml", &text).unwrap();
    probe::poll_once(&cfg, probe::system_clock())
        .await
        .remove(0)
}

fn now() -> Ts {
    probe::system_clock()()
}

fn assert_failed_with(r: &ProbeReport, want: &str) {
    assert!(!r.ok, "{r:?}");
    let reason = r.reason.clone().unwrap();
    assert!(reason.contains(want), "reason {reason:?} lacks {want:?}");
    assert!(!reason.chars().any(is_dangerous));
    let values: Vec<(&str, f64)> = r
        .samples
        .iter()
        .map(|s| (s.name.as_str(), s.value))
        .collect();
    assert_eq!(
        values,
        [("target.pacs.health_ok", 0.0), ("target.pacs.up", 0.0)]
    );
}

#[tokio::test]
async fn self_signed_certificate_is_refused() {
    let (url, _, _task) = tls_server(Ts(now().0 - DAY), Ts(now().0 + 30 * DAY), true).await;
    assert_failed_with(&health(&url, None).await, "TLS: certificate not trusted");
}

#[tokio::test]
async fn expired_certificate_is_refused_even_from_a_trusted_ca() {
    let dir = tempdir();
    let (url, ca, _task) = tls_server(Ts(now().0 - 10 * DAY), Ts(now().0 - DAY), false).await;
    let ca_file = write_ca(&dir.path, "expired-ca.pem", &ca);
    assert_failed_with(
        &health(&url, Some(&ca_file)).await,
        "TLS: certificate expired",
    );
}

#[tokio::test]
async fn trusted_certificate_reports_days_left() {
    let dir = tempdir();
    let (url, ca, _task) = tls_server(Ts(now().0 - DAY), Ts(now().0 + 30 * DAY), false).await;
    let ca_file = write_ca(&dir.path, "good-ca.pem", &ca);
    let r = health(&url, Some(&ca_file)).await;
    assert!(r.ok, "{r:?}");
    let days = r
        .samples
        .iter()
        .find(|s| s.name == "target.pacs.cert_days_left")
        .unwrap()
        .value;
    assert!((29.9..=30.0).contains(&days), "{days}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_certificate_expires_mid_window() {
    let dir = tempdir();
    let text = std::fs::read_to_string("assets/scenarios/cert-expiry.toml").unwrap();
    let scenario = Scenario::parse("cert-expiry.toml", &text).unwrap();
    // 3m scenario time at speed 90 = 2 s of real time
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let handle = sim::start(scenario, addr, 90.0).await.unwrap();
    let ca_file = write_ca(&dir.path, "sim-ca.pem", handle.ca_pem.as_deref().unwrap());
    let url = format!(
        "https://127.0.0.1:{}/target/pacs/health",
        handle.tls_addr.unwrap().port()
    );
    let before = health(&url, Some(&ca_file)).await;
    assert!(before.ok, "{before:?}");
    let days = before
        .samples
        .iter()
        .find(|s| s.name == "target.pacs.cert_days_left")
        .unwrap()
        .value;
    assert!(days > 0.0 && days < 3.0 / 86_400.0, "{days}");
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    assert_failed_with(
        &health(&url, Some(&ca_file)).await,
        "TLS: certificate expired",
    );
    handle.stop().await;
}

fn tempdir() -> support::TempDir {
    support::temp_dir("cutover-tls-test")
}
