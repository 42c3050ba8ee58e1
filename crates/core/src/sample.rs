//! Measurements as they arrive from probes.

use crate::time::Ts;
use serde::{Deserialize, Serialize};

/// One metric value at one time, e.g. `target.pacs.latency_ms = 412` at `ts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The metric name (`<side>.<system>.<field>`, `recon.<dataset>.<field>`, ...).
    pub name: String,
    /// When it was measured.
    pub ts: Ts,
    /// The value as measured.
    pub value: f64,
}

/// The outcome of one probe attempt, as the probe engine reports it to the core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeReport {
    /// Stable label of the probe, e.g. `target.pacs.health` or `recon.pacs-pilot.checksum`.
    pub probe: String,
    /// When the attempt finished.
    pub ts: Ts,
    /// Whether the attempt succeeded (the `<kind>_ok` sample says the same).
    pub ok: bool,
    /// Why it failed, short and already made inert (e.g. "timeout after 2s"); `None` on success.
    pub reason: Option<String>,
    /// Every sample this attempt produced, including `<kind>_ok`.
    pub samples: Vec<Sample>,
}

impl ProbeReport {
    /// A successful attempt at `ts` with these `(name, value)` samples, all
    /// taken at `ts` (tests and benches that stand in for the probe engine).
    pub fn ok_with(probe: &str, ts: Ts, samples: &[(&str, f64)]) -> ProbeReport {
        ProbeReport {
            probe: probe.into(),
            ts,
            ok: true,
            reason: None,
            samples: samples
                .iter()
                .map(|(name, value)| Sample {
                    name: (*name).into(),
                    ts,
                    value: *value,
                })
                .collect(),
        }
    }
}
