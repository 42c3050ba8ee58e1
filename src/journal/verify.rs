//! Reading and verifying a cutover log: walk the chain line by line and name
//! the first damage (docs/log-format.md, "Verifying").

use super::chain_walk::{seq_mismatch, Line, Stop, Walker};
use super::checkpoint::Checkpoint;
pub use super::damage::{Damage, DamageKind, Summary, VerifyOutcome};
use super::error::JournalError;
use super::record::Record;
use super::signed::Roster;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Verifies the log at `path` and keeps its records. `Err` only when it
/// cannot be read (or is HMAC-chained and no key is given); damage is in the outcome.
pub fn verify_file(
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
) -> Result<VerifyOutcome, JournalError> {
    walk(path, key, checkpoint, true, None)
}

/// [`verify_file`] without keeping records: what `cutover verify` uses on big logs.
pub fn verify_summary(
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
) -> Result<VerifyOutcome, JournalError> {
    walk(path, key, checkpoint, false, None)
}

/// [`verify_summary`] that also checks every signature against `roster`, a
/// roster held elsewhere (`cutover verify --keys FILE`).
pub fn verify_summary_with_roster(
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
    roster: Option<Roster>,
) -> Result<VerifyOutcome, JournalError> {
    walk(path, key, checkpoint, false, roster)
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

fn walk(
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
    keep: bool,
    roster: Option<Roster>,
) -> Result<VerifyOutcome, JournalError> {
    let file = File::open(path).map_err(|e| JournalError::io(path, "open the log", e))?;
    let reader = BufReader::with_capacity(1 << 16, file);
    walk_reader(reader, path, key, checkpoint, keep, roster)
}

/// [`verify_file`] over bytes already in memory (e.g. the report's copy of
/// the log); `path` only names the log in messages.
pub fn verify_bytes(
    bytes: &[u8],
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
) -> Result<VerifyOutcome, JournalError> {
    walk_reader(bytes, path, key, checkpoint, true, None)
}

/// Bytes read per batch (whole lines; a longer line makes a longer batch).
/// Each line's own checks (parse, hash) are split over two threads; the
/// links between lines are then checked in order.
const CHUNK: usize = 4 << 20;

fn walk_reader(
    mut reader: impl BufRead,
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
    keep: bool,
    roster: Option<Roster>,
) -> Result<VerifyOutcome, JournalError> {
    let mut w = Walker::new(path, key, checkpoint, keep).with_roster(roster);
    let (mut offset, mut line_no, mut prev_offset) = (0u64, 0u64, 0u64);
    let mut damage = None;
    let mut chunk = Chunk::default();
    'batches: loop {
        chunk.fill(&mut reader, path)?;
        let batch = chunk.lines(&mut offset);
        if batch.is_empty() {
            break;
        }
        if line_no == 0 {
            w.prime(batch[0].bytes);
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
                    w.retract_last();
                    damage = mk(line_no - 1, prev_offset, kind, msg)
                }
                Err(Stop::SeqMismatch { seq }) => {
                    let rest = batch[i + 1..].iter().map(|l| l.bytes.to_vec());
                    let unread = std::io::BufReader::new(chunk.carry().chain(&mut reader));
                    let rest = rest.chain(unread.split(b'\n').map_while(Result::ok));
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

/// Whole lines read in one go, straight into one buffer, so that a line is
/// a slice of it rather than an allocation or a copy of its own (verify's
/// hot path).
#[derive(Default)]
struct Chunk {
    buf: Vec<u8>,
    /// Bytes read into `buf`.
    len: usize,
    /// The end of the last whole line; `end..len` starts a line not yet read to its end.
    end: usize,
    eof: bool,
}

impl Chunk {
    /// Reads at least [`CHUNK`] bytes (or to the end of the log) and at
    /// least one whole line, after the carried-over start of a line.
    fn fill(&mut self, reader: &mut impl Read, path: &Path) -> Result<(), JournalError> {
        self.buf.copy_within(self.end..self.len, 0);
        self.len -= self.end;
        self.end = 0;
        let mut newline_seen = memchr::memchr(b'\n', &self.buf[..self.len]).is_some();
        while !self.eof && (self.len < CHUNK || !newline_seen) {
            if self.buf.len() < self.len + CHUNK {
                self.buf.resize(self.len + CHUNK, 0);
            }
            let n = match reader.read(&mut self.buf[self.len..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(JournalError::io(path, "read the log", e)),
            };
            if n == 0 {
                self.eof = true;
                break;
            }
            let new = &self.buf[self.len..self.len + n];
            newline_seen = newline_seen || memchr::memchr(b'\n', new).is_some();
            self.len += n;
        }
        self.end = if self.eof {
            self.len
        } else {
            // the unfinished last line waits for the next chunk
            memchr::memrchr(b'\n', &self.buf[..self.len]).map_or(0, |i| i + 1)
        };
        Ok(())
    }

    /// The start of a line not read to its end yet.
    fn carry(&self) -> &[u8] {
        &self.buf[self.end..self.len]
    }

    /// The chunk's lines, advancing `offset` past them; at the end of the
    /// log a last line without `\n` is returned as incomplete.
    fn lines(&self, offset: &mut u64) -> Vec<Line<'_>> {
        let mut out = Vec::with_capacity(self.end / 256 + 1);
        let mut rest = &self.buf[..self.end];
        while !rest.is_empty() {
            let (bytes, complete, n) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], true, i + 1),
                None => (rest, false, rest.len()),
            };
            out.push(Line {
                bytes,
                complete,
                offset: *offset,
            });
            *offset += n as u64;
            rest = &rest[n..];
        }
        out
    }
}

fn empty_log() -> Damage {
    Damage {
        line: 1,
        offset: 0,
        kind: DamageKind::Truncated,
        message: "the log is empty: it does not even hold its `open` record".into(),
    }
}
