//! `cutover verify` end to end: the tamper suite, keys, checkpoints, exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod journal_support;

use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::canon::Chain;
use cutover_cockpit::journal::{read_records, DamageKind, Record};
use journal_support::*;

const KEY: &str = "k3y-for-tests-only";

fn first_line(out: &str) -> &str {
    out.lines().next().unwrap_or("")
}

#[test]
fn an_intact_log_prints_its_summary_and_exits_0() {
    let d = TempDir::new("v-ok");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let (code, out, err) = cutover_verify(&log, &[], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("intact"), "{out}");
    assert!(out.contains("records:    12"), "{out}");
    assert!(out.contains("decisions:  3 (dana 2, sam 1)"), "{out}");
    assert!(out.contains("2026-11-28T22:00:00.000Z .."), "{out}");
    let head = read_records(&log).unwrap().last().unwrap().hash.clone();
    assert!(out.contains(&format!("head hash:  {head}")), "{out}");
}

#[test]
fn the_log_file_is_private_and_holds_no_raw_control_or_bidi_chars() {
    use std::os::unix::fs::PermissionsExt;
    let d = TempDir::new("v-raw");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
    assert!(
        text.contains(r"\u001b[2J") && text.contains(r"\u202etxt.exe"),
        "{text}"
    );
    assert!(
        !text.contains("SECRET-PATH"),
        "a webhook URL reached the log"
    );
    let note = &read_records(&log).unwrap()[10];
    assert_eq!(
        note.body["rationale"],
        "viewer cache \u{1b}[2J warmed \u{202e}txt.exe"
    );
}

fn tampered(name: &str, edit: impl FnOnce(&mut Vec<String>)) -> (i32, String) {
    let d = TempDir::new(name);
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let mut l = lines(&log);
    edit(&mut l);
    write_lines(&log, &l);
    let (code, out, _) = cutover_verify(&log, &[], None);
    (code, out.replace(&log.display().to_string(), "LOG"))
}

#[test]
fn one_edited_byte_in_a_rationale_is_named_edited_at_its_line() {
    let (code, out) = tampered("v-edit", |l| l[4] = l[4].replace("drift on", "drift in"));
    assert_eq!(code, 1);
    assert!(
        first_line(&out).starts_with("LOG:5: error: edited: record seq 4"),
        "{out}"
    );
}

#[test]
fn a_changed_timestamp_or_seq_is_edited() {
    let (code, out) = tampered("v-ts", |l| l[7] = l[7].replace("T22:00:2", "T21:00:2"));
    assert_eq!(code, 1);
    assert!(
        first_line(&out).starts_with("LOG:8: error: edited:"),
        "{out}"
    );
    let (code, out) = tampered("v-seq", |l| {
        l[3] = l[3].replacen("\"seq\":3", "\"seq\":7", 1)
    });
    assert_eq!(code, 1);
    assert!(
        first_line(&out).starts_with("LOG:4: error: edited:"),
        "{out}"
    );
}

#[test]
fn a_deleted_line_is_missing() {
    let (code, out) = tampered("v-del", |l| {
        l.remove(2);
    });
    assert_eq!(code, 1);
    assert!(
        first_line(&out).starts_with("LOG:3: error: missing: seq jumps from 1 to 3"),
        "{out}"
    );
}

#[test]
fn swapped_lines_are_reordered() {
    let (code, out) = tampered("v-swap", |l| l.swap(5, 6));
    assert_eq!(code, 1);
    assert!(
        first_line(&out).starts_with("LOG:6: error: reordered:"),
        "{out}"
    );
}

#[test]
fn a_line_that_is_not_json_is_bad_json() {
    let (code, out) = tampered("v-bad", |l| l[3] = "{\"seq\":3, oops".into());
    assert_eq!(code, 1);
    assert!(
        first_line(&out).starts_with("LOG:4: error: bad_json:"),
        "{out}"
    );
}

#[test]
fn a_log_cut_mid_line_is_torn() {
    let d = TempDir::new("v-torn");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let bytes = std::fs::read(&log).unwrap();
    std::fs::write(&log, &bytes[..bytes.len() - 40]).unwrap();
    let (code, out, _) = cutover_verify(&log, &[], None);
    assert_eq!(code, 1);
    let want = format!("{}:12: error: torn:", log.display());
    assert!(first_line(&out).starts_with(&want), "{out}");
    assert!(out.contains("11 record(s) before line 12 verify"), "{out}");
}

