//! The chain walk on two threads. The log is read in chunks of whole lines;
//! each chunk is walked on its own by whichever thread is free (every line's
//! checks, and the links between its lines), and the walks are put back in
//! file order, where the one link between two chunks is checked: the first
//! record's `prev` against the last hash before it. Hashing and checking a
//! line need nothing from the lines before it; only that link does.
//!
//! The verdict, its line and offset, the counts and the head of the intact
//! part are the ones a walk on one thread finds: a chunk's walk assumes
//! every line before it is intact (its first seq is its first line number
//! less one), and a damage before it ends the whole walk there anyway.

use super::chain_walk::{relinked, seq_mismatch, Line, Stop, Walker};
use super::damage::{Damage, DamageKind, Summary, VerifyOutcome};
use super::error::JournalError;
use super::record::Record;
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};

/// Walks the log `reader` holds, reading about `chunk` bytes at a time;
/// `w` is the walk's setup (key, checkpoint, roster, keep).
pub(super) fn walk(
    reader: impl Read + Send,
    mut w: Walker<'_>,
    chunk: usize,
) -> Result<VerifyOutcome, JournalError> {
    let mut feed = Feed {
        reader,
        chunk: chunk.max(1),
        carry: Vec::new(),
        eof: false,
        done: false,
        next: 0,
        offset: 0,
        lines: 0,
    };
    let first = feed.next_job(Vec::new(), w.path())?;
    let mut stitch = Stitch::default();
    if let Some(job) = first {
        if let Some(line) = job.lines().next() {
            w.prime(line.bytes);
        }
        stitch.summary = w.summary.clone();
        if feed.done {
            // the whole log in one chunk: no thread to start
            let walked = walk_chunk(&w, &job);
            stitch.add(Done::Walked(job, Box::new(walked)));
        } else {
            feed = on_two_threads(feed, &w, job, &mut stitch);
        }
    }
    if let Some(last) = stitch.pending.take() {
        stitch.count_in(last);
    }
    let Stitch {
        mut summary,
        records,
        damage,
        later,
        ..
    } = stitch;
    let damage = match damage {
        Some(End::Failed(e)) => return Err(e),
        Some(End::Damage(d)) => Some(d),
        Some(End::Look { job, at, seq }) => {
            // deleted or moved: look for the expected seq further on
            let after = job.lines().skip_while(|l| l.offset <= at.offset);
            let later = later.iter().flat_map(|j| j.lines());
            let rest = after.chain(later).map(|l| l.bytes.to_vec());
            let unread = std::io::BufReader::new((&feed.carry[..]).chain(&mut feed.reader));
            let rest = rest.chain(unread.split(b'\n').map_while(Result::ok));
            let (kind, message) = seq_mismatch(rest, at.line - 1, seq, at.line);
            Some(Damage {
                line: at.line,
                offset: at.offset,
                kind,
                message,
            })
        }
        None => None,
    };
    let damage = damage
        .or_else(|| w.truncated(summary.count, feed.lines, feed.offset))
        .or_else(|| (summary.count == 0).then(empty_log));
    summary.chain = w.chain.name().to_string();
    Ok(VerifyOutcome {
        records,
        summary,
        damage,
    })
}

