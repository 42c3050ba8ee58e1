//! The simulator: simulated source and target systems over loopback HTTP,
//! driven over time by a scenario (spec section 4, docs/probes.md).

pub mod scenario;

pub use scenario::{Knob, Scenario, ScenarioError};
pub mod routes;

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
}

/// A running simulator; dropping it (or `stop`) shuts it down.
pub struct SimHandle {
    /// The bound HTTP address (useful when listening on port 0).
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// Base URL, e.g. `http://127.0.0.1:7700`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) {
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
    let app = routes::router(Arc::new(routes::SimState::new(scenario, speed)));
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
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Serves `scenario` on `listen` until Ctrl-C.
pub async fn serve(scenario: Scenario, listen: SocketAddr, speed: f64) -> Result<(), SimError> {
    let handle = start(scenario, listen, speed).await?;
    let _ = tokio::signal::ctrl_c().await;
    handle.stop().await;
    Ok(())
}
