//! One probe attempt end to end: fetch, interpret, and turn into a `ProbeReport`.

use crate::clock::Pace;
use crate::core::config::{Probe, ProbeKind};
use crate::core::sample::{ProbeReport, Sample};
use crate::core::time::{Dur, Ts};
use crate::probe::http::{self, Failure, Fetched};
use crate::probe::kinds::{self, Outcome};
use crate::probe::prom::Selector;
use crate::probe::Clock;
use std::collections::BTreeMap;

/// A probe ready to run: config, its HTTP client, its timeout, parsed selectors.
pub struct ProbeRunner {
    pub label: String,
    probe: Probe,
    client: Result<reqwest::Client, Failure>,
    timeout: Dur,
    selectors: Result<BTreeMap<String, Selector>, Failure>,
    /// How fast `clock` runs against wall time (a rehearsal's speed).
    pace: Pace,
}

/// `<side>.<system>.<kind>` or `recon.<dataset>.checksum`.
pub fn label_of(p: &Probe) -> String {
    format!("{}.{}", p.prefix(), p.kind.name())
}

impl ProbeRunner {
    /// Prepares `probe`; a bad `ca_file` or selector makes every attempt fail with that reason.
    pub fn new(
        probe: &Probe,
        client: Result<reqwest::Client, Failure>,
        default_timeout: Dur,
    ) -> Self {
        let selectors = match &probe.kind {
            ProbeKind::Prometheus { select } => select
                .iter()
                .map(|(k, s)| {
                    Selector::parse(s)
                        .map(|sel| (k.clone(), sel))
                        .map_err(|e| Failure::new(format!("select {k}: {e}")))
                })
                .collect(),
            _ => Ok(BTreeMap::new()),
        };
        ProbeRunner {
            label: label_of(probe),
            probe: probe.clone(),
            client,
            timeout: probe.timeout.unwrap_or(default_timeout),
            selectors,
            pace: Pace::default(),
        }
    }

    /// This runner under a clock running at `pace` (see [`Self::days_left`]).
    pub fn at_pace(mut self, pace: Pace) -> Self {
        self.pace = pace;
        self
    }

    /// Days until `not_after` in the clock's time. A certificate's
    /// `notAfter` is wall time (the handshake checks it against the system
    /// clock), so under a sped-up clock the wall time left is scaled by the
    /// speed: the figure then agrees with the moment the handshake fails.
    fn days_left(&self, not_after: Ts, clock: &Clock) -> f64 {
        if self.pace == Pace::default() {
            return crate::probe::cert::days_left(not_after, clock());
        }
        let wall_left = not_after - crate::clock::wall_now();
        let left = Dur((wall_left.0 as f64 * self.pace.speed()) as i64);
        crate::probe::cert::days_left(Ts(0) + left, Ts(0))
    }

    /// Runs one attempt and reports it (never panics, never hangs past the timeout).
    pub async fn attempt(&self, clock: &Clock) -> ProbeReport {
        let result = self.measure(clock).await;
        let ts = clock();
        let prefix = self.probe.prefix();
        let ok_field = self.probe.kind.ok_field();
        let sample = |field: &str, value: f64| Sample {
            name: format!("{prefix}.{field}"),
            ts,
            value,
        };
        let is_health = matches!(self.probe.kind, ProbeKind::Health { .. });
        match result {
            Ok(outcome) => {
                let mut samples: Vec<Sample> =
                    outcome.values.iter().map(|(f, v)| sample(f, *v)).collect();
                samples.push(sample(&ok_field, 1.0));
                if is_health {
                    samples.push(sample("up", 1.0));
                }
                let mut notes = outcome.missing.clone();
                notes.extend(outcome.detail.clone());
                // a reconciliation's differences (pseudonymised) get more room than a field note
                let room = if outcome.detail.is_some() { 1500 } else { 200 };
                let reason = (!notes.is_empty())
                    .then(|| crate::core::sanitize::inert_short(&notes.join("; "), room));
                ProbeReport {
                    probe: self.label.clone(),
                    ts,
                    ok: true,
                    reason,
                    samples,
                }
            }
            Err(Failure(reason)) => {
                let mut samples = vec![sample(&ok_field, 0.0)];
                if is_health {
                    samples.push(sample("up", 0.0));
                }
                ProbeReport {
                    probe: self.label.clone(),
                    ts,
                    ok: false,
                    reason: Some(reason),
                    samples,
                }
            }
        }
    }

