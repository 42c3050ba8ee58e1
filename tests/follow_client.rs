//! `cutover follow` against a stand-in server speaking the team protocol:
//! the view arrives and is drawn, actions are POSTed with the bearer token,
//! a lost server shows DISCONNECTED (and greys the stale state), and the
//! banner clears when the server is back.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

mod follow_support;
mod tui_support;

use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::follow::{
    spawn_stream, stream, Backoff, FollowPort, FollowTarget, SharedLink,
};
use cutover_cockpit::tui::view::ToastKind;
use cutover_cockpit::tui::{ActResult, AppEvent, CockpitPort, Theme, UiState};
use fixtures::team_view;
use follow_support::{Server, Shared, TOKEN};
use ratatui::style::{Color, Modifier};
use std::time::Duration;
use tokio::sync::mpsc;
use tui_support::{draw, find, text};

struct Follower {
    port: FollowPort,
    link: SharedLink,
    _rx: mpsc::Receiver<AppEvent>,
    task: tokio::task::JoinHandle<()>,
}

fn fast() -> Backoff {
    Backoff {
        min: Duration::from_millis(50),
        max: Duration::from_millis(300),
        idle: Duration::from_secs(5),
    }
}

fn follow(url: &str, token: &str) -> Follower {
    let http = reqwest::Client::new();
    let target = FollowTarget {
        base: url.to_string(),
        owner: "sam".into(),
        token: token.into(),
    };
    let link = SharedLink::default();
    let (tx, rx) = mpsc::channel(1024);
    let task = spawn_stream(
        http.clone(),
        target.clone(),
        link.clone(),
        tx.clone(),
        fast(),
    );
    let port = FollowPort::new(http, target, link.clone(), tx);
    Follower {
        port,
        link,
        _rx: rx,
        task,
    }
}

async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..200 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