/// Two workers take the next chunk from `feed` in turn and walk it; this
/// thread puts their walks back in order as they come.
fn on_two_threads<'p, R: Read + Send>(
    feed: Feed<R>,
    w: &Walker<'p>,
    first: Job,
    stitch: &mut Stitch<'p>,
) -> Feed<R> {
    let path = w.path();
    let shared = Mutex::new((feed, Some(first)));
    // a damage ends the walk: no more chunks are read after one is found
    let stop = AtomicBool::new(false);
    // buffers of chunks already put in order, for the next ones
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let (tx, rx) = mpsc::channel::<Done>();
    std::thread::scope(|s| {
        for _ in 0..2 {
            let (tx, shared, stop, spare) = (tx.clone(), &shared, &stop, &spare);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let buf = lock(spare).pop().unwrap_or_default();
                    let job = {
                        let mut g = lock(shared);
                        match g.1.take() {
                            Some(first) => Ok(Some(first)),
                            None => g.0.next_job(buf, path).map_err(|e| (g.0.next, e)),
                        }
                    };
                    let done = match job {
                        Ok(None) => break,
                        Ok(Some(job)) => {
                            let walked = walk_chunk(w, &job);
                            if walked.ending.is_some() {
                                stop.store(true, Ordering::Relaxed);
                            }
                            Done::Walked(job, Box::new(walked))
                        }
                        Err((index, e)) => {
                            stop.store(true, Ordering::Relaxed);
                            Done::Failed(index, e)
                        }
                    };
                    if tx.send(done).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // chunks that came before their turn
        let mut waiting = BTreeMap::new();
        let mut turn = 0;
        for done in rx {
            waiting.insert(done.index(), done);
            while let Some(done) = waiting.remove(&turn) {
                turn += 1;
                if let Some(buf) = stitch.add(done) {
                    lock(&spare).push(buf);
                }
            }
        }
    });
    shared
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .0
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // a worker that panicked holding it is a bug the scope re-raises
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The log as chunks of whole lines, numbered in file order.
struct Feed<R> {
    reader: R,
    chunk: usize,
    /// The start of a line not read to its end yet.
    carry: Vec<u8>,
    eof: bool,
    /// Nothing more to hand out (end of the log, or a read failed).
    done: bool,
    /// The next chunk's number, byte offset and lines before it.
    next: usize,
    offset: u64,
    lines: u64,
}

/// One chunk: `buf[..end]` holds its whole lines.
struct Job {
    index: usize,
    buf: Vec<u8>,
    end: usize,
    offset: u64,
    lines_before: u64,
}

impl Job {
    /// The chunk's lines; at the end of the log a last line without `\n`
    /// is incomplete.
    fn lines(&self) -> impl Iterator<Item = Line<'_>> {
        let mut rest = &self.buf[..self.end];
        let mut offset = self.offset;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let (bytes, complete, n) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], true, i + 1),
                None => (rest, false, rest.len()),
            };
            let line = Line {
                bytes,
                complete,
                offset,
            };
            offset += n as u64;
            rest = &rest[n..];
            Some(line)
        })
    }
}

impl<R: Read> Feed<R> {
    /// Reads the next chunk into `buf` (reused: its old bytes are only
    /// overwritten): at least `chunk` bytes or to the end of the log, and at
    /// least one whole line, after the carried-over start of a line.
    fn next_job(
        &mut self,
        mut buf: Vec<u8>,
        path: &std::path::Path,
    ) -> Result<Option<Job>, JournalError> {
        if self.done {
            return Ok(None);
        }
        let mut len = self.carry.len();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        buf[..len].copy_from_slice(&self.carry);
        let mut newline_seen = memchr::memchr(b'\n', &buf[..len]).is_some();
        while !self.eof && (len < self.chunk || !newline_seen) {
            if buf.len() < len + self.chunk {
                buf.resize(len + self.chunk, 0);
            }
            let n = match self.reader.read(&mut buf[len..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Err(JournalError::io(path, "read the log", e));
                }
            };
            if n == 0 {
                self.eof = true;
                break;
            }
            newline_seen = newline_seen || memchr::memchr(b'\n', &buf[len..len + n]).is_some();
            len += n;
        }
        let end = if self.eof {
            self.done = true;
            len
        } else {
            // the unfinished last line waits for the next chunk
            memchr::memrchr(b'\n', &buf[..len]).map_or(0, |i| i + 1)
        };
        self.carry.clear();
        self.carry.extend_from_slice(&buf[end..len]);
        if end == 0 {
            return Ok(None);
        }
        let torn = u64::from(buf[end - 1] != b'\n');
        let lines = memchr::memchr_iter(b'\n', &buf[..end]).count() as u64 + torn;
        let job = Job {
            index: self.next,
            buf,
            end,
            offset: self.offset,
            lines_before: self.lines,
        };
        self.next += 1;
        self.offset += end as u64;
        self.lines += lines;
        Ok(Some(job))
    }
}

/// Where a chunk's walk stopped.
struct At {
    line: u64,
    offset: u64,
}