/// A record appended after the head, hashed with plain SHA-256 (no key).
fn forge_append(log: &std::path::Path) {
    let recs = read_records(log).unwrap();
    let last = recs.last().unwrap();
    let entry = decision("mallory", "go", "looks fine to me");
    let (_, line) = Record::seal(
        entry,
        last.seq + 1,
        Ts(last.ts().0 + 1000),
        &last.hash,
        &Chain::Sha256,
    );
    let mut text = std::fs::read_to_string(log).unwrap();
    text.push_str(&line);
    std::fs::write(log, text).unwrap();
}

#[test]
fn with_a_key_a_record_recomputed_with_sha256_is_forged() {
    let d = TempDir::new("v-forge");
    let log = d.join("c.jsonl");
    sample_log(&log, Some(KEY.as_bytes()));
    let (code, out, err) = cutover_verify(&log, &[], Some(KEY));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("chain:      hmac-sha256"), "{out}");
    forge_append(&log);
    let (code, out, _) = cutover_verify(&log, &[], Some(KEY));
    assert_eq!(code, 1);
    assert!(
        first_line(&out).contains(":13: error: forged: record seq 12 carries a plain SHA-256"),
        "{out}"
    );
}

#[test]
fn a_sha256_log_checked_with_a_key_is_forged_and_a_wrong_key_is_named() {
    let d = TempDir::new("v-keys");
    let plain = d.join("plain.jsonl");
    sample_log(&plain, None);
    let (code, out, _) = cutover_verify(&plain, &[], Some(KEY));
    assert_eq!(code, 1);
    assert!(first_line(&out).contains(":1: error: forged:"), "{out}");
    let keyed = d.join("keyed.jsonl");
    sample_log(&keyed, Some(KEY.as_bytes()));
    let (code, out, _) = cutover_verify(&keyed, &[], Some("another key"));
    assert_eq!(code, 1);
    assert!(
        first_line(&out).contains(":1: error: edited:") && out.contains("not the key"),
        "{out}"
    );
    let (code, out, err) = cutover_verify(&keyed, &[], None);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("set CUTOVER_LOG_KEY"), "{err}");
    assert!(
        !std::fs::read_to_string(&keyed).unwrap().contains(KEY),
        "the key reached the log"
    );
}

#[test]
fn unreadable_logs_and_bad_checkpoints_exit_2_with_one_line() {
    let d = TempDir::new("v-unread");
    let (code, out, err) = cutover_verify(&d.join("nope.jsonl"), &[], None);
    assert_eq!(code, 2, "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("nope.jsonl") && err.contains("open the log"),
        "{err}"
    );
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let (code, _, err) = cutover_verify(&log, &["--checkpoint", "7:xyz"], None);
    assert_eq!(code, 2);
    assert!(err.contains("SEQ:HASH"), "{err}");
}

#[test]
fn an_empty_log_is_not_intact() {
    let d = TempDir::new("v-empty");
    let log = d.join("c.jsonl");
    std::fs::write(&log, "").unwrap();
    let (code, out, _) = cutover_verify(&log, &[], None);
    assert_eq!(code, 1);
    assert!(
        first_line(&out).contains(":1: error: truncated: the log is empty"),
        "{out}"
    );
}

#[test]
fn a_checkpoint_catches_a_cut_tail_that_the_chain_alone_cannot() {
    let d = TempDir::new("v-cp-cut");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let sidecar = d.join("c.jsonl.checkpoint");
    let cp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sidecar).unwrap()).unwrap();
    assert_eq!(cp["seq"], 11, "the close record is checkpointed: {cp}");
    let (code, out, _) = cutover_verify(&log, &["--checkpoint", sidecar.to_str().unwrap()], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("checkpoint: 11:"), "{out}");
    // cut the last three records at a line boundary: the chain still verifies
    let mut l = lines(&log);
    l.truncate(9);
    write_lines(&log, &l);
    assert_eq!(cutover_verify(&log, &[], None).0, 0);
    let literal = format!("11:{}", cp["hash"].as_str().unwrap());
    let (code, out, _) = cutover_verify(&log, &["--checkpoint", &literal], None);
    assert_eq!(code, 1);
    assert!(
        first_line(&out).contains(":10: error: truncated: the log ends after seq 8"),
        "{out}"
    );
}

