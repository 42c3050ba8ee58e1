//! Webhook notifications against a local axum receiver: the three body
//! shapes, retries after 500s, a receiver that never answers does not hold
//! up the cockpit, failures become a note in the log without the URL, and
//! checkpoints are published.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use cutover_cockpit::app::session::Session;
use cutover_cockpit::app::start::{self, Loaded};
use cutover_cockpit::core::cockpit::{Action, SYSTEM_ACTOR};
use cutover_cockpit::core::config::{Webhook, WebhookFormat, WebhookUrl};
use cutover_cockpit::core::entry::EntryKind;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::journal::read_records;
use cutover_cockpit::notify::{Notice, Notifier, RetryPolicy};
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::tui::{ActResult, CockpitPort};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What the receiver saw, and how it answers.
#[derive(Clone, Default)]
struct Rx {
    /// (path, body) of every request, in arrival order.
    got: Arc<Mutex<Vec<(String, Value)>>>,
    /// Statuses to answer with, first to last; 200 once empty.
    script: Arc<Mutex<Vec<u16>>>,
    /// `/hang/...` waits for this before answering.
    release: Arc<tokio::sync::Notify>,
}

impl Rx {
    fn got(&self) -> Vec<(String, Value)> {
        self.got.lock().unwrap().clone()
    }
}

async fn hook(State(rx): State<Rx>, UrlPath(rest): UrlPath<String>, body: String) -> StatusCode {
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    rx.got.lock().unwrap().push((rest.clone(), v));
    if rest.starts_with("hang") {
        rx.release.notified().await;
    }
    let code = {
        let mut s = rx.script.lock().unwrap();
        if s.is_empty() {
            200
        } else {
            s.remove(0)
        }
    };
    StatusCode::from_u16(code).unwrap()
}

/// Starts the receiver on the current runtime; returns its base URL.
async fn receiver(rx: Rx) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/{*rest}", post(hook)).with_state(rx);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn webhook(url: String, format: WebhookFormat) -> Webhook {
    Webhook {
        url: WebhookUrl::Literal(url),
        format,
        events: cutover_cockpit::core::config::webhook::EVENTS
            .iter()
            .map(|e| e.to_string())
            .collect(),
        timeout: Dur::from_secs(5),
        pos: Default::default(),
    }
}

fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        first_delay: Duration::from_millis(10),
    }
}

fn hold_notice() -> Notice {
    Notice {
        event: "hold".into(),
        text: "HOLD at 22:41:07 UTC: Phase 2 paused by Dana".into(),
        runbook: "PACS archive cutover".into(),
        phase: "Phase 2".into(),
        time: Ts(1_795_000_000_000),
        checkpoint: None,
    }
}

