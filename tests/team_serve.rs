//! The team server in-process over loopback with reqwest: the commander's
//! real session (core + journal), followers acting through `/api/act`,
//! reading `/api/view`, `/api/events` and `/metrics`, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::app::session::{lock, SharedSession};
use cutover_cockpit::app::start::{self, Loaded};
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::core::cockpit::StepState;
use cutover_cockpit::core::runbook;
use cutover_cockpit::journal::read_records;
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::serve::{self, ServeHandle, ServeOptions};
use cutover_cockpit::tui::view::CockpitView;
use cutover_cockpit::tui::CockpitPort;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Test-only tokens whose hashes are in assets/fixtures/team-config.toml.
const DANA: &str = "cct_TESTONLY_dana_not_a_secret_0000000000000000000000000000000000";
const SAM: &str = "cct_TESTONLY_sam_not_a_secret_00000000000000000000000000000000000";

fn loaded() -> Loaded {
    start::load(
        &Path::new(ROOT).join("assets/fixtures/team-runbook.toml"),
        &Path::new(ROOT).join("assets/fixtures/team-config.toml"),
    )
    .expect("fixture runbook and config load")
}

fn temp_log(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cutover-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("cutover.jsonl")
}

struct Team {
    session: SharedSession,
    server: ServeHandle,
    log: PathBuf,
    http: reqwest::Client,
}