fn shared() -> Shared {
    Shared::new(serde_json::to_string(&team_view()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_streamed_view_is_drawn_on_my_steps() {
    let server = Server::start(shared(), 0);
    let f = follow(&server.url(), TOKEN);
    until("first view", || stream::lock(&f.link).view.is_some()).await;
    let view = f.port.view();
    assert_eq!(view.header.operator, "sam");
    assert!(view.header.disconnected_since.is_none());
    let ui = UiState::for_view(Theme::colored(), &view);
    assert!(ui.only_mine, "a team member opens on their own steps");
    let screen = text(&draw(&view, &ui, 120, 32));
    assert!(screen.contains("PACS archive cutover"), "{screen}");
    assert!(!screen.contains("DISCONNECTED"), "{screen}");
    assert!(view.toast.is_none(), "{:?}", view.toast);
    f.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_for_another_owner_is_pointed_out() {
    let server = Server::start(shared(), 0);
    let mut f = follow(&server.url(), TOKEN);
    f.port = FollowPort::new(
        reqwest::Client::new(),
        FollowTarget {
            base: server.url(),
            owner: "priya".into(),
            token: TOKEN.into(),
        },
        f.link.clone(),
        mpsc::channel(1).0,
    );
    until("first view", || stream::lock(&f.link).view.is_some()).await;
    let toast = f.port.view().toast.expect("a warning");
    assert_eq!(toast.kind, ToastKind::Refused);
    assert!(
        toast.message.contains("this token is sam's, not priya's"),
        "{}",
        toast.message
    );
    f.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_is_posted_with_the_bearer_token_and_its_answer_shown() {
    let s = shared();
    let server = Server::start(s.clone(), 0);
    let mut f = follow(&server.url(), TOKEN);
    until("first view", || stream::lock(&f.link).view.is_some()).await;
    let r = f.port.act(Action::StepDone {
        step: "p2-s3".into(),
    });
    assert_eq!(r, ActResult::Pending, "act must not wait on the network");
    until("the POST", || s.acts.lock().unwrap().len() == 1).await;
    let (auth, body) = s.acts.lock().unwrap()[0].clone();
    assert_eq!(auth, format!("Bearer {TOKEN}"));
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"action": "step_done", "step": "p2-s3"})
    );
    until("the acknowledgement toast", || {
        f.port.view().toast.is_some()
    })
    .await;
    let toast = f.port.view().toast.unwrap();
    assert_eq!(toast.kind, ToastKind::Acknowledged);
    assert_eq!(toast.message, "step p2-s3 done");

    // a refusal by the commander's core is shown with its reason
    *s.answer.lock().unwrap() = (
        403,
        r#"{"result":"refused","message":"only the commander may go"}"#.into(),
    );
    f.port.act(Action::Go {
        rationale: "x".into(),
    });
    until("the refusal toast", || {
        f.port
            .view()
            .toast
            .is_some_and(|t| t.kind == ToastKind::Refused)
    })
    .await;
    assert!(f
        .port
        .view()
        .toast
        .unwrap()
        .message
        .contains("only the commander may go"));

    // an answer that is not the protocol's JSON is named, not shown as blank
    *s.answer.lock().unwrap() = (200, "<html>proxy login</html>".into());
    f.port.act(Action::Note { text: "x".into() });
    until("the unreadable-answer toast", || {
        f.port
            .view()
            .toast
            .is_some_and(|t| t.message.contains("unreadable body"))
    })
    .await;
    let toast = f.port.view().toast.unwrap();
    assert_eq!(toast.kind, ToastKind::Refused);
    assert!(toast.message.contains("POST /api/act"), "{}", toast.message);
    f.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_server_shows_disconnected_and_a_returning_one_clears_it() {
    let s = shared();
    let server = Server::start(s.clone(), 0);
    let port_no = server.port;
    let mut f = follow(&server.url(), TOKEN);
    until("first view", || stream::lock(&f.link).view.is_some()).await;
    let connects = stream::lock(&f.link).connects;

    server.stop();
    until("disconnected", || {
        f.port.view().header.disconnected_since.is_some()
    })
    .await;
    let view = f.port.view();
    let ui = UiState::for_view(Theme::colored(), &view);
    let buf = draw(&view, &ui, 120, 32);
    let screen = text(&buf);
    assert!(screen.contains("DISCONNECTED since"), "{screen}");
    assert!(screen.contains("(retrying)"), "{screen}");
    assert!(!screen.contains("line running"), "{screen}");
    let (x, y) = find(&buf, "DISCONNECTED").unwrap();
    assert_eq!(buf[(x, y)].bg, Color::Red, "the banner is an alarm");
    // the last known state is still there, but grey: never stale green
    // row 2 is the phase strip, row 3 the first row of the body
    let body_colours: Vec<Color> = (0..120).map(|x| buf[(x, 3)].fg).collect();
    assert!(
        body_colours.iter().all(|c| *c == Color::DarkGray),
        "{body_colours:?}"
    );
    assert!(!(3..29).any(|y| (0..120).any(|x| buf[(x, y)].fg == Color::Green)));
    // without colour (NO_COLOR): reverse-video banner, dim state
    let mono = draw(
        &view,
        &UiState::for_view(Theme::monochrome(), &view),
        120,
        32,
    );
    let (x, y) = find(&mono, "DISCONNECTED").unwrap();
    assert!(mono[(x, y)].modifier.contains(Modifier::REVERSED));
    assert!((0..120).all(|x| mono[(x, 3)].modifier.contains(Modifier::DIM)));
    // an action while disconnected is refused on the spot, not queued
    assert!(matches!(
        f.port.act(Action::Note { text: "n".into() }),
        ActResult::Refused(m) if m.contains("not connected")
    ));

    let _back = Server::start(s.clone(), port_no);
    until("reconnected", || {
        f.port.view().header.disconnected_since.is_none()
    })
    .await;
    assert!(stream::lock(&f.link).connects > connects);
    let view = f.port.view();
    let screen = text(&draw(
        &view,
        &UiState::for_view(Theme::colored(), &view),
        120,
        32,
    ));
    assert!(!screen.contains("DISCONNECTED"), "{screen}");
    f.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_events_are_skipped_and_later_views_still_arrive() {
    let s = shared();
    let server = Server::start(s.clone(), 0);
    let f = follow(&server.url(), TOKEN);
    until("first view", || stream::lock(&f.link).view.is_some()).await;
    s.push.send("view\n{\"header\": 12".into()).unwrap();
    s.push.send("record\nnot json".into()).unwrap();
    let mut next = team_view();
    next.header.phase_name = "Phase 3: cutover".into();
    s.push
        .send(format!("view\n{}", serde_json::to_string(&next).unwrap()))
        .unwrap();
    until("the next view", || {
        f.port.view().header.phase_name == "Phase 3: cutover"
    })
    .await;
    assert_eq!(stream::lock(&f.link).skipped, 2);
    f.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_refused_and_said_without_showing_it() {
    let server = Server::start(shared(), 0);
    let f = follow(&server.url(), "cct_wrong_secret_value");
    until("refusal toast", || f.port.view().toast.is_some()).await;
    let view = f.port.view();
    assert!(view.header.disconnected_since.is_some());
    let msg = view.toast.unwrap().message;
    assert!(msg.contains("CUTOVER_TOKEN"), "{msg}");
    assert!(!msg.contains("wrong_secret"), "{msg}");
    f.task.abort();
}

#[test]
fn follow_without_a_token_exits_2_and_says_which_variable() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["follow", "http://127.0.0.1:9", "--as", "sam"])
        .env_remove("CUTOVER_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CUTOVER_TOKEN is not set"), "{err}");
}

#[test]
fn a_bad_url_exits_2_without_printing_the_token() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["follow", "ftp://example", "--as", "sam"])
        .env("CUTOVER_TOKEN", "cct_do_not_print_me")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("http://"), "{all}");
    assert!(!all.contains("do_not_print_me"), "{all}");
}