    async fn get(&self, url: &str) -> Result<Fetched, Failure> {
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let token = http::bearer_token(self.probe.bearer_env.as_deref())?;
        http::fetch(client, url, token.as_deref(), self.timeout).await
    }

    /// How long a whole reconciliation may take: the probe's `timeout`, else its interval.
    fn recon_deadline(&self) -> std::time::Duration {
        let d = self
            .probe
            .timeout
            .or(self.probe.interval)
            .unwrap_or(self.timeout);
        std::time::Duration::from_millis(d.0.max(1) as u64)
    }

    async fn measure(&self, clock: &Clock) -> Result<Outcome, Failure> {
        let expect = &self.probe.expect_status;
        match &self.probe.kind {
            ProbeKind::Sql(p) => {
                let url = |var: &str, key: &str| match std::env::var(var) {
                    Ok(v) if !v.is_empty() => Ok(v),
                    _ => Err(Failure::new(format!("{key} {var} is not set"))),
                };
                let src = url(&p.source_url_env, "source_url_env")?;
                let tgt = url(&p.target_url_env, "target_url_env")?;
                let r = crate::probe::sql::compare(p, &src, &tgt, self.recon_deadline()).await?;
                crate::probe::exact::remember(&p.dataset, crate::probe::recon::sql_exact(&r));
                let out = crate::probe::recon::sql_outcome(&p.dataset, &r);
                if let Some(d) = &out.detail {
                    log::warn!("{}: {d}", self.label);
                }
                Ok(out)
            }
            ProbeKind::Dicomweb(p) => {
                let client = self.client.as_ref().map_err(Clone::clone)?;
                let auth = crate::probe::dicomweb::auth_header(
                    p.basic_env.as_deref(),
                    self.probe.bearer_env.as_deref(),
                )?;
                let qido = crate::probe::dicomweb::Qido {
                    client,
                    probe: p,
                    auth,
                    // per request; the whole listing is bounded by the deadline below
                    timeout: crate::core::time::Dur(
                        self.recon_deadline().as_millis().min(30_000) as i64
                    ),
                };
                let deadline = self.recon_deadline();
                let _running = crate::probe::progress::Running::start(&p.dataset);
                let r = match tokio::time::timeout(deadline, qido.compare()).await {
                    Ok(r) => r?,
                    Err(_) => {
                        return Err(Failure::new(format!(
                            "comparison not finished after {}s",
                            deadline.as_secs()
                        )))
                    }
                };
                crate::probe::exact::remember(&p.dataset, crate::probe::recon::dicomweb_exact(&r));
                let out = crate::probe::recon::dicomweb_outcome(&p.dataset, &r);
                if let Some(d) = &out.detail {
                    log::warn!("{}: {d}", self.label);
                }
                Ok(out)
            }
            ProbeKind::Checksum {
                source_url,
                target_url,
                ..
            } => {
                let (s, t) = tokio::join!(self.get(source_url), self.get(target_url));
                let side = |r: Result<Fetched, Failure>, name: &str| {
                    r.and_then(|f| kinds::parse_checksum(&f, expect))
                        .map_err(|e| Failure(format!("{name}: {}", e.0)))
                };
                let (s, t) = (side(s, "source")?, side(t, "target")?);
                Ok(kinds::reconcile(&s, &t))
            }
            kind => {
                let f = self.get(&self.probe.url).await?;
                let mut out = match kind {
                    ProbeKind::Health { expect_json } => {
                        kinds::health(&f, expect, expect_json.as_ref())?
                    }
                    ProbeKind::Latency { fields } => kinds::latency(&f, expect, fields)?,
                    ProbeKind::Prometheus { .. } => {
                        let sel = self.selectors.as_ref().map_err(Clone::clone)?;
                        kinds::prometheus(&f, expect, sel)?
                    }
                    ProbeKind::Checksum { .. } | ProbeKind::Sql(_) | ProbeKind::Dicomweb(_) => {
                        Outcome::default()
                    }
                };
                if let Some(na) = f.cert_not_after {
                    out.values
                        .push(("cert_days_left".into(), self.days_left(na, clock)));
                }
                // only the phases measured on this attempt: a reused connection has no connect
                if let Some(kind) = self.probe.http_phase_kind() {
                    for (phase, ms) in f.phases.fields() {
                        out.values.push((format!("{kind}_{phase}"), ms));
                    }
                }
                Ok(out)
            }
        }
    }
}
