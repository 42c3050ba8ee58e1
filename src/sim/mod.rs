//! The simulator: simulated source and target systems over loopback HTTP,
//! driven over time by a scenario (docs/probes.md, docs/probes.md).

pub mod qido;
pub mod scenario;

pub use scenario::{Knob, Scenario, ScenarioError, Universe};
pub mod routes;
pub mod tls;

use crate::core::time::Ts;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source} (is another simulator running there? try another --listen port)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

/// A running simulator; dropping it (or `stop`) shuts it down.
pub struct SimHandle {
    /// The bound HTTP address (useful when listening on port 0).
    pub addr: SocketAddr,
    /// The HTTPS address, when the scenario has `cert_expires_at` (HTTP port + 1, or any free port).
    pub tls_addr: Option<SocketAddr>,
    /// PEM of the CA that signed the HTTPS certificate: what a probe's `ca_file` must hold.
    pub ca_pem: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    tls_task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// Base URL, e.g. `http://127.0.0.1:7700`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(t) = self.tls_task.take() {
            t.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            // a request held open by `hang` must not keep the process alive
            let abort = t.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(1), t)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(t) = self.tls_task.take() {
            t.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the simulator on the current tokio runtime and returns once it listens.
/// Scenario time runs `speed` times faster than wall time.
pub async fn start(
    scenario: Scenario,
    addr: SocketAddr,
    speed: f64,
) -> Result<SimHandle, SimError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| SimError::Bind { addr, source })?;
    let state = Arc::new(routes::SimState::new(scenario, speed));
    let app = routes::router(state.clone());
    let (tls_addr, ca_pem, tls_task) = match start_tls(&state, app.clone(), bound).await? {
        Some((a, pem, t)) => (Some(a), Some(pem), Some(t)),
        None => (None, None, None),
    };
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Ok(SimHandle {
        addr: bound,
        tls_addr,
        ca_pem,
        shutdown: Some(tx),
        task: Some(task),
        tls_task,
    })
}

/// With `cert_expires_at`, also serve HTTPS with a certificate that expires at that
/// scenario time (real time = scenario time / speed).
async fn start_tls(
    state: &routes::SimState,
    app: axum::Router,
    http: SocketAddr,
) -> Result<Option<(SocketAddr, String, JoinHandle<()>)>, SimError> {
    let Some(expires) = state.scenario.cert_expires_at else {
        return Ok(None);
    };
    let now = crate::probe::system_clock()();
    let real_ms = (expires.0 as f64 / state.speed) as i64;
    let id = tls::identity(Ts(now.0 - 3_600_000), Ts(now.0 + real_ms), false)?;
    let port = if http.port() == 0 {
        0
    } else {
        http.port().wrapping_add(1)
    };
    let (addr, task) = tls::serve_tls(app, SocketAddr::new(http.ip(), port), &id).await?;
    Ok(Some((addr, id.ca_pem, task)))
}

/// Serves `scenario` on `listen` until Ctrl-C.
pub async fn serve(scenario: Scenario, listen: SocketAddr, speed: f64) -> Result<(), SimError> {
    let handle = start(scenario, listen, speed).await?;
    let _ = tokio::signal::ctrl_c().await;
    handle.stop().await;
    Ok(())
}
