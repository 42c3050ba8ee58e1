//! The bodies the journal's own records carry: `open`, `resume`, `close`.

use serde::{Deserialize, Serialize};

/// `open` (record 0): everything replay and report need besides the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenBody {
    /// The runbook text, verbatim.
    pub runbook: String,
    /// Lowercase hex SHA-256 of `runbook`.
    pub runbook_sha256: String,
    /// The runbook path as given on the command line (absent in older logs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook_path: Option<String>,
    /// The config, re-serialised with every secret value redacted.
    pub config: String,
    /// Lowercase hex SHA-256 of the redacted `config`.
    pub config_sha256: String,
    /// Why the config could not be logged, if so.
    pub config_note: Option<String>,
    /// The config path as given on the command line (absent in older logs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_path: Option<String>,
    /// Who started the cockpit.
    pub operator: String,
    /// The machine it ran on.
    pub host: String,
    /// The program version that wrote the log.
    pub version: String,
    /// The body format version (1).
    pub log_format: u32,
    /// `sha256` or `hmac-sha256`: set by the journal when it creates the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// A dress rehearsal (`cutover rehearse`): every answer was simulated.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rehearsal: bool,
    /// A rehearsal's speed: its clock, and so every `ts` of its records,
    /// ran this many times wall speed from this record on (absent: 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
}

impl OpenBody {
    /// Whether the chain is keyed (HMAC-SHA-256).
    pub fn is_hmac(&self) -> bool {
        self.chain.as_deref() == Some("hmac-sha256")
    }
}

/// `resume`: a restart picked the log up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResumeBody {
    /// Who restarted the cockpit.
    pub operator: String,
    /// The machine it restarted on.
    pub host: String,
    /// The program version that resumed the log.
    pub version: String,
    /// A torn last line moved aside, or `null`.
    pub torn: Option<TornBody>,
    /// The action the log ended inside, completed from its decision record
    /// (absent when the log ended between actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut_action: Option<CutAction>,
    /// A resumed rehearsal's speed from this record on (absent: 1, or not a rehearsal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
}

/// A go whose `phase` records a crash cut off: its effect is taken from
/// the decision (docs/log-format.md, "Actions").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CutAction {
    /// The decision's seq.
    pub seq: u64,
    /// The decision's type (`go`).
    #[serde(rename = "type")]
    pub kind: String,
    /// How many of its records are missing.
    pub missing_records: usize,
}

/// A torn last line found on resume and where it went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TornBody {
    /// Byte offset of the torn line in the log.
    pub offset: u64,
    /// Its length in bytes.
    pub bytes: u64,
    /// The file it was moved to (`LOG.torn`, `LOG.torn.1`, ...).
    pub moved_to: String,
}

/// `close`: who closed the log, and the head it closes on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CloseBody {
    /// Who closed the cockpit.
    pub operator: String,
    /// The hash of the record before the close: set by the journal when it
    /// seals the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}
