//! docs/verify_log.py (the independent verifier) agrees with `cutover verify`
//! on good and damaged logs. Skipped, saying so, only if python3 is missing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/external.rs"]
mod external;

mod journal_support;

use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::canon::Chain;
use cutover_cockpit::journal::{read_records, Record};
use journal_support::*;
use std::path::Path;
use std::process::Command;

const KEY: &str = "py-agreement-key";

fn python_available() -> bool {
    external::require("python3", &[], "apt-get install -y python3").is_some()
}

fn python_verify(log: &Path, extra: &[&str], key: Option<&str>) -> (i32, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_log.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(log).args(extra);
    match key {
        Some(k) => cmd.env("CUTOVER_LOG_KEY", k),
        None => cmd.env_remove("CUTOVER_LOG_KEY"),
    };
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `LOG:LINE: error: KIND` of the first output line, or "intact".
fn verdict(code: i32, out: &str) -> String {
    if code == 0 {
        return "intact".into();
    }
    let first = out.lines().next().unwrap_or("");
    first.splitn(5, ':').take(4).collect::<Vec<_>>().join(":")
}

fn assert_agree(log: &Path, extra_rust: &[&str], extra_py: &[&str], key: Option<&str>, want: &str) {
    let (rc, rout, rerr) = cutover_verify(log, extra_rust, key);
    let (pc, pout) = python_verify(log, extra_py, key);
    assert_eq!(
        rc, pc,
        "exit codes differ\nrust: {rout}{rerr}\npython: {pout}"
    );
    let (r, p) = (verdict(rc, &rout), verdict(pc, &pout));
    assert_eq!(r, p, "verdicts differ\nrust: {rout}\npython: {pout}");
    let shown = r.replace(&log.display().to_string(), "LOG");
    assert_eq!(shown, want, "rust: {rout}");
}

/// Builds the sample log, applies `edit` to its lines, checks both verifiers.
fn case(name: &str, key: Option<&str>, edit: impl FnOnce(&Path, &mut Vec<String>), want: &str) {
    let d = TempDir::new(name);
    let log = d.join("c.jsonl");
    sample_log(&log, key.map(str::as_bytes));
    let mut l = lines(&log);
    edit(&log, &mut l);
    write_lines(&log, &l);
    assert_agree(&log, &[], &[], key, want);
}

#[test]
fn python_and_cutover_agree_on_good_and_damaged_logs() {
    if !python_available() {
        return;
    }
    case("py-good", None, |_, _| {}, "intact");
    case("py-good-key", Some(KEY), |_, _| {}, "intact");
    case(
        "py-edit",
        None,
        |_, l| l[4] = l[4].replace("drift", "drifT"),
        "LOG:5: error: edited",
    );
    case(
        "py-ts",
        None,
        |_, l| l[2] = l[2].replace("22:00:", "22:01:"),
        "LOG:3: error: edited",
    );
    case(
        "py-del",
        None,
        |_, l| drop(l.remove(6)),
        "LOG:7: error: missing",
    );
    case(
        "py-swap",
        None,
        |_, l| l.swap(2, 3),
        "LOG:3: error: reordered",
    );
    case(
        "py-bad",
        None,
        |_, l| l[1] = "not json".into(),
        "LOG:2: error: bad_json",
    );
    case(
        "py-forge",
        Some(KEY),
        |log, l| {
            let recs = read_records(log).unwrap();
            let last = recs.last().unwrap();
            let e = decision("mallory", "go", "forged");
            let (_, line) = Record::seal(
                e,
                last.seq + 1,
                Ts(last.ts().0 + 1),
                &last.hash,
                &Chain::Sha256,
            );
            l.push(line.trim_end().to_string());
        },
        "LOG:13: error: forged",
    );
    case(
        "py-rehash",
        None,
        |log, l| {
            let r = &read_records(log).unwrap()[8];
            let mut e = r.entry();
            e.body["samples"] = serde_json::json!({"m": 0});
            let (_, line) = Record::seal(e, r.seq, r.ts(), &r.prev, &Chain::Sha256);
            l[8] = line.trim_end().to_string();
        },
        "LOG:9: error: forged",
    );
}

/// One malformation: the member it breaks, how it breaks a line, what it is called.
type Malformation = (&'static str, fn(&str) -> String, &'static str);

/// Malformed members are `bad_json` in both verifiers, whether or not the
/// line's hash was recomputed to match (docs/log-format.md, section 5).
#[test]
fn python_and_cutover_agree_on_malformed_members() {
    if !python_available() {
        return;
    }
    let cases: [Malformation; 9] = [
        (
            "kind",
            |l| l.replace("\"kind\":\"decision\"", "\"kind\":\"verdict\""),
            "bad_json",
        ),
        (
            "seq-string",
            |l| l.replacen("{\"seq\":4,", "{\"seq\":\"4\",", 1),
            "bad_json",
        ),
        (
            "seq-float",
            |l| l.replacen("{\"seq\":4,", "{\"seq\":4.0,", 1),
            "bad_json",
        ),
        (
            "dup",
            |l| l.replacen("{\"seq\":4,", "{\"seq\":4,\"seq\":4,", 1),
            "bad_json",
        ),
        (
            "prev-upper",
            |l| {
                let i = l.find("\"prev\":\"").unwrap() + 8;
                format!("{}{}{}", &l[..i], l[i..i + 64].to_uppercase(), &l[i + 64..])
            },
            "bad_json",
        ),
        (
            "ts-offset",
            |l| l.replace(".000Z\"", ".000+00:00\""),
            "bad_json",
        ),
        ("ts-no-millis", |l| l.replace(".000Z\"", "Z\""), "bad_json"),
        (
            "phase-number",
            |l| l.replace("\"phase\":\"parallel-run\"", "\"phase\":7"),
            "bad_json",
        ),
        // DEL and a bidi override raw in a string: valid JSON, not a verify error
        (
            "raw-controls",
            |l| l.replace("drift", "dr\u{7f}if\u{202e}t"),
            "rehash",
        ),
    ];
    for (name, edit, want) in cases {
        let d = TempDir::new(&format!("py-m-{name}"));
        let log = d.join("c.jsonl");
        sample_log(&log, None);
        let mut l = lines(&log);
        let changed = edit(&l[4]);
        assert_ne!(changed, l[4], "{name}: the edit must change line 5");
        l[4] = rehash(&changed, &l[3]);
        write_lines(&log, &l);
        let expect = match want {
            "rehash" => "LOG:5: error: forged".to_string(),
            kind => format!("LOG:5: error: {kind}"),
        };
        assert_agree(&log, &[], &[], None, &expect);
    }
}

/// `line` with its hash recomputed over its own bytes as docs/log-format.md
/// says (the chain then breaks at the next line, unless a check stops first).
fn rehash(line: &str, _before: &str) -> String {
    use sha2::{Digest, Sha256};
    let cut = line.rfind(",\"hash\":\"").unwrap();
    let canon = format!("{}}}", &line[..cut]);
    let prev = serde_json::from_str::<serde_json::Value>(&canon)
        .ok()
        .and_then(|v| v["prev"].as_str().map(str::to_string))
        .unwrap_or_else(|| {
            let i = line.find("\"prev\":\"").unwrap() + 8;
            line[i..i + 64].to_string()
        });
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canon.as_bytes());
    format!(
        "{},\"hash\":\"{}\"}}",
        &line[..cut],
        hex::encode(h.finalize())
    )
}

