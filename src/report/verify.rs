//! The chain check the report states on its first lines: the journal's own
//! verifier (`journal::verify_bytes`) over the bytes the report reads, plus
//! the last checkpoint the cockpit published next to the log
//! (`LOG.checkpoint`), checked against the log.

use crate::journal::canon::{self, Chain, ZERO_HASH};
use crate::journal::lock::sidecar;
use crate::journal::{verify_bytes, Checkpoint, JournalError, VerifyOutcome};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// What the chain check found, for the report's first lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerificationSummary {
    /// Every line parsed and every hash links.
    pub ok: bool,
    /// The first damage found, as `line N: kind: what` (`None` when `ok`).
    pub damage: Option<String>,
    /// Lines that parsed as records.
    pub records: usize,
    /// The `hash` of the last record that still verified.
    pub head_hash: String,
    /// `SEQ:HASH` of that record, to keep elsewhere as a checkpoint.
    pub last_checkpoint: Option<String>,
    /// The checkpoint found in `LOG.checkpoint` and whether the log still
    /// holds it, in words; `None` when there is no such file.
    pub published_checkpoint: Option<String>,
    /// Every signature's verdict (docs/log-format.md, "Signatures").
    pub signatures: crate::journal::sig_walk::SigSummary,
}

/// Why a report could not be made at all.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read log {path}: {source} (expected a readable cutover log, JSON Lines)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Journal(JournalError),
}

