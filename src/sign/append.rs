//! Signed records appended to a log after the fact: `amend` (a correction
//! that refers to an earlier record, which stays as it was) and `review` (a
//! documented review over the head hash of a closed log). Both go through the
//! journal's own append path, so the chain (and its HMAC) stays intact.

use super::keyfile::KeyFile;
use super::{Meaning, Unlocked};
use crate::core::entry::{Entry, EntryKind};
use crate::core::time::Ts;
use crate::journal::signed::Roster;
use crate::journal::{self, Journal, JournalError, Record};
use serde_json::json;
use std::path::Path;

/// Why nothing was appended: refused (exit 1) or could not be done (exit 2).
#[derive(Debug)]
pub enum AppendError {
    Refused(String),
    Failed(String),
}

impl std::fmt::Display for AppendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppendError::Refused(m) | AppendError::Failed(m) => f.write_str(m),
        }
    }
}

/// What to append.
pub enum Request {
    /// `amend` record `seq` with `reason` (and what it should have said).
    Amend {
        seq: u64,
        reason: String,
        correction: String,
    },
    /// `review` the closed log with `statement`.
    Review { statement: String },
}

/// What was appended.
#[derive(Debug)]
pub struct Appended {
    pub record: Record,
    pub fingerprint: String,
}

fn journal_error(e: JournalError) -> AppendError {
    match e {
        JournalError::Locked { .. }
        | JournalError::Damaged { .. }
        | JournalError::NoOpenRecord { .. }
        | JournalError::KeyRequired { .. } => AppendError::Refused(e.to_string()),
        other => AppendError::Failed(other.to_string()),
    }
}

/// Checks the log and the person before the passphrase is asked: the log
/// verifies, `owner` has a key pinned in its open record and `key_file` is
/// that key. Returns the key file, still locked.
pub fn precheck(
    log: &Path,
    owner: &str,
    key_file: &Path,
    request: &Request,
) -> Result<KeyFile, AppendError> {
    let kf = KeyFile::read(key_file).map_err(|e| AppendError::Failed(e.to_string()))?;
    let chain_key = journal::key_from_env().map_err(|e| AppendError::Failed(e.to_string()))?;
    let outcome = journal::verify_file(log, chain_key, None).map_err(journal_error)?;
    if let Some(d) = &outcome.damage {
        return Err(AppendError::Refused(format!(
            "{}:{}: error: {}: {}: nothing is appended to a log that does not verify",
            log.display(),
            d.line,
            d.kind,
            d.message
        )));
    }
    check_request(&outcome.records, request)?;
    let roster = outcome
        .records
        .first()
        .map(|r| Roster::from_open_body(&r.body))
        .unwrap_or_default();
    let Some(pinned) = roster.of_owner(owner) else {
        return Err(AppendError::Refused(format!(
            "{owner} has no signing key pinned in this log's open record: only people on the \
             runbook's roster with a `signing_key` when the log was opened can sign it"
        )));
    };
    if kf.owner != owner || kf.public != pinned.public {
        return Err(AppendError::Refused(format!(
            "{} is not {owner}'s signing key pinned in this log (it is {}'s key {})",
            key_file.display(),
            kf.owner,
            kf.fingerprint()
        )));
    }
    Ok(kf)
}

fn closed(records: &[Record]) -> bool {
    let tail = records
        .iter()
        .rev()
        .take_while(|r| matches!(r.kind, EntryKind::Amend | EntryKind::Review));
    let n = tail.count();
    records.len() > n && records[records.len() - 1 - n].kind == EntryKind::Close
}

fn check_request(records: &[Record], request: &Request) -> Result<(), AppendError> {
    match request {
        Request::Amend { seq, reason, .. } => {
            if reason.trim().is_empty() {
                return Err(AppendError::Failed(
                    "an amendment needs a reason (--reason TEXT)".into(),
                ));
            }
            if *seq >= records.len() as u64 {
                return Err(AppendError::Refused(format!(
                    "there is no record seq {seq} (the log holds seq 0..{})",
                    records.len().saturating_sub(1)
                )));
            }
        }
        Request::Review { statement } => {
            if statement.trim().is_empty() {
                return Err(AppendError::Failed(
                    "a review needs a statement (--statement TEXT)".into(),
                ));
            }
            if !closed(records) {
                return Err(AppendError::Refused(
                    "the log is not closed: a review covers a closed log (quit the cockpit first)"
                        .into(),
                ));
            }
        }
    }
    Ok(())
}

/// What signing an amendment means: its author stands by the correction.
pub const AMEND_MEANING: Meaning = Meaning::Authorship;

/// The `amend` record by `actor` that refers to record `seq` (of `target`'s
/// kind and hash) with `reason` and, when not empty, the `correction`: the
/// one definition both `cutover amend` and the cockpit's amend key write.
pub fn amend_entry(
    actor: &str,
    seq: u64,
    target: (EntryKind, &str),
    reason: &str,
    correction: &str,
) -> Result<Entry, String> {
    if reason.trim().is_empty() {
        return Err("an amendment needs a reason".into());
    }
    let (kind, hash) = target;
    let mut body = json!({
        "amends": seq,
        "amends_hash": hash,
        "amends_kind": kind.as_str(),
        "reason": reason.trim(),
    });
    if !correction.trim().is_empty() {
        body["correction"] = json!(correction.trim());
    }
    Ok(Entry {
        kind: EntryKind::Amend,
        actor: actor.to_string(),
        phase: None,
        body,
    })
}

/// Appends the signed record, durably. `key` was unlocked from the key file
/// [`precheck`] returned; the log is re-verified under its lock.
pub fn append(
    log: &Path,
    key: &Unlocked,
    request: &Request,
    now: Ts,
) -> Result<Appended, AppendError> {
    let chain_key = journal::key_from_env().map_err(|e| AppendError::Failed(e.to_string()))?;
    let (mut j, records, info) = Journal::open_existing(log, chain_key).map_err(journal_error)?;
    if info.torn.is_some() {
        // precheck saw no torn line: something wrote meanwhile; the line was set aside
        return Err(AppendError::Refused(
            "the log changed while the passphrase was asked (a torn last line was set aside); try again".into(),
        ));
    }
    check_request(&records, request)?;
    let (kind, meaning, body) = match request {
        Request::Amend {
            seq,
            reason,
            correction,
        } => {
            let target = &records[*seq as usize];
            let entry = amend_entry(
                key.owner(),
                *seq,
                (target.kind, &target.hash),
                reason,
                correction,
            )
            .map_err(AppendError::Failed)?;
            (entry.kind, AMEND_MEANING, entry.body)
        }
        Request::Review { statement } => {
            let head = records.last().map(|r| (r.seq, r.hash.clone()));
            let (head_seq, head_hash) = head.unwrap_or((0, String::new()));
            (
                EntryKind::Review,
                Meaning::Review,
                json!({"head": head_hash, "head_seq": head_seq, "statement": statement}),
            )
        }
    };
    let entry = Entry {
        kind,
        actor: key.owner().to_string(),
        phase: None,
        body,
    };
    let now = records.last().map_or(now, |r| now.max(r.ts()));
    let record = j
        .append_durable_signed(entry, now, key, meaning)
        .map_err(|e| AppendError::Failed(e.to_string()))?;
    Ok(Appended {
        record,
        fingerprint: key.fingerprint(),
    })
}
