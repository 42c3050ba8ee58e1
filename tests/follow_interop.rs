//! The follower against the real team server (`serve`): the commander's
//! session serves on loopback in its own runtime, `follow`'s stream and port
//! connect with sam's token; a step done by sam reaches the commander and the
//! log with sam as actor, go is refused with the core's reason, and killing
//! the server shows DISCONNECTED until it is back.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::app::session::{lock, SharedSession};
use cutover_cockpit::app::start;
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::core::entry::EntryKind;
use cutover_cockpit::follow::{
    spawn_stream, stream, Backoff, FollowPort, FollowTarget, SharedLink,
};
use cutover_cockpit::journal::read_records;
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::serve::{self, ServeOptions};
use cutover_cockpit::tui::view::ToastKind;
use cutover_cockpit::tui::{ActResult, CockpitPort, Theme, UiState};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SAM: &str = "cct_TESTONLY_sam_not_a_secret_00000000000000000000000000000000000";

/// Serves `session` on `listen` in a runtime of its own (drop = every connection gone).
fn serve_on(session: SharedSession, listen: &str) -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let l = start::load(
        &Path::new(ROOT).join("assets/fixtures/team-runbook.toml"),
        &Path::new(ROOT).join("assets/fixtures/team-config.toml"),
    )
    .unwrap();
    let opts = ServeOptions::from_config(&l.config, Some(listen)).unwrap();
    let handle = rt.block_on(serve::start(session, opts, None)).unwrap();
    let url = handle.url();
    rt.spawn(async move {
        let _keep = handle;
        std::future::pending::<()>().await
    });
    (rt, url)
}

async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..300 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_against_the_real_team_server() {
    let loaded = start::load(
        &Path::new(ROOT).join("assets/fixtures/team-runbook.toml"),
        &Path::new(ROOT).join("assets/fixtures/team-config.toml"),
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("cutover-interop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("cutover.jsonl");
    let (session, _) = start::open_session(&loaded, &log, "dana", system_clock()).unwrap();
    let session: SharedSession = Arc::new(Mutex::new(session));
    let s2 = session.clone();
    let (rt, url) = tokio::task::spawn_blocking(move || serve_on(s2, "127.0.0.1:0"))
        .await
        .unwrap();

    let http = reqwest::Client::new();
    let target = FollowTarget {
        base: url.clone(),
        owner: "sam".into(),
        token: SAM.into(),
    };
    let link = SharedLink::default();
    let (tx, _rx) = mpsc::channel(1024);
    let backoff = Backoff {
        min: Duration::from_millis(50),
        max: Duration::from_millis(300),
        idle: Duration::from_secs(20),
    };
    let task = spawn_stream(
        http.clone(),
        target.clone(),
        link.clone(),
        tx.clone(),
        backoff,
    );
    let mut port = FollowPort::new(http, target, link.clone(), tx);
    until("first view", || stream::lock(&link).view.is_some()).await;
    let view = port.view();
    assert_eq!(view.header.operator, "sam");
    assert!(!view.header.operator_is_commander);
    assert!(UiState::for_view(Theme::colored(), &view).only_mine);

    // sam starts and finishes his step: acknowledged, in the commander's log as sam
    for action in [
        Action::StepStart {
            step: "copy".into(),
        },
        Action::StepDone {
            step: "copy".into(),
        },
    ] {
        stream::lock(&link).toast = None;
        assert_eq!(port.act(action), ActResult::Pending);
        until("answer", || stream::lock(&link).toast.is_some()).await;
        let t = stream::lock(&link).toast.clone().unwrap();
        assert_eq!(t.kind, ToastKind::Acknowledged, "{}", t.message);
    }
    lock(&session).tick(); // step records are committed with the next tick
    let recs = read_records(&log).unwrap();
    assert!(recs
        .iter()
        .any(|r| r.kind == EntryKind::Step && r.actor == "sam"));
    until("the step done shows in the follower's view", || {
        port.view()
            .steps
            .iter()
            .any(|s| s.id == "copy" && s.status == cutover_cockpit::tui::view::StepStatus::Done)
    })
    .await;

    // go is the commander's: refused with the core's reason
    stream::lock(&link).toast = None;
    port.act(Action::Go {
        rationale: "looks fine".into(),
    });
    until("refusal", || stream::lock(&link).toast.is_some()).await;
    let t = stream::lock(&link).toast.clone().unwrap();
    assert_eq!(t.kind, ToastKind::Refused, "{}", t.message);

    // the commander goes away: DISCONNECTED; back on the same address: clears
    let addr = url.trim_start_matches("http://").to_string();
    rt.shutdown_background();
    until("disconnected", || {
        port.view().header.disconnected_since.is_some()
    })
    .await;
    let s3 = session.clone();
    let (rt2, _) = tokio::task::spawn_blocking(move || serve_on(s3, &addr))
        .await
        .unwrap();
    until("reconnected", || {
        port.view().header.disconnected_since.is_none()
    })
    .await;
    task.abort();
    rt2.shutdown_background();
}