async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..400 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_slack_and_teams_bodies() {
    let rx = Rx::default();
    let base = receiver(rx.clone()).await;
    let hooks = [
        webhook(format!("{base}/json"), WebhookFormat::Json),
        webhook(format!("{base}/slack"), WebhookFormat::Slack),
        webhook(format!("{base}/teams"), WebhookFormat::Teams),
    ];
    let n = Notifier::spawn(&hooks, |_| None, fast(5), 16);
    n.enqueue(hold_notice());
    until("three deliveries", || rx.got().len() == 3).await;
    let got = rx.got();
    assert_eq!(got[0].0, "json");
    assert_eq!(
        got[0].1,
        serde_json::json!({
            "event": "hold",
            "text": "HOLD at 22:41:07 UTC: Phase 2 paused by Dana",
            "runbook": "PACS archive cutover",
            "phase": "Phase 2",
            "time": Ts(1_795_000_000_000).to_rfc3339(),
        })
    );
    assert_eq!(
        got[1],
        (
            "slack".to_string(),
            serde_json::json!({"text": "HOLD at 22:41:07 UTC: Phase 2 paused by Dana"})
        )
    );
    assert_eq!(got[2].0, "teams");
    assert_eq!(got[2].1["@type"], "MessageCard");
    assert_eq!(got[2].1["@context"], "https://schema.org/extensions");
    assert_eq!(
        got[2].1["text"],
        "HOLD at 22:41:07 UTC: Phase 2 paused by Dana"
    );
    assert!(n.take_problems().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_500s_then_success_is_delivered_without_a_problem() {
    let rx = Rx::default();
    *rx.script.lock().unwrap() = vec![500, 500];
    let base = receiver(rx.clone()).await;
    let n = Notifier::spawn(
        &[webhook(format!("{base}/retry"), WebhookFormat::Json)],
        |_| None,
        fast(5),
        16,
    );
    n.enqueue(hold_notice());
    until("three attempts", || rx.got().len() == 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.got().len(), 3, "no attempt after the success");
    assert!(n.take_problems().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_a_webhook_does_not_want_are_not_sent() {
    let rx = Rx::default();
    let base = receiver(rx.clone()).await;
    let mut w = webhook(format!("{base}/only-go"), WebhookFormat::Slack);
    w.events = vec!["go".into()];
    let n = Notifier::spawn(&[w], |_| None, fast(1), 16);
    n.enqueue(hold_notice());
    n.enqueue(Notice {
        event: "go".into(),
        ..hold_notice()
    });
    until("the go", || rx.got().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.got().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_drops_the_oldest_and_says_so() {
    let rx = Rx::default();
    let base = receiver(rx.clone()).await;
    let n = Notifier::spawn(
        &[webhook(format!("{base}/hang/q"), WebhookFormat::Json)],
        |_| None,
        fast(1),
        2,
    );
    n.enqueue(hold_notice());
    until("the first one in flight", || rx.got().len() == 1).await;
    for ev in ["resume", "go", "breach"] {
        n.enqueue(Notice {
            event: ev.into(),
            ..hold_notice()
        });
    }
    let problems = n.take_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("dropped the oldest, `resume`"),
        "{problems:?}"
    );
    rx.release.notify_waiters();
}

#[test]
fn an_unset_url_variable_is_a_problem_naming_the_variable() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _g = rt.enter();
    let w = Webhook {
        url: WebhookUrl::Env("CUTOVER_TEST_HOOK_UNSET".into()),
        ..webhook(String::new(), WebhookFormat::Json)
    };
    let n = Notifier::spawn(&[w], |_| None, fast(1), 4);
    assert_eq!(n.targets(), 0);
    let p = n.take_problems();
    assert!(p[0].contains("webhook #1") && p[0].contains("CUTOVER_TEST_HOOK_UNSET is not set"));
}

// ---- through the real session -------------------------------------------

fn temp_log(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cutover-notify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("cutover.jsonl")
}

/// The demo runbook and config with one `[[webhook]]` pointing at `url`.
fn loaded_with(url: &str) -> Loaded {
    let rb = Path::new(ROOT).join("runbooks/demo-pacs-cutover.toml");
    let cfg = Path::new(ROOT).join("config/demo.toml");
    let config_text = format!(
        "{}\n[[webhook]]\nurl = \"{url}\"\nformat = \"json\"\n",
        std::fs::read_to_string(&cfg).unwrap()
    );
    start::load_texts(
        &rb.display().to_string(),
        std::fs::read_to_string(&rb).unwrap(),
        &cfg.display().to_string(),
        config_text,
    )
    .unwrap()
}

fn session(l: &Loaded, log: &Path, policy: RetryPolicy) -> Session {
    let commander = l.runbook.commander.clone();
    let (s, _) = start::open_session(l, log, &commander, system_clock()).unwrap();
    s.with_notifier(Notifier::spawn(&l.config.webhooks, |_| None, policy, 64))
}

fn hold() -> Action {
    Action::Hold {
        reason: "storage alarm on the new archive".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_never_answers_does_not_hold_up_a_decision() {
    let rx = Rx::default();
    let base = receiver(rx.clone()).await;
    let l = loaded_with(&format!("{base}/hang/slow"));
    let log = temp_log("hang");
    let mut s = session(&l, &log, fast(1));
    // act returns while the receiver has not answered anything yet
    let r = s.act(hold());
    assert!(matches!(r, ActResult::Acknowledged(_)), "{r:?}");
    let records = read_records(&log).unwrap();
    assert!(records
        .iter()
        .any(|r| r.kind == EntryKind::Decision && r.body["type"] == "hold"));
    until("the hold notice reached the receiver", || {
        rx.got().iter().any(|(_, b)| b["event"] == "hold")
    })
    .await;
    // ...and it still has not answered: the decision did not wait for it
    let r2 = s.act(Action::Resume {
        rationale: "alarm cleared".into(),
    });
    assert!(matches!(r2, ActResult::Acknowledged(_)), "{r2:?}");
    rx.release.notify_waiters();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_webhook_becomes_a_note_in_the_log_without_its_url() {
    let rx = Rx::default();
    *rx.script.lock().unwrap() = vec![500; 20];
    let base = receiver(rx.clone()).await;
    let url = format!("{base}/services/T0001/s3cretpath");
    let l = loaded_with(&url);
    let log = temp_log("fail");
    let mut s = session(&l, &log, fast(2));
    assert!(matches!(s.act(hold()), ActResult::Acknowledged(_)));
    let host = base.trim_start_matches("http://").to_string();
    let mut note = None;
    for _ in 0..200 {
        s.tick();
        note = read_records(&log).unwrap().into_iter().find(|r| {
            r.kind == EntryKind::Decision
                && r.actor == SYSTEM_ACTOR
                && r.body["type"] == "note"
                && r.body["rationale"]
                    .as_str()
                    .is_some_and(|t| t.contains("could not deliver `hold`"))
        });
        if note.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let note = note.unwrap_or_else(|| {
        panic!(
            "no note: {}",
            std::fs::read_to_string(&log)
                .unwrap()
                .lines()
                .filter(|l| l.contains("decision"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let text = note.body["rationale"].as_str().unwrap();
    assert!(text.contains(&format!("webhook #1 ({host})")), "{text}");
    assert!(text.contains("HTTP 500"), "{text}");
    let whole = std::fs::read_to_string(&log).unwrap();
    assert!(!whole.contains("s3cretpath"), "the URL leaked into the log");
    let open = &read_records(&log).unwrap()[0];
    let logged_config = open.body["config"].as_str().unwrap();
    assert!(logged_config.contains("[[webhook]]"), "{logged_config}");
    assert!(
        logged_config.contains("url = \"<redacted>\""),
        "{logged_config}"
    );
    // one note while it keeps failing: a dead receiver does not fill the log
    for _ in 0..10 {
        s.tick();
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let notes = read_records(&log)
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.body["rationale"]
                .as_str()
                .is_some_and(|t| t.contains("webhook #1"))
        })
        .count();
    assert_eq!(notes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_are_sent_with_seq_and_head_hash() {
    let rx = Rx::default();
    let base = receiver(rx.clone()).await;
    let l = loaded_with(&format!("{base}/cp"));
    let log = temp_log("cp");
    let mut s = session(&l, &log, fast(1));
    assert!(matches!(s.act(hold()), ActResult::Acknowledged(_)));
    let cp = s
        .journal()
        .last_checkpoint()
        .cloned()
        .expect("a checkpoint");
    until("the checkpoint", || {
        rx.got()
            .iter()
            .any(|(_, b)| b["event"] == "checkpoint" && b["seq"] == cp.seq)
    })
    .await;
    let got = rx.got();
    let (_, body) = got
        .iter()
        .find(|(_, b)| b["event"] == "checkpoint" && b["seq"] == cp.seq)
        .unwrap();
    assert_eq!(body["hash"], cp.hash.as_str());
    let on_disk = read_records(&log).unwrap();
    let rec = on_disk.iter().find(|r| r.seq == cp.seq).unwrap();
    assert_eq!(rec.hash, cp.hash, "the published hash is the log's");
}

#[test]
fn the_team_example_config_loads_with_its_webhooks() {
    let path = Path::new(ROOT).join("config/team-example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let c = cutover_cockpit::core::config::load("team-example.toml", &text).unwrap();
    assert_eq!(c.webhooks.len(), 3);
    assert_eq!(c.webhooks[1].format, WebhookFormat::Teams);
    assert!(c.webhooks[2].wants("checkpoint"));
    assert!(!c.probes.is_empty());
}
