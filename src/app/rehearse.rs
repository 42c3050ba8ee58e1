//! A dress rehearsal of any runbook: the simulator serves every system and
//! dataset the site's config names, by the config's own names, and the
//! probes are pointed at it in memory. The config file is used (and logged)
//! as it is; docs/probes.md ("Rehearsals") describes the rewriting.

use crate::core::config::{Config, ProbeKind};
use crate::sim::Universe;

/// What the simulator must serve so that every probe of `config` gets an answer.
pub fn universe_of(config: &Config) -> Universe {
    let mut u = Universe::default();
    for p in &config.probes {
        // checksum, sql and dicomweb alike: the simulator serves the dataset's checksums
        if let Some(dataset) = p.kind.dataset() {
            u.datasets.insert(dataset.to_string());
            continue;
        }
        let (Some(side), Some(system)) = (p.side, &p.system) else {
            continue;
        };
        u.systems.insert(system.clone());
        let subject = format!("{}.{system}", side.as_str());
        match &p.kind {
            ProbeKind::Latency { fields } if !fields.is_empty() => {
                u.json_fields
                    .entry(subject)
                    .or_default()
                    .extend(fields.clone());
            }
            ProbeKind::Prometheus { select } => {
                u.prom_fields
                    .entry(subject)
                    .or_default()
                    .extend(select.clone());
            }
            _ => {}
        }
    }
    u
}

/// Where the simulator listens: plain HTTP, and HTTPS with the CA file that
/// trusts it when the scenario serves a certificate.
#[derive(Debug, Clone)]
pub struct SimTarget {
    /// e.g. `http://127.0.0.1:41234`
    pub http: String,
    /// e.g. (`https://127.0.0.1:41235`, path of the simulator's CA PEM)
    pub https: Option<(String, String)>,
}

