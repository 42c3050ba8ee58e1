//! The chain check the report states on its first lines.
//!
//! TODO(lead, at merge): replace `verify_text`'s body with `journal::verify`
//! (the journal owns the canonical form, docs/log-format.md). Until then this
//! is a minimal, provisional check: `hash = hex(SHA-256(prev || canonical))`
//! (HMAC-SHA-256 keyed by `CUTOVER_LOG_KEY` when set), where `canonical` is
//! the record without `hash`, serialised compactly with object keys sorted.

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What the chain check found, for the report's first lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerificationSummary {
    /// Every line parsed and every hash links.
    pub ok: bool,
    /// The first damage found, as `line N: what` (`None` when `ok`).
    pub damage: Option<String>,
    /// Lines that parsed as records.
    pub records: usize,
    /// The `hash` of the last record that still verified.
    pub head_hash: String,
    /// `SEQ:HASH` of that record, to keep elsewhere as a checkpoint.
    pub last_checkpoint: Option<String>,
}

/// Why a report could not be made at all.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read log {path}: {source} (expected a readable cutover log, JSON Lines)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Reads the log at `path` and checks its chain (see the module note).
pub fn verification_of(path: &Path) -> Result<VerificationSummary, ReportError> {
    let text = read_log(path)?;
    let key = std::env::var("CUTOVER_LOG_KEY").ok();
    Ok(verify_text(&text, key.as_deref().map(str::as_bytes)))
}

/// The log's text; invalid UTF-8 is replaced (and then fails the chain check).
pub fn read_log(path: &Path) -> Result<String, ReportError> {
    let bytes = std::fs::read(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Every line of the log that parses as JSON, in file order.
pub fn parse_records(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// Checks seq numbering, `prev` links and hashes, stopping at the first damage.
pub fn verify_text(text: &str, key: Option<&[u8]>) -> VerificationSummary {
    let mut sum = VerificationSummary {
        ok: true,
        ..Default::default()
    };
    let mut prev = ZERO_HASH.to_string();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (i, raw) in lines.iter().enumerate() {
        let line_no = i + 1;
        let torn = !raw.ends_with('\n');
        let line = raw.trim_end_matches(['\n', '\r']);
        let problem = match serde_json::from_str::<Value>(line) {
            Err(_) if torn => Some("torn last line (no newline, not a whole record)".to_string()),
            Err(e) => Some(format!("not a JSON record ({e})")),
            Ok(v) => {
                sum.records += 1;
                match check(&v, line_no as u64 - 1, &prev, key) {
                    Ok(hash) => {
                        sum.last_checkpoint = Some(format!("{}:{hash}", line_no - 1));
                        sum.head_hash.clone_from(&hash);
                        prev = hash;
                        None
                    }
                    Err(p) => Some(p),
                }
            }
        };
        if let Some(p) = problem {
            if sum.ok {
                sum.ok = false;
                sum.damage = Some(format!("line {line_no}: {p}"));
            }
            // keep counting records, but the chain is broken from here on
            prev = String::from("(broken)");
        }
    }
    if lines.is_empty() {
        sum.ok = false;
        sum.damage = Some("the log is empty (expected an `open` record on line 1)".into());
    }
    sum
}

/// The record's hash when it links and hashes right; else what is wrong.
fn check(v: &Value, want_seq: u64, prev: &str, key: Option<&[u8]>) -> Result<String, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    let seq = obj.get("seq").and_then(Value::as_u64);
    if seq != Some(want_seq) {
        return Err(format!(
            "seq is {seq:?}, expected {want_seq} (record seq sits on line seq + 1)"
        ));
    }
    let got_prev = obj.get("prev").and_then(Value::as_str).unwrap_or("");
    if got_prev != prev {
        return Err(format!(
            "prev does not match the previous record's hash (expected {prev})"
        ));
    }
    let hash = obj.get("hash").and_then(Value::as_str).unwrap_or("");
    let want = record_hash(obj, prev, key);
    if !hash.eq_ignore_ascii_case(&want) {
        return Err("hash does not match the record's content (edited or corrupted)".into());
    }
    Ok(want)
}

/// The provisional chain hash of a record (see the module note).
pub fn record_hash(obj: &Map<String, Value>, prev: &str, key: Option<&[u8]>) -> String {
    let mut rest = obj.clone();
    rest.remove("hash");
    let canonical = sorted(&Value::Object(rest)).to_string();
    match key.map(<Hmac<Sha256> as Mac>::new_from_slice) {
        Some(Ok(mut mac)) => {
            mac.update(prev.as_bytes());
            mac.update(canonical.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        _ => {
            let mut h = Sha256::new();
            h.update(prev.as_bytes());
            h.update(canonical.as_bytes());
            hex::encode(h.finalize())
        }
    }
}

/// A copy with object keys in sorted order at every level.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Appends a record to `out` with seq, prev and hash filled in, as the
/// provisional chain wants them (fixtures and tests build logs with it).
pub fn push_chained(out: &mut String, mut record: Map<String, Value>, key: Option<&[u8]>) {
    let seq = out.lines().count() as u64;
    let prev = out
        .lines()
        .last()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .and_then(|v| v.get("hash").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| ZERO_HASH.to_string());
    record.insert("seq".into(), seq.into());
    record.insert("prev".into(), prev.clone().into());
    let hash = record_hash(&record, &prev, key);
    record.insert("hash".into(), hash.into());
    out.push_str(&Value::Object(record).to_string());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(n: usize, key: Option<&[u8]>) -> String {
        let mut out = String::new();
        for i in 0..n {
            let Value::Object(m) = json!({"ts":"2026-11-28T22:00:00.000Z","kind":"note","actor":"dana","phase":null,"body":{"i":i}})
            else {
                unreachable!()
            };
            push_chained(&mut out, m, key);
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies_and_names_its_head() {
        let text = log(3, None);
        let s = verify_text(&text, None);
        assert!(s.ok, "{s:?}");
        assert_eq!(s.records, 3);
        let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(s.head_hash, last["hash"].as_str().unwrap());
        assert_eq!(s.last_checkpoint, Some(format!("2:{}", s.head_hash)));
    }

    #[test]
    fn an_edited_record_is_named_by_line() {
        let text = log(3, None).replace("{\"i\":1}", "{\"i\":7}");
        let s = verify_text(&text, None);
        assert!(!s.ok);
        assert!(
            s.damage
                .as_deref()
                .unwrap()
                .starts_with("line 2: hash does not match"),
            "{s:?}"
        );
        assert_eq!(s.last_checkpoint.as_deref().map(|c| &c[..2]), Some("0:"));
    }

    #[test]
    fn a_torn_last_line_is_called_torn() {
        let mut text = log(2, None);
        text.push_str("{\"seq\":2,\"ts\":");
        let s = verify_text(&text, None);
        assert_eq!(
            s.damage.as_deref(),
            Some("line 3: torn last line (no newline, not a whole record)")
        );
        assert_eq!(s.records, 2);
    }

    #[test]
    fn a_keyed_log_needs_the_key() {
        let text = log(2, Some(b"k1"));
        assert!(verify_text(&text, Some(b"k1")).ok);
        assert!(!verify_text(&text, None).ok);
        assert!(!verify_text(&text, Some(b"k2")).ok);
    }
}
