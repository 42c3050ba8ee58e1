//! `cutover verify` on a damaged log names the last record that truly
//! verifies and its hash, for every kind of damage. The expectation is
//! worked out independently of the verifier: from the undamaged log's own
//! lines (which line the damage condemns, and the hash the line before it
//! carried).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod journal_support;

use cutover_cockpit::journal::canon::Chain;
use cutover_cockpit::journal::{read_records, Record};
use journal_support::*;

/// The `hash` member of a JSON line, read without the verifier.
fn hash_of(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["hash"].as_str().unwrap().to_string()
}

/// Runs `cutover verify` on the damaged copy: (kind, count, head) from its
/// two lines `LOG:LINE: error: KIND: ...` and `LOG: N record(s) before ...;
/// head of the intact part: HASH`.
fn verdict(
    name: &str,
    edit: impl FnOnce(&mut Vec<String>, &std::path::Path),
) -> (String, u64, String, Vec<String>) {
    let d = TempDir::new(name);
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let original = lines(&log);
    let mut l = original.clone();
    edit(&mut l, &log);
    write_lines(&log, &l);
    let (code, out, _) = cutover_verify(&log, &[], None);
    assert_eq!(code, 1, "{out}");
    let mut it = out.lines();
    let first = it.next().unwrap();
    let kind = first
        .split(": error: ")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .to_string();
    let second = it.next().unwrap();
    let count: u64 = second
        .split(": ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let head = second
        .rsplit("head of the intact part: ")
        .next()
        .unwrap()
        .trim()
        .to_string();
    (kind, count, head, original)
}

#[test]
fn edited_names_the_records_before_the_edited_line() {
    let (kind, count, head, orig) =
        verdict("s-edit", |l, _| l[4] = l[4].replace("drift on", "drift in"));
    assert_eq!(kind, "edited");
    assert_eq!((count, head), (4, hash_of(&orig[3])));
}

#[test]
fn forged_does_not_count_the_rehashed_record_as_intact() {
    let (kind, count, head, orig) = verdict("s-forged", |l, log| {
        let recs = read_records(log).unwrap();
        let mut e = recs[4].entry();
        e.body["rationale"] = "rewritten".into();
        let (_, line) = Record::seal(e, 4, recs[4].ts(), &recs[4].prev, &Chain::Sha256);
        l[4] = line.trim_end().to_string();
    });
    assert_eq!(kind, "forged");
    // line 5 (seq 4) was rewritten and re-hashed: seq 0..=3 verify
    assert_eq!((count, head), (4, hash_of(&orig[3])));
}

#[test]
fn missing_names_the_records_before_the_gap() {
    let (kind, count, head, orig) = verdict("s-missing", |l, _| {
        l.remove(5);
    });
    assert_eq!(kind, "missing");
    assert_eq!((count, head), (5, hash_of(&orig[4])));
}

#[test]
fn reordered_names_the_records_before_the_swap() {
    let (kind, count, head, orig) = verdict("s-reordered", |l, _| l.swap(3, 4));
    assert_eq!(kind, "reordered");
    assert_eq!((count, head), (3, hash_of(&orig[2])));
}

#[test]
fn bad_json_names_the_records_before_the_bad_line() {
    let (kind, count, head, orig) = verdict("s-bad-json", |l, _| l[6] = "{not json".into());
    assert_eq!(kind, "bad_json");
    assert_eq!((count, head), (6, hash_of(&orig[5])));
}

#[test]
fn torn_names_every_whole_record() {
    let d = TempDir::new("s-torn");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let orig = lines(&log);
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, &text[..text.len() - 10]).unwrap();
    let (code, out, _) = cutover_verify(&log, &[], None);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.lines().next().unwrap().contains(": error: torn:"),
        "{out}"
    );
    let n = orig.len() - 1;
    let want = format!("{n} record(s) before line {}", n + 1);
    assert!(out.contains(&want), "{out}");
    assert!(out.trim_end().ends_with(&hash_of(&orig[n - 1])), "{out}");
}

#[test]
fn truncated_keeps_every_record_that_is_there() {
    let d = TempDir::new("s-truncated");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let orig = lines(&log);
    let last = orig.len() - 1;
    let cp = format!("{}:{}", last, hash_of(&orig[last]));
    write_lines(&log, &orig[..last]);
    let (code, out, _) = cutover_verify(&log, &["--checkpoint", &cp], None);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.lines().next().unwrap().contains(": error: truncated:"),
        "{out}"
    );
    assert!(
        out.contains(&format!("{last} record(s) before line {}", last + 1)),
        "{out}"
    );
    assert!(out.trim_end().ends_with(&hash_of(&orig[last - 1])), "{out}");
}
