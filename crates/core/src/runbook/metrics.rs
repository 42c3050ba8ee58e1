//! Which metric names a `when` may use (docs/runbook.md): the fixed prefixes
//! without a config, and with a config only what its probes produce.

use crate::config::Config;
use crate::diag::did_you_mean;
use std::collections::HashSet;

/// Metric prefixes the project defines.
pub const PREFIXES: &[&str] = &[
    "source", "target", "recon", "cutover", "phase", "rollback", "issues",
];
/// Fields of `recon.<dataset>.*` that a checksum probe writes (the config's word).
pub use crate::config::recon::RECON_FIELDS;
/// Fields of `recon.<dataset>.*` of every reconciliation kind (checksum, sql, dicomweb).
pub fn all_recon_fields() -> Vec<&'static str> {
    use crate::config::recon::{DICOMWEB_FIELDS, SQL_FIELDS};
    let mut all: Vec<&str> = RECON_FIELDS.to_vec();
    all.extend(SQL_FIELDS.iter().chain(DICOMWEB_FIELDS));
    all
}

/// What is wrong with a metric name, and what would be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricProblem {
    /// What is wrong with the name; becomes the diagnostic's message.
    pub message: String,
    /// What would be right, shown as `= help:`; `None` when there is nothing useful to suggest.
    pub help: Option<String>,
}

fn problem(message: String, help: Option<String>) -> Result<(), MetricProblem> {
    Err(MetricProblem { message, help })
}

/// Where the metric names may come from.
pub struct MetricRules<'a> {
    /// Rollback scopes declared in the runbook.
    pub scopes: HashSet<&'a str>,
    /// The config (and its label for messages), when `--config` was given.
    pub config: Option<(&'a str, &'a Config)>,
}

impl MetricRules<'_> {
    /// Checks one metric name.
    pub fn check(&self, name: &str) -> Result<(), MetricProblem> {
        let segs: Vec<&str> = name.split('.').collect();
        match segs[0] {
            "source" | "target" => self.check_probe_metric(name, segs.len(), None),
            "recon" => self.check_probe_metric(name, segs.len(), segs.get(2).copied()),
            "cutover" | "issues" | "phase" => fixed(name, &segs, segs[0]),
            "rollback" => self.check_slack(name, &segs),
            other => problem(
                format!("unknown metric prefix `{other}` in `{name}`"),
                did_you_mean(other, PREFIXES.iter().copied()).or_else(|| {
                    Some(format!("a metric starts with one of: {}", PREFIXES.join(". ")) + ".")
                }),
            ),
        }
    }

    fn check_probe_metric(
        &self,
        name: &str,
        len: usize,
        recon_field: Option<&str>,
    ) -> Result<(), MetricProblem> {
        if len != 3 {
            let shape = if recon_field.is_some() || name.starts_with("recon") {
                "recon.<dataset>.<field>"
            } else {
                "<side>.<system>.<field>"
            };
            return problem(format!("metric `{name}` must have the form {shape}"), None);
        }
        if let Some(field) = recon_field {
            let all = all_recon_fields();
            if !all.contains(&field) {
                return problem(
                    format!("unknown reconciliation field `{field}` in `{name}`"),
                    did_you_mean(field, all.iter().copied())
                        .or_else(|| Some(format!("recon fields: {}", all.join(", ")))),
                );
            }
        }
        let Some((label, config)) = self.config else {
            return Ok(());
        };
        if config.known_metric(name) {
            return Ok(());
        }
        let names = config.probe_metric_names();
        problem(
            format!("no probe in {label} produces `{name}`"),
            did_you_mean(name, names.iter().map(String::as_str)).or_else(|| {
                Some("add a probe for this side/system/dataset, or use a metric it produces".into())
            }),
        )
    }

    fn check_slack(&self, name: &str, segs: &[&str]) -> Result<(), MetricProblem> {
        if segs.len() != 3 || segs[2] != "slack_min" {
            return problem(
                format!("metric `{name}` must have the form rollback.<scope>.slack_min"),
                None,
            );
        }
        if self.scopes.contains(segs[1]) {
            return Ok(());
        }
        problem(
            format!(
                "`{name}` names rollback scope `{}`, which has no [[rollback]] plan",
                segs[1]
            ),
            did_you_mean(segs[1], self.scopes.iter().copied()),
        )
    }
}

/// `prefix.<field>` exactly, one of the derived metrics the core defines.
fn fixed(name: &str, segs: &[&str], prefix: &str) -> Result<(), MetricProblem> {
    let fields: Vec<&str> = crate::derived::FIXED
        .iter()
        .filter_map(|n| n.strip_prefix(prefix)?.strip_prefix('.'))
        .collect();
    if segs.len() == 2 && fields.contains(&segs[1]) {
        return Ok(());
    }
    let field = segs.get(1..).map(|s| s.join(".")).unwrap_or_default();
    problem(
        format!("unknown metric `{name}`"),
        did_you_mean(&field, fields.iter().copied())
            .map(|h| {
                h.replace('`', "")
                    .replace("mean ", &format!("mean `{prefix}."))
            })
            .map(|h| h.replace('?', "`?"))
            .or_else(|| {
                Some(format!(
                    "{prefix} metrics: {}",
                    fields
                        .iter()
                        .map(|f| format!("{prefix}.{f}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> MetricRules<'static> {
        MetricRules {
            scopes: ["pause-writes"].into_iter().collect(),
            config: None,
        }
    }

    #[test]
    fn fixed_cockpit_metrics_are_checked_exactly() {
        let r = rules();
        assert!(r.check("cutover.remaining_min").is_ok());
        assert!(r.check("phase.elapsed_min").is_ok());
        assert!(r.check("issues.open_critical").is_ok());
        let e = r.check("cutover.remaining").unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `cutover.remaining_min`?")
        );
    }

    #[test]
    fn slack_needs_a_known_scope() {
        let r = rules();
        assert!(r.check("rollback.pause-writes.slack_min").is_ok());
        assert!(r.check("rollback.pause-write.slack_min").is_err());
    }

    #[test]
    fn unknown_prefixes_are_named() {
        let e = rules().check("targte.pacs.up").unwrap_err();
        assert!(e.message.contains("`targte`"));
        assert_eq!(e.help.as_deref(), Some("did you mean `target`?"));
    }

    #[test]
    fn recon_fields_are_fixed() {
        assert!(rules().check("recon.pacs-pilot.match").is_ok());
        assert!(rules().check("recon.pacs-pilot.matches").is_err());
    }
}
