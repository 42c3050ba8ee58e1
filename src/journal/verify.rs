//! Reading and verifying a cutover log: walk the chain line by line and name
//! the first damage (docs/log-format.md, "Verifying").

use super::canon::{self, Chain, ZERO_HASH};
use super::checkpoint::Checkpoint;
pub use super::damage::{Damage, DamageKind, Summary, VerifyOutcome};
use super::error::JournalError;
use super::record::Record;
use crate::core::entry::EntryKind;
use crate::core::time::Ts;
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Verifies the log at `path` and keeps its records. `Err` only when it
/// cannot be read (or is HMAC-chained and no key is given); damage is in the outcome.
pub fn verify_file(
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
) -> Result<VerifyOutcome, JournalError> {
    walk(path, key, checkpoint, true)
}

/// [`verify_file`] without keeping records: what `cutover verify` uses on big logs.
pub fn verify_summary(
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
) -> Result<VerifyOutcome, JournalError> {
    walk(path, key, checkpoint, false)
}

/// Every line that parses as a record, in file order, damage or not (for
/// `replay --force` and `report --force`; use [`verify_file`] to trust them).
pub fn read_records(path: &Path) -> Result<Vec<Record>, JournalError> {
    let file = File::open(path).map_err(|e| JournalError::io(path, "open the log", e))?;
    let mut out = Vec::new();
    for line in BufReader::new(file).split(b'\n') {
        let line = line.map_err(|e| JournalError::io(path, "read the log", e))?;
        if let Ok(r) = serde_json::from_slice::<Record>(&line) {
            out.push(r);
        }
    }
    Ok(out)
}

/// The fields verification needs, body skipped (fast path).
#[derive(Deserialize)]
struct Light {
    seq: u64,
    ts: String,
    kind: EntryKind,
    actor: String,
    #[serde(default, rename = "phase")]
    _phase: Option<IgnoredAny>,
    #[serde(rename = "body")]
    _body: IgnoredAny,
    prev: String,
}

#[derive(Deserialize)]
struct SeqOnly {
    seq: u64,
}

/// How one line ended the walk.
enum Stop {
    Damage(DamageKind, String),
    /// Damage reported on the line before this one.
    DamageBefore(DamageKind, String),
    /// `seq` is not the expected one: look ahead to tell missing from reordered.
    SeqMismatch {
        seq: u64,
    },
    Fatal(JournalError),
}

struct Walker<'p> {
    path: &'p Path,
    key: Option<Vec<u8>>,
    chain: Chain,
    checkpoint: Option<Checkpoint>,
    keep: bool,
    expected_seq: u64,
    prev: String,
    records: Vec<Record>,
    summary: Summary,
}

fn walk(
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
    keep: bool,
) -> Result<VerifyOutcome, JournalError> {
    let file = File::open(path).map_err(|e| JournalError::io(path, "open the log", e))?;
    let reader = BufReader::with_capacity(1 << 16, file);
    walk_reader(reader, path, key, checkpoint, keep)
}

/// [`verify_file`] over bytes already in memory (e.g. the report's copy of
/// the log); `path` only names the log in messages.
pub fn verify_bytes(
    bytes: &[u8],
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
) -> Result<VerifyOutcome, JournalError> {
    walk_reader(bytes, path, key, checkpoint, true)
}

/// Lines verified per batch. Each line's own checks (parse, hash) are split
/// over two threads; the links between lines are then checked in order.
const BATCH: usize = 4096;

/// One line as read: without its `\n`, whether it had one, where it starts.
struct Line {
    bytes: Vec<u8>,
    complete: bool,
    offset: u64,
}

/// What one line says on its own: parsed, and its hash right.
struct Facts {
    light: Light,
    record: Option<Record>,
    hash: String,
}

fn walk_reader(
    mut reader: impl BufRead,
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
    keep: bool,
) -> Result<VerifyOutcome, JournalError> {
    let mut w = Walker {
        path,
        chain: Chain::from_key(key.clone()),
        key,
        checkpoint,
        keep,
        expected_seq: 0,
        prev: ZERO_HASH.to_string(),
        records: Vec::new(),
        summary: Summary::default(),
    };
    let (mut offset, mut line_no, mut prev_offset) = (0u64, 0u64, 0u64);
    let mut damage = None;
    'batches: loop {
        let batch = read_batch(&mut reader, path, &mut offset)?;
        if batch.is_empty() {
            break;
        }
        let facts = w.facts_of(&batch, line_no);
        for (i, (line, fact)) in batch.iter().zip(facts).enumerate() {
            line_no += 1;
            let mk = |line, offset, kind, message| {
                Some(Damage {
                    line,
                    offset,
                    kind,
                    message,
                })
            };
            match fact.and_then(|f| w.link(f)) {
                Ok(()) => {
                    prev_offset = line.offset;
                    continue;
                }
                Err(Stop::Fatal(e)) => return Err(e),
                Err(Stop::Damage(kind, msg)) => damage = mk(line_no, line.offset, kind, msg),
                Err(Stop::DamageBefore(kind, msg)) => {
                    damage = mk(line_no - 1, prev_offset, kind, msg)
                }
                Err(Stop::SeqMismatch { seq }) => {
                    let rest = batch[i + 1..].iter().map(|l| l.bytes.clone());
                    let rest = rest.chain((&mut reader).split(b'\n').map_while(Result::ok));
                    let (kind, msg) = seq_mismatch(rest, w.expected_seq, seq, line_no);
                    damage = mk(line_no, line.offset, kind, msg);
                }
            }
            break 'batches;
        }
    }
    let damage = damage
        .or_else(|| w.truncated(line_no, offset))
        .or_else(|| (w.summary.count == 0).then(empty_log));
    w.summary.chain = w.chain.name().to_string();
    Ok(VerifyOutcome {
        records: w.records,
        summary: w.summary,
        damage,
    })
}

