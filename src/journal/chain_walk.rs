//! The chain walk behind [`super::verify`]: each line's own checks (parse,
//! hash, chain kind), then the links between lines (seq, `prev`, checkpoint),
//! and the words that name the damage.

use super::canon::{self, Chain, Hasher, ZERO_HASH};
use super::checkpoint::Checkpoint;
use super::damage::{Damage, DamageKind, Summary};
use super::envelope;
use super::error::JournalError;
use super::record::Record;
use super::sig_walk::{self, LineSig, SigContext};
use super::signed::Roster;
use crate::core::entry::EntryKind;
use crate::core::records::OpenBody;
use crate::core::time::Ts;
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::borrow::Cow;
use std::path::Path;

/// The fields verification needs, body skipped (fast path). The strings
/// borrow from the line (log strings rarely hold escapes): no allocation
/// per line for them.
#[derive(Deserialize)]
pub(super) struct Light<'a> {
    seq: u64,
    #[serde(borrow)]
    ts: Cow<'a, str>,
    kind: EntryKind,
    #[serde(borrow)]
    actor: Cow<'a, str>,
    // a string or null (or absent), as in a full `Record`
    #[serde(default, rename = "phase")]
    _phase: Option<String>,
    #[serde(rename = "body")]
    _body: IgnoredAny,
    #[serde(borrow)]
    prev: Cow<'a, str>,
}

#[derive(Deserialize)]
struct SeqOnly {
    seq: u64,
}

/// How one line ended the walk.
pub(super) enum Stop {
    Damage(DamageKind, String),
    /// Damage reported on the line before this one.
    DamageBefore(DamageKind, String),
    /// `seq` is not the expected one: look ahead to tell missing from reordered.
    SeqMismatch {
        seq: u64,
    },
    Fatal(JournalError),
}

pub(super) struct Walker<'p> {
    path: &'p Path,
    key: Option<Vec<u8>>,
    pub(super) chain: Chain,
    hasher: Hasher,
    checkpoint: Option<Checkpoint>,
    keep: bool,
    pub(super) expected_seq: u64,
    /// The last accepted record's hash; `None` at the start of a chunk
    /// walked on its own, whose first link is checked when the chunks are
    /// put back in order ([`Walker::first_prev`]).
    prev: Option<String>,
    /// The `prev` of a chunk's first record, when its walk started with an
    /// unknown `prev` and reached that link.
    pub(super) first_prev: Option<String>,
    pub(super) records: Vec<Record>,
    pub(super) summary: Summary,
    /// Keys and rules for signatures, from the open record ([`Walker::prime`]).
    sig: SigContext,
    /// A roster held elsewhere (`verify --keys`), until the open record is read.
    elsewhere: Option<Roster>,
    /// How to take back the last accepted record, when a damage found on
    /// the next line condemns it (moved out of the summary: no copy per line).
    before_last: Option<Undo>,
}

/// What accepting one record changed in the [`Summary`].
struct Undo {
    first: bool,
    decision_by: Option<String>,
    checkpoint: bool,
    last_ts: Option<String>,
    head_hash: Option<String>,
}

/// One line as read: without its `\n`, whether it had one, where it starts.
pub(super) struct Line<'b> {
    pub(super) bytes: &'b [u8],
    pub(super) complete: bool,
    pub(super) offset: u64,
}

/// What one line says on its own: parsed, and its hash right.
pub(super) struct Facts<'a> {
    light: Light<'a>,
    // boxed: a line's facts are moved several times on the hot path, and
    // most lines have neither a kept record nor a signature
    record: Option<Box<Record>>,
    hash: &'a str,
    sig: Option<Box<LineSig>>,
}

fn torn_message(len: usize, offset: u64) -> String {
    format!(
        "the last line ({len} bytes at byte offset {offset}) has no newline: a write was cut off \
         (crash mid-write); `cutover run` moves it aside to LOG.torn"
    )
}

