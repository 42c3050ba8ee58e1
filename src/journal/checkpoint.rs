//! Anchored checkpoints: `(seq, head hash, time)` published outside
//! the log so a cut-off or rewritten tail can be detected later.

use super::sidecar::sidecar;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// A point of the chain held elsewhere: record `seq` had hash `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: u64,
    pub hash: String,
    /// When it was taken (the record's `ts`); informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<String>,
}

impl std::fmt::Display for Checkpoint {
    /// `SEQ:HASH`, the form `cutover verify --checkpoint` takes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl Checkpoint {
    /// Parses `SEQ:HASH` (hash: 64 hex digits, any case).
    pub fn parse_literal(s: &str) -> Option<Checkpoint> {
        let (seq, hash) = s.trim().split_once(':')?;
        let seq = seq.parse().ok()?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Checkpoint {
            seq,
            hash: hash.to_ascii_lowercase(),
            ts: None,
        })
    }

    /// Reads `--checkpoint ARG`: a literal `SEQ:HASH`, else a file holding
    /// either that or the JSON sidecar the journal writes.
    pub fn from_arg(arg: &str) -> Result<Checkpoint, String> {
        if let Some(c) = Self::parse_literal(arg) {
            return Ok(c);
        }
        let text = std::fs::read_to_string(arg).map_err(|e| {
            format!("--checkpoint {arg}: not SEQ:HASH (64 hex digits) and not a readable file: {e}")
        })?;
        if let Some(c) = Self::parse_literal(&text) {
            return Ok(c);
        }
        let c: Checkpoint = serde_json::from_str(&text).map_err(|e| {
            format!("{arg}: not a checkpoint (expected SEQ:HASH or {{\"seq\":N,\"hash\":\"<hex>\"}}): {e}")
        })?;
        Self::parse_literal(&c.to_string())
            .map(|p| Checkpoint {
                ts: c.ts.clone(),
                ..p
            })
            .ok_or_else(|| format!("{arg}: checkpoint hash must be 64 hex digits"))
    }

    /// Replaces `LOG.checkpoint` atomically (write a temp file, rename).
    ///
    /// Not fsynced on purpose: it is written only after the records it names
    /// are durable, a stale one is still a true statement, and a second fsync
    /// per decision would double the decision latency.
    pub fn write_sidecar(&self, log: &Path) -> std::io::Result<()> {
        let path = sidecar(log, ".checkpoint");
        let tmp = sidecar(log, ".checkpoint.tmp");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        let json = serde_json::to_string(self).unwrap_or_default();
        f.write_all(format!("{json}\n").as_bytes())?;
        std::fs::rename(&tmp, &path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_json_forms_parse() {
        let h = "AB".repeat(32);
        let c = Checkpoint::parse_literal(&format!("12:{h}")).unwrap();
        assert_eq!(c.seq, 12);
        assert_eq!(c.hash, "ab".repeat(32));
        assert!(Checkpoint::parse_literal("12:abc").is_none());
        assert!(Checkpoint::parse_literal("x:abc").is_none());
        let err = Checkpoint::from_arg("/nonexistent/cp").unwrap_err();
        assert!(err.contains("not SEQ:HASH"), "{err}");
    }
}
