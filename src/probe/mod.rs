//! The probe engine (docs/probes.md): one tokio task per configured probe,
//! each reporting `ProbeReport`s to the core over a channel.
//!
//! Every attempt yields `<kind>_ok` (1/0), health also `up`; a failed attempt
//! yields nothing else and a short inert reason. See docs/probes.md.

pub mod attempt;
pub mod cert;
pub mod dicomweb;
pub mod exact;
pub mod http;
pub mod kinds;
pub mod phases;
pub mod progress;
pub mod prom;
pub mod pseudo;
pub mod recon;
pub mod schedule;
pub mod snapshot;
pub mod sql;

use crate::core::config::{Config, Probe};
use crate::core::sample::ProbeReport;
use std::collections::HashMap;
use std::sync::Mutex;

pub use attempt::{label_of, ProbeRunner};
pub use schedule::{spawn_all, spawn_all_at, ProbeHandles, StartDrift};

/// The clock handle lives with the other clock pieces; probes take it as given.
pub use crate::clock::{system_clock, Clock};

/// One HTTP client per distinct `ca_file` (and `fresh_connection`), so
/// connections are pooled across probes; a fresh-connection client keeps none.
#[derive(Default)]
pub(crate) struct ClientCache {
    clients: Mutex<ClientMap>,
}

type ClientMap = HashMap<(Option<String>, bool), Result<reqwest::Client, http::Failure>>;

impl ClientCache {
    /// The client for probe `p`.
    pub(crate) fn get(&self, p: &Probe) -> Result<reqwest::Client, http::Failure> {
        let mut map = match self.clients.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let ca_file = p.ca_file.as_deref();
        map.entry((ca_file.map(str::to_string), p.fresh_connection))
            .or_insert_with(|| http::build_client(ca_file, p.fresh_connection))
            .clone()
    }
}

/// Polls every probe once, all concurrently; reports come back in config order.
pub async fn poll_once(config: &Config, clock: Clock) -> Vec<ProbeReport> {
    let clients = ClientCache::default();
    let mut set = tokio::task::JoinSet::new();
    for (i, p) in config.probes.iter().enumerate() {
        let runner = ProbeRunner::new(p, clients.get(p), config.poll.timeout);
        let clock = clock.clone();
        set.spawn(async move { (i, runner.attempt(&clock).await) });
    }
    let mut out: Vec<(usize, ProbeReport)> = Vec::with_capacity(config.probes.len());
    while let Some(joined) = set.join_next().await {
        if let Ok(r) = joined {
            out.push(r);
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}