impl<'p> Walker<'p> {
    /// A walk from the first line of the log at `path`.
    pub(super) fn new(
        path: &'p Path,
        key: Option<Vec<u8>>,
        checkpoint: Option<Checkpoint>,
        keep: bool,
    ) -> Walker<'p> {
        let chain = Chain::from_key(key.clone());
        Walker {
            path,
            hasher: Hasher::new(&chain),
            chain,
            key,
            checkpoint,
            keep,
            expected_seq: 0,
            prev: Some(ZERO_HASH.to_string()),
            first_prev: None,
            records: Vec::new(),
            summary: Summary::default(),
            before_last: None,
            sig: SigContext::default(),
            elsewhere: None,
        }
    }

    /// The last accepted record turned out to be forged (its hash was
    /// recomputed after an edit): it no longer counts as verified, and the
    /// head of the intact part is the record before it.
    pub(super) fn retract_last(&mut self) {
        let Some(undo) = self.before_last.take() else {
            return;
        };
        let s = &mut self.summary;
        s.count = s.count.saturating_sub(1);
        if undo.first {
            s.first_ts = None;
        }
        if let Some(actor) = undo.decision_by {
            if let Some(n) = s.decisions_by_actor.get_mut(&actor) {
                *n -= 1;
                if *n == 0 {
                    s.decisions_by_actor.remove(&actor);
                }
            }
        }
        if undo.checkpoint {
            s.checkpoint_matched = None;
        }
        s.last_ts = undo.last_ts;
        s.head_hash = undo.head_hash;
        self.expected_seq = self.expected_seq.saturating_sub(1);
        if self.keep {
            self.records.pop();
        }
    }

    /// Checks every signature against `roster` too (`verify --keys FILE`).
    pub(super) fn with_roster(mut self, roster: Option<Roster>) -> Self {
        self.elsewhere = roster;
        self
    }

    /// Reads the signature context from the first line (the open record)
    /// before any line's signature is checked.
    pub(super) fn prime(&mut self, first: &[u8]) {
        let body = serde_json::from_slice::<Record>(first)
            .ok()
            .filter(|r| r.kind == EntryKind::Open)
            .map(|r| r.body)
            .unwrap_or_default();
        self.sig = SigContext::from_open_body(&body, self.elsewhere.take());
        let sigs = &mut self.summary.signatures;
        sigs.required.clone_from(&self.sig.required);
        for m in self.sig.pinned_mismatches() {
            sigs.problem(1, 0, "unknown key", m);
        }
    }

    /// A walk of the chunk of lines that starts after `lines_before`
    /// lines, on its own: the same key, checkpoint and signature context,
    /// an empty summary, and the seq it expects if every line before it is
    /// intact (any damage before it ends the whole walk there anyway).
    pub(super) fn for_chunk(&self, lines_before: u64) -> Walker<'p> {
        let mut w = Walker::new(
            self.path,
            self.key.clone(),
            self.checkpoint.clone(),
            self.keep,
        );
        w.sig = self.sig.clone();
        w.expected_seq = lines_before;
        if lines_before > 0 {
            w.prev = None;
        }
        w
    }

    /// The hash of the last record this walk accepted.
    pub(super) fn last_hash(&self) -> Option<&str> {
        self.prev.as_deref()
    }

    /// The checks that need only the line itself (and the key).
    pub(super) fn local<'b>(&self, line: &Line<'b>, line_no: u64) -> Result<Facts<'b>, Stop> {
        if !line.complete {
            let msg = torn_message(line.bytes.len(), line.offset);
            return Err(Stop::Damage(DamageKind::Torn, msg));
        }
        let line = line.bytes;
        let bad = |m: String| Stop::Damage(DamageKind::BadJson, m);
        let (light, record) = if self.keep || line_no == 1 {
            let r: Record =
                serde_json::from_slice(line).map_err(|e| bad(format!("not a log record: {e}")))?;
            let l = Light {
                seq: r.seq,
                ts: Cow::Owned(r.ts.clone()),
                kind: r.kind,
                actor: Cow::Owned(r.actor.clone()),
                _phase: None,
                _body: IgnoredAny,
                prev: Cow::Owned(r.prev.clone()),
            };
            (l, Some(r))
        } else if let Some(e) = envelope::read(line) {
            let l = Light {
                seq: e.seq,
                ts: Cow::Borrowed(e.ts),
                kind: e.kind,
                actor: Cow::Borrowed(e.actor),
                _phase: None,
                _body: IgnoredAny,
                prev: Cow::Borrowed(e.prev),
            };
            (l, None)
        } else {
            // anything unusual: serde_json gives the verdict and the words
            let l: Light =
                serde_json::from_slice(line).map_err(|e| bad(format!("not a log record: {e}")))?;
            (l, None)
        };
        let (head, hash) = canon::split_line(line).ok_or_else(|| {
            bad("the line does not end in the `,\"hash\":\"<64 hex>\"}` member docs/log-format.md requires".into())
        })?;
        if !Ts::is_log_ts(&light.ts) {
            return Err(bad(format!(
                "ts \"{}\" is not a UTC time written as YYYY-MM-DDTHH:MM:SS.mmmZ",
                crate::core::sanitize::inert(&light.ts)
            )));
        }
        if !is_hash_hex(&light.prev) {
            return Err(bad("prev is not 64 lowercase hex digits".into()));
        }
        if line_no == 1 {
            self.pick_chain(record.as_ref())?;
        }
        self.check_hash(&light, head, hash, line_no)?;
        let sig = sig_walk::check_line(&self.sig, line, head, light.kind, &light.actor);
        Ok(Facts {
            light,
            record: record.map(Box::new),
            hash,
            sig: sig.map(Box::new),
        })
    }

    /// The checks between lines: seq order, the `prev` link, the checkpoint.
    pub(super) fn link(&mut self, f: Facts<'_>) -> Result<(), Stop> {
        let (light, hash) = (&f.light, f.hash);
        let line_no = self.expected_seq + 1;
        if light.seq != self.expected_seq {
            return Err(Stop::SeqMismatch { seq: light.seq });
        }
        match &self.prev {
            Some(prev) if light.prev != *prev => return Err(relinked(line_no, &light.prev, prev)),
            Some(_) => {}
            None => self.first_prev = Some(light.prev.to_string()),
        }
        if let Some(cp) = &self.checkpoint {
            if cp.seq == light.seq && cp.hash != hash {
                return Err(Stop::Damage(DamageKind::Forged, format!(
                    "record seq {} has hash {hash}, but the checkpoint {cp} held elsewhere says otherwise: \
                     the log was rewritten after that checkpoint", light.seq)));
            }
        }
        if let Some(sig) = f.sig {
            let keep = self.keep;
            let seq = f.light.seq;
            self.summary.signatures.note(line_no, seq, *sig, keep);
        }
        self.accept(f.light, f.record.map(|r| *r), f.hash);
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
                && crate::core::records::read::<OpenBody>(&r.body).is_some_and(|o| o.is_hmac())
        });
        if claims_hmac {
            return Err(Stop::Fatal(JournalError::KeyRequired {
                path: self.path.to_path_buf(),
            }));
        }
        Ok(())
    }

    fn check_hash(
        &self,
        light: &Light<'_>,
        head: &[u8],
        hash: &str,
        line_no: u64,
    ) -> Result<(), Stop> {
        if canon::hash_matches(&self.hasher, &light.prev, head, hash) {
            return Ok(());
        }
        if self.key.is_some() && canon::hash_matches(&Hasher::Sha256, &light.prev, head, hash) {
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

    fn accept(&mut self, light: Light<'_>, record: Option<Record>, hash: &str) {
        let s = &mut self.summary;
        let mut undo = Undo {
            first: s.first_ts.is_none(),
            decision_by: None,
            checkpoint: false,
            last_ts: None,
            head_hash: None,
        };
        s.count += 1;
        if undo.first {
            s.first_ts = Some(light.ts.to_string());
        }
        if light.kind == EntryKind::Decision {
            let actor = light.actor.into_owned();
            undo.decision_by = Some(actor.clone());
            *s.decisions_by_actor.entry(actor).or_insert(0) += 1;
        }
        if light.kind == EntryKind::Open && s.runbook_digest.is_none() {
            s.runbook_digest = record
                .as_ref()
                .and_then(|r| crate::core::records::read::<OpenBody>(&r.body))
                .map(|o| o.runbook_sha256)
                .filter(|d| !d.is_empty());
        }
        if let Some(cp) = &self.checkpoint {
            if cp.seq == light.seq {
                undo.checkpoint = s.checkpoint_matched.is_none();
                s.checkpoint_matched = Some(cp.clone());
            }
        }
        // the strings the undo before this one held are free again: reused,
        // so a plain record costs no allocation here
        let (mut ts_buf, mut hash_buf) = self
            .before_last
            .take()
            .map(|u| (u.last_ts, u.head_hash))
            .unwrap_or_default();
        undo.last_ts = s.last_ts.replace(refill(&mut ts_buf, &light.ts));
        undo.head_hash = s.head_hash.replace(refill(&mut hash_buf, hash));
        self.before_last = Some(undo);
        match &mut self.prev {
            Some(prev) => refill_in(prev, hash),
            None => self.prev = Some(hash.to_string()),
        }
        self.expected_seq += 1;
        if let (true, Some(r)) = (self.keep, record) {
            self.records.push(r);
        }
    }

    /// The log named in messages.
    pub(super) fn path(&self) -> &'p Path {
        self.path
    }

    /// No damage in the chain of `count` records (`lines` lines, `offset`
    /// bytes), but a checkpoint names a record past its end.
    pub(super) fn truncated(&self, count: u64, lines: u64, offset: u64) -> Option<Damage> {
        let cp = self.checkpoint.as_ref()?;
        if cp.seq < count {
            return None;
        }
        Some(Damage {
            line: lines + 1,
            offset,
            kind: DamageKind::Truncated,
            message: format!(
                "the log ends after seq {}, but the checkpoint {cp} held elsewhere names seq {}: \
                 its tail was cut off",
                count as i64 - 1,
                cp.seq
            ),
        })
    }
}

/// `text` in the allocation `spare` had, if any.
fn refill(spare: &mut Option<String>, text: &str) -> String {
    let mut s = spare.take().unwrap_or_default();
    refill_in(&mut s, text);
    s
}

fn refill_in(s: &mut String, text: &str) {
    s.clear();
    s.push_str(text);
}

/// A record whose own hash is right but whose `prev` does not link: the
/// record before it was rewritten and re-hashed.
pub(super) fn relinked(line_no: u64, found: &str, expected: &str) -> Stop {
    if line_no == 1 {
        return Stop::Damage(DamageKind::Forged, format!(
            "the first record's prev is {found}, not 64 zeros: records before it were cut off and the chain re-hashed"));
    }
    Stop::DamageBefore(DamageKind::Forged, format!(
        "this record's hash ({expected}) was recomputed after an edit: the next line's prev still names {found}"))
}

/// Looks ahead for the expected seq to tell a deleted record from a moved one.
pub(super) fn seq_mismatch(
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

/// 64 lowercase hex digits: the only form a `prev` (or `hash`) takes.
fn is_hash_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
