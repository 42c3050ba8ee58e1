//! The event stream: connect, read views, and reconnect with exponential
//! backoff (with jitter) when the link drops. While disconnected the link
//! says since when, so the screen shows that instead of stale green.

use crate::clock::wall_now;
use crate::core::time::Ts;
use crate::follow::sse::{Parsed, SseParser, MAX_EVENT_BYTES};
use crate::tui::view::{CockpitView, Toast};
use crate::tui::AppEvent;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Where to follow and as whom. The token is a secret: never logged or shown.
#[derive(Clone)]
pub struct FollowTarget {
    /// Base URL of the commander's server, e.g. `http://127.0.0.1:7878`.
    pub base: String,
    pub owner: String,
    pub token: String,
}

impl std::fmt::Debug for FollowTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowTarget")
            .field("base", &self.base)
            .field("owner", &self.owner)
            .field("token", &"<secret>")
            .finish()
    }
}

impl FollowTarget {
    /// `base` + `path` without a doubled slash.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.trim_end_matches('/'))
    }
    /// `scheme://host[:port]` only: a URL's user info or path is not for the screen.
    pub fn display_base(&self) -> String {
        match reqwest::Url::parse(&self.base) {
            Ok(u) => {
                let host = u.host_str().unwrap_or("?");
                match u.port() {
                    Some(p) => format!("{}://{host}:{p}", u.scheme()),
                    None => format!("{}://{host}", u.scheme()),
                }
            }
            Err(_) => "?".into(),
        }
    }
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }
}

/// Reconnect delays: doubling from `min` up to `max`, each with jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub min: Duration,
    pub max: Duration,
    /// Silence (not even a keepalive) longer than this counts as a dropped link.
    pub idle: Duration,
}

impl Default for Backoff {
    /// 0.5 s .. 10 s; the server sends a keepalive every 15 s, so 45 s of silence is a dead link.
    fn default() -> Self {
        Backoff {
            min: Duration::from_millis(500),
            max: Duration::from_secs(10),
            idle: Duration::from_secs(45),
        }
    }
}

impl Backoff {
    /// The delay before attempt `n` (0-based): `min * 2^n` capped at `max`,
    /// then scaled into [50 %, 100 %] by `jitter` (0..=1) so many followers
    /// do not reconnect in lockstep after the commander restarts.
    pub fn delay(&self, n: u32, jitter: f64) -> Duration {
        let base = self.min.saturating_mul(1u32 << n.min(16)).min(self.max);
        base.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }
}

/// A random number in 0..=1 from the std hasher's per-process random keys.
fn jitter() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(wall_now().0 as u64);
    (h.finish() % 10_001) as f64 / 10_000.0
}

/// What the follower knows about the commander's cockpit.
#[derive(Debug, Clone, Default)]
pub struct Link {
    /// The latest view received, `None` before the first one.
    pub view: Option<CockpitView>,
    /// Set while the stream is down: since when.
    pub disconnected_since: Option<Ts>,
    /// The last answer to one of our actions (or a connection problem worth saying).
    pub toast: Option<Toast>,
    /// Bad events skipped so far (invalid JSON, oversize).
    pub skipped: u64,
    /// Successful connections so far.
    pub connects: u64,
}

/// The link shared by the stream task, the act tasks and the port.
pub type SharedLink = Arc<Mutex<Link>>;

/// Locks the link, recovering from a poisoned lock (the data is plain values).
pub fn lock(l: &SharedLink) -> MutexGuard<'_, Link> {
    match l.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Spawns the stream task; it sends `AppEvent::Changed` to `tx` whenever the
/// link changed, and runs until `tx` is closed.
pub fn spawn_stream(
    http: reqwest::Client,
    target: FollowTarget,
    link: SharedLink,
    tx: mpsc::Sender<AppEvent>,
    backoff: Backoff,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut failures: u32 = 0;
        loop {
            let got_view = follow_once(&http, &target, &link, &tx, backoff.idle).await;
            if tx.is_closed() {
                return;
            }
            mark_disconnected(&link);
            if tx.send(AppEvent::Changed).await.is_err() {
                return;
            }
            if got_view {
                failures = 0;
            }
            let wait = backoff.delay(failures, jitter());
            failures = failures.saturating_add(1);
            log::debug!("follow: reconnecting in {} ms", wait.as_millis());
            tokio::time::sleep(wait).await;
        }
    })
}

fn mark_disconnected(link: &SharedLink) {
    let mut l = lock(link);
    if l.disconnected_since.is_none() {
        let now = wall_now();
        log::warn!("follow: disconnected at {}; retrying", now.hms());
        l.disconnected_since = Some(now);
    }
}