/// How a chunk's walk ended, when not at its last line.
enum Ending {
    Damage(Damage),
    /// A seq out of place at `at`: whether the expected one comes later
    /// decides missing or reordered.
    SeqMismatch {
        at: At,
        seq: u64,
    },
    Fatal(JournalError),
}

/// One chunk walked on its own.
struct Walked<'p> {
    w: Walker<'p>,
    ending: Option<Ending>,
    /// The offset of the last record it accepted.
    last_offset: u64,
}

fn walk_chunk<'p>(template: &Walker<'p>, job: &Job) -> Walked<'p> {
    let mut w = template.for_chunk(job.lines_before);
    let mut line_no = job.lines_before;
    let mut last_offset = 0;
    for line in job.lines() {
        line_no += 1;
        let at = At {
            line: line_no,
            offset: line.offset,
        };
        let damage = |line, offset, kind, message| {
            Ending::Damage(Damage {
                line,
                offset,
                kind,
                message,
            })
        };
        let ending = match w.local(&line, line_no).and_then(|f| w.link(f)) {
            Ok(()) => {
                last_offset = line.offset;
                continue;
            }
            Err(Stop::Fatal(e)) => Ending::Fatal(e),
            Err(Stop::Damage(kind, msg)) => damage(at.line, at.offset, kind, msg),
            // the record before is in this chunk: only a chunk's first
            // record has no known `prev`, and the stitch checks that link
            Err(Stop::DamageBefore(kind, msg)) => {
                w.retract_last();
                damage(line_no - 1, last_offset, kind, msg)
            }
            Err(Stop::SeqMismatch { seq }) => Ending::SeqMismatch { at, seq },
        };
        return Walked {
            w,
            ending: Some(ending),
            last_offset,
        };
    }
    Walked {
        w,
        ending: None,
        last_offset,
    }
}

/// A chunk's result, numbered.
enum Done<'p> {
    /// Boxed: a walked chunk carries its whole summary, a failure only an error.
    Walked(Job, Box<Walked<'p>>),
    Failed(usize, JournalError),
}

impl Done<'_> {
    fn index(&self) -> usize {
        match self {
            Done::Walked(job, _) => job.index,
            Done::Failed(index, _) => *index,
        }
    }
}

/// How the walk ended, once the chunks are in order.
enum End {
    Failed(JournalError),
    Damage(Damage),
    /// A seq mismatch at `at` in `job`: the lines after it decide.
    Look {
        job: Job,
        at: At,
        seq: u64,
    },
}

/// The chunks' walks put back in order.
#[derive(Default)]
struct Stitch<'p> {
    summary: Summary,
    records: Vec<Record>,
    /// The last chunk walked without damage, not counted in yet: a broken
    /// link at the start of the next one takes back its last record.
    pending: Option<Walked<'p>>,
    damage: Option<End>,
    /// Chunks after a seq mismatch, for its look-ahead.
    later: Vec<Job>,
}

impl<'p> Stitch<'p> {
    /// Takes the next chunk in file order; gives its buffer back when it is
    /// no longer needed.
    fn add(&mut self, done: Done<'p>) -> Option<Vec<u8>> {
        let (job, mut walked) = match done {
            _ if self.damage.is_some() => {
                // read after the damage: only a seq mismatch looks at it
                if let (Done::Walked(job, _), Some(End::Look { .. })) = (done, &self.damage) {
                    self.later.push(job);
                }
                return None;
            }
            Done::Failed(_, e) => {
                self.damage = Some(End::Failed(e));
                return None;
            }
            Done::Walked(job, walked) => (job, *walked),
        };
        if let Some(mut before) = self.pending.take() {
            let broken = match (before.w.last_hash(), &walked.w.first_prev) {
                (Some(last), Some(first)) if last != first => {
                    Some(relinked(job.lines_before + 1, first, last))
                }
                _ => None,
            };
            let damage = match broken {
                Some(Stop::DamageBefore(kind, message)) => {
                    before.w.retract_last();
                    Some((job.lines_before, before.last_offset, kind, message))
                }
                // (only the first line of the log: never a chunk's link)
                Some(Stop::Damage(kind, message)) => {
                    Some((job.lines_before + 1, job.offset, kind, message))
                }
                _ => None,
            };
            self.count_in(before);
            if let Some((line, offset, kind, message)) = damage {
                self.damage = Some(End::Damage(Damage {
                    line,
                    offset,
                    kind,
                    message,
                }));
                return Some(job.buf);
            }
        }
        match walked.ending.take() {
            None => {
                self.pending = Some(walked);
                Some(job.buf)
            }
            Some(ending) => {
                self.count_in(walked);
                self.damage = Some(match ending {
                    Ending::Damage(d) => End::Damage(d),
                    Ending::Fatal(e) => End::Failed(e),
                    Ending::SeqMismatch { at, seq } => End::Look { job, at, seq },
                });
                None
            }
        }
    }

