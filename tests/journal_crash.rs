//! Crash test (issue 6): a child process appends decisions and prints each
//! acknowledged seq; it is killed with SIGKILL at pseudo-random moments, 50
//! times. Every acknowledged seq must survive, and the log must verify.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod journal_support;

use cutover_cockpit::core::entry::{Entry, EntryKind};
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::{resume_body, verify_file, Journal};
use journal_support::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const CHILD_ENV: &str = "CUTOVER_CRASH_CHILD_LOG";

/// The child: resume (or create) the log and append until killed.
#[test]
#[ignore = "run by crash_test_every_acknowledged_decision_survives_kill_9 as its child"]
fn crash_child() {
    let Some(log) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let log = std::path::PathBuf::from(log);
    let mut j = if log.exists() {
        let (mut j, _, info) = Journal::open_existing(&log, None).unwrap();
        let body = resume_body(&info, "dana", "h");
        j.append_durable(
            Entry {
                kind: EntryKind::Resume,
                actor: "dana".into(),
                phase: None,
                body,
            },
            T0,
        )
        .unwrap();
        j
    } else {
        Journal::create(&log, open_entry(), T0, None).unwrap()
    };
    let mut out = std::io::stdout();
    for i in 0i64.. {
        j.append(observe("m", i as f64), Ts(T0.0 + i)).unwrap();
        let r = j
            .append_durable(decision("dana", "note", &format!("n{i}")), Ts(T0.0 + i))
            .unwrap();
        writeln!(out, "ACK {} {}", r.seq, r.hash).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn crash_test_every_acknowledged_decision_survives_kill_9() {
    let d = TempDir::new("crash");
    let log = d.join("c.jsonl");
    let exe = std::env::current_exe().unwrap();
    let mut acked: BTreeMap<u64, String> = BTreeMap::new();
    let mut rng: u64 = 0x5eed_1234;
    let (mut torn_seen, rounds) = (0, 50);
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &log)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = Duration::from_millis((rng >> 33) % 40);
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        // most rounds let it acknowledge something first, then kill it mid-stream;
        // every fifth round kills it at a random moment of its start-up/resume
        let mut wait_for_ack = round % 5 != 4;
        while wait_for_ack {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 {
                break;
            }
            wait_for_ack = !line.starts_with("ACK ");
            lines.push(line);
        }
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        lines.extend(out.lines().map_while(Result::ok));
        for line in &lines {
            if let Some(rest) = line.trim_end().strip_prefix("ACK ") {
                let (seq, hash) = rest.split_once(' ').unwrap();
                acked.insert(seq.parse().unwrap(), hash.to_string());
            }
        }
        if !log.exists() {
            continue; // killed before the log was created
        }
        // recovery as `cutover run` does it: verify, move a torn tail aside
        let (j, records, info) = Journal::open_existing(&log, None)
            .unwrap_or_else(|e| panic!("round {round}: log not recoverable: {e}"));
        torn_seen += usize::from(info.torn.is_some());
        drop(j);
        for (seq, hash) in &acked {
            let r = records.get(*seq as usize);
            assert_eq!(
                r.map(|r| &r.hash),
                Some(hash),
                "round {round}: acknowledged seq {seq} lost"
            );
        }
    }
    let out = verify_file(&log, None, None).unwrap();
    assert_eq!(out.damage, None);
    assert!(
        acked.len() >= 40,
        "the child acknowledged too little to mean anything: {}",
        acked.len()
    );
    eprintln!("crash test: {rounds} kills, {} acknowledged decisions kept, {torn_seen} torn tails moved aside, {} records", acked.len(), out.summary.count);
}
