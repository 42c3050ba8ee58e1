//! A tiny stand-in for the commander's `--serve` API (docs/team.md): it
//! speaks the protocol the follower codes against, runs on its own runtime
//! and thread so it can be killed (every connection dropped) and restarted.
#![allow(dead_code)]

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

pub const TOKEN: &str = "cct_test_follower_token_0123456789abcdef";

/// What the stand-in server knows and saw.
#[derive(Clone)]
pub struct Shared {
    /// JSON of the view sent first on each connection.
    pub view: Arc<Mutex<String>>,
    /// Raw events (`event: ...\ndata: ...`) pushed to every connection.
    pub push: broadcast::Sender<String>,
    /// (Authorization header, body) of every POST /api/act.
    pub acts: Arc<Mutex<Vec<(String, String)>>>,
    /// Answer to POST /api/act: (status, body).
    pub answer: Arc<Mutex<(u16, String)>>,
}

impl Shared {
    pub fn new(view_json: String) -> Shared {
        Shared {
            view: Arc::new(Mutex::new(view_json)),
            push: broadcast::channel(64).0,
            acts: Arc::default(),
            answer: Arc::new(Mutex::new((
                200,
                r#"{"result":"acknowledged","message":"step p2-s3 done"}"#.into(),
            ))),
        }
    }
}

fn authorised(h: &HeaderMap) -> bool {
    h.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, r#"{"error":"unauthorized"}"#).into_response()
}

async fn events(State(s): State<Shared>, h: HeaderMap) -> Response {
    if !authorised(&h) {
        return unauthorized();
    }
    let first = s.view.lock().unwrap().clone();
    let rx = s.push.subscribe();
    let stream = futures_util::stream::unfold((Some(first), rx), |(first, mut rx)| async move {
        if let Some(v) = first {
            let ev = Event::default().event("view").data(v);
            return Some((Ok::<_, Infallible>(ev), (None, rx)));
        }
        loop {
            match rx.recv().await {
                Ok(raw) => {
                    let (name, data) = raw.split_once('\n').unwrap_or(("view", &raw));
                    let ev = Event::default().event(name).data(data);
                    return Some((Ok(ev), (None, rx)));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(1)))
        .into_response()
}

async fn act(State(s): State<Shared>, h: HeaderMap, body: String) -> Response {
    if !authorised(&h) {
        return unauthorized();
    }
    let auth = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    s.acts.lock().unwrap().push((auth, body));
    let (code, body) = s.answer.lock().unwrap().clone();
    (StatusCode::from_u16(code).unwrap(), body).into_response()
}

/// The stand-in's routes (`/api/events`, `/api/act`).
pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/api/events", get(events))
        .route("/api/act", post(act))
        .with_state(shared)
}

/// A running stand-in server; `stop` drops every connection at once.
pub struct Server {
    pub port: u16,
    rt: Option<tokio::runtime::Runtime>,
}

impl Server {
    /// Starts on `port` (0: any free port).
    pub fn start(shared: Shared, port: u16) -> Server {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let port = std_listener.local_addr().unwrap().port();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            let _ = axum::serve(listener, router(shared)).await;
        });
        Server { port, rt: Some(rt) }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the server and every open connection.
    pub fn stop(mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}
