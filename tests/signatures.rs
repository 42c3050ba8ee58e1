//! Per-person signatures end to end: `keygen`, signed records, `verify`
//! (`bad signature`, `unknown key`, `missing signature`, `--keys`),
//! `amend` and `review`, and docs/verify_log.py agreeing on all of it.
#![allow(clippy::unwrap_used)] // test helpers may unwrap too (team rule: tests may unwrap)

#[path = "support/external.rs"]
mod external;

mod journal_support;

use cutover_cockpit::core::entry::{Entry, EntryKind};
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::canon::{self, Chain};
use cutover_cockpit::journal::signed::Roster;
use cutover_cockpit::journal::{open_body, read_records, Journal};
use cutover_cockpit::sign::{public_text, Meaning, Unlocked};
use journal_support::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

const PASS: &str = "correct horse battery staple";

/// A roster TOML (like a runbook's [[owner]] tables) holding these keys.
fn roster_toml(people: &[(&str, &Unlocked)]) -> String {
    people
        .iter()
        .map(|(id, k)| {
            format!(
                "[[owner]]\nid = \"{id}\"\nname = \"{id} name\"\nrole = \"{id} role\"\nsigning_key = \"{}\"\n",
                public_text(&k.public())
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn open_with(pinned: &[(&str, &Unlocked)], require: &[&str]) -> Entry {
    let roster = Roster::from_toml(&roster_toml(pinned)).unwrap();
    let mut body = open_body(RUNBOOK, CONFIG, "dana", "test-host");
    body["signers"] = roster.open_body_json();
    body["require_signature"] = json!(require);
    Entry {
        kind: EntryKind::Open,
        actor: "dana".into(),
        phase: None,
        body,
    }
}

fn decision(actor: &str, kind: &str, extra: serde_json::Value) -> Entry {
    let mut body =
        json!({"type": kind, "rationale": format!("{kind} by {actor}"), "snapshot": {"gates": []}});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    Entry {
        kind: EntryKind::Decision,
        actor: actor.into(),
        phase: Some("parallel-run".into()),
        body,
    }
}

/// open (dana, dr-lee pinned), observe, signoff by dr-lee (signed),
/// observe, go by dana (signed), note by sam (unsigned), close.
/// `dana_signs` signs dana's go (normally dana's own key).
fn signed_log(
    path: &Path,
    pinned_dana: &Unlocked,
    dana_signs: &Unlocked,
    lee: &Unlocked,
    require: &[&str],
) {
    let open = open_with(&[("dana", pinned_dana), ("dr-lee", lee)], require);
    let mut j = Journal::create(path, open, T0, None).unwrap();
    let t = |s: i64| Ts(T0.0 + s * 1000);
    j.append(observe("target.pacs.latency_ms", 300.0), t(5))
        .unwrap();
    let so = decision(
        "dr-lee",
        "signoff",
        json!({"phase": "parallel-run", "role": "Clinical leadership"}),
    );
    j.append_durable_signed(so, t(6), lee, Meaning::Approval)
        .unwrap();
    j.append(observe("target.pacs.latency_ms", 301.0), t(10))
        .unwrap();
    let go = decision(
        "dana",
        "go",
        json!({"from": "parallel-run", "to": "switch"}),
    );
    j.append_durable_signed(go, t(11), dana_signs, Meaning::Responsibility)
        .unwrap();
    j.append_durable(decision("sam", "note", json!({})), t(12))
        .unwrap();
    let close = Entry {
        kind: EntryKind::Close,
        actor: "dana".into(),
        phase: None,
        body: json!({}),
    };
    j.append_durable(close, t(13)).unwrap();
}

struct Keys {
    dana: Unlocked,
    lee: Unlocked,
}

fn keys() -> Keys {
    Keys {
        dana: Unlocked::generate("dana").unwrap(),
        lee: Unlocked::generate("dr-lee").unwrap(),
    }
}

/// Re-links the chain from line `from` on (plain SHA-256), as someone
/// without an HMAC key can: each line's `prev` and `hash` recomputed.
fn rechain(lines: &mut [String], from: usize) {
    for i in from..lines.len() {
        let prev = if i == 0 {
            canon::ZERO_HASH.to_string()
        } else {
            let (_, h) = canon::split_line(lines[i - 1].as_bytes()).unwrap();
            h.to_string()
        };
        let (head, _) = canon::split_line(lines[i].as_bytes()).unwrap();
        let head = String::from_utf8(head.to_vec()).unwrap();
        let cut = head.len() - 66; // `"<64 hex>"` of prev at the end of the head
        let head = format!("{}\"{prev}\"", &head[..cut]);
        let canon_text = format!("{head}}}");
        let hash = Chain::Sha256.hash(&prev, canon_text.as_bytes());
        lines[i] = canon::join_line(&canon_text, &hash).trim_end().to_string();
    }
}

/// The signature member text of a line.
fn member_of(line: &str) -> String {
    let start = line.find(",\"signature\":").unwrap();
    let end = line[start..].find("}},\"prev\"").unwrap() + start + 1;
    line[start..end].to_string()
}

fn verdict(code: i32, out: &str) -> String {
    if code == 0 {
        return "intact".into();
    }
    // `LOG:LINE: error: WORD: message` -> `LINE: WORD`
    let first = out.lines().next().unwrap_or("");
    let parts: Vec<&str> = first.splitn(5, ':').collect();
    format!("{}:{}", parts[1].trim(), parts[3].trim())
}

fn python_verify(log: &Path) -> Option<(i32, String)> {
    external::require("python3", &[], "apt-get install -y python3")?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_log.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(log)
        .env_remove("CUTOVER_LOG_KEY")
        .output()
        .unwrap();
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

/// Both verifiers give `want` (`intact` or `LINE:WORD`).
fn assert_verdict(log: &Path, want: &str) {
    let (code, out, err) = cutover_verify(log, &[], None);
    assert_eq!(verdict(code, &out), want, "cutover verify: {out}{err}");
    if let Some((pc, pout)) = python_verify(log) {
        assert_eq!(verdict(pc, &pout), want, "verify_log.py: {pout}");
    }
}

#[test]
fn a_signed_log_verifies_and_names_who_signed() {
    let d = TempDir::new("sig-ok");
    let log = d.join("c.jsonl");
    let k = keys();
    signed_log(&log, &k.dana, &k.dana, &k.lee, &["signoff", "go"]);
    let (code, out, err) = cutover_verify(&log, &[], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("signatures: 2 verified (dana 1, dr-lee 1); required for signoff, go"),
        "{out}"
    );
    let recs = read_records(&log).unwrap();
    assert_eq!(recs[2].body["signature"]["meaning"], "approval");
    assert_eq!(recs[4].body["signature"]["meaning"], "responsibility");
    assert_eq!(recs[4].body["signature"]["key"], k.dana.fingerprint());
    assert_verdict(&log, "intact");
}

#[test]
fn a_forged_signature_is_a_bad_signature() {
    let d = TempDir::new("sig-forged");
    let log = d.join("c.jsonl");
    let k = keys();
    signed_log(&log, &k.dana, &k.dana, &k.lee, &[]);
    let mut l = lines(&log);
    // flip one character of dr-lee's signature value, then re-link the chain
    let at = l[2].find("\"value\":\"").unwrap() + 12;
    let c = if &l[2][at..=at] == "A" { "B" } else { "A" };
    l[2].replace_range(at..=at, c);
    rechain(&mut l, 2);
    write_lines(&log, &l);
    assert_verdict(&log, "3:bad signature");
}

#[test]
fn a_valid_signature_moved_to_another_record_is_a_bad_signature() {
    let d = TempDir::new("sig-moved");
    let log = d.join("c.jsonl");
    let k = keys();
    signed_log(&log, &k.dana, &k.dana, &k.lee, &[]);
    let mut l = lines(&log);
    // dana's valid signature on the go (line 5) pasted onto sam's note, turned into a go by dana
    let member = member_of(&l[4]);
    let note = l[5]
        .replace("\"actor\":\"sam\"", "\"actor\":\"dana\"")
        .replace("\"type\":\"note\"", "\"type\":\"go\"");
    let close = note.find("},\"prev\"").unwrap();
    l[5] = format!("{}{member}{}", &note[..close], &note[close..]);
    rechain(&mut l, 5);
    write_lines(&log, &l);
    let (code, out, _) = cutover_verify(&log, &[], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("moved from another record"), "{out}");
    assert_verdict(&log, "6:bad signature");
}

#[test]
fn a_signature_by_someone_not_on_the_roster_is_an_unknown_key() {
    let d = TempDir::new("sig-eve");
    let log = d.join("c.jsonl");
    let k = keys();
    let eve = Unlocked::generate("dana").unwrap();
    signed_log(&log, &k.dana, &eve, &k.lee, &[]);
    assert_verdict(&log, "5:unknown key");
}

#[test]
fn an_unsigned_action_the_runbook_requires_signed_is_a_missing_signature() {
    let d = TempDir::new("sig-missing");
    let log = d.join("c.jsonl");
    let k = keys();
    signed_log(&log, &k.dana, &k.dana, &k.lee, &["signoff", "note"]);
    assert_verdict(&log, "6:missing signature");
}

#[test]
fn a_public_key_replaced_in_the_open_record_is_caught_with_keys() {
    let d = TempDir::new("sig-replaced");
    let log = d.join("c.jsonl");
    let k = keys();
    // the attacker rewrote the whole log with a key of their own pinned for dana
    let mallory = Unlocked::generate("dana").unwrap();
    signed_log(&log, &mallory, &mallory, &k.lee, &[]);
    assert_verdict(&log, "intact");
    let roster = d.join("roster.toml");
    std::fs::write(
        &roster,
        roster_toml(&[("dana", &k.dana), ("dr-lee", &k.lee)]),
    )
    .unwrap();
    let (code, out, err) = cutover_verify(&log, &["--keys", roster.to_str().unwrap()], None);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(verdict(code, &out), "1:unknown key", "{out}");
    assert!(out.contains("the open record was rewritten"), "{out}");
    assert!(out.contains(":5: error: unknown key"), "{out}");
    // the genuine log passes the same roster
    let good = d.join("good.jsonl");
    signed_log(&good, &k.dana, &k.dana, &k.lee, &[]);
    let (code, out, err) = cutover_verify(&good, &["--keys", roster.to_str().unwrap()], None);
    assert_eq!(code, 0, "{out}{err}");
}

fn cutover(args: &[&str], pass: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.args(args).env_remove("CUTOVER_LOG_KEY");
    match pass {
        Some(p) => cmd.env("CUTOVER_KEY_PASSPHRASE", p),
        None => cmd.env_remove("CUTOVER_KEY_PASSPHRASE"),
    };
    let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `cutover keygen OWNER -o DIR/OWNER.key`: the key file and the roster line.
fn keygen(dir: &TempDir, owner: &str) -> (PathBuf, String) {
    let path = dir.join(&format!("{owner}.key"));
    let (code, out, err) = cutover(&["keygen", owner, "-o", path.to_str().unwrap()], Some(PASS));
    assert_eq!(code, 0, "{out}{err}");
    let line = out.trim().to_string();
    assert!(line.starts_with("signing_key = \"ed25519:"), "{out}");
    (path, line)
}

#[test]
fn keygen_writes_a_sealed_private_key_and_prints_the_roster_line() {
    use std::os::unix::fs::PermissionsExt;
    let d = TempDir::new("sig-keygen");
    let (path, line) = keygen(&d, "dr-lee");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(PASS), "the passphrase reached the key file");
    let public = line.split('"').nth(1).unwrap();
    assert!(text.contains(public), "the key file names its public key");
    // the roster line parses as the runbook's owner key
    let roster = Roster::from_toml(&format!("[[owner]]\nid = \"dr-lee\"\n{line}\n")).unwrap();
    assert_eq!(roster.by_fingerprint.len(), 1);
    // never overwritten; bad owner ids are usage errors
    let (code, _, err) = cutover(
        &["keygen", "dr-lee", "-o", path.to_str().unwrap()],
        Some(PASS),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("never overwritten"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let (code, _, _) = cutover(
        &["keygen", "bad id", "-o", d.join("x.key").to_str().unwrap()],
        Some(PASS),
    );
    assert_eq!(code, 2);
}

/// A closed log whose roster pins the keys made by `keygen` for dana and dr-lee.
fn log_with_cli_keys(d: &TempDir) -> (PathBuf, PathBuf, PathBuf) {
    let (dana_key, dana_line) = keygen(d, "dana");
    let (lee_key, lee_line) = keygen(d, "dr-lee");
    let toml = format!(
        "[[owner]]\nid = \"dana\"\nname = \"Dana Ruiz\"\nrole = \"Cutover commander\"\n{dana_line}\n\n[[owner]]\nid = \"dr-lee\"\nname = \"Dr Lee\"\nrole = \"Clinical leadership\"\n{lee_line}\n"
    );
    let roster = Roster::from_toml(&toml).unwrap();
    let mut body = open_body(RUNBOOK, CONFIG, "dana", "test-host");
    body["signers"] = roster.open_body_json();
    let open = Entry {
        kind: EntryKind::Open,
        actor: "dana".into(),
        phase: None,
        body,
    };
    let log = d.join("c.jsonl");
    let mut j = Journal::create(&log, open, T0, None).unwrap();
    j.append_durable(decision("dana", "hold", json!({})), Ts(T0.0 + 1000))
        .unwrap();
    j.append_durable(decision("dana", "resume", json!({})), Ts(T0.0 + 2000))
        .unwrap();
    drop(j);
    (log, dana_key, lee_key)
}

fn close(log: &Path) {
    let (mut j, _, _) = Journal::open_existing(log, None).unwrap();
    let close = Entry {
        kind: EntryKind::Close,
        actor: "dana".into(),
        phase: None,
        body: json!({}),
    };
    j.append_durable(close, Ts(T0.0 + 3000)).unwrap();
}

#[test]
fn amend_appends_a_signed_record_and_never_alters_the_original() {
    let d = TempDir::new("sig-amend");
    let (log, dana_key, lee_key) = log_with_cli_keys(&d);
    let before = lines(&log);
    let l = log.to_str().unwrap();
    let k = dana_key.to_str().unwrap();
    let (code, out, err) = cutover(
        &[
            "amend",
            l,
            "--seq",
            "1",
            "--as",
            "dana",
            "--key",
            k,
            "--reason",
            "hold was for the pilot batch only",
        ],
        Some(PASS),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("appended amend of seq 1 as seq 3"), "{out}");
    let after = lines(&log);
    assert_eq!(&after[..3], &before[..], "earlier records changed");
    let recs = read_records(&log).unwrap();
    let a = &recs[3];
    assert_eq!(a.kind, EntryKind::Amend);
    assert_eq!(a.actor, "dana");
    assert_eq!(a.body["amends"], 1);
    assert_eq!(a.body["amends_hash"], recs[1].hash.as_str());
    assert_eq!(a.body["signature"]["meaning"], "authorship");
    assert_verdict(&log, "intact");
    let (_, vout, _) = cutover_verify(&log, &[], None);
    assert!(vout.contains("signatures: 1 verified (dana 1)"), "{vout}");
    // refused: no such record, a key that is not the signer's, a wrong passphrase
    let bad = [
        (vec!["--seq", "99", "--as", "dana", "--key", k], PASS),
        (
            vec![
                "--seq",
                "1",
                "--as",
                "dana",
                "--key",
                lee_key.to_str().unwrap(),
            ],
            PASS,
        ),
        (vec!["--seq", "1", "--as", "sam", "--key", k], PASS),
        (
            vec!["--seq", "1", "--as", "dana", "--key", k],
            "wrong passphrase",
        ),
    ];
    for (args, pass) in bad {
        let mut all = vec!["amend", l];
        all.extend(args);
        all.extend(["--reason", "x"]);
        let (code, out, err) = cutover(&all, Some(pass));
        assert_eq!(code, 1, "{all:?}: {out}{err}");
        assert!(
            !err.contains(PASS),
            "the passphrase reached an error message"
        );
    }
    assert_eq!(
        lines(&log).len(),
        4,
        "a refused amendment appended something"
    );
}

#[test]
fn review_signs_the_head_of_a_closed_log_and_can_be_repeated() {
    let d = TempDir::new("sig-review");
    let (log, _dana_key, lee_key) = log_with_cli_keys(&d);
    let l = log.to_str().unwrap();
    let k = lee_key.to_str().unwrap();
    let review = |statement: &str| {
        cutover(
            &[
                "review",
                l,
                "--as",
                "dr-lee",
                "--key",
                k,
                "--statement",
                statement,
            ],
            Some(PASS),
        )
    };
    let (code, out, err) = review("reviewed the audit trail");
    assert_eq!(code, 1, "an open log was reviewed: {out}{err}");
    assert!(err.contains("not closed"), "{err}");
    close(&log);
    let head = read_records(&log).unwrap().last().unwrap().hash.clone();
    let (code, out, err) = review("reviewed the audit trail: complete");
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = review("second review after the amendment window");
    assert_eq!(code, 0, "{out}{err}");
    let recs = read_records(&log).unwrap();
    let (r1, r2) = (&recs[recs.len() - 2], &recs[recs.len() - 1]);
    assert_eq!(r1.kind, EntryKind::Review);
    assert_eq!(r1.body["head"], head.as_str());
    assert_eq!(
        r2.body["head"],
        r1.hash.as_str(),
        "each review covers what was there"
    );
    assert_eq!(r2.body["signature"]["meaning"], "review");
    assert_verdict(&log, "intact");
}

fn report(log: &Path, format: &str, force: bool) -> (i32, String, String) {
    let mut args = vec!["report", log.to_str().unwrap(), "--format", format];
    if force {
        args.push("--force");
    }
    cutover(&args, None)
}

#[test]
fn the_evidence_pack_shows_each_signature_with_name_role_time_meaning_key_and_verdict() {
    let d = TempDir::new("sig-report");
    let log = d.join("c.jsonl");
    let k = keys();
    signed_log(&log, &k.dana, &k.dana, &k.lee, &["signoff", "go"]);
    for format in ["md", "html"] {
        let (code, out, err) = report(&log, format, false);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Electronic signatures"), "{out}");
        assert!(
            out.contains("The runbook requires signatures for: signoff, go."),
            "{out}"
        );
        // the sign-off's manifestation, beside the decision and in the table
        let lee = format!(
            "signed by dr-lee name (dr-lee), dr-lee role, 2026-11-28 22:00:06Z, meaning approval, key {}, verified",
            k.lee.fingerprint()
        );
        assert!(out.contains(&lee), "{format}: {out}");
        assert!(out.contains("meaning responsibility"), "{out}");
        assert!(out.contains("Who signed what"), "{out}");
    }
    // a forged signature: refused, and forced it says NOT VERIFIED where the signature is
    let mut l = lines(&log);
    l[4] = l[4].replace(
        "\"rationale\":\"go by dana\"",
        "\"rationale\":\"go by dana (edited)\"",
    );
    rechain(&mut l, 4);
    write_lines(&log, &l);
    // the rewrite also dropped the checkpoint kept beside the log
    std::fs::remove_file(d.join("c.jsonl.checkpoint")).unwrap();
    let (code, _, err) = report(&log, "md", false);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bad signature"), "{err}");
    let (code, out, _) = report(&log, "md", true);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("**WARNING: THIS LOG DOES NOT VERIFY (line 5: bad signature"),
        "{out}"
    );
    assert!(out.contains("NOT VERIFIED: bad signature"), "{out}");
}

#[test]
fn the_evidence_pack_shows_amendments_with_their_original_and_reviews() {
    let d = TempDir::new("sig-report-amend");
    let (log, dana_key, lee_key) = log_with_cli_keys(&d);
    let l = log.to_str().unwrap();
    let (code, out, err) = cutover(
        &[
            "amend",
            l,
            "--seq",
            "1",
            "--as",
            "dana",
            "--key",
            dana_key.to_str().unwrap(),
            "--reason",
            "the hold covered the pilot batch only",
        ],
        Some(PASS),
    );
    assert_eq!(code, 0, "{out}{err}");
    close(&log);
    let (code, out, err) = cutover(
        &[
            "review",
            l,
            "--as",
            "dr-lee",
            "--key",
            lee_key.to_str().unwrap(),
            "--statement",
            "audit trail reviewed, no gaps",
        ],
        Some(PASS),
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, md, err) = report(&log, "md", false);
    assert_eq!(code, 0, "{err}");
    assert!(
        md.contains("### Amendments (1): the original records are unchanged"),
        "{md}"
    );
    assert!(md.contains("| 3 |"), "{md}");
    assert!(
        md.contains("hold by dana at 2026-11-28 22:00:01Z: hold by dana"),
        "{md}"
    );
    assert!(md.contains("the hold covered the pilot batch only"), "{md}");
    assert!(md.contains("### Reviews (1)"), "{md}");
    assert!(md.contains("audit trail reviewed, no gaps"), "{md}");
    assert!(md.contains("Dr Lee (dr-lee)"), "{md}");
    assert!(md.contains("Clinical leadership"), "{md}");
}