#[test]
fn python_and_cutover_agree_on_torn_logs_and_checkpoints() {
    if !python_available() {
        return;
    }
    let d = TempDir::new("py-torn");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let recs = read_records(&log).unwrap();
    let cp = format!("11:{}", recs[11].hash);
    assert_agree(&log, &["--checkpoint", &cp], &[&cp], None, "intact");
    let bytes = std::fs::read(&log).unwrap();
    std::fs::write(&log, &bytes[..bytes.len() - 10]).unwrap();
    assert_agree(&log, &[], &[], None, "LOG:12: error: torn");
    let mut l = lines(&log);
    l.truncate(10);
    write_lines(&log, &l);
    assert_agree(&log, &[], &[], None, "intact");
    assert_agree(
        &log,
        &["--checkpoint", &cp],
        &[&cp],
        None,
        "LOG:11: error: truncated",
    );
    let wrong = format!("5:{}", recs[6].hash);
    assert_agree(
        &log,
        &["--checkpoint", &wrong],
        &[&wrong],
        None,
        "LOG:6: error: forged",
    );
    std::fs::write(&log, "").unwrap();
    assert_agree(&log, &[], &[], None, "LOG:1: error: truncated");
    let (rc, _, _) = cutover_verify(&d.join("absent"), &[], None);
    assert_eq!((rc, python_verify(&d.join("absent"), &[], None).0), (2, 2));
}
