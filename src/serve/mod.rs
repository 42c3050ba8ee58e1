//! The team server (`cutover run --serve`): the running cockpit
//! serves its state to the team over HTTP(S) and takes their actions, with
//! a per-owner bearer token. The session stays the single writer of the log:
//! a follower's action goes through the same `Msg::Act` and core rules as the
//! keyboard, with the follower as actor. The server reaches the session only
//! through `SessionPort`. Protocol: docs/team.md.

pub mod auth;
mod reply;
mod routes;
mod signed;
mod sse;
pub mod tls;

use crate::core::config::Config;
use crate::core::sanitize::inert;
use crate::session_port::SessionPort;
use auth::{RateLimiter, Tokens};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// Called after a follower's action changed the session (wakes the TUI).
pub type OnChange = Arc<dyn Fn() + Send + Sync>;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("--serve {0}: not an IP address and port (e.g. 127.0.0.1:7878)")]
    Addr(String),
    #[error("cannot listen on {addr}: {source} (is another cockpit serving there? choose another --serve address)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Tls(String),
}

/// How to serve: from `[serve]`, `[[token]]` and `--serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// PEM certificate chain and private key.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub rate_per_min: u32,
    pub max_body_bytes: usize,
    pub tokens: Tokens,
}

impl ServeOptions {
    /// The config's `[serve]`; `listen` (from `--serve ADDR`) overrides its address.
    pub fn from_config(cfg: &Config, listen: Option<&str>) -> Result<ServeOptions, ServeError> {
        let text = listen
            .filter(|l| !l.is_empty())
            .unwrap_or(&cfg.serve.listen);
        let listen = text.parse().map_err(|_| ServeError::Addr(inert(text)))?;
        let tls = match (&cfg.serve.tls_cert, &cfg.serve.tls_key) {
            (Some(c), Some(k)) => Some((PathBuf::from(c), PathBuf::from(k))),
            _ => None,
        };
        Ok(ServeOptions {
            listen,
            tls,
            rate_per_min: cfg.serve.rate_per_min,
            max_body_bytes: cfg.serve.max_body_bytes,
            tokens: Tokens::new(cfg.tokens.clone()),
        })
    }
}

/// Per owner: (change version, view JSON).
type ViewCache = HashMap<String, (u64, Arc<str>)>;

/// What every handler shares.
#[derive(Clone)]
struct ServeState {
    session: Arc<dyn SessionPort>,
    tokens: Arc<Tokens>,
    limiter: Arc<Mutex<RateLimiter>>,
    max_body: usize,
    on_change: Option<OnChange>,
    /// The last view built per owner: (change version, JSON), shared by followers.
    views: Arc<Mutex<ViewCache>>,
    /// The rate limiter's clock (monotonic; the server is an edge).
    started: std::time::Instant,
}

/// A running server; dropping it stops it.
pub struct ServeHandle {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// Whether it speaks HTTPS.
    pub tls: bool,
    task: JoinHandle<()>,
}

impl ServeHandle {
    /// `http://ADDR` or `https://ADDR`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
}

impl Drop for ServeHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts serving `session` on the current tokio runtime.
pub async fn start(
    session: Arc<dyn SessionPort>,
    opts: ServeOptions,
    on_change: Option<OnChange>,
) -> Result<ServeHandle, ServeError> {
    if opts.tokens.is_empty() {
        log::warn!("serve: the config has no [[token]]: every /api request will be refused (mint one with `cutover token OWNER`)");
    }
    let state = ServeState {
        session,
        tokens: Arc::new(opts.tokens.clone()),
        limiter: Arc::new(Mutex::new(RateLimiter::new(opts.rate_per_min))),
        max_body: opts.max_body_bytes,
        on_change,
        views: Arc::default(),
        started: std::time::Instant::now(),
    };
    let app = routes::router(state);
    if let Some((cert, key)) = &opts.tls {
        let cfg = tls::server_config(cert, key).map_err(ServeError::Tls)?;
        let (addr, task) = crate::sim::tls::serve_tls_with(app, opts.listen, cfg)
            .await
            .map_err(|e| ServeError::Tls(e.to_string()))?;
        return Ok(ServeHandle {
            addr,
            tls: true,
            task,
        });
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: opts.listen,
        source,
    })?;
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            log::error!("serve: the team server stopped: {e}");
        }
    });
    Ok(ServeHandle {
        addr,
        tls: false,
        task,
    })
}

/// The rate limiter, recovering from a poisoned lock (its state is a few counters).
fn lock_limiter(st: &ServeState) -> std::sync::MutexGuard<'_, RateLimiter> {
    match st.limiter.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
