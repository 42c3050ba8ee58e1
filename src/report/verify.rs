//! The chain check the report states on its first lines.
//!
//! TODO(lead, at merge): replace `verify_text` with `journal::verify` (the
//! journal owns the format). Until then this is a minimal check of the same
//! bytes docs/log-format.md fixes (journal branch): every line ends with the
//! fixed tail `,"hash":"<64 hex>"}`; `CANON` = the line without that tail,
//! plus `}`; `hash = hex(SHA-256(prev || "\n" || CANON))`, or HMAC-SHA-256
//! keyed by `CUTOVER_LOG_KEY` when set. Damage kinds are named as there
//! (torn, bad_json, edited, missing, reordered, forged), less finely.

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
        let line = raw.strip_suffix('\n');
        let parsed = line.map(serde_json::from_str::<Value>);
        if let Some(Ok(_)) = parsed {
            sum.records += 1;
        }
        if !sum.ok {
            continue; // keep counting records; the chain is broken from here on
        }
        let verdict = match (line, parsed) {
            (None, _) => Err("torn: last line has no newline (a write cut off)".to_string()),
            (Some(_), Some(Err(e))) => Err(format!("bad_json: not a JSON record ({e})")),
            (Some(l), _) => check(l, line_no as u64 - 1, &prev, key),
        };
        match verdict {
            Ok(hash) => {
                sum.last_checkpoint = Some(format!("{}:{hash}", line_no - 1));
                sum.head_hash.clone_from(&hash);
                prev = hash;
            }
            Err(p) => {
                sum.ok = false;
                sum.damage = Some(format!("line {line_no}: {p}"));
            }
        }
    }
    let keyed = text
        .lines()
        .next()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .is_some_and(|v| v["body"]["chain"] == "hmac-sha256");
    if keyed && key.is_none() {
        sum.ok = false;
        sum.damage = Some("line 1: cannot check: the log is keyed (chain hmac-sha256); set CUTOVER_LOG_KEY to the key it was written with".into());
    }
    if lines.is_empty() {
        sum.ok = false;
        sum.damage = Some("line 1: truncated: the log is empty (expected an `open` record)".into());
    }
    sum
}

/// `,"hash":"` + 64 hex digits + `"}`: the fixed tail of every record line.
const HASH_TAIL_LEN: usize = 9 + 64 + 2;

/// The record's hash when it hashes and links right; else what is wrong.
fn check(line: &str, want_seq: u64, prev: &str, key: Option<&[u8]>) -> Result<String, String> {
    let cut = line
        .len()
        .checked_sub(HASH_TAIL_LEN)
        .filter(|c| line.is_char_boundary(*c));
    let tail = cut.map(|c| &line[c..]).unwrap_or("");
    let hash = tail
        .strip_prefix(",\"hash\":\"")
        .and_then(|t| t.strip_suffix("\"}"));
    let (Some(cut), Some(hash)) = (cut, hash) else {
        return Err(
            "bad_json: the line does not end with the `,\"hash\":\"<64 hex>\"}` tail".into(),
        );
    };
    let canon = format!("{}}}", &line[..cut]);
    let v: Value = serde_json::from_str(&canon).map_err(|e| format!("bad_json: {e}"))?;
    let own_prev = v.get("prev").and_then(Value::as_str).unwrap_or("");
    if record_hash(own_prev, &canon, key) != hash {
        return Err("edited: hash does not match the record's bytes".into());
    }
    match v.get("seq").and_then(Value::as_u64) {
        Some(seq) if seq == want_seq => {}
        Some(seq) if seq > want_seq => {
            return Err(format!(
                "missing: seq {seq}, expected {want_seq} (records deleted before it)"
            ))
        }
        other => return Err(format!("reordered: seq {other:?}, expected {want_seq}")),
    }
    if own_prev != prev {
        return Err("forged: prev does not link to the previous record's hash".into());
    }
    Ok(hash.to_string())
}

