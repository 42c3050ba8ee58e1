//! The config: the *environment* (docs/probes.md): where systems are and how to reach them.

use crate::span::Pos;
use crate::time::Dur;
use std::collections::BTreeMap;

/// A whole, parsed config file: where the systems are and how to probe them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `[poll]`: schedule defaults for every probe (defaults when absent).
    pub poll: Poll,
    /// The `[[probe]]` tables, in file order.
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
    /// `interval`: how often each probe runs unless it sets its own (default 5s).
    pub interval: Dur,
    /// Connect to last body byte.
    pub timeout: Dur,
    /// A bare metric older than this is no sample; `None` (unset): each
    /// probe's samples go stale after 3 x its interval.
    pub stale_after: Option<Dur>,
}

impl Default for Poll {
    fn default() -> Poll {
        Poll {
            interval: Dur::from_secs(5),
            timeout: Dur::from_secs(2),
            stale_after: None,
        }
    }
}

/// How many intervals a probe's samples stay fresh when no `stale_after` is set.
pub const STALE_INTERVALS: i64 = 3;

/// When the samples of each metric go stale (`Cockpit::set_staleness`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Staleness {
    /// For metrics no probe of the config declares.
    pub default: Dur,
    /// Per metric: its probe's effective `stale_after` (the longest, when
    /// two probes write the same metric, so neither's samples expire early).
    pub metrics: BTreeMap<String, Dur>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
/// `side` of a probe: which system of the cutover it measures, the first segment of its metric names.
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// `"source"`: the system being left.
    Source,
    /// `"target"`: the system being moved to.
    Target,
}

impl Side {
    /// The TOML spelling, as used in metric names (`source`, `target`).
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
    /// `pointer`: JSON pointer (starting with `/`) into the health response body.
    pub pointer: String,
    /// Compared with the JSON value at `pointer` (strings as-is, other values as their JSON text).
    pub equals: String,
}

/// What a probe measures.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeKind {
    /// `kind = "health"`: is the system up; writes `up`, `status`, `health_ms`, `health_ok`.
    Health {
        /// `expect_json`: optional body check; `None` = the status alone decides.
        expect_json: Option<JsonExpect>,
    },
    /// `fields`: metric field name -> JSON pointer.
    Latency {
        /// `kind = "latency"`: times fetching `url`; writes `latency_ms`, `latency_ok` and the `fields`.
        fields: BTreeMap<String, String>,
    },
    /// `kind = "checksum"`: compares count and digest documents of both sides under `recon.<dataset>`.
    Checksum {
        /// `dataset`: the middle segment of the metric names (`recon.<dataset>.match`).
        dataset: String,
        /// `source_url`: the source side's checksum document.
        source_url: String,
        /// `target_url`: the target side's checksum document.
        target_url: String,
    },
    /// `select`: metric field name -> Prometheus selector `name{label="v",...}`.
    Prometheus {
        /// `kind = "prometheus"`: reads series from a text exposition; writes `prometheus_ok` and the `select` keys.
        select: BTreeMap<String, String>,
    },
    /// Two databases compared by the probe itself (`recon.rs`).
    Sql(Box<super::recon::SqlProbe>),
    /// Two QIDO-RS archives compared by the probe itself.
    Dicomweb(Box<super::recon::DicomwebProbe>),
}

impl ProbeKind {
    /// The `kind` as written in the config (`health`, `latency`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            ProbeKind::Health { .. } => "health",
            ProbeKind::Latency { .. } => "latency",
            ProbeKind::Checksum { .. } => "checksum",
            ProbeKind::Prometheus { .. } => "prometheus",
            ProbeKind::Sql(_) => "sql",
            ProbeKind::Dicomweb(_) => "dicomweb",
        }
    }

    /// The dataset of a reconciliation kind (checksum, sql, dicomweb).
    pub fn dataset(&self) -> Option<&str> {
        match self {
            ProbeKind::Checksum { dataset, .. } => Some(dataset),
            ProbeKind::Sql(s) => Some(&s.dataset),
            ProbeKind::Dicomweb(d) => Some(&d.dataset),
            _ => None,
        }
    }

    /// The name of the sample saying whether an attempt worked: `<kind>_ok`,
    /// `checksum_ok` for every reconciliation kind.
    pub fn ok_field(&self) -> String {
        match self.dataset() {
            Some(_) => "checksum_ok".into(),
            None => format!("{}_ok", self.name()),
        }
    }
}

/// One `[[probe]]`: one endpoint measured on a schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// `None` only for checksum probes (which cover both sides).
    pub side: Option<Side>,
    /// `None` only for checksum probes.
    pub system: Option<String>,
    /// `kind` and its kind-specific keys.
    pub kind: ProbeKind,
    /// Empty for checksum probes (they use source_url / target_url).
    pub url: String,
    /// Accepted statuses; empty = 200-299.
    pub expect_status: Vec<u16>,
    /// Name of the environment variable holding the bearer token (never the token).
    pub bearer_env: Option<String>,
    /// `ca_file`: PEM bundle trusted in addition to the built-in roots; `None` = built-in roots only.
    pub ca_file: Option<String>,
    /// `interval`: this probe's own schedule; `None` = `[poll] interval`.
    pub interval: Option<Dur>,
    /// `timeout`: bound on one whole attempt; `None` = `[poll] timeout`.
    pub timeout: Option<Dur>,
    /// `stale_after`: this probe's samples are no sample after this age; `None` = `[poll] stale_after`, else 3 x the interval.
    pub stale_after: Option<Dur>,
    /// A new connection (TCP, and TLS on https) for every attempt instead
    /// of the pooled client, as blackbox_exporter does.
    pub fresh_connection: bool,
    /// Position of the `[[probe]]` table in the config file, for diagnostics.
    pub pos: Pos,
}

