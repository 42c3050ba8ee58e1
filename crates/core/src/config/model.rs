//! The config: the *environment* (docs/probes.md): where systems are and how to reach them.

use crate::span::Pos;
use crate::time::Dur;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub poll: Poll,
    pub probes: Vec<Probe>,
    /// `[[webhook]]`: where notifications go (see `webhook.rs`).
    pub webhooks: Vec<super::webhook::Webhook>,
    /// `[serve]` (defaults when absent).
    pub serve: super::serve::Serve,
    /// `[[token]]`: hashes of the per-owner tokens `--serve` accepts.
    pub tokens: Vec<super::serve::TokenHash>,
}

/// Polling defaults for every probe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Poll {
    pub interval: Dur,
    /// Connect to last body byte.
    pub timeout: Dur,
    /// A bare metric older than this is no sample.
    pub stale_after: Dur,
}

impl Default for Poll {
    fn default() -> Poll {
        Poll {
            interval: Dur::from_secs(5),
            timeout: Dur::from_secs(2),
            stale_after: Dur::from_secs(20),
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Source,
    Target,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Source => "source",
            Side::Target => "target",
        }
    }
}

/// `expect_json = { pointer = "/status", equals = "ok" }`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonExpect {
    pub pointer: String,
    /// Compared with the JSON value at `pointer` (strings as-is, other values as their JSON text).
    pub equals: String,
}

/// What a probe measures.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeKind {
    Health {
        expect_json: Option<JsonExpect>,
    },
    /// `fields`: metric field name -> JSON pointer.
    Latency {
        fields: BTreeMap<String, String>,
    },
    Checksum {
        dataset: String,
        source_url: String,
        target_url: String,
    },
    /// `select`: metric field name -> Prometheus selector `name{label="v",...}`.
    Prometheus {
        select: BTreeMap<String, String>,
    },
}

impl ProbeKind {
    pub fn name(&self) -> &'static str {
        match self {
            ProbeKind::Health { .. } => "health",
            ProbeKind::Latency { .. } => "latency",
            ProbeKind::Checksum { .. } => "checksum",
            ProbeKind::Prometheus { .. } => "prometheus",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// `None` only for checksum probes (which cover both sides).
    pub side: Option<Side>,
    /// `None` only for checksum probes.
    pub system: Option<String>,
    pub kind: ProbeKind,
    /// Empty for checksum probes (they use source_url / target_url).
    pub url: String,
    /// Accepted statuses; empty = 200-299.
    pub expect_status: Vec<u16>,
    /// Name of the environment variable holding the bearer token (never the token).
    pub bearer_env: Option<String>,
    pub ca_file: Option<String>,
    /// Per-probe overrides of `[poll]`.
    pub interval: Option<Dur>,
    pub timeout: Option<Dur>,
    pub pos: Pos,
}

impl Probe {
    /// The metric prefix this probe writes under: `<side>.<system>` or `recon.<dataset>`.
    pub fn prefix(&self) -> String {
        match (&self.kind, self.side, &self.system) {
            (ProbeKind::Checksum { dataset, .. }, _, _) => format!("recon.{dataset}"),
            (_, Some(side), Some(system)) => format!("{}.{system}", side.as_str()),
            _ => String::from("?"),
        }
    }

    /// Every metric name this probe can produce.
    pub fn metric_names(&self) -> Vec<String> {
        let p = self.prefix();
        let mut names = Vec::new();
        match &self.kind {
            ProbeKind::Health { .. } => {
                for f in ["up", "status", "health_ms", "health_ok", "cert_days_left"] {
                    names.push(format!("{p}.{f}"));
                }
            }
            ProbeKind::Latency { fields } => {
                for f in ["latency_ms", "latency_ok", "status", "cert_days_left"] {
                    names.push(format!("{p}.{f}"));
                }
                names.extend(fields.keys().map(|f| format!("{p}.{f}")));
            }
            ProbeKind::Checksum { .. } => {
                for f in crate::runbook::metrics::RECON_FIELDS {
                    names.push(format!("{p}.{f}"));
                }
            }
            ProbeKind::Prometheus { select } => {
                names.push(format!("{p}.prometheus_ok"));
                names.extend(select.keys().map(|f| format!("{p}.{f}")));
            }
        }
        names
    }
}

impl Config {
    /// Whether `name` is a metric the configured probes can produce, or one
    /// the cockpit computes itself (`cutover.*`, `phase.elapsed_min`,
    /// `issues.*`, `rollback.<scope>.slack_min`; the scope is the runbook's
    /// business, so any scope is accepted here).
    pub fn known_metric(&self, name: &str) -> bool {
        if is_cockpit_metric(name) {
            return true;
        }
        self.probes
            .iter()
            .any(|p| p.metric_names().iter().any(|m| m == name))
    }

    /// Every metric name the configured probes can produce, sorted, without duplicates.
    pub fn probe_metric_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.probes.iter().flat_map(Probe::metric_names).collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Metrics computed by the cockpit rather than measured by a probe.
fn is_cockpit_metric(name: &str) -> bool {
    const FIXED: [&str; 6] = [
        "cutover.elapsed_min",
        "cutover.remaining_min",
        "cutover.forecast_overrun_min",
        "phase.elapsed_min",
        "issues.open",
        "issues.open_critical",
    ];
    if FIXED.contains(&name) {
        return true;
    }
    let segs: Vec<&str> = name.split('.').collect();
    segs.len() == 3 && segs[0] == "rollback" && !segs[1].is_empty() && segs[2] == "slack_min"
}
