//! What each probe kind makes of a fetched answer: pure functions from the
//! answer to named values (the runner adds prefix and time).

use crate::core::config::JsonExpect;
use crate::probe::http::{Failure, Fetched};
use serde_json::Value;
use std::collections::BTreeMap;

/// The values of one successful attempt, plus why some field could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// (field, value), e.g. ("latency_ms", 212.4); the prefix is added later.
    pub values: Vec<(String, f64)>,
    /// Fields that lost their sample, with the reason (the attempt still counts as ok).
    pub missing: Vec<String>,
    /// What a reconciliation found, one line (keys pseudonymised), for the log and screen.
    pub detail: Option<String>,
}

impl Outcome {
    fn push(&mut self, field: &str, v: f64) {
        self.values.push((field.to_string(), v));
    }
}

/// `expect_status` (empty = 200-299).
pub fn check_status(status: u16, expect: &[u16]) -> Result<(), Failure> {
    let ok = if expect.is_empty() {
        (200..300).contains(&status)
    } else {
        expect.contains(&status)
    };
    if ok {
        Ok(())
    } else {
        Err(Failure(format!("status {status}")))
    }
}

/// A declared content type must fit what the kind parses (a missing one is tolerated).
fn check_content_type(f: &Fetched, accepted: &[&str], expected: &str) -> Result<(), Failure> {
    let Some(ct) = &f.content_type else {
        return Ok(());
    };
    let ct_l = ct.to_ascii_lowercase();
    if accepted.iter().any(|a| ct_l.contains(a)) {
        return Ok(());
    }
    let shown = ct.split(';').next().unwrap_or(ct).trim();
    Err(Failure::new(format!(
        "content type {shown}, expected {expected}"
    )))
}

/// The body as JSON, or why it is not.
fn json_body(f: &Fetched, what: &str) -> Result<Value, Failure> {
    check_content_type(f, &["json"], "JSON")?;
    if f.body.is_empty() {
        return Err(Failure("empty body".into()));
    }
    if std::str::from_utf8(&f.body).is_err() {
        return Err(Failure(format!("body is not UTF-8 (expected JSON {what})")));
    }
    serde_json::from_slice(&f.body).map_err(|_| Failure::new(format!("not JSON {what}")))
}

/// How a JSON value compares with a config string: strings as-is, others as JSON text.
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn ms(f: &Fetched) -> f64 {
    f.elapsed.as_secs_f64() * 1000.0
}

/// health: status, optional JSON pointer check → status, health_ms.
pub fn health(
    f: &Fetched,
    expect_status: &[u16],
    expect_json: Option<&JsonExpect>,
) -> Result<Outcome, Failure> {
    check_status(f.status, expect_status)?;
    if let Some(ej) = expect_json {
        let doc = json_body(f, &format!("at {}", ej.pointer))?;
        let found = doc
            .pointer(&ej.pointer)
            .ok_or_else(|| Failure::new(format!("nothing at {}", ej.pointer)))?;
        let text = json_text(found);
        if text != ej.equals {
            return Err(Failure::new(format!(
                "{} is \"{}\", expected \"{}\"",
                ej.pointer,
                crate::core::sanitize::inert_short(&text, 40),
                ej.equals
            )));
        }
    }
    let mut out = Outcome::default();
    out.push("status", f64::from(f.status));
    out.push("health_ms", ms(f));
    Ok(out)
}

/// A JSON value as a sample: numbers, booleans (1/0), numeric strings.
fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|x| x.is_finite()),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

