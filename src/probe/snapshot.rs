//! The latest value of every metric the config can produce, with its age and,
//! when there is no value, why: what `cutover status` prints.

use crate::core::config::{Config, ProbeKind};
use crate::core::sample::ProbeReport;
use crate::core::time::Ts;
use serde::Serialize;
use std::collections::BTreeMap;

/// One metric as `status --json` shows it (README.md, "Commands").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricView {
    pub value: Option<f64>,
    pub age_s: Option<f64>,
    pub reason: Option<String>,
}

/// Latest samples and the latest report per probe, folded from many reports.
#[derive(Debug, Default, Clone)]
pub struct Latest {
    samples: BTreeMap<String, (Ts, f64)>,
    reports: BTreeMap<String, ProbeReport>,
}

impl Latest {
    /// Folds one report in (later reports win).
    pub fn add(&mut self, r: &ProbeReport) {
        for s in &r.samples {
            let newer = self.samples.get(&s.name).is_none_or(|(ts, _)| *ts <= s.ts);
            if newer {
                self.samples.insert(s.name.clone(), (s.ts, s.value));
            }
        }
        self.reports.insert(r.probe.clone(), r.clone());
    }

    /// Every metric of every configured probe at `now`.
    pub fn table(&self, config: &Config, now: Ts) -> BTreeMap<String, MetricView> {
        let mut out = BTreeMap::new();
        for p in &config.probes {
            let label = crate::probe::label_of(p);
            let report = self.reports.get(&label);
            let prefix = p.prefix();
            for name in p.metric_names() {
                // latency does not write `status` (health does): two writers would interleave
                if matches!(p.kind, ProbeKind::Latency { .. }) && name.ends_with(".status") {
                    continue;
                }
                let field = name.strip_prefix(&format!("{prefix}.")).unwrap_or(&name);
                let view = match self.samples.get(&name) {
                    Some((ts, v)) => MetricView {
                        value: Some(*v),
                        age_s: Some((now - *ts).as_secs_f64()),
                        reason: None,
                    },
                    None => MetricView {
                        value: None,
                        age_s: None,
                        reason: Some(why_missing(report, field, &p.url)),
                    },
                };
                // a later probe's value beats an earlier probe's reason for the same metric
                match out.get(&name) {
                    Some(MetricView { value: Some(_), .. }) => {}
                    Some(_) if view.value.is_none() => {}
                    _ => {
                        out.insert(name, view);
                    }
                }
            }
        }
        out
    }
}

fn why_missing(report: Option<&ProbeReport>, field: &str, url: &str) -> String {
    // plain http never yields a certificate, whatever the attempts do
    if field == "cert_days_left" && !url.starts_with("https://") {
        return "not https: no certificate".into();
    }
    let Some(r) = report else {
        return "no attempt yet".into();
    };
    if !r.ok {
        return r.reason.clone().unwrap_or_else(|| "attempt failed".into());
    }
    if field == "cert_days_left" {
        return "peer certificate could not be read".into();
    }
    let own = r.reason.as_deref().and_then(|all| {
        all.split("; ")
            .find(|part| part.starts_with(&format!("{field}:")))
            .map(str::to_string)
    });
    own.unwrap_or_else(|| "no sample from the last attempt".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sample::Sample;

    fn config() -> Config {
        crate::core::config::load(
            "c.toml",
            r#"
[[probe]]
side = "target"
system = "pacs"
kind = "health"
url = "http://x/health"
[[probe]]
side = "target"
system = "pacs"
kind = "latency"
url = "http://x/latency"
fields = { lag = "/lag" }
"#,
        )
        .unwrap()
    }

    fn report(probe: &str, ok: bool, reason: Option<&str>, samples: &[(&str, f64)]) -> ProbeReport {
        ProbeReport {
            probe: probe.into(),
            ts: Ts(1000),
            ok,
            reason: reason.map(str::to_string),
            samples: samples
                .iter()
                .map(|(n, v)| Sample {
                    name: n.to_string(),
                    ts: Ts(1000),
                    value: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn every_metric_has_a_value_or_a_reason() {
        let mut l = Latest::default();
        l.add(&report(
            "target.pacs.health",
            false,
            Some("status 503"),
            &[("target.pacs.health_ok", 0.0), ("target.pacs.up", 0.0)],
        ));
        l.add(&report(
            "target.pacs.latency",
            true,
            Some("lag: nothing at /lag"),
            &[
                ("target.pacs.latency_ms", 120.0),
                ("target.pacs.latency_ok", 1.0),
            ],
        ));
        let t = l.table(&config(), Ts(3500));
        assert_eq!(t["target.pacs.up"].value, Some(0.0));
        assert_eq!(t["target.pacs.up"].age_s, Some(2.5));
        assert_eq!(
            t["target.pacs.health_ms"].reason.as_deref(),
            Some("status 503")
        );
        assert_eq!(t["target.pacs.latency_ms"].value, Some(120.0));
        assert_eq!(
            t["target.pacs.lag"].reason.as_deref(),
            Some("lag: nothing at /lag")
        );
        // the probes speak plain http: there is no certificate to read, whatever
        // the attempts gave
        assert_eq!(
            t["target.pacs.cert_days_left"].reason.as_deref(),
            Some("not https: no certificate")
        );
        assert!(t.values().all(|m| m.value.is_some() != m.reason.is_some()));
    }
}