/// The real binary in tmux: the view is drawn, a key becomes a POST with the
/// token, killing the server shows DISCONNECTED, restarting it clears it,
/// and `q` `y` leaves with exit 0.
#[test]
fn the_real_follow_command_in_a_terminal() {
    let s = shared();
    let server = Server::start(s.clone(), 0);
    let port = server.port;
    let done = std::env::temp_dir().join(format!("cutover-follow-e2e-{}", std::process::id()));
    let _ = std::fs::remove_file(&done);
    let cmd = format!(
        "CUTOVER_TOKEN={TOKEN} NO_COLOR= {} follow {} --as sam; echo $? > {}; sleep 30",
        env!("CARGO_BIN_EXE_cutover"),
        server.url(),
        done.display()
    );
    let t = tui_support::tmux::Tmux::start("cutover-follow", &cmd, 120, 32)
        .expect("tmux is required for the end-to-end test (.ci/run installs it)");
    let wait = Duration::from_secs(20);
    let pane = t
        .wait_for("PACS archive cutover", wait)
        .unwrap_or_else(|p| panic!("{p}"));
    assert!(!pane.contains(TOKEN), "the token is on screen");
    t.keys(&["x"]);
    let start = std::time::Instant::now();
    while s.acts.lock().unwrap().is_empty() && start.elapsed() < wait {
        std::thread::sleep(Duration::from_millis(50));
    }
    let acts = s.acts.lock().unwrap().clone();
    assert_eq!(acts.len(), 1, "{}", t.capture());
    assert_eq!(acts[0].0, format!("Bearer {TOKEN}"));
    assert!(acts[0].1.contains("\"step_done\""), "{}", acts[0].1);
    t.wait_for("step p2-s3 done", wait)
        .unwrap_or_else(|p| panic!("{p}"));

    server.stop();
    t.wait_for("DISCONNECTED since", wait)
        .unwrap_or_else(|p| panic!("{p}"));
    let _back = Server::start(s.clone(), port);
    let start = std::time::Instant::now();
    while t.capture().contains("DISCONNECTED") && start.elapsed() < wait {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!t.capture().contains("DISCONNECTED"), "{}", t.capture());

    t.keys(&["q"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["y"]);
    let start = std::time::Instant::now();
    while !done.exists() && start.elapsed() < wait {
        std::thread::sleep(Duration::from_millis(50));
    }
    let code = std::fs::read_to_string(&done).unwrap_or_default();
    assert_eq!(code.trim(), "0", "{}", t.capture());
    let _ = std::fs::remove_file(&done);
}

#[test]
fn an_unreadable_ca_file_exits_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args([
            "follow",
            "https://127.0.0.1:9",
            "--as",
            "sam",
            "--ca-file",
            "/nonexistent/ca.pem",
        ])
        .env("CUTOVER_TOKEN", "cct_x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--ca-file /nonexistent/ca.pem"), "{err}");
}