/// The log's text and records, and its verification (key from
/// `CUTOVER_LOG_KEY`, published checkpoint from `LOG.checkpoint`).
pub fn verification_of(path: &Path) -> Result<(Vec<Value>, VerificationSummary), ReportError> {
    let text = read_log(path)?;
    let key = crate::journal::key_from_env().map_err(ReportError::Journal)?;
    let records = parse_records(&text);
    let mut v = verify_log(text.as_bytes(), path, key, published_checkpoint(path))?;
    v.records = records.len();
    Ok((records, v))
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
    // A last line without its newline is a torn write (the crash came before
    // the write ended), even when its bytes happen to parse: resume moves it
    // aside and replay skips it, so the report does not count it either.
    let whole = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    whole
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// The checkpoint the cockpit last wrote next to `log`, if any and readable.
pub fn published_checkpoint(log: &Path) -> Option<Checkpoint> {
    let file = sidecar(log, ".checkpoint");
    file.exists()
        .then(|| Checkpoint::from_arg(&file.to_string_lossy()).ok())
        .flatten()
}

/// Verifies `bytes` with the journal's verifier. A keyed log without its key
/// is a failed check (named), not an error; only other journal errors are.
/// `records` is the count of intact records (the caller may recount lines).
pub fn verify_log(
    bytes: &[u8],
    path: &Path,
    key: Option<Vec<u8>>,
    published: Option<Checkpoint>,
) -> Result<VerificationSummary, ReportError> {
    match verify_bytes(bytes, path, key, published.clone()) {
        Ok(outcome) => Ok(summary(&outcome, published.as_ref())),
        Err(JournalError::KeyRequired { .. }) => Ok(VerificationSummary {
            damage: Some("line 1: cannot check: the log is keyed (chain hmac-sha256); set CUTOVER_LOG_KEY to the key it was written with".into()),
            ..Default::default()
        }),
        Err(e) => Err(ReportError::Journal(e)),
    }
}

fn summary(o: &VerifyOutcome, published: Option<&Checkpoint>) -> VerificationSummary {
    let head = o.summary.head_hash.clone().unwrap_or_default();
    let last_checkpoint = o.summary.head_hash.as_ref().map(|h| {
        let seq = o
            .records
            .last()
            .map_or(o.summary.count.saturating_sub(1), |r| r.seq);
        format!("{seq}:{h}")
    });
    let sigs = &o.summary.signatures;
    let damage = o.damage.as_ref().map(|d| {
        if d.message.is_empty() {
            format!("line {}: {}", d.line, d.kind)
        } else {
            format!("line {}: {}: {}", d.line, d.kind, d.message)
        }
    });
    // a signature problem leaves the chain intact but the log does not verify
    let damage = damage.or_else(|| {
        sigs.problems.first().map(|p| {
            format!(
                "line {}: {}: {} ({} signature problem(s) in all)",
                p.line, p.word, p.message, sigs.problem_count
            )
        })
    });
    let published_checkpoint = published.map(|c| {
        let at =
            c.ts.as_deref()
                .map(|t| format!(" (taken {t})"))
                .unwrap_or_default();
        let found = if o.summary.checkpoint_matched.is_some() {
            "the log still holds it"
        } else {
            "the log does NOT hold it (see the damage above)"
        };
        format!("{c}{at}: {found}")
    });
    VerificationSummary {
        ok: o.damage.is_none() && sigs.problem_count == 0,
        signatures: sigs.clone(),
        damage,
        records: o.summary.count as usize,
        head_hash: head,
        last_checkpoint,
        published_checkpoint,
    }
}

/// Appends a record to `out` as the journal writes it (members in spec
/// order, extra escapes, hash tail), with seq and prev filled in. Fixtures
/// and tests build logs with it, including records the cockpit would not
/// write; `record` gives ts, kind, actor, phase, body.
pub fn push_chained(out: &mut String, record: Map<String, Value>, key: Option<&[u8]>) {
    let seq = out.lines().count() as u64;
    let prev = out
        .lines()
        .last()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .and_then(|v| v.get("hash").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| ZERO_HASH.to_string());
    let member = |k: &str| record.get(k).cloned().unwrap_or(Value::Null).to_string();
    let canon = canon::escape_extra(format!(
        "{{\"seq\":{seq},\"ts\":{},\"kind\":{},\"actor\":{},\"phase\":{},\"body\":{},\"prev\":\"{prev}\"}}",
        member("ts"),
        member("kind"),
        member("actor"),
        member("phase"),
        member("body"),
    ));
    let hash = Chain::from_key(key.map(<[u8]>::to_vec)).hash(&prev, canon.as_bytes());
    out.push_str(&canon::join_line(&canon, &hash));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(n: usize, key: Option<&[u8]>) -> String {
        let mut out = String::new();
        for i in 0..n {
            let kind = if i == 0 { "open" } else { "decision" };
            let Value::Object(m) = json!({"ts":"2026-11-28T22:00:00.000Z","kind":kind,"actor":"dana","phase":null,"body":{"i":i}})
            else {
                unreachable!()
            };
            push_chained(&mut out, m, key);
        }
        out
    }

    fn check(text: &str, key: Option<&[u8]>) -> VerificationSummary {
        verify_log(
            text.as_bytes(),
            Path::new("x.jsonl"),
            key.map(<[u8]>::to_vec),
            None,
        )
        .unwrap()
    }

    #[test]
    fn an_intact_chain_verifies_and_names_its_head() {
        let text = log(3, None);
        let s = check(&text, None);
        assert!(s.ok, "{s:?}");
        assert_eq!(s.records, 3);
        let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(s.head_hash, last["hash"].as_str().unwrap());
        assert_eq!(s.last_checkpoint, Some(format!("2:{}", s.head_hash)));
    }

    #[test]
    fn writes_and_accepts_the_journal_docs_worked_example() {
        // docs/log-format.md, section 3, record 0
        let want = r#"{"seq":0,"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"dana","phase":null,"body":{"chain":"sha256","operator":"dana"},"prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"dbe231f968e996600bc04c8cd04c003f6849fb647f1d277bac81138f19c7a2b2"}"#;
        let mut out = String::new();
        let Value::Object(m) = json!({"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"dana","phase":null,
            "body":{"chain":"sha256","operator":"dana"}})
        else {
            unreachable!()
        };
        push_chained(&mut out, m, None);
        assert_eq!(out, format!("{want}\n"));
        assert!(check(&out, None).ok);
    }

    #[test]
    fn c1_and_bidi_are_escaped_in_the_file() {
        let mut out = String::new();
        let Value::Object(m) = json!({"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"x\u{9b}\u{202e}","phase":null,"body":{}})
        else {
            unreachable!()
        };
        push_chained(&mut out, m, None);
        assert!(out.contains(r"x\u009b\u202e"), "{out}");
        assert!(check(&out, None).ok);
    }

    #[test]
    fn an_edited_record_is_named_by_line() {
        let text = log(3, None).replace("{\"i\":1}", "{\"i\":7}");
        let s = check(&text, None);
        assert!(!s.ok);
        let d = s.damage.unwrap();
        assert!(d.starts_with("line 2: edited"), "{d}");
        assert_eq!(s.last_checkpoint.as_deref().map(|c| &c[..2]), Some("0:"));
    }

    #[test]
    fn a_torn_last_line_is_called_torn() {
        let mut text = log(2, None);
        text.push_str("{\"seq\":2,\"ts\":");
        let s = check(&text, None);
        assert!(s.damage.unwrap().starts_with("line 3: torn"));
    }

    #[test]
    fn a_keyed_log_needs_the_key() {
        let mut out = String::new();
        let Value::Object(m) = json!({"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"dana","phase":null,
            "body":{"chain":"hmac-sha256"}})
        else {
            unreachable!()
        };
        push_chained(&mut out, m, Some(b"k"));
        let s = check(&out, None);
        assert!(s.damage.unwrap().contains("set CUTOVER_LOG_KEY"));
        assert!(check(&out, Some(b"k")).ok);
        assert!(!check(&out, Some(b"k2")).ok);
    }

    #[test]
    fn a_published_checkpoint_is_found_or_the_cut_is_named() {
        let text = log(4, None);
        let third: Value = serde_json::from_str(text.lines().nth(2).unwrap()).unwrap();
        let cp = Checkpoint::parse_literal(&format!("2:{}", third["hash"].as_str().unwrap()));
        let path = Path::new("x.jsonl");
        let s = verify_log(text.as_bytes(), path, None, cp.clone()).unwrap();
        assert!(s.ok);
        assert!(s
            .published_checkpoint
            .unwrap()
            .ends_with("the log still holds it"));
        let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
        let s = verify_log(cut.as_bytes(), path, None, cp).unwrap();
        assert!(!s.ok, "a log cut before its checkpoint does not verify");
        assert!(s.damage.unwrap().contains("truncated"));
        assert!(s.published_checkpoint.unwrap().contains("does NOT hold it"));
    }
}