/// latency: timed GET of the full body → latency_ms, plus `fields` by JSON pointer.
pub fn latency(
    f: &Fetched,
    expect_status: &[u16],
    fields: &BTreeMap<String, String>,
) -> Result<Outcome, Failure> {
    check_status(f.status, expect_status)?;
    let mut out = Outcome::default();
    out.push("latency_ms", ms(f));
    if fields.is_empty() {
        return Ok(out);
    }
    let doc = json_body(f, "for fields");
    for (field, pointer) in fields {
        match &doc {
            Err(e) => out.missing.push(format!("{field}: {e}")),
            Ok(doc) => match doc.pointer(pointer).map(number_of) {
                Some(Some(v)) => out.push(field, v),
                Some(None) => out
                    .missing
                    .push(format!("{field}: {pointer} is not a number")),
                None => out.missing.push(format!("{field}: nothing at {pointer}")),
            },
        }
    }
    Ok(out)
}

/// prometheus: text exposition, one value per `select` entry.
pub fn prometheus(
    f: &Fetched,
    expect_status: &[u16],
    select: &BTreeMap<String, crate::probe::prom::Selector>,
) -> Result<Outcome, Failure> {
    check_status(f.status, expect_status)?;
    check_content_type(
        f,
        &["text/plain", "openmetrics"],
        "text/plain (Prometheus exposition)",
    )?;
    let text = std::str::from_utf8(&f.body)
        .map_err(|_| Failure("body is not UTF-8 (expected Prometheus text)".into()))?;
    let (series, _bad) = crate::probe::prom::parse_exposition(text);
    let mut out = Outcome::default();
    for (field, sel) in select {
        match crate::probe::prom::select(&series, sel) {
            Some(v) if v.is_finite() => out.push(field, v),
            Some(_) => out
                .missing
                .push(format!("{field}: {} is not finite", sel.name)),
            None => out.missing.push(format!("{field}: no series {}", sel.name)),
        }
    }
    Ok(out)
}

/// One side of a checksum comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Checksum {
    pub count: u64,
    pub digest: String,
    pub buckets: BTreeMap<String, String>,
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Reads a checksum answer `{"dataset","count","digest","buckets"?,"as_of"?}`.
pub fn parse_checksum(f: &Fetched, expect_status: &[u16]) -> Result<Checksum, Failure> {
    check_status(f.status, expect_status)?;
    let doc = json_body(f, "checksum document")?;
    let count = doc
        .get("count")
        .and_then(Value::as_u64)
        .ok_or_else(|| Failure("no whole number at /count".into()))?;
    let digest = doc
        .get("digest")
        .and_then(Value::as_str)
        .filter(|d| is_hex(d))
        .ok_or_else(|| Failure("no hex digest at /digest".into()))?
        .to_ascii_lowercase();
    let mut buckets = BTreeMap::new();
    match doc.get("buckets") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                let hex = v
                    .as_str()
                    .filter(|d| is_hex(d))
                    .ok_or_else(|| Failure::new(format!("bucket {k} is not a hex digest")))?;
                buckets.insert(k.clone(), hex.to_ascii_lowercase());
            }
        }
        Some(_) => return Err(Failure("/buckets is not an object".into())),
    }
    Ok(Checksum {
        count,
        digest,
        buckets,
    })
}

