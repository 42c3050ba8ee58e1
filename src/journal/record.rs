//! One line of the cutover log, as written and as read back.

use super::canon::{self, Chain};
use super::signed::{self, SigMember};
use crate::core::entry::{Entry, EntryKind};
use crate::core::time::Ts;
use crate::sign::{Meaning, Unlocked};
use serde::{Deserialize, Serialize};

/// A record of the cutover log: the core's [`Entry`] plus what the journal adds
/// (`seq`, `ts`, `prev`, `hash`). Field order here is the order on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Counts from 0; record `seq` is on line `seq + 1`.
    pub seq: u64,
    /// UTC with milliseconds, `2026-11-28T22:41:07.113Z`.
    pub ts: String,
    pub kind: EntryKind,
    pub actor: String,
    pub phase: Option<String>,
    pub body: serde_json::Value,
    /// The previous record's `hash` (64 zeros for seq 0).
    pub prev: String,
    /// Lowercase hex SHA-256 or HMAC-SHA-256 (docs/log-format.md).
    pub hash: String,
}

/// The record without `hash`, in on-disk field order: what CANON serialises.
#[derive(Serialize)]
struct Unhashed<'a> {
    seq: u64,
    ts: &'a str,
    kind: EntryKind,
    actor: &'a str,
    phase: Option<&'a str>,
    body: &'a serde_json::Value,
    prev: &'a str,
}

impl Record {
    /// Seals `entry` as record `seq` after `prev`: returns it and its line (with `\n`).
    pub fn seal(entry: Entry, seq: u64, now: Ts, prev: &str, chain: &Chain) -> (Record, String) {
        let ts = now.to_rfc3339();
        let unhashed = Unhashed {
            seq,
            ts: &ts,
            kind: entry.kind,
            actor: &entry.actor,
            phase: entry.phase.as_deref(),
            body: &entry.body,
            prev,
        };
        // Serialising a Value-bearing struct with string keys cannot fail.
        let canon = canon::escape_extra(serde_json::to_string(&unhashed).unwrap_or_default());
        let hash = chain.hash(prev, canon.as_bytes());
        let line = canon::join_line(&canon, &hash);
        let record = Record {
            seq,
            ts,
            kind: entry.kind,
            actor: entry.actor,
            phase: entry.phase,
            body: entry.body,
            prev: prev.to_string(),
            hash,
        };
        (record, line)
    }

    /// [`Record::seal`] with a signature by `key`: the signature covers the
    /// unsigned canonical bytes (seq, ts and prev included) and is spliced in
    /// as the last member of `body` (docs/log-format.md, "Signatures").
    /// `None` when the body is not a JSON object.
    pub fn seal_signed(
        entry: Entry,
        seq: u64,
        now: Ts,
        prev: &str,
        chain: &Chain,
        key: &Unlocked,
        meaning: Meaning,
    ) -> Option<(Record, String)> {
        let unsigned = Record::unsigned_canon(&entry, seq, now, prev)?;
        let member = SigMember::sign(key, meaning, unsigned.as_bytes());
        Record::seal_with(entry, seq, now, prev, chain, &unsigned, &member)
    }

    /// The canonical bytes `entry` has as record `seq` after `prev` at `now`,
    /// unsigned: what a signature on it covers. `None` when the body is not
    /// a JSON object or already holds a `signature` member.
    pub fn unsigned_canon(entry: &Entry, seq: u64, now: Ts, prev: &str) -> Option<String> {
        if !entry.body.is_object() || entry.body.get("signature").is_some() {
            return None;
        }
        let ts = now.to_rfc3339();
        let unhashed = Unhashed {
            seq,
            ts: &ts,
            kind: entry.kind,
            actor: &entry.actor,
            phase: entry.phase.as_deref(),
            body: &entry.body,
            prev,
        };
        Some(canon::escape_extra(serde_json::to_string(&unhashed).ok()?))
    }

    /// Seals `entry` with a signature `member` made elsewhere (a follower's)
    /// over `unsigned` ([`Record::unsigned_canon`] of the same arguments).
    pub fn seal_with(
        entry: Entry,
        seq: u64,
        now: Ts,
        prev: &str,
        chain: &Chain,
        unsigned: &str,
        member: &SigMember,
    ) -> Option<(Record, String)> {
        let canon = signed::splice(unsigned, member)?;
        let hash = chain.hash(prev, canon.as_bytes());
        let line = canon::join_line(&canon, &hash);
        let mut body = entry.body;
        if let Some(b) = body.as_object_mut() {
            b.insert("signature".into(), member.json());
        }
        let record = Record {
            seq,
            ts: now.to_rfc3339(),
            kind: entry.kind,
            actor: entry.actor,
            phase: entry.phase,
            body,
            prev: prev.to_string(),
            hash,
        };
        Some((record, line))
    }

    /// The core's view of this record, for replay and resume.
    pub fn entry(&self) -> Entry {
        Entry {
            kind: self.kind,
            actor: self.actor.clone(),
            phase: self.phase.clone(),
            body: self.body.clone(),
        }
    }

    /// The record's time. `verify` guarantees it parses; an unparsable `ts`
    /// (only in logs read with `read_records` despite damage) gives `Ts(0)`.
    pub fn ts(&self) -> Ts {
        Ts::parse_rfc3339(&self.ts).unwrap_or(Ts(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sealed_line_reads_back_as_the_same_record_and_hash_covers_it() {
        let e = Entry {
            kind: EntryKind::Decision,
            actor: "dana".into(),
            phase: Some("parallel-run".into()),
            body: json!({"decision": "hold", "rationale": "bidi \u{202e} here"}),
        };
        let (rec, line) = Record::seal(
            e.clone(),
            3,
            Ts(1_795_000_000_123),
            canon::ZERO_HASH,
            &Chain::Sha256,
        );
        assert!(line.starts_with(r#"{"seq":3,"ts":""#), "{line}");
        assert!(line.contains(r"\u202e"), "{line}");
        assert!(line.ends_with("\"}\n"));
        let back: Record = serde_json::from_str(&line).unwrap();
        assert_eq!(back, rec);
        assert_eq!(back.entry(), e);
        assert_eq!(back.ts(), Ts(1_795_000_000_123));
        let (head, h) = canon::split_line(line.trim_end().as_bytes()).unwrap();
        assert!(canon::hash_matches(
            &canon::Hasher::Sha256,
            canon::ZERO_HASH,
            head,
            h
        ));
    }

    #[test]
    fn the_worked_example_in_docs_log_format_md_holds() {
        let e = Entry {
            kind: EntryKind::Open,
            actor: "dana".into(),
            phase: None,
            body: json!({"chain": "sha256", "operator": "dana"}),
        };
        let t0 = Ts::parse_rfc3339("2026-11-28T22:00:00Z").unwrap();
        let (rec, line) = Record::seal(e, 0, t0, canon::ZERO_HASH, &Chain::Sha256);
        assert_eq!(
            rec.hash,
            "dbe231f968e996600bc04c8cd04c003f6849fb647f1d277bac81138f19c7a2b2"
        );
        let doc = include_str!("../../docs/log-format.md");
        assert!(
            doc.contains(line.trim_end()),
            "docs/log-format.md shows another line"
        );
    }
}
