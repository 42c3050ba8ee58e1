//! What verifying a log finds: the first damage and a summary of the intact part.

use super::checkpoint::Checkpoint;
use super::record::Record;
use std::collections::BTreeMap;

/// What kind of damage a log has (the word `cutover verify` prints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamageKind {
    /// A record's content no longer matches its hash.
    Edited,
    /// Records were deleted (seq jumps).
    Missing,
    /// Records are out of order (or repeated).
    Reordered,
    /// The log ends before a checkpoint held elsewhere.
    Truncated,
    /// A hash was recomputed: plain SHA-256 where HMAC is required, a chain
    /// that no longer links, or a record that differs from a checkpoint.
    Forged,
    /// A line that is not a record (not JSON, fields missing, not canonical).
    BadJson,
    /// The last line has no newline: a write cut off by a crash.
    Torn,
}

impl std::fmt::Display for DamageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DamageKind::Edited => "edited",
            DamageKind::Missing => "missing",
            DamageKind::Reordered => "reordered",
            DamageKind::Truncated => "truncated",
            DamageKind::Forged => "forged",
            DamageKind::BadJson => "bad_json",
            DamageKind::Torn => "torn",
        })
    }
}

/// The first damage found: 1-based line, byte offset of that line, kind, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub line: u64,
    pub offset: u64,
    pub kind: DamageKind,
    pub message: String,
}

/// What the intact part of the log says (everything before any damage).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub count: u64,
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    pub decisions_by_actor: BTreeMap<String, u64>,
    pub head_hash: Option<String>,
    /// `runbook_sha256` of the `open` record.
    pub runbook_digest: Option<String>,
    /// `sha256` or `hmac-sha256`: the chain that was checked.
    pub chain: String,
    /// The checkpoint given, when the log still contains it.
    pub checkpoint_matched: Option<Checkpoint>,
    /// Signatures checked in the intact part (docs/log-format.md, "Signatures").
    pub signatures: super::sig_walk::SigSummary,
}

impl Summary {
    /// Adds the summary of the records that follow this one's (a later
    /// chunk of the same log, walked on its own).
    pub(super) fn append(&mut self, later: Summary) {
        self.count += later.count;
        if self.first_ts.is_none() {
            self.first_ts = later.first_ts;
        }
        if later.last_ts.is_some() {
            self.last_ts = later.last_ts;
        }
        for (actor, n) in later.decisions_by_actor {
            *self.decisions_by_actor.entry(actor).or_insert(0) += n;
        }
        if later.head_hash.is_some() {
            self.head_hash = later.head_hash;
        }
        if self.runbook_digest.is_none() {
            self.runbook_digest = later.runbook_digest;
        }
        if later.checkpoint_matched.is_some() {
            self.checkpoint_matched = later.checkpoint_matched;
        }
        self.signatures.append(later.signatures);
    }
}

/// The result of walking a log.
#[derive(Debug, Clone)]
pub struct VerifyOutcome {
    /// The intact records (empty from [`verify_summary`]).
    pub records: Vec<Record>,
    pub summary: Summary,
    pub damage: Option<Damage>,
}