/// Compares both sides → source_count, target_count, count_delta, match, mismatched_buckets.
pub fn reconcile(source: &Checksum, target: &Checksum) -> Outcome {
    let mut mismatched = 0u64;
    for (k, v) in &source.buckets {
        if target.buckets.get(k) != Some(v) {
            mismatched += 1;
        }
    }
    mismatched += target
        .buckets
        .keys()
        .filter(|k| !source.buckets.contains_key(*k))
        .count() as u64;
    let matched = source.count == target.count && source.digest == target.digest && mismatched == 0;
    let mut out = Outcome::default();
    out.push("source_count", source.count as f64);
    out.push("target_count", target.count as f64);
    out.push("count_delta", target.count as f64 - source.count as f64);
    out.push("match", if matched { 1.0 } else { 0.0 });
    out.push("mismatched_buckets", mismatched as f64);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn answer(status: u16, ct: Option<&str>, body: &[u8]) -> Fetched {
        Fetched {
            status,
            content_type: ct.map(str::to_string),
            body: body.to_vec(),
            elapsed: Duration::from_millis(42),
            cert_not_after: None,
            phases: Default::default(),
        }
    }

    fn value(o: &Outcome, k: &str) -> Option<f64> {
        o.values.iter().find(|(n, _)| n == k).map(|(_, v)| *v)
    }

    #[test]
    fn health_checks_status_and_pointer() {
        let ej = JsonExpect {
            pointer: "/status".into(),
            equals: "ok".into(),
        };
        let ok = health(
            &answer(200, Some("application/json"), br#"{"status":"ok"}"#),
            &[],
            Some(&ej),
        )
        .unwrap();
        assert_eq!(value(&ok, "status"), Some(200.0));
        assert_eq!(value(&ok, "health_ms"), Some(42.0));
        let bad = health(
            &answer(200, None, br#"{"status":"degraded"}"#),
            &[],
            Some(&ej),
        );
        assert_eq!(
            bad.unwrap_err().0,
            r#"/status is "degraded", expected "ok""#
        );
        let e503 = health(&answer(503, None, b""), &[], None);
        assert_eq!(e503.unwrap_err().0, "status 503");
        assert!(health(&answer(503, None, b""), &[503], None).is_ok());
        let html = health(
            &answer(200, Some("text/html; charset=utf-8"), b"{}"),
            &[],
            Some(&ej),
        );
        assert_eq!(html.unwrap_err().0, "content type text/html, expected JSON");
        let not_json = health(&answer(200, None, b"<html>"), &[], Some(&ej));
        assert_eq!(not_json.unwrap_err().0, "not JSON at /status");
    }

    #[test]
    fn latency_loses_only_unreadable_fields() {
        let fields: BTreeMap<String, String> = [
            ("lag".to_string(), "/replication/lag_seconds".to_string()),
            ("gone".to_string(), "/nope".to_string()),
        ]
        .into();
        let o = latency(
            &answer(200, None, br#"{"replication":{"lag_seconds":7}}"#),
            &[],
            &fields,
        )
        .unwrap();
        assert_eq!(value(&o, "latency_ms"), Some(42.0));
        assert_eq!(value(&o, "lag"), Some(7.0));
        assert_eq!(o.missing, vec!["gone: nothing at /nope".to_string()]);
        let o = latency(&answer(200, None, b"\xff\xfe"), &[], &fields).unwrap();
        assert_eq!(value(&o, "latency_ms"), Some(42.0));
        assert_eq!(o.missing.len(), 2);
    }

    #[test]
    fn checksums_compare_case_insensitively_and_count_buckets() {
        let s = parse_checksum(
            &answer(
                200,
                None,
                br#"{"dataset":"d","count":3,"digest":"ABcd","buckets":{"a":"01","b":"02"}}"#,
            ),
            &[],
        )
        .unwrap();
        let t = parse_checksum(
            &answer(
                200,
                None,
                br#"{"dataset":"d","count":3,"digest":"abCD","buckets":{"a":"01","b":"02"}}"#,
            ),
            &[],
        )
        .unwrap();
        let o = reconcile(&s, &t);
        assert_eq!(value(&o, "match"), Some(1.0));
        let t2 = parse_checksum(
            &answer(
                200,
                None,
                br#"{"count":5,"digest":"abcd","buckets":{"a":"ff","c":"02"}}"#,
            ),
            &[],
        )
        .unwrap();
        let o = reconcile(&s, &t2);
        assert_eq!(value(&o, "match"), Some(0.0));
        assert_eq!(value(&o, "count_delta"), Some(2.0));
        assert_eq!(value(&o, "mismatched_buckets"), Some(3.0));
        assert!(parse_checksum(&answer(200, None, br#"{"count":-1,"digest":"ab"}"#), &[]).is_err());
        assert!(parse_checksum(&answer(200, None, br#"{"count":1,"digest":"xyz"}"#), &[]).is_err());
    }
}