/// Lowercase hex of SHA-256 (or HMAC-SHA-256 with `key`) over `prev || "\n" || canon`.
pub fn record_hash(prev: &str, canon: &str, key: Option<&[u8]>) -> String {
    match key.map(<Hmac<Sha256> as Mac>::new_from_slice) {
        Some(Ok(mut mac)) => {
            mac.update(prev.as_bytes());
            mac.update(b"\n");
            mac.update(canon.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        _ => {
            let mut h = Sha256::new();
            h.update(prev.as_bytes());
            h.update(b"\n");
            h.update(canon.as_bytes());
            hex::encode(h.finalize())
        }
    }
}

/// Appends a record to `out` as the journal writes it (members in spec
/// order, extra escapes, hash tail), with seq and prev filled in. Fixtures
/// and tests build logs with it; `record` gives ts, kind, actor, phase, body.
pub fn push_chained(out: &mut String, record: Map<String, Value>, key: Option<&[u8]>) {
    let seq = out.lines().count() as u64;
    let prev = out
        .lines()
        .last()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .and_then(|v| v.get("hash").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| ZERO_HASH.to_string());
    let member = |k: &str| record.get(k).cloned().unwrap_or(Value::Null).to_string();
    let canon = escape_extra(format!(
        "{{\"seq\":{seq},\"ts\":{},\"kind\":{},\"actor\":{},\"phase\":{},\"body\":{},\"prev\":\"{prev}\"}}",
        member("ts"),
        member("kind"),
        member("actor"),
        member("phase"),
        member("body"),
    ));
    let hash = record_hash(&prev, &canon, key);
    out.push_str(&canon[..canon.len() - 1]);
    out.push_str(&format!(",\"hash\":\"{hash}\"}}\n"));
}

/// Writes DEL, C1 controls, bidi controls and U+2028/9 as `\uXXXX`, as the
/// journal does (serde_json leaves them raw; they only occur inside strings).
fn escape_extra(json: String) -> String {
    let extra = |c: char| {
        matches!(c, '\u{7f}'..='\u{9f}' | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
            | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !json.chars().any(extra) {
        return json;
    }
    json.chars()
        .map(|c| {
            if extra(c) {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
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
    fn writes_and_accepts_the_journal_docs_worked_example() {
        // docs/log-format.md (journal branch), section 3, record 0
        let want = r#"{"seq":0,"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"dana","phase":null,"body":{"chain":"sha256","operator":"dana"},"prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"dbe231f968e996600bc04c8cd04c003f6849fb647f1d277bac81138f19c7a2b2"}"#;
        let mut out = String::new();
        let Value::Object(m) = json!({"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"dana","phase":null,
            "body":{"chain":"sha256","operator":"dana"}})
        else {
            unreachable!()
        };
        push_chained(&mut out, m, None);
        assert_eq!(out, format!("{want}\n"));
        assert!(verify_text(&out, None).ok);
    }

    #[test]
    fn c1_and_bidi_are_escaped_in_the_file() {
        let mut out = String::new();
        let Value::Object(m) = json!({"ts":"2026-11-28T22:00:00.000Z","kind":"note","actor":"x\u{9b}\u{202e}","phase":null,"body":{}})
        else {
            unreachable!()
        };
        push_chained(&mut out, m, None);
        assert!(out.contains(r"x\u009b\u202e"), "{out}");
        assert!(verify_text(&out, None).ok);
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
                .starts_with("line 2: edited: hash does not match"),
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
            Some("line 3: torn: last line has no newline (a write cut off)")
        );
        assert_eq!(s.records, 2);
    }

    #[test]
    fn a_log_that_says_it_is_keyed_is_not_passed_without_the_key() {
        let mut out = String::new();
        let Value::Object(m) = json!({"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"dana","phase":null,
            "body":{"chain":"hmac-sha256"}})
        else {
            unreachable!()
        };
        push_chained(&mut out, m, Some(b"k"));
        let s = verify_text(&out, None);
        assert!(s.damage.unwrap().contains("set CUTOVER_LOG_KEY"));
        assert!(verify_text(&out, Some(b"k")).ok);
    }

    #[test]
    fn a_keyed_log_needs_the_key() {
        let text = log(2, Some(b"k1"));
        assert!(verify_text(&text, Some(b"k1")).ok);
        assert!(!verify_text(&text, None).ok);
        assert!(!verify_text(&text, Some(b"k2")).ok);
    }
}