#[test]
fn a_checkpoint_catches_a_tail_rewritten_with_a_recomputed_chain() {
    let d = TempDir::new("v-cp-rewrite");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let recs = read_records(&log).unwrap();
    let cp = format!("{}:{}", recs[7].seq, recs[7].hash);
    // rewrite from seq 5 on: change a rationale and re-hash everything after
    let original = lines(&log);
    let mut text = String::new();
    let mut prev = recs[4].prev.clone();
    for (i, r) in recs.iter().enumerate() {
        if i < 5 {
            text += &original[i];
            text.push('\n');
            prev = r.hash.clone();
            continue;
        }
        let mut e = r.entry();
        if i == 5 {
            e.body["rationale"] = "nothing happened".into();
        }
        let (sealed, line) = Record::seal(e, r.seq, r.ts(), &prev, &Chain::Sha256);
        prev = sealed.hash;
        text += &line;
    }
    std::fs::write(&log, text).unwrap();
    assert_eq!(
        cutover_verify(&log, &[], None).0,
        0,
        "without a checkpoint a full rewrite is invisible"
    );
    let (code, out, _) = cutover_verify(&log, &["--checkpoint", &cp], None);
    assert_eq!(code, 1);
    assert!(
        first_line(&out).contains(":8: error: forged: record seq 7"),
        "{out}"
    );
}

#[test]
fn a_partly_rehashed_edit_is_forged_at_the_rewritten_line() {
    let d = TempDir::new("v-relink");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let recs = read_records(&log).unwrap();
    let mut e = recs[4].entry();
    e.body["rationale"] = "rewritten".into();
    let (_, line) = Record::seal(e, 4, recs[4].ts(), &recs[4].prev, &Chain::Sha256);
    let mut l = lines(&log);
    l[4] = line.trim_end().to_string();
    write_lines(&log, &l);
    let (code, out, _) = cutover_verify(&log, &[], None);
    assert_eq!(code, 1);
    assert!(first_line(&out).contains(":5: error: forged:"), "{out}");
}

/// A damage case: what, how to apply it, the line and kind expected.
type Case = (&'static str, fn(&mut Vec<String>), u64, DamageKind);

/// Damage must be found at its line wherever it falls in a long log (the
/// walk in small chunks on two threads is checked against the one-chunk
/// walk for every damage kind at every line in journal::parallel_walk).
#[test]
fn damage_is_found_at_its_line_in_long_logs_across_batches_and_threads() {
    use cutover_cockpit::journal::{verify_file, Journal};
    let d = TempDir::new("v-long");
    let log = d.join("c.jsonl");
    let mut j = Journal::create(&log, open_entry(), T0, None).unwrap();
    for i in 1..5000 {
        j.append(observe("m", f64::from(i)), Ts(T0.0 + i64::from(i)))
            .unwrap();
    }
    j.commit().unwrap();
    drop(j);
    let original = lines(&log);
    let out = verify_file(&log, None, None).unwrap();
    assert_eq!(
        (out.summary.count, out.damage, out.records.len()),
        (5000, None, 5000)
    );
    let (code, text, _) = cutover_verify(&log, &[], None);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("records:    5000"), "{text}");
    let cases: [Case; 4] = [
        (
            "edit in a batch's second half",
            |l| l[2999] = l[2999].replace("\"m\"", "\"n\""),
            3000,
            DamageKind::Edited,
        ),
        (
            "delete a batch's first line",
            |l| drop(l.remove(4096)),
            4097,
            DamageKind::Missing,
        ),
        (
            "swap in the second batch",
            |l| l.swap(4499, 4500),
            4500,
            DamageKind::Reordered,
        ),
        (
            "bad line near the end",
            |l| l[4998] = "{}".into(),
            4999,
            DamageKind::BadJson,
        ),
    ];
    for (what, edit, line, kind) in cases {
        let mut l = original.clone();
        edit(&mut l);
        write_lines(&log, &l);
        let damage = verify_file(&log, None, None).unwrap().damage.unwrap();
        assert_eq!(
            (damage.line, damage.kind),
            (line, kind),
            "{what}: {damage:?}"
        );
        let offset: usize = l[..(line - 1) as usize].iter().map(|x| x.len() + 1).sum();
        assert_eq!(damage.offset, offset as u64, "{what}");
    }
}
