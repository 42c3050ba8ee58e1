//! `observe`: the probe reports since the last record.

use crate::time::Ts;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// `observe`: every probe report since the last record, in arrival order,
/// so a poll round costs one record's envelope, not one per probe.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ObserveBody {
    /// The reports, oldest first.
    pub reports: Vec<ReportBody>,
}

impl ObserveBody {
    /// Reads an `observe` body: a batch, or (logs written before batching)
    /// one report as the whole body. `None` when it is neither.
    pub fn read(body: &Value) -> Option<ObserveBody> {
        match body.get("reports") {
            Some(_) => super::read(body),
            None => super::read(body).map(|r| ObserveBody { reports: vec![r] }),
        }
    }
}

/// One probe report: `samples` (name -> value) all taken at `at`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportBody {
    /// The probe's name (`side.system.kind`).
    pub probe: String,
    /// Whether the probe succeeded.
    pub ok: bool,
    /// When the samples were taken (RFC 3339, UTC, milliseconds).
    pub at: String,
    /// Why the probe failed; `null` when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Metric name -> value; only finite values (JSON has no NaN).
    pub samples: BTreeMap<String, f64>,
}

impl ReportBody {
    /// `at` as a time, if it parses.
    pub fn at(&self) -> Option<Ts> {
        Ts::parse_rfc3339(&self.at)
    }
}
