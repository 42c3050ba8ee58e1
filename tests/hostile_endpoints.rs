//! Hostile endpoints (spec section 4): slow, huge, not UTF-8, escape sequences,
//! redirect loops, resets, wrong content type, empty bodies. Each must yield
//! no sample but `_ok = 0` (and `up = 0`), a clear inert reason, and must not
//! delay the other probes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod hostile_server;

use cutover_cockpit::core::config::load as load_config;
use cutover_cockpit::core::config::Config;
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::sanitize::is_dangerous;
use cutover_cockpit::probe;
use std::collections::BTreeMap;
use std::time::Duration;

/// A health probe with a JSON check for every hostile path, plus one well-behaved probe.
fn config(base: &str, interval: &str) -> Config {
    let mut text = format!("[poll]\ninterval = \"{interval}\"\ntimeout = \"1s\"\n");
    for path in hostile_server::PATHS.iter().chain(["good"].iter()) {
        text.push_str(&format!(
            "[[probe]]\nside = \"target\"\nsystem = \"{path}\"\nkind = \"health\"\n\
             url = \"{base}/{path}\"\nexpect_json = {{ pointer = \"/status\", equals = \"ok\" }}\n"
        ));
    }
    load_config("hostile.toml", &text).unwrap()
}

fn by_system(reports: &[ProbeReport]) -> BTreeMap<String, ProbeReport> {
    reports
        .iter()
        .map(|r| (r.probe.split('.').nth(1).unwrap().to_string(), r.clone()))
        .collect()
}

/// The reason each hostile path must produce (a substring).
const EXPECTED: &[(&str, &str)] = &[
    ("slow", "timeout after 1s"),
    ("huge", "body over 1 MiB"),
    ("huge-chunked", "body over 1 MiB"),
    ("invalid-utf8", "not UTF-8"),
    ("ansi", "/status is"),
    ("ansi-header", "invalid HTTP answer"),
    ("redirect-loop", "redirects"),
    ("reset", "connection"),
    ("wrong-type", "content type text/html, expected JSON"),
    ("empty", "empty body"),
    ("garbage", "not JSON at /status"),
    ("status-503", "status 503"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_answer_gives_only_ok_zero_and_an_inert_reason() {
    let server = hostile_server::start().await;
    let cfg = config(&server.base, "1s");
    let reports = by_system(&probe::poll_once(&cfg, probe::system_clock()).await);
    let good = &reports["good"];
    assert!(good.ok, "{good:?}");
    for (path, want) in EXPECTED {
        let r = &reports[*path];
        assert!(!r.ok, "{path}: {r:?}");
        let reason = r.reason.clone().unwrap();
        eprintln!("{path:>14}: {reason}");
        assert!(
            reason.contains(want),
            "{path}: reason {reason:?} lacks {want:?}"
        );
        assert!(
            !reason.chars().any(is_dangerous),
            "{path}: raw control char in {reason:?}"
        );
        assert!(
            reason.chars().count() <= 130,
            "{path}: reason too long: {reason:?}"
        );
        let mut names: Vec<&str> = r.samples.iter().map(|s| s.name.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                format!("target.{path}.health_ok"),
                format!("target.{path}.up")
            ],
            "{path}"
        );
        assert!(r.samples.iter().all(|s| s.value == 0.0), "{path}: {r:?}");
    }
    // the escape sequences are shown, not executed
    let ansi = reports["ansi"].reason.clone().unwrap();
    assert!(ansi.contains("\\u{1b}"), "{ansi}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_probes_do_not_delay_the_others() {
    let server = hostile_server::start().await;
    let cfg = config(&server.base, "250ms");
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let handles = probe::spawn_all(&cfg, tx, probe::system_clock());
    let mut seen: BTreeMap<String, Vec<ProbeReport>> = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(3200);
    while let Ok(Some(r)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        seen.entry(r.probe.clone()).or_default().push(r);
    }
    let good = &seen["target.good.health"];
    // 3.2 s at 250 ms: 12 or 13 attempts whatever the hostile ones do
    assert!(good.len() >= 11, "good probe only ran {} times", good.len());
    assert!(good.iter().all(|r| r.ok));
    let gaps: Vec<i64> = good.windows(2).map(|w| (w[1].ts - w[0].ts).0).collect();
    assert!(
        gaps.iter().all(|g| (150..=350).contains(g)),
        "irregular cadence {gaps:?}"
    );
    for (path, _) in EXPECTED {
        let label = format!("target.{path}.health");
        let n = seen.get(&label).map_or(0, Vec::len);
        // the slow one times out after 1 s, so it runs at most ~3 times; every other one keeps its pace
        assert!(n >= 2, "{label} only reported {n} times");
        assert!(seen[&label].iter().all(|r| !r.ok && r.reason.is_some()));
    }
    assert!(
        handles.drift().quantile_ms(0.99).unwrap() < 50,
        "p99 start drift too high"
    );
}

#[tokio::test]
async fn bearer_token_is_sent_and_never_shown_and_bad_ca_file_is_a_reason() {
    let server = hostile_server::start().await;
    // one system per probe: the config loader refuses two health probes of one system
    let probe_text = |sys: &str, env: &str, ca: &str| {
        format!(
            "[[probe]]\nside = \"target\"\nsystem = \"{sys}\"\nkind = \"health\"\n\
             url = \"{}/auth\"\nbearer_env = \"{env}\"\n{ca}",
            server.base
        )
    };
    // a variable name no other test uses: tests in this binary run in parallel
    std::env::set_var("CUTOVER_TEST_TOKEN_OK", "s3cret-token");
    std::env::set_var("CUTOVER_TEST_TOKEN_BAD", "wrong-token");
    let text = [
        probe_text("authok", "CUTOVER_TEST_TOKEN_OK", ""),
        probe_text("authbad", "CUTOVER_TEST_TOKEN_BAD", ""),
        probe_text("authunset", "CUTOVER_TEST_TOKEN_UNSET", ""),
        probe_text(
            "authca",
            "CUTOVER_TEST_TOKEN_OK",
            "ca_file = \"/nonexistent/site-ca.pem\"\n",
        ),
    ]
    .concat();
    let cfg = load_config("auth.toml", &text).unwrap();
    let r = probe::poll_once(&cfg, probe::system_clock()).await;
    assert!(r[0].ok, "{:?}", r[0]);
    assert_eq!(r[1].reason.as_deref(), Some("status 401"));
    assert_eq!(
        r[2].reason.as_deref(),
        Some("bearer_env CUTOVER_TEST_TOKEN_UNSET is not set")
    );
    let ca = r[3].reason.clone().unwrap();
    assert!(ca.starts_with("ca_file /nonexistent/site-ca.pem:"), "{ca}");
    for rep in &r {
        let shown = format!("{rep:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("wrong-token"),
            "{shown}"
        );
    }
}
