//! `[serve] tls_cert`/`tls_key`: the team server speaks HTTPS with a PEM
//! certificate and key, and names the file when one is unusable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::app::session::SharedSession;
use cutover_cockpit::app::start;
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::serve::{self, ServeError, ServeOptions};
use std::path::Path;
use std::sync::{Arc, Mutex};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn session(dir: &Path) -> (SharedSession, cutover_cockpit::core::config::Config) {
    let loaded = start::load(
        &Path::new(ROOT).join("assets/fixtures/team-runbook.toml"),
        &Path::new(ROOT).join("assets/fixtures/team-config.toml"),
    )
    .unwrap();
    let (s, _) =
        start::open_session(&loaded, &dir.join("cutover.jsonl"), "dana", system_clock()).unwrap();
    (Arc::new(Mutex::new(s)), loaded.config)
}

fn temp_dir(name: &str) -> support::TempDir {
    support::temp_dir(&format!("cutover-serve-tls-{name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_with_a_pem_certificate() {
    let dir = temp_dir("ok");
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    let (s, mut cfg) = session(&dir.path);
    cfg.serve.tls_cert = Some(dir.join("cert.pem").display().to_string());
    cfg.serve.tls_key = Some(dir.join("key.pem").display().to_string());
    let opts = ServeOptions::from_config(&cfg, Some("127.0.0.1:0")).unwrap();
    let server = serve::start(s, opts, None).await.unwrap();
    assert!(server.url().starts_with("https://"));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let r = client
        .get(format!("{}/metrics", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("cutover_hold 0"));
    // plain HTTP to the HTTPS port gets no HTTP answer
    let plain = format!("http://{}/metrics", server.addr);
    assert!(reqwest::get(plain).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_key_file_is_named() {
    let dir = temp_dir("bad");
    std::fs::write(dir.join("cert.pem"), "not a certificate").unwrap();
    std::fs::write(dir.join("key.pem"), "not a key").unwrap();
    let (s, mut cfg) = session(&dir.path);
    cfg.serve.tls_cert = Some(dir.join("cert.pem").display().to_string());
    cfg.serve.tls_key = Some(dir.join("key.pem").display().to_string());
    let opts = ServeOptions::from_config(&cfg, Some("127.0.0.1:0")).unwrap();
    let Err(e) = serve::start(s, opts, None).await else {
        panic!("a bad certificate must not serve");
    };
    assert!(matches!(e, ServeError::Tls(_)));
    let msg = e.to_string();
    assert!(
        msg.contains("tls_cert") && msg.contains("cert.pem"),
        "{msg}"
    );
}