/// The phases of one HTTP attempt, each written as `<side>.<system>.<kind>_<phase>`
/// when it was measured on that attempt: TCP connect (with name
/// resolution), TLS handshake, request sent to first response byte, first
/// byte to last body byte.
pub const HTTP_PHASES: &[&str] = &["connect_ms", "tls_ms", "ttfb_ms", "transfer_ms"];

impl Probe {
    /// The metric prefix this probe writes under: `<side>.<system>` or `recon.<dataset>`.
    pub fn prefix(&self) -> String {
        if let Some(dataset) = self.kind.dataset() {
            return format!("recon.{dataset}");
        }
        match (&self.kind, self.side, &self.system) {
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
                for f in super::recon::RECON_FIELDS {
                    names.push(format!("{p}.{f}"));
                }
            }
            ProbeKind::Prometheus { select } => {
                names.push(format!("{p}.prometheus_ok"));
                names.extend(select.keys().map(|f| format!("{p}.{f}")));
            }
            ProbeKind::Sql(_) => {
                let fields = super::recon::RECON_COMMON_FIELDS
                    .iter()
                    .chain(&["source_count", "target_count"])
                    .chain(super::recon::SQL_FIELDS);
                names.extend(fields.map(|f| format!("{p}.{f}")));
            }
            ProbeKind::Dicomweb(_) => {
                let fields = super::recon::RECON_COMMON_FIELDS
                    .iter()
                    .chain(super::recon::DICOMWEB_FIELDS);
                names.extend(fields.map(|f| format!("{p}.{f}")));
            }
        }
        if let Some(kind) = self.http_phase_kind() {
            names.extend(HTTP_PHASES.iter().map(|ph| format!("{p}.{kind}_{ph}")));
        }
        names
    }

    /// The kind whose HTTP attempts record their phases (`<kind>_connect_ms`
    /// ...): the single-request kinds; a checksum or reconciliation makes
    /// several requests per attempt, so it has no one set of phases.
    pub fn http_phase_kind(&self) -> Option<&'static str> {
        match self.kind {
            ProbeKind::Health { .. } | ProbeKind::Latency { .. } | ProbeKind::Prometheus { .. } => {
                Some(self.kind.name())
            }
            _ => None,
        }
    }

    /// Environment variables this probe reads at run time (names only).
    pub fn needed_env(&self) -> Vec<super::recon::NeededEnv> {
        let label = format!("{}.{}", self.prefix(), self.kind.name());
        let need = |name: &str, key: &str| super::recon::NeededEnv {
            name: name.to_string(),
            pos: self.pos,
            what: format!("{key} of {label}"),
        };
        let mut out = Vec::new();
        if let ProbeKind::Sql(s) = &self.kind {
            out.push(need(&s.source_url_env, "source_url_env"));
            out.push(need(&s.target_url_env, "target_url_env"));
        }
        // the HTTP kinds report a missing bearer token per attempt, as before
        if let ProbeKind::Dicomweb(d) = &self.kind {
            let vars = d.basic_env.iter().map(|b| (b, "basic_env"));
            let vars = vars.chain(self.bearer_env.iter().map(|b| (b, "bearer_env")));
            out.extend(vars.map(|(name, key)| need(name, key)));
        }
        out
    }
}

impl Config {
    /// How often `p` runs: its `interval`, else `[poll] interval`.
    pub fn interval_of(&self, p: &Probe) -> Dur {
        p.interval.unwrap_or(self.poll.interval)
    }

    /// When `p`'s samples go stale: its `stale_after`, else `[poll]
    /// stale_after`, else 3 x its interval.
    pub fn stale_after_of(&self, p: &Probe) -> Dur {
        p.stale_after
            .or(self.poll.stale_after)
            .unwrap_or_else(|| Dur(self.interval_of(p).0.saturating_mul(STALE_INTERVALS)))
    }

    /// The staleness of every metric the probes declare, and the default
    /// for any other (`[poll] stale_after`, else 3 x `[poll] interval`).
    pub fn staleness(&self) -> Staleness {
        let default = self
            .poll
            .stale_after
            .unwrap_or_else(|| Dur(self.poll.interval.0.saturating_mul(STALE_INTERVALS)));
        let mut metrics: BTreeMap<String, Dur> = BTreeMap::new();
        for p in &self.probes {
            let d = self.stale_after_of(p);
            for m in p.metric_names() {
                let e = metrics.entry(m).or_insert(d);
                *e = (*e).max(d);
            }
        }
        Staleness { default, metrics }
    }

    /// Every environment variable the probes read at run time, in config order.
    pub fn needed_env(&self) -> Vec<super::recon::NeededEnv> {
        self.probes.iter().flat_map(Probe::needed_env).collect()
    }

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
    crate::derived::is_derived(name)
}