/// Reads up to [`BATCH`] lines, advancing `offset` past them.
fn read_batch(
    reader: &mut impl BufRead,
    path: &Path,
    offset: &mut u64,
) -> Result<Vec<Line>, JournalError> {
    let mut out = Vec::with_capacity(BATCH);
    while out.len() < BATCH {
        let mut bytes = Vec::new();
        let n = reader
            .read_until(b'\n', &mut bytes)
            .map_err(|e| JournalError::io(path, "read the log", e))?;
        if n == 0 {
            break;
        }
        let complete = bytes.last() == Some(&b'\n');
        if complete {
            bytes.pop();
        }
        out.push(Line {
            bytes,
            complete,
            offset: *offset,
        });
        *offset += n as u64;
    }
    Ok(out)
}

fn empty_log() -> Damage {
    Damage {
        line: 1,
        offset: 0,
        kind: DamageKind::Truncated,
        message: "the log is empty: it does not even hold its `open` record".into(),
    }
}

fn torn_message(len: usize, offset: u64) -> String {
    format!(
        "the last line ({len} bytes at byte offset {offset}) has no newline: a write was cut off \
         (crash mid-write); `cutover run` moves it aside to LOG.torn"
    )
}

impl Walker<'_> {
    /// Every line's own facts, in order; the second half on another thread.
    fn facts_of(&self, batch: &[Line], lines_before: u64) -> Vec<Result<Facts, Stop>> {
        let local = |(i, l): (usize, &Line)| self.local(l, lines_before + 1 + i as u64);
        let mid = batch.len() / 2;
        if mid < 128 {
            return batch.iter().enumerate().map(local).collect();
        }
        std::thread::scope(|s| {
            let other = s.spawn(|| {
                let tail = batch[mid..].iter().enumerate();
                tail.map(|(i, l)| local((i + mid, l))).collect::<Vec<_>>()
            });
            let mut facts: Vec<_> = batch[..mid].iter().enumerate().map(local).collect();
            match other.join() {
                Ok(tail) => facts.extend(tail),
                // a panic there is a bug; redo the work here rather than lose it
                Err(_) => facts.extend(batch.iter().enumerate().skip(mid).map(local)),
            }
            facts
        })
    }

    /// The checks that need only the line itself (and the key).
    fn local(&self, line: &Line, line_no: u64) -> Result<Facts, Stop> {
        if !line.complete {
            let msg = torn_message(line.bytes.len(), line.offset);
            return Err(Stop::Damage(DamageKind::Torn, msg));
        }
        let line = line.bytes.as_slice();
        let bad = |m: String| Stop::Damage(DamageKind::BadJson, m);
        let (light, record) = if self.keep || line_no == 1 {
            let r: Record =
                serde_json::from_slice(line).map_err(|e| bad(format!("not a log record: {e}")))?;
            let l = Light {
                seq: r.seq,
                ts: r.ts.clone(),
                kind: r.kind,
                actor: r.actor.clone(),
                _phase: None,
                _body: IgnoredAny,
                prev: r.prev.clone(),
            };
            (l, Some(r))
        } else {
            let l: Light =
                serde_json::from_slice(line).map_err(|e| bad(format!("not a log record: {e}")))?;
            (l, None)
        };
        let (head, hash) = canon::split_line(line).ok_or_else(|| {
            bad("the line does not end in the `,\"hash\":\"<64 hex>\"}` member docs/log-format.md requires".into())
        })?;
        if Ts::parse_rfc3339(&light.ts).is_none() {
            return Err(bad(format!(
                "ts \"{}\" is not an RFC 3339 time",
                crate::core::sanitize::inert(&light.ts)
            )));
        }
        if line_no == 1 {
            self.pick_chain(record.as_ref())?;
        }
        self.check_hash(&light, head, hash, line_no)?;
        let hash = hash.to_string();
        Ok(Facts {
            light,
            record,
            hash,
        })
    }

    /// The checks between lines: seq order, the `prev` link, the checkpoint.
    fn link(&mut self, f: Facts) -> Result<(), Stop> {
        let (light, hash) = (&f.light, f.hash.as_str());
        let line_no = self.expected_seq + 1;
        if light.seq != self.expected_seq {
            return Err(Stop::SeqMismatch { seq: light.seq });
        }
        if light.prev != self.prev {
            return Err(relinked(line_no, &light.prev, &self.prev));
        }
        if let Some(cp) = &self.checkpoint {
            if cp.seq == light.seq && cp.hash != hash {
                return Err(Stop::Damage(DamageKind::Forged, format!(
                    "record seq {} has hash {hash}, but the checkpoint {cp} held elsewhere says otherwise: \
                     the log was rewritten after that checkpoint", light.seq)));
            }
        }
        self.accept(f.light, f.record, &f.hash);
        Ok(())
    }

    /// Without a key, the `open` record says which chain to check; a keyed
    /// chain cannot be checked without its key.
    fn pick_chain(&self, open: Option<&Record>) -> Result<(), Stop> {
        if self.key.is_some() {
            return Ok(());
        }
        let claims_hmac = open.is_some_and(|r| {
            r.kind == EntryKind::Open
                && r.body.get("chain").and_then(|c| c.as_str()) == Some("hmac-sha256")
        });
        if claims_hmac {
            return Err(Stop::Fatal(JournalError::KeyRequired {
                path: self.path.to_path_buf(),
            }));
        }
        Ok(())
    }

    fn check_hash(&self, light: &Light, head: &[u8], hash: &str, line_no: u64) -> Result<(), Stop> {
        if canon::hash_matches(&self.chain, &light.prev, head, hash) {
            return Ok(());
        }
        if self.key.is_some() && canon::hash_matches(&Chain::Sha256, &light.prev, head, hash) {
            return Err(Stop::Damage(DamageKind::Forged, format!(
                "record seq {} carries a plain SHA-256 hash, but CUTOVER_LOG_KEY is set and HMAC-SHA-256 \
                 is required: the record was made or rewritten without the key", light.seq)));
        }
        let hint = if line_no == 1 && self.key.is_some() {
            " (or CUTOVER_LOG_KEY is not the key this log was written with)"
        } else {
            ""
        };
        Err(Stop::Damage(DamageKind::Edited, format!(
            "record seq {} does not match its hash: the line was changed after it was written{hint}",
            light.seq)))
    }

    fn accept(&mut self, light: Light, record: Option<Record>, hash: &str) {
        let s = &mut self.summary;
        s.count += 1;
        if s.first_ts.is_none() {
            s.first_ts = Some(light.ts.clone());
        }
        if light.kind == EntryKind::Decision {
            *s.decisions_by_actor.entry(light.actor).or_insert(0) += 1;
        }
        if light.kind == EntryKind::Open && s.runbook_digest.is_none() {
            s.runbook_digest = record
                .as_ref()
                .and_then(|r| r.body.get("runbook_sha256"))
                .and_then(|d| d.as_str())
                .map(str::to_string);
        }
        if let Some(cp) = &self.checkpoint {
            if cp.seq == light.seq {
                s.checkpoint_matched = Some(cp.clone());
            }
        }
        s.last_ts = Some(light.ts);
        s.head_hash = Some(hash.to_string());
        self.prev = hash.to_string();
        self.expected_seq += 1;
        if let (true, Some(r)) = (self.keep, record) {
            self.records.push(r);
        }
    }

    /// No damage in the chain, but a checkpoint names a record past its end.
    fn truncated(&self, lines: u64, _offset: u64) -> Option<Damage> {
        let cp = self.checkpoint.as_ref()?;
        if cp.seq < self.summary.count {
            return None;
        }
        Some(Damage {
            line: lines + 1,
            offset: _offset,
            kind: DamageKind::Truncated,
            message: format!(
                "the log ends after seq {}, but the checkpoint {cp} held elsewhere names seq {}: \
                 its tail was cut off",
                self.summary.count as i64 - 1,
                cp.seq
            ),
        })
    }
}