/// https with the commander's private CA: trusted with `--ca-file`, and
/// refused (DISCONNECTED, never a silent downgrade) without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_private_ca_needs_the_ca_file() {
    use cutover_cockpit::app::clock::wall_now;
    use cutover_cockpit::core::time::Dur;
    let now = wall_now();
    let id = cutover_cockpit::sim::tls::identity(
        now - Dur::from_mins(60),
        now + Dur::from_mins(60 * 24),
        false,
    )
    .unwrap();
    let (addr, task) = cutover_cockpit::sim::tls::serve_tls(
        follow_support::router(shared()),
        "127.0.0.1:0".parse().unwrap(),
        &id,
    )
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("cutover-follow-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &id.ca_pem).unwrap();
    let bin = env!("CARGO_BIN_EXE_cutover");
    let url = format!("https://127.0.0.1:{}", addr.port());
    let trusted = format!(
        "CUTOVER_TOKEN={TOKEN} {bin} follow {url} --as sam --ca-file {}; sleep 30",
        ca.display()
    );
    let untrusted = format!("CUTOVER_TOKEN={TOKEN} {bin} follow {url} --as sam; sleep 30");
    let wait = Duration::from_secs(20);
    let (ok, bad) = tokio::task::spawn_blocking(move || {
        let a = tui_support::tmux::Tmux::start("cutover-follow-tls", &trusted, 120, 32)
            .expect("tmux is required for the end-to-end test");
        let b = tui_support::tmux::Tmux::start("cutover-follow-notls", &untrusted, 120, 32)
            .expect("tmux is required for the end-to-end test");
        let ok = a.wait_for("PACS archive cutover", wait);
        let bad = b.wait_for("DISCONNECTED", wait).map(|_| {
            std::thread::sleep(Duration::from_secs(1));
            b.capture()
        });
        a.keys(&["q"]);
        b.keys(&["q"]);
        (ok, bad)
    })
    .await
    .unwrap();
    ok.unwrap_or_else(|p| panic!("trusted follower did not draw the view:\n{p}"));
    let bad = bad.unwrap_or_else(|p| panic!("untrusted follower not disconnected:\n{p}"));
    assert!(!bad.contains("PACS archive cutover"), "{bad}");
    task.abort();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_any_view_the_screen_says_disconnected_and_actions_are_not_sent() {
    // nothing listens on the discard port
    let mut f = follow("http://127.0.0.1:9", TOKEN);
    let view = f.port.view();
    assert!(view.header.disconnected_since.is_some());
    assert_eq!(view.header.operator, "sam");
    assert!(view.header.runbook_name.contains("http://127.0.0.1:9"));
    assert!(matches!(
        f.port.act(Action::StepDone { step: "s".into() }),
        ActResult::Refused(m) if m.contains("not connected")
    ));
    f.task.abort();
}

/// Followers receive the view as JSON: every state must survive the trip.
#[test]
fn views_survive_a_json_round_trip() {
    for view in [
        fixtures::demo_view(),
        fixtures::hold_view(),
        fixtures::breached_view(),
        fixtures::rollback_view(),
        fixtures::team_view(),
    ] {
        let json = serde_json::to_string(&view).unwrap();
        let back: cutover_cockpit::tui::CockpitView = serde_json::from_str(&json).unwrap();
        assert_eq!(back, view);
    }
}
