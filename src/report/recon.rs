//! Each dataset's final reconciliation, from the `observe` records: the
//! last successful attempt of its `recon.<dataset>.*` probe (its tallies and
//! its differences line, pseudonymised as the probe logged it), and whether
//! a later attempt failed.

use super::records::Rec;
use crate::core::records::RecordBody;
use crate::core::time::Ts;
use std::collections::BTreeMap;

/// One dataset's final reconciliation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconciliation {
    pub dataset: String,
    /// The probe's kind (`sql`, `dicomweb`, `checksum`).
    pub kind: String,
    /// When the final successful result was taken; `None` when none succeeded.
    pub at: Option<Ts>,
    /// `recon.<dataset>.match` of that result.
    pub matched: Option<bool>,
    /// Its other `recon.<dataset>.*` samples (field -> value), e.g. `missing_rows`.
    pub tallies: BTreeMap<String, f64>,
    /// Its differences line (keys pseudonymised), if it had one.
    pub differences: Option<String>,
    /// The last attempt failed after it: why.
    pub failed_since: Option<String>,
}

/// The final reconciliation of every dataset the log observed, by name.
pub fn reconciliations(recs: &[Rec]) -> Vec<Reconciliation> {
    let mut out: BTreeMap<String, Reconciliation> = BTreeMap::new();
    for r in recs {
        let RecordBody::Observe(o) = &r.body else {
            continue;
        };
        for report in &o.reports {
            let Some(rest) = report.probe.strip_prefix("recon.") else {
                continue;
            };
            let Some((dataset, kind)) = rest.rsplit_once('.') else {
                continue;
            };
            let e = out
                .entry(dataset.to_string())
                .or_insert_with(|| Reconciliation {
                    dataset: dataset.to_string(),
                    kind: kind.to_string(),
                    ..Reconciliation::default()
                });
            if !report.ok {
                e.failed_since = Some(report.reason.clone().unwrap_or_else(|| "failed".into()));
                continue;
            }
            let prefix = format!("recon.{dataset}.");
            e.kind = kind.to_string();
            e.at = report.at().or(r.ts);
            e.failed_since = None;
            e.tallies = report
                .samples
                .iter()
                .filter_map(|(n, v)| Some((n.strip_prefix(&prefix)?.to_string(), *v)))
                .filter(|(n, _)| n != "match" && !n.ends_with("_ok"))
                .collect();
            e.matched = report
                .samples
                .get(&format!("{prefix}match"))
                .map(|v| *v >= 1.0);
            e.differences = report.reason.clone();
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use crate::probe::recon::sql_outcome;
    use crate::probe::sql::{DiffKind, Difference, SqlResult};
    use crate::report::{markdown, Evidence, VerificationSummary};
    use serde_json::{json, Value};

    /// An `observe` record as the cockpit writes one for a sql attempt.
    fn observe(at: &str, dataset: &str, r: Result<&SqlResult, &str>) -> Value {
        let report = match r {
            Ok(r) => {
                let o = sql_outcome(dataset, r);
                let mut samples: serde_json::Map<String, Value> = o
                    .values
                    .iter()
                    .map(|(k, v)| (format!("recon.{dataset}.{k}"), json!(v)))
                    .collect();
                samples.insert(format!("recon.{dataset}.checksum_ok"), json!(1.0));
                json!({"probe": format!("recon.{dataset}.sql"), "ok": true, "at": at,
                       "reason": o.detail, "samples": samples})
            }
            Err(why) => json!({"probe": format!("recon.{dataset}.sql"), "ok": false, "at": at,
                   "reason": why, "samples": {format!("recon.{dataset}.checksum_ok"): 0.0}}),
        };
        json!({"kind": "observe", "ts": at, "body": {"reports": [report]}})
    }

    #[test]
    fn the_markdown_lists_each_datasets_final_reconciliation_pseudonymised() {
        let differing = SqlResult {
            source_count: 3000,
            target_count: 3000,
            missing: 1,
            changed: 1,
            rows_compared: 3000,
            differences: vec![
                Difference {
                    kind: DiffKind::Missing,
                    key: vec![Some("424242".into())],
                },
                Difference {
                    kind: DiffKind::Changed,
                    key: vec![Some("515151".into())],
                },
            ],
            ..SqlResult::default()
        };
        let same = SqlResult {
            source_count: 80,
            target_count: 80,
            rows_compared: 80,
            ..SqlResult::default()
        };
        let records = vec![
            // an earlier differing result of `lab` is superseded by its match
            observe("2026-11-28T22:00:00.000Z", "lab", Ok(&differing)),
            observe("2026-11-28T22:10:00.000Z", "lab", Ok(&same)),
            observe("2026-11-28T22:05:00.000Z", "adt", Ok(&differing)),
            observe(
                "2026-11-28T22:15:00.000Z",
                "adt",
                Err("target: query failed: statement timeout (30s) exceeded"),
            ),
        ];
        let e = Evidence::from_records(&records, VerificationSummary::default());
        let md = markdown(&e);
        let section = md
            .split("## Data reconciliation: final result per dataset")
            .nth(1)
            .expect("a reconciliation section");
        assert!(
            section.contains(
                "| adt | sql | DIFFERS | 2026-11-28 22:05:00Z | changed_rows 1, count_delta 0,"
            ),
            "{section}"
        );
        assert!(
            section.contains("| lab | sql | match | 2026-11-28 22:10:00Z |"),
            "{section}"
        );
        assert!(
            section.contains("- **adt** differences: 2 rows differ: 1 missing on target, 0 extra on target, 1 changed; missing \\#"),
            "{section}"
        );
        assert!(
            section.contains("- **adt**: the last attempt failed after this result: target: query failed: statement timeout (30s) exceeded"),
            "{section}"
        );
        assert!(!section.contains("**lab** differences"), "{section}");
        assert!(!md.contains("424242") && !md.contains("515151"), "{md}");
    }
}
