//! `GET /api/events`: server-sent events. `view` (the caller's full
//! `CockpitView`) first and whenever the state changed, at most
//! [`VIEWS_PER_SEC`] a second; `record` with each appended log line;
//! `lagged` when this follower fell too far behind to get every record
//! (its data is how many were skipped; `GET /api/view` has the log tail).

use super::reply::Caller;
use super::ServeState;
use crate::session_port::Updates;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Extension;
use futures_util::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

/// Coalescing: a follower gets at most this many views a second.
pub const VIEWS_PER_SEC: u64 = 5;
/// A comment line this often keeps proxies from closing an idle stream.
pub const KEEPALIVE: Duration = Duration::from_secs(15);

type EventStream = std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>>;

pub(super) async fn events(
    State(st): State<ServeState>,
    Extension(Caller(owner)): Extension<Caller>,
) -> impl axum::response::IntoResponse {
    let (tx, rx) = mpsc::channel::<Event>(64);
    tokio::spawn(pump(st, owner, tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    let stream: EventStream = Box::pin(stream);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEPALIVE).text("keepalive"))
}

/// The owner's view as JSON at change `version`. Followers of the same owner
/// share one build per version (50 followers are a few owners), which keeps
/// the session lock free for the commander's screen.
fn view_json(st: &ServeState, owner: &str, version: u64) -> Option<Arc<str>> {
    let mut cache = match st.views.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if let Some((v, json)) = cache.get(owner) {
        if *v == version {
            return Some(json.clone());
        }
    }
    let view = st.session.view_for(owner);
    let json: Arc<str> = Arc::from(serde_json::to_string(&view).ok()?);
    cache.insert(owner.to_string(), (version, json.clone()));
    Some(json)
}

fn view_event(st: &ServeState, owner: &str, version: u64) -> Option<Event> {
    let json = view_json(st, owner, version)?;
    Some(Event::default().event("view").data(json.as_ref()))
}

/// Feeds one follower until it disconnects (its receiver is dropped).
async fn pump(st: ServeState, owner: String, tx: mpsc::Sender<Event>) {
    let Updates {
        mut changes,
        mut records,
    } = st.session.subscribe();
    let gap = Duration::from_millis(1000 / VIEWS_PER_SEC);
    let version = *changes.borrow_and_update();
    let Some(first) = view_event(&st, &owner, version) else {
        return;
    };
    if tx.send(first).await.is_err() {
        return;
    }
    let mut last_view = Instant::now();
    loop {
        let event = tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
                tokio::time::sleep_until(last_view + gap).await;
                let version = *changes.borrow_and_update();
                last_view = Instant::now();
                view_event(&st, &owner, version)
            }
            rec = records.recv() => match rec {
                Ok(line) => Some(Event::default().event("record").data(line.as_ref())),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    Some(Event::default().event("lagged").data(n.to_string()))
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if let Some(e) = event {
            if tx.send(e).await.is_err() {
                return;
            }
        }
    }
}
