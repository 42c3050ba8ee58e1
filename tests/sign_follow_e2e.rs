//! A follower signs its own sign-off, end to end with real processes in
//! tmux: the commander's `cutover run --serve` and `cutover follow --as sam
//! --key FILE` (the passphrase typed at the follower's terminal, never
//! echoed). The signed sign-off is in the log with sam's key fingerprint and
//! `cutover verify` passes; a follower without a key is told how to sign, and
//! one with another key of sam's is refused as a bad signature.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::journal::{read_records, Record};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_cutover");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Generous: a debug build on 2 loaded cores.
const WAIT: Duration = Duration::from_secs(40);
const PASS: &str = "sam's long test passphrase";
const STATEMENT: &str = "pilot batch checked against the source";

/// `cutover keygen sam -o FILE`: the roster line and the key's fingerprint.
fn keygen(path: &Path) -> (String, String) {
    let out = Command::new(BIN)
        .args(["keygen", "sam", "-o"])
        .arg(path)
        .env("CUTOVER_KEY_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let line = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let public = line
        .strip_prefix("signing_key = \"")
        .and_then(|r| r.strip_suffix('"'))
        .unwrap();
    let key = cutover_cockpit::sign::parse_public(public).unwrap();
    (line, cutover_cockpit::sign::fingerprint(&key))
}

/// The team fixture with a PACS administrator sign-off by sam, which the
/// runbook requires signed, and sam's public key on the roster.
fn write_runbook(dir: &Path, signing_line: &str) -> PathBuf {
    let text =
        std::fs::read_to_string(Path::new(ROOT).join("assets/fixtures/team-runbook.toml")).unwrap();
    let text = text
        .replacen(
            "max_duration = \"2h\"\n",
            "max_duration = \"2h\"\nrequire_signature = [\"signoff\"]\n",
            1,
        )
        .replacen(
            "role = \"PACS administrator\"\n",
            &format!("role = \"PACS administrator\"\n{signing_line}\n"),
            1,
        )
        .replacen(
            "[[threshold]]",
            "  [[phase.signoff]]\n  role = \"PACS administrator\"\n  owner = \"sam\"\n\n[[threshold]]",
            1,
        );
    let path = dir.join("runbook.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The team fixture's probes (a closed port) plus sam's minted token hash.
fn write_config(dir: &Path) -> (PathBuf, String) {
    let out = Command::new(BIN).args(["token", "sam"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let block = String::from_utf8(out.stderr).unwrap();
    let fixture =
        std::fs::read_to_string(Path::new(ROOT).join("assets/fixtures/team-config.toml")).unwrap();
    let probes = &fixture[fixture.find("[[probe]]").unwrap()..];
    let text = format!("[serve]\nrate_per_min = 6000\n\n{block}\n{probes}");
    let path = dir.join("cutover.toml");
    std::fs::write(&path, text).unwrap();
    let token_file = dir.join("sam.token");
    std::fs::write(&token_file, token).unwrap();
    (path, token_file.display().to_string())
}

fn wait_until(t: &Tmux, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let pane = t.capture();
        if ok(&pane) {
            return pane;
        }
        assert!(
            start.elapsed() < WAIT,
            "timed out waiting for {what}:\n{pane}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_record(log: &Path, what: &str, ok: impl Fn(&Record) -> bool) -> Record {
    let start = Instant::now();
    loop {
        if let Some(r) = read_records(log).unwrap_or_default().into_iter().find(&ok) {
            return r;
        }
        assert!(start.elapsed() < WAIT, "no {what} in the log");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Starts `cutover follow` as sam (with `--key key` when given), types the
/// passphrase at its prompt, and waits for sam's screen.
fn follower(name: &str, url: &str, token_file: &str, key: Option<&Path>) -> Tmux {
    let key_arg = key.map_or(String::new(), |k| format!(" --key {}", k.display()));
    let cmd =
        format!("CUTOVER_TOKEN=$(cat {token_file}) exec {BIN} follow {url} --as sam{key_arg}");
    let t = Tmux::start(name, &cmd, 120, 36).unwrap();
    if key.is_some() {
        wait_until(&t, "the passphrase prompt", |p| {
            p.contains("Passphrase for")
        });
        t.type_text(PASS);
        t.keys(&["Enter"]);
    }
    wait_until(&t, "sam's screen", |p| {
        p.contains("@sam") && p.contains("Copy the pilot batch")
    });
    t
}

/// `s`, the statement, Enter: sam signs the pilot phase off.
fn sign_off(t: &Tmux) {
    t.keys(&["s"]);
    wait_until(t, "the sign-off form", |p| p.contains("reviewed"));
    t.type_text(STATEMENT);
    t.keys(&["Enter"]);
}

fn signoffs(log: &Path) -> Vec<Record> {
    read_records(log)
        .unwrap()
        .into_iter()
        .filter(|r| r.body["type"] == "signoff")
        .collect()
}

#[test]
fn a_follower_signs_its_sign_off_on_its_own_machine_and_the_log_verifies() {
    if support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let dir = support::temp_dir("cutover-sign-follow");
    let (line, fingerprint) = keygen(&dir.join("sam.key"));
    let (_, other_fingerprint) = keygen(&dir.join("sam-old.key"));
    assert_ne!(fingerprint, other_fingerprint);
    let runbook = write_runbook(&dir.path, &line);
    let (config, token_file) = write_config(&dir.path);
    let log = dir.join("cutover.jsonl");
    let port = support::net::port_for_external();
    let url = format!("http://127.0.0.1:{port}");
    let commander_cmd = format!(
        "exec {BIN} run {} --config {} --log {} --as dana --serve 127.0.0.1:{port}",
        runbook.display(),
        config.display(),
        log.display()
    );
    let commander = Tmux::start("sign-follow-cmdr", &commander_cmd, 120, 36).unwrap();
    wait_until(&commander, "the commander's cockpit", |p| {
        p.contains("@dana") && p.contains("Copy the pilot batch")
    });

    // without a key: refused, saying how to sign
    let unsigned = follower("sign-follow-nokey", &url, &token_file, None);
    sign_off(&unsigned);
    let pane = wait_until(&unsigned, "the unsigned sign-off refused", |p| {
        p.contains("must be signed with sam's own key: add --key FILE")
    });
    assert!(!pane.contains("signed (approval"), "{pane}");
    drop(unsigned);

    // another key of sam's, not the one on the roster: a bad signature
    let wrong = follower(
        "sign-follow-wrong",
        &url,
        &token_file,
        Some(&dir.join("sam-old.key")),
    );
    sign_off(&wrong);
    let pane = wait_until(&wrong, "the wrong key refused", |p| {
        p.contains("bad signature")
    });
    assert!(pane.contains(&other_fingerprint[..8]), "{pane}");
    drop(wrong);
    assert!(signoffs(&log).is_empty(), "a refused sign-off was recorded");

    // sam's own key: signed on the follower, written by the commander
    let sam = follower(
        "sign-follow-sam",
        &url,
        &token_file,
        Some(&dir.join("sam.key")),
    );
    let pane = sam.capture();
    assert!(!pane.contains(PASS), "the passphrase was echoed:\n{pane}");
    sign_off(&sam);
    let pane = wait_until(&sam, "the signed acknowledgement", |p| {
        p.contains("signed (approval, key")
    });
    assert!(pane.contains(&fingerprint[..8]), "{pane}");
    let r = wait_record(&log, "sam's signed sign-off", |r| {
        r.actor == "sam" && r.body["type"] == "signoff"
    });
    assert_eq!(r.body["signature"]["key"], fingerprint.as_str());
    assert_eq!(r.body["signature"]["meaning"], "approval");
    assert_eq!(r.body["rationale"], STATEMENT);
    assert_eq!(signoffs(&log).len(), 1);
    wait_until(&commander, "the sign-off on the commander's screen", |p| {
        p.contains("sam") && p.contains("signoff")
    });

    // quit the commander (the log closes) and verify it, signatures included
    drop(sam);
    commander.keys(&["q"]);
    commander.keys(&["y"]);
    wait_record(&log, "the close record", |r| r.kind.as_str() == "close");
    drop(commander);
    let out = Command::new(BIN).arg("verify").arg(&log).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("signatures: 1 verified (sam 1)"), "{text}");
    let keys = Command::new(BIN)
        .arg("verify")
        .arg(&log)
        .arg("--keys")
        .arg(&runbook)
        .output()
        .unwrap();
    assert!(
        keys.status.success(),
        "{}",
        String::from_utf8_lossy(&keys.stdout)
    );
    // nothing secret reached the log
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(!log_text.contains(PASS));
    evidence_pack_in_chromium(&dir, &log, &fingerprint);
}

/// The html evidence pack, rendered by headless Chromium: the sign-off
/// shows sam's printed name and role, the meaning, the key fingerprint and
/// that it verified (21 CFR 11.50), in the DOM the browser built.
fn evidence_pack_in_chromium(dir: &support::TempDir, log: &Path, fingerprint: &str) {
    let page = dir.join("report.html");
    let out = Command::new(BIN)
        .args(["report"])
        .arg(log)
        .args(["--format", "html", "-o"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let Some(chromium) = support::external::require(
        "chromium",
        &["/usr/bin/chromium"],
        "apt-get install -y chromium",
    ) else {
        return;
    };
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join("chromium-profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let dom = String::from_utf8_lossy(&out.stdout);
    let manifestation = "signed by Sam Okafor (sam), PACS administrator, ";
    let line = dom
        .lines()
        .find(|l| l.contains(manifestation))
        .unwrap_or_else(|| panic!("no manifestation of sam's signature in the DOM:\n{dom}"));
    for part in [
        "meaning approval",
        &format!("key {fingerprint}"),
        "verified",
    ] {
        assert!(line.contains(part), "{part} missing from: {line}");
    }
    assert!(dom.contains(STATEMENT), "the signed statement is not shown");
}
