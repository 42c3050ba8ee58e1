//! Reading and verifying a cutover log: walk the chain line by line and name
//! the first damage (docs/log-format.md, "Verifying").

use super::chain_walk::Walker;
use super::checkpoint::Checkpoint;
pub use super::damage::{Damage, DamageKind, Summary, VerifyOutcome};
use super::error::JournalError;
use super::parallel_walk;
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
    walk_reader(file, path, key, checkpoint, keep, roster)
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

/// Bytes read per chunk (whole lines; a longer line makes a longer chunk):
/// big enough that handing chunks between threads costs nothing, small
/// enough that a damage near the start stops the walk early.
const CHUNK: usize = 4 << 20;

fn walk_reader(
    reader: impl Read + Send,
    path: &Path,
    key: Option<Vec<u8>>,
    checkpoint: Option<Checkpoint>,
    keep: bool,
    roster: Option<Roster>,
) -> Result<VerifyOutcome, JournalError> {
    let w = Walker::new(path, key, checkpoint, keep).with_roster(roster);
    parallel_walk::walk(reader, w, CHUNK)
}