/// Points every probe of `config` at the simulator, by side, system and
/// dataset: health `/{side}/{system}/health`, latency `/{side}/{system}/latency`,
/// prometheus `/{side}/{system}/metrics`, checksum `/{side}/checksum/{dataset}`.
/// Bearer tokens are not sent (the simulator needs none, and a rehearsal must
/// not read the site's secrets); an `https://` probe goes to the simulator's
/// HTTPS port when there is one (certificate-expiry scenarios), trusting only
/// its CA. Webhooks are left alone here (`--notify` decides).
///
/// Reconciliations against real systems (`sql`, `dicomweb`) become the
/// simulator's checksum reconciliation of the same dataset (same interval):
/// a rehearsal never touches the site's databases or archives, nor reads
/// their credentials, and `recon.<dataset>.match`, `count_delta`,
/// `checksum_ok`, `source_count`, `target_count` and `mismatched_buckets`
/// get simulated answers (the kind's own row and study counts do not).
pub fn point_at_sim(config: &mut Config, sim: &SimTarget) {
    for p in &mut config.probes {
        if matches!(p.kind, ProbeKind::Sql(_) | ProbeKind::Dicomweb(_)) {
            let dataset = p.kind.dataset().unwrap_or_default().to_string();
            log::info!(
                "rehearsal: the {} probe of dataset {dataset} is simulated as a checksum reconciliation",
                p.kind.name()
            );
            p.kind = ProbeKind::Checksum {
                dataset,
                source_url: String::new(),
                target_url: String::new(),
            };
        }
    }
    for p in &mut config.probes {
        let https = p.url.starts_with("https://")
            || matches!(&p.kind, ProbeKind::Checksum { source_url, .. } if source_url.starts_with("https://"));
        let (base, ca) = match (&sim.https, https) {
            (Some((url, ca)), true) => (url.clone(), Some(ca.clone())),
            _ => (sim.http.clone(), None),
        };
        p.bearer_env = None;
        p.ca_file = ca;
        let side = p.side.map(|s| s.as_str()).unwrap_or("target");
        let system = p.system.clone().unwrap_or_default();
        match &mut p.kind {
            ProbeKind::Health { .. } => p.url = format!("{base}/{side}/{system}/health"),
            ProbeKind::Latency { .. } => p.url = format!("{base}/{side}/{system}/latency"),
            ProbeKind::Prometheus { .. } => p.url = format!("{base}/{side}/{system}/metrics"),
            ProbeKind::Checksum {
                dataset,
                source_url,
                target_url,
            } => {
                *source_url = format!("{base}/source/checksum/{dataset}");
                *target_url = format!("{base}/target/checksum/{dataset}");
            }
            ProbeKind::Sql(_) | ProbeKind::Dicomweb(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
[[probe]]
side = "target"
system = "lis"
kind = "health"
url = "https://lis-new.example.org/healthz"
bearer_env = "LIS_TOKEN"
ca_file = "site-ca.pem"

[[probe]]
side = "source"
system = "lis"
kind = "latency"
url = "https://lis-old.example.org/api/orders/1"
fields = { queue_depth = "/queue/depth" }

[[probe]]
side = "target"
system = "mpi"
kind = "prometheus"
url = "http://10.0.0.9:9100/metrics"
select = { lag_s = 'mpi_replication_lag_seconds{db="persons"}' }

[[probe]]
kind = "checksum"
dataset = "lab-results"
source_url = "https://lis-old.example.org/checksum"
target_url = "https://lis-new.example.org/checksum"
"#;

    #[test]
    fn the_config_decides_what_is_served_and_where_probes_go() {
        let mut c = crate::core::config::load("site.toml", CONFIG).expect("valid config");
        let u = universe_of(&c);
        assert_eq!(u.systems.iter().collect::<Vec<_>>(), ["lis", "mpi"]);
        assert_eq!(u.datasets.iter().collect::<Vec<_>>(), ["lab-results"]);
        assert_eq!(u.json_fields["source.lis"]["queue_depth"], "/queue/depth");
        assert_eq!(
            u.prom_fields["target.mpi"]["lag_s"],
            r#"mpi_replication_lag_seconds{db="persons"}"#
        );
        let sim = SimTarget {
            http: "http://127.0.0.1:1".into(),
            https: None,
        };
        point_at_sim(&mut c, &sim);
        let urls: Vec<&str> = c.probes.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls[..3],
            [
                "http://127.0.0.1:1/target/lis/health",
                "http://127.0.0.1:1/source/lis/latency",
                "http://127.0.0.1:1/target/mpi/metrics",
            ]
        );
        assert!(c
            .probes
            .iter()
            .all(|p| p.bearer_env.is_none() && p.ca_file.is_none()));
        match &c.probes[3].kind {
            ProbeKind::Checksum {
                source_url,
                target_url,
                ..
            } => {
                assert_eq!(source_url, "http://127.0.0.1:1/source/checksum/lab-results");
                assert_eq!(target_url, "http://127.0.0.1:1/target/checksum/lab-results");
            }
            other => panic!("{other:?}"),
        }
        let tls = SimTarget {
            http: "http://127.0.0.1:1".into(),
            https: Some(("https://127.0.0.1:2".into(), "/tmp/ca.pem".into())),
        };
        let mut c = crate::core::config::load("site.toml", CONFIG).expect("valid config");
        point_at_sim(&mut c, &tls);
        assert_eq!(c.probes[0].url, "https://127.0.0.1:2/target/lis/health");
        assert_eq!(c.probes[0].ca_file.as_deref(), Some("/tmp/ca.pem"));
        assert_eq!(c.probes[2].url, "http://127.0.0.1:1/target/mpi/metrics");
    }

    const RECON: &str = r#"
[[probe]]
kind = "sql"
dataset = "adt-encounters"
source_url_env = "SRC_EHR_DB"
target_url_env = "TGT_EHR_DB"
table = "encounters"
key = ["encounter_id"]
interval = "10m"

[[probe]]
kind = "dicomweb"
dataset = "pacs-2019"
source_url = "https://pacs-old.example.org/dicom-web"
target_url = "https://pacs-new.example.org/dicom-web"
basic_env = "PACS_BASIC"
"#;

    #[test]
    fn real_reconciliations_become_simulated_checksums_of_their_dataset() {
        let mut c = crate::core::config::load("site.toml", RECON).expect("valid config");
        let u = universe_of(&c);
        assert_eq!(
            u.datasets.iter().collect::<Vec<_>>(),
            ["adt-encounters", "pacs-2019"]
        );
        let sim = SimTarget {
            http: "http://127.0.0.1:1".into(),
            https: None,
        };
        point_at_sim(&mut c, &sim);
        assert_eq!(c.probes.len(), 2, "none is left out");
        for (p, dataset) in c.probes.iter().zip(["adt-encounters", "pacs-2019"]) {
            match &p.kind {
                ProbeKind::Checksum {
                    dataset: d,
                    source_url,
                    target_url,
                } => {
                    assert_eq!(d, dataset);
                    assert_eq!(
                        source_url,
                        &format!("http://127.0.0.1:1/source/checksum/{dataset}")
                    );
                    assert_eq!(
                        target_url,
                        &format!("http://127.0.0.1:1/target/checksum/{dataset}")
                    );
                }
                other => panic!("{other:?}"),
            }
            assert!(p.prefix() == format!("recon.{dataset}"));
            assert!(p.metric_names().contains(&format!("recon.{dataset}.match")));
        }
        assert_eq!(
            c.probes[0].interval,
            Some(crate::core::time::Dur::from_mins(10)),
            "the probe keeps its interval"
        );
    }
}