    fn count_in(&mut self, walked: Walked<'p>) {
        let w = walked.w;
        self.summary.append(w.summary);
        self.records.extend(w.records);
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

#[cfg(test)]
mod tests {
    //! The walk in small chunks (many of them, on two threads) against the
    //! walk of the same log as one chunk (one thread, nothing to stitch),
    //! for every kind of damage at every line, so across chunk boundaries.
    use super::*;
    use crate::core::entry::{Entry, EntryKind};
    use crate::core::time::Ts;
    use crate::journal::canon::{Chain, ZERO_HASH};
    use crate::journal::checkpoint::Checkpoint;
    use crate::journal::open_body;
    use crate::journal::signed::Roster;
    use crate::sign::{public_text, Meaning, Unlocked};
    use serde_json::json;
    use std::path::Path;

    const T0: i64 = 1_795_903_200_000;

    fn entry(kind: EntryKind, actor: &str, body: serde_json::Value) -> Entry {
        Entry {
            kind,
            actor: actor.into(),
            phase: Some("pilot".into()),
            body,
        }
    }

    /// 30 records: observations, sign-offs signed by dana, one signed by a
    /// key not on the roster, one required sign-off left unsigned.
    fn intact() -> Vec<String> {
        let dana = Unlocked::generate("dana").unwrap_or_else(|e| panic!("{e}"));
        let eve = Unlocked::generate("eve").unwrap_or_else(|e| panic!("{e}"));
        let mut roster = Roster::default();
        roster
            .add(
                "dana",
                "Dana Ruiz",
                "Commander",
                &public_text(&dana.public()),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let mut body = open_body("[runbook]\nname = \"t\"\n", "", "dana", "host");
        body["signers"] = roster.open_body_json();
        body["require_signature"] = json!(["signoff"]);
        let mut prev = ZERO_HASH.to_string();
        let mut lines = Vec::new();
        for seq in 0..30u64 {
            let at = Ts(T0 + seq as i64 * 1000);
            let signoff = entry(
                EntryKind::Decision,
                "dana",
                json!({"type": "signoff", "rationale": format!("ok {seq}")}),
            );
            let sealed = match seq {
                0 => Some(Record::seal(
                    entry(EntryKind::Open, "dana", body.clone()),
                    0,
                    at,
                    &prev,
                    &Chain::Sha256,
                )),
                13 => Some(Record::seal(signoff, seq, at, &prev, &Chain::Sha256)),
                17 => Record::seal_signed(
                    signoff,
                    seq,
                    at,
                    &prev,
                    &Chain::Sha256,
                    &eve,
                    Meaning::Approval,
                ),
                s if s % 4 == 1 => Record::seal_signed(
                    signoff,
                    seq,
                    at,
                    &prev,
                    &Chain::Sha256,
                    &dana,
                    Meaning::Approval,
                ),
                _ => Some(Record::seal(
                    entry(
                        EntryKind::Observe,
                        "probe",
                        json!({"probe": "p", "samples": {"lag_s": seq}}),
                    ),
                    seq,
                    at,
                    &prev,
                    &Chain::Sha256,
                )),
            };
            let (record, line) = sealed.unwrap_or_else(|| panic!("seal {seq}"));
            prev = record.hash;
            lines.push(line);
        }
        lines
    }

    /// Line `i` with its body changed and its own hash recomputed.
    fn rehashed(lines: &[String], i: usize) -> String {
        let r: Record = serde_json::from_str(&lines[i]).unwrap_or_else(|e| panic!("{e}"));
        let mut e = r.entry();
        e.body["forged"] = json!(true);
        Record::seal(e, r.seq, r.ts(), &r.prev, &Chain::Sha256).1
    }

    type Edit = fn(&mut Vec<String>, usize);

    fn walk_in(
        bytes: &[u8],
        chunk: usize,
        keep: bool,
        cp: Option<Checkpoint>,
        elsewhere: bool,
    ) -> VerifyOutcome {
        let w = Walker::new(Path::new("t.jsonl"), None, cp, keep)
            .with_roster(elsewhere.then(Roster::default));
        walk(bytes, w, chunk).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_damage_at_every_line_reads_the_same_in_small_chunks_as_in_one() {
        let good = intact();
        let cases: [(&str, Edit, Option<DamageKind>); 8] = [
            (
                "edited",
                |l, i| l[i] = l[i].replacen('{', "{ ", 1),
                Some(DamageKind::Edited),
            ),
            ("rehashed", |l, i| l[i] = rehashed(l, i), None),
            ("deleted", |l, i| drop(l.remove(i)), None),
            (
                "swapped",
                |l, i| {
                    let n = l.len();
                    l.swap(i, (i + 1) % n)
                },
                None,
            ),
            (
                "copied",
                |l, i| l.insert(i, l[i].clone()),
                Some(DamageKind::Reordered),
            ),
            (
                "not json",
                |l, i| l[i] = "{}\n".into(),
                Some(DamageKind::BadJson),
            ),
            (
                "cut mid-line",
                |l, i| {
                    l.truncate(i + 1);
                    let n = l[i].len() / 2;
                    l[i].truncate(n);
                },
                Some(DamageKind::Torn),
            ),
            ("tail cut", |l, i| l.truncate(i), None),
        ];
        let mut damaged_seen = 0;
        for (what, edit, kind) in cases {
            for i in 0..good.len() {
                let mut lines = good.clone();
                edit(&mut lines, i);
                let bytes = lines.concat().into_bytes();
                // a checkpoint on the last record of the intact log
                let last: Record =
                    serde_json::from_str(&good[good.len() - 1]).unwrap_or_else(|e| panic!("{e}"));
                let cps = [
                    None,
                    Some(Checkpoint {
                        seq: last.seq,
                        hash: last.hash,
                        ts: None,
                    }),
                ];
                for cp in cps {
                    for (keep, elsewhere) in [(false, false), (true, false), (false, true)] {
                        let one = walk_in(&bytes, bytes.len() + 1, keep, cp.clone(), elsewhere);
                        if let Some(kind) = kind {
                            let d = one
                                .damage
                                .as_ref()
                                .unwrap_or_else(|| panic!("{what} at {i}: no damage"));
                            assert_eq!(d.kind, kind, "{what} at {i}: {d:?}");
                        }
                        damaged_seen += usize::from(one.damage.is_some());
                        for chunk in [1, 300, 700, 1100, 2500] {
                            let split = walk_in(&bytes, chunk, keep, cp.clone(), elsewhere);
                            let label = format!("{what} at line {}, chunks of {chunk} bytes, keep {keep}, checkpoint {}, roster elsewhere {elsewhere}", i + 1, cp.is_some());
                            assert_eq!(split.damage, one.damage, "{label}");
                            assert_eq!(split.summary, one.summary, "{label}");
                            assert_eq!(split.records, one.records, "{label}");
                        }
                    }
                }
            }
        }
        assert!(damaged_seen > 1000, "{damaged_seen}");
    }

    #[test]
    fn the_intact_log_reads_whole_in_any_chunks() {
        let bytes = intact().concat().into_bytes();
        for chunk in [1, 300, bytes.len() + 1] {
            let out = walk_in(&bytes, chunk, false, None, false);
            assert_eq!(out.damage, None);
            assert_eq!(out.summary.count, 30);
            let sigs = &out.summary.signatures;
            // seq 1, 5, 9, 21, 25, 29 signed by dana, seq 17 by eve
            assert_eq!(sigs.verified, 6, "{sigs:?}");
            let words: Vec<_> = sigs.problems.iter().map(|p| (p.line, p.word)).collect();
            assert_eq!(words, [(14, "missing signature"), (18, "unknown key")]);
        }
    }
}
