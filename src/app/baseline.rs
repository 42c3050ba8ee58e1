//! `--baseline LOG...` (run and rehearse): earlier rehearsal or live logs of
//! the same runbook, each verified first, folded into a [`Baseline`] that
//! feeds `baseline(STAT, METRIC)` and the per-step P50/P90 durations.

use crate::app::start::StartError;
use crate::core::baseline::Baseline;
use crate::core::sanitize::inert;
use crate::journal;
use std::path::Path;
use std::sync::Arc;

/// Reads, verifies and folds `logs`; refuses (exit 1) a damaged log or one
/// made from another runbook, and names it.
pub fn load(logs: &[impl AsRef<Path>], runbook_text: &str) -> Result<Arc<Baseline>, StartError> {
    load_for_digest(logs, &journal::sha256_hex(runbook_text))
}

/// As [`load`], for the runbook whose SHA-256 is `ours` (the report knows
/// the run's runbook only by the digest in its open record).
pub fn load_for_digest(logs: &[impl AsRef<Path>], ours: &str) -> Result<Arc<Baseline>, StartError> {
    let key = journal::key_from_env().map_err(|e| StartError::Usage(e.to_string()))?;
    let mut baseline = Baseline::default();
    for log in logs {
        let log = log.as_ref();
        let name = inert(&log.display().to_string());
        let outcome = journal::verify_file(log, key.clone(), None)
            .map_err(|e| StartError::Usage(format!("--baseline {name}: {e}")))?;
        if let Some(d) = outcome.damage {
            return Err(StartError::Refused(format!(
                "--baseline {name}:{}: does not verify ({}): {}",
                d.line, d.kind, d.message
            )));
        }
        match outcome.summary.runbook_digest.as_deref() {
            Some(d) if d == ours => {}
            other => {
                return Err(StartError::Refused(format!(
                    "--baseline {name}: was made from a different runbook (log digest {}, this runbook {ours})",
                    other.unwrap_or("missing")
                )))
            }
        }
        let entries: Vec<_> = outcome
            .records
            .iter()
            .map(|r| (r.ts(), r.entry()))
            .collect();
        baseline.add_run(entries.iter().map(|(ts, e)| (*ts, e)));
    }
    Ok(Arc::new(baseline))
}