impl Team {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }
    async fn act(&self, token: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url("/api/act"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let code = r.status().as_u16();
        (
            code,
            serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
        )
    }
    async fn raw_act(&self, token: &str, body: &'static str) -> (u16, Value) {
        let r = self
            .http
            .post(self.url("/api/act"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let code = r.status().as_u16();
        (
            code,
            serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
        )
    }
}

/// The commander (dana) at the keyboard, serving on a free loopback port.
async fn team(name: &str, rate_per_min: Option<u32>) -> Team {
    let loaded = loaded();
    let log = temp_log(name);
    let (session, _) = start::open_session(&loaded, &log, "dana", system_clock()).unwrap();
    let session: SharedSession = Arc::new(Mutex::new(session));
    let mut opts = ServeOptions::from_config(&loaded.config, Some("127.0.0.1:0")).unwrap();
    if let Some(r) = rate_per_min {
        opts.rate_per_min = r;
    }
    let server = serve::start(session.clone(), opts, None).await.unwrap();
    Team {
        session,
        server,
        log,
        http: reqwest::Client::new(),
    }
}

fn step_state(s: &SharedSession, id: &str) -> StepState {
    let g = lock(s);
    let step = g.cockpit().steps().iter().find(|st| st.id == id).unwrap();
    step.state.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_done_by_a_follower_reaches_the_commander_and_the_log() {
    let t = team("step", None).await;
    let (code, body) = t
        .act(SAM, json!({"action": "step_start", "step": "copy"}))
        .await;
    assert!(code == 200 || code == 202, "{code} {body}");
    let (code, body) = t
        .act(SAM, json!({"action": "step_done", "step": "copy"}))
        .await;
    assert!(code == 200 || code == 202, "{code} {body}");
    match step_state(&t.session, "copy") {
        StepState::Done { by, .. } => assert_eq!(by, "sam"),
        other => panic!("copy is {other:?}"),
    }
    // the commander's screen shows it
    let commander = lock(&t.session).view();
    let row = commander.steps.iter().find(|s| s.id == "copy").unwrap();
    assert!(format!("{row:?}").contains("sam"), "{row:?}");
    lock(&t.session).tick(); // commits what is buffered
    let records = read_records(&t.log).unwrap();
    let done = records
        .iter()
        .find(|r| r.body.to_string().contains("copy") && r.body.to_string().contains("done"))
        .unwrap_or_else(|| panic!("no step-done record in {records:#?}"));
    assert_eq!(done.actor, "sam");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_may_not_go_or_roll_back() {
    let t = team("authority", None).await;
    let (code, body) = t
        .act(SAM, json!({"action": "go", "rationale": "looks fine"}))
        .await;
    assert_eq!(code, 403, "{body}");
    assert_eq!(body["result"], "refused");
    let msg = body["message"].as_str().unwrap();
    assert!(msg.contains("sam may not"), "{msg}");
    let (code, body) = t
        .act(
            SAM,
            json!({"action": "rollback", "scope": "return-read-path", "rationale": "slow"}),
        )
        .await;
    assert_eq!(code, 403, "{body}");
    assert!(lock(&t.session).cockpit().rollback().is_none());
    // another owner's step is refused too, with the core's reason
    let (code, body) = t
        .act(SAM, json!({"action": "step_start", "step": "notify-adt"}))
        .await;
    assert_eq!(code, 403, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("priya"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_forged_and_missing_tokens_get_the_same_401() {
    let t = team("auth", None).await;
    let forged = SAM.replace("secret_0", "secret_1"); // right owner name, wrong secret
    for token in [Some("nonsense"), Some(forged.as_str()), Some(""), None] {
        let mut req = t.http.get(t.url("/api/view"));
        if let Some(tok) = token {
            req = req.header("authorization", format!("Bearer {tok}"));
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{token:?}");
        assert_eq!(r.text().await.unwrap(), r#"{"error":"unauthorized"}"#);
    }
    let (code, _) = t
        .act(&forged, json!({"action": "note", "text": "hi"}))
        .await;
    assert_eq!(code, 401);
    // a Basic header carrying a real token is not a bearer token
    let r = t
        .http
        .get(t.url("/api/view"))
        .header("authorization", format!("Basic {SAM}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_view_is_built_for_the_caller() {
    let t = team("view", None).await;
    let get = |tok: &'static str| {
        let req = t.http.get(t.url("/api/view")).bearer_auth(tok);
        async move {
            let text = req.send().await.unwrap().text().await.unwrap();
            serde_json::from_str::<CockpitView>(&text).unwrap()
        }
    };
    let sam = get(SAM).await;
    assert_eq!(sam.header.operator, "sam");
    assert!(!sam.header.operator_is_commander);
    let dana = get(DANA).await;
    assert_eq!(dana.header.operator, "dana");
    assert!(dana.header.operator_is_commander);
    assert_eq!(sam.steps.len(), dana.steps.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_invalid_and_unknown_fields_are_refused() {
    let t = team("input", None).await;
    let big = json!({"action": "note", "text": "x".repeat(4096)});
    let (code, body) = t.act(SAM, big).await;
    assert_eq!(code, 413, "{body}");
    let (code, body) = t
        .raw_act(SAM, r#"{"action":"note","text":"MARKER-do-not-echo"#)
        .await;
    assert_eq!(code, 400);
    let e = body["error"].as_str().unwrap();
    assert!(e.starts_with("invalid json: "), "{e}");
    assert!(!e.contains("MARKER"), "{e}");
    let (code, body) = t
        .raw_act(SAM, r#"{"action":"step_done","step":"copy","by":"dana"}"#)
        .await;
    assert_eq!(code, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `by`"),
        "{body}"
    );
    assert_eq!(step_state(&t.session, "copy"), StepState::Pending);
    let (code, _) = t.raw_act(SAM, r#"{"action":"launch_missiles"}"#).await;
    assert_eq!(code, 400);
    let r = t
        .http
        .post(t.url("/api/act"))
        .bearer_auth(SAM)
        .header("content-type", "text/plain")
        .body(r#"{"action":"note","text":"hi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_over_its_rate_gets_429_with_retry_after() {
    let t = team("rate", Some(3)).await;
    for _ in 0..3 {
        let r = t
            .http
            .get(t.url("/api/view"))
            .bearer_auth(SAM)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let r = t
        .http
        .get(t.url("/api/view"))
        .bearer_auth(SAM)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    // the commander's token has its own allowance
    let r = t
        .http
        .get(t.url("/api/view"))
        .bearer_auth(DANA)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

/// Reads SSE chunks until `pred` holds for the text so far (or 10 s pass).
async fn read_until(resp: &mut reqwest::Response, buf: &mut String, pred: impl Fn(&str) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !pred(buf) {
        let chunk = tokio::time::timeout_at(deadline, resp.chunk())
            .await
            .unwrap_or_else(|_| panic!("timed out; stream so far:\n{buf}"))
            .unwrap()
            .expect("stream ended");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_start_with_a_view_and_follow_changes_and_records() {
    let t = team("sse", None).await;
    let mut resp = t
        .http
        .get(t.url("/api/events"))
        .bearer_auth(SAM)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut buf = String::new();
    read_until(&mut resp, &mut buf, |b| b.contains("\n\n")).await;
    assert!(buf.starts_with("event: view\ndata: {"), "{buf}");
    let first_len = buf.len();
    // the commander notes something at the keyboard
    let note = Action::Note {
        text: "pilot copy started on the bridge".into(),
    };
    let _ = lock(&t.session).act(note);
    read_until(&mut resp, &mut buf, |b| {
        let new = &b[first_len..];
        new.contains("event: record\ndata: ")
            && new.contains("pilot copy started")
            && new.matches("event: view").count() >= 1
    })
    .await;
    let new = &buf[first_len..];
    let rec_line = new
        .lines()
        .skip_while(|l| *l != "event: record")
        .nth(1)
        .unwrap();
    let rec: Value = serde_json::from_str(rec_line.trim_start_matches("data: ")).unwrap();
    assert_eq!(rec["actor"], "dana");
    let view_line = new
        .lines()
        .skip_while(|l| *l != "event: view")
        .nth(1)
        .unwrap();
    let v: CockpitView = serde_json::from_str(view_line.trim_start_matches("data: ")).unwrap();
    assert_eq!(v.header.operator, "sam");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_no_token_and_show_the_hold() {
    let t = team("metrics", None).await;
    let (code, body) = t
        .act(DANA, json!({"action": "hold", "reason": "bridge call"}))
        .await;
    assert_eq!(code, 200, "{body}");
    let r = t.http.get(t.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    let (series, bad) = cutover_cockpit::probe::prom::parse_exposition(&text);
    assert_eq!(bad, 0, "{text}");
    let hold = series.iter().find(|s| s.name == "cutover_hold").unwrap();
    assert_eq!(hold.value, 1.0);
    let head = series
        .iter()
        .find(|s| s.name == "cutover_log_head_seq")
        .unwrap();
    assert!(head.value >= 1.0);
}

#[test]
fn a_token_owner_off_the_roster_is_a_config_error() {
    let rb =
        std::fs::read_to_string(Path::new(ROOT).join("assets/fixtures/team-runbook.toml")).unwrap();
    let mut cfg_text =
        std::fs::read_to_string(Path::new(ROOT).join("assets/fixtures/team-config.toml")).unwrap();
    let line = cfg_text.lines().count() + 3;
    cfg_text.push_str("\n[[token]]\nowner = \"zed\"\nsha256 = \"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\"\n");
    let cfg = cutover_cockpit::core::config::load("team-config.toml", &cfg_text).unwrap();
    let out = runbook::check_with_config("team-runbook.toml", &rb, "team-config.toml", &cfg);
    assert!(out.runbook.is_none());
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.message.contains("zed"))
        .unwrap();
    assert_eq!(d.file, "team-config.toml");
    assert_eq!((d.pos.line, d.pos.col), (line as u32, 9));
}

#[test]
fn cutover_token_prints_the_token_once_and_its_block_on_stderr() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["token", "sam"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let token = stdout.trim();
    assert!(token.starts_with("cct_") && token.len() == 68, "{token}");
    assert!(
        !stderr.contains(token),
        "the token must not be in the config block"
    );
    let cfg = cutover_cockpit::core::config::load("pasted.toml", &stderr).unwrap();
    assert_eq!(cfg.tokens.len(), 1);
    assert_eq!(cfg.tokens[0].owner, "sam");
    let tokens = cutover_cockpit::serve::auth::Tokens::new(cfg.tokens);
    assert_eq!(tokens.owner_of(token), Some("sam"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["token", "sam\"]\n[x"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commanders_frame_does_not_wait_for_a_busy_session() {
    let t = team("port", None).await;
    let port = cutover_cockpit::app::session::SharedPort::new(t.session.clone());
    let first = port.view();
    let held = lock(&t.session); // e.g. a member's action fsyncing
    let started = std::time::Instant::now();
    let during = port.view();
    assert!(started.elapsed() < Duration::from_millis(100));
    assert_eq!(
        during, first,
        "the last view is drawn while the lock is held"
    );
    drop(held);
    let _ = lock(&t.session).act(Action::Note {
        text: "after".into(),
    });
    let after = port.view();
    assert!(
        after.log_tail.iter().any(|l| l.summary.contains("after")),
        "{:?}",
        after.log_tail
    );
}