/// A record whose own hash is right but whose `prev` does not link: the
/// record before it was rewritten and re-hashed.
fn relinked(line_no: u64, found: &str, expected: &str) -> Stop {
    if line_no == 1 {
        return Stop::Damage(DamageKind::Forged, format!(
            "the first record's prev is {found}, not 64 zeros: records before it were cut off and the chain re-hashed"));
    }
    Stop::DamageBefore(DamageKind::Forged, format!(
        "this record's hash ({expected}) was recomputed after an edit: the next line's prev still names {found}"))
}

/// Looks ahead for the expected seq to tell a deleted record from a moved one.
fn seq_mismatch(
    rest: impl Iterator<Item = Vec<u8>>,
    expected: u64,
    seq: u64,
    line_no: u64,
) -> (DamageKind, String) {
    let later = rest
        .filter_map(|l| serde_json::from_slice::<SeqOnly>(&l).ok())
        .any(|s| s.seq == expected);
    if later {
        return (DamageKind::Reordered, format!(
            "record seq {seq} is on line {line_no}, where seq {expected} belongs (seq {expected} comes later): records were moved"));
    }
    if seq > expected {
        let gap = seq - expected;
        return (
            DamageKind::Missing,
            format!(
                "seq jumps from {} to {seq}: {gap} record(s) before this line were deleted",
                expected as i64 - 1
            ),
        );
    }
    (DamageKind::Reordered, format!(
        "record seq {seq} appears again on line {line_no} (it belongs on line {}): a record was copied or moved", seq + 1))
}