/// Opens the event stream; `None` (said in the diagnostics, and on screen
/// for a refused token) when the server cannot be reached or says no.
async fn connect(
    http: &reqwest::Client,
    target: &FollowTarget,
    link: &SharedLink,
) -> Option<reqwest::Response> {
    let url = target.url("/api/events");
    let resp = http
        .get(&url)
        .header(reqwest::header::AUTHORIZATION, target.bearer())
        .header(reqwest::header::ACCEPT, "text/event-stream")
        .send()
        .await;
    match resp {
        Ok(r) if r.status().is_success() => Some(r),
        Ok(r) => {
            log::warn!("follow: {url} answered {}", r.status());
            if r.status() == reqwest::StatusCode::UNAUTHORIZED {
                lock(link).toast = Some(crate::follow::answer::refused(format!(
                    "the server refused the token for {}: check CUTOVER_TOKEN",
                    target.owner
                )));
            }
            None
        }
        Err(e) => {
            log::warn!("follow: cannot reach {url}: {}", without_url(&e));
            None
        }
    }
}

/// One connection: reads events until the stream ends, fails or goes silent.
/// Returns whether at least one view arrived (then the backoff starts over).
async fn follow_once(
    http: &reqwest::Client,
    target: &FollowTarget,
    link: &SharedLink,
    tx: &mpsc::Sender<AppEvent>,
    idle: Duration,
) -> bool {
    let Some(mut resp) = connect(http, target, link).await else {
        return false;
    };
    lock(link).connects += 1;
    let mut parser = SseParser::new(MAX_EVENT_BYTES);
    let mut got_view = false;
    loop {
        let chunk = match tokio::time::timeout(idle, resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            Ok(Ok(None)) => {
                log::warn!("follow: the server closed the stream");
                return got_view;
            }
            Ok(Err(e)) => {
                log::warn!("follow: stream failed: {}", without_url(&e));
                return got_view;
            }
            Err(_) => {
                log::warn!("follow: no event or keepalive for {} s", idle.as_secs());
                return got_view;
            }
        };
        let mut changed = false;
        for parsed in parser.feed(&chunk) {
            changed |= apply(link, parsed);
        }
        if changed {
            got_view = true;
            if tx.send(AppEvent::Changed).await.is_err() {
                return got_view;
            }
        }
    }
}

/// Applies one event to the link; true when a new view was taken.
fn apply(link: &SharedLink, parsed: Parsed) -> bool {
    let ev = match parsed {
        Parsed::Event(ev) => ev,
        Parsed::Oversize { bytes } => {
            log::warn!("follow: skipped an event over {bytes} bytes");
            lock(link).skipped += 1;
            return false;
        }
    };
    match ev.event.as_str() {
        "view" => match serde_json::from_str::<CockpitView>(&ev.data) {
            Ok(view) => {
                let mut l = lock(link);
                l.view = Some(view);
                l.disconnected_since = None;
                true
            }
            Err(e) => {
                log::warn!("follow: skipped a view that is not a cockpit view: {e}");
                lock(link).skipped += 1;
                false
            }
        },
        // the view carries the log tail; records are only checked to be JSON
        "record" => {
            if serde_json::from_str::<serde_json::Value>(&ev.data).is_err() {
                log::warn!("follow: skipped a record that is not JSON");
                lock(link).skipped += 1;
            }
            false
        }
        other => {
            log::debug!(
                "follow: ignored event `{}`",
                crate::core::sanitize::inert(other)
            );
            false
        }
    }
}

/// A reqwest error without its URL (a URL may carry a secret path or query).
pub(crate) fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection failed"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "bad response body"
    } else {
        "request failed"
    };
    let source = std::error::Error::source(e)
        .map(|s| format!(": {s}"))
        .unwrap_or_default();
    format!("{kind}{source}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::follow::sse::SseEvent;

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter_in_the_upper_half() {
        let b = Backoff::default();
        assert_eq!(b.delay(0, 1.0), Duration::from_millis(500));
        assert_eq!(b.delay(3, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(9, 1.0), Duration::from_secs(10));
        assert_eq!(b.delay(40, 0.0), Duration::from_secs(5));
        assert_eq!(b.delay(0, 0.0), Duration::from_millis(250));
        let j = jitter();
        assert!((0.0..=1.0).contains(&j));
    }

    #[test]
    fn a_view_clears_disconnection_and_bad_json_is_skipped() {
        let link: SharedLink = Arc::default();
        lock(&link).disconnected_since = Some(Ts(5));
        let bad = Parsed::Event(SseEvent {
            event: "view".into(),
            data: "{not json".into(),
        });
        assert!(!apply(&link, bad));
        assert_eq!(lock(&link).skipped, 1);
        assert!(lock(&link).disconnected_since.is_some());
        let data = serde_json::to_string(&CockpitView::default()).unwrap();
        let good = Parsed::Event(SseEvent {
            event: "view".into(),
            data,
        });
        assert!(apply(&link, good));
        assert!(lock(&link).disconnected_since.is_none());
        assert!(lock(&link).view.is_some());
    }

    #[test]
    fn target_debug_never_shows_the_token() {
        let t = FollowTarget {
            base: "http://h/".into(),
            owner: "o".into(),
            token: "cct_supersecret".into(),
        };
        assert!(!format!("{t:?}").contains("supersecret"));
        let with_user = FollowTarget {
            base: "https://u:pw@cockpit.example:7878/x".into(),
            ..t.clone()
        };
        assert_eq!(with_user.display_base(), "https://cockpit.example:7878");
        assert_eq!(t.url("/api/view"), "http://h/api/view");
    }
}
