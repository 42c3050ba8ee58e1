//! Fault injection under the journal (issue 10): what the operator sees, and
//! that everything acknowledged before the fault is still there and verifies.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod journal_support;

use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::storage::{Fault, FaultStorage, FaultSwitch};
use cutover_cockpit::journal::{verify_file, Journal, JournalError};
use journal_support::*;
use std::path::Path;

/// A journal on a fault-injecting file, with three acknowledged decisions
/// (seq 1..=3) and two buffered observations.
fn journal_with_faults(log: &Path) -> (Journal, FaultSwitch) {
    let switch = FaultSwitch::default();
    let s = switch.clone();
    let mut j = Journal::create_with(log, open_entry(), T0, None, move |f| {
        Box::new(FaultStorage::new(f, s))
    })
    .unwrap();
    for i in 1..=3 {
        j.append_durable(
            decision("dana", "note", &format!("ack {i}")),
            Ts(T0.0 + i * 1000),
        )
        .unwrap();
    }
    j.append(observe("m", 1.0), Ts(T0.0 + 5000)).unwrap();
    j.append(observe("m", 2.0), Ts(T0.0 + 6000)).unwrap();
    (j, switch)
}

/// The log verifies and holds exactly seq 0..=last, with the three acks.
fn assert_acknowledged_kept(log: &Path, last: u64) {
    let out = verify_file(log, None, None).unwrap();
    assert_eq!(out.damage, None, "the log must still verify");
    assert_eq!(out.summary.count, last + 1);
    let acks: Vec<_> = out
        .records
        .iter()
        .filter_map(|r| r.body["rationale"].as_str())
        .collect();
    assert_eq!(&acks[..3], ["ack 1", "ack 2", "ack 3"]);
}

#[test]
fn a_failed_fsync_poisons_the_journal_for_good() {
    let d = TempDir::new("f-fsync");
    let log = d.join("c.jsonl");
    let (mut j, switch) = journal_with_faults(&log);
    switch.set(Some(Fault::SyncEio));
    let err = j
        .append_durable(decision("dana", "go", "lost"), Ts(T0.0 + 7000))
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, JournalError::Poisoned { .. }), "{text}");
    assert!(
        text.contains("fsync failed") && text.contains("Input/output error"),
        "{text}"
    );
    assert!(text.contains("decisions are no longer accepted"), "{text}");
    assert!(
        text.contains("acknowledged up to seq 3 is on disk"),
        "{text}"
    );
    // the disk "recovers": the journal still refuses, it never retries fsync
    switch.set(None);
    let again = j
        .append_durable(decision("dana", "go", "retry"), Ts(T0.0 + 8000))
        .unwrap_err();
    assert!(
        again
            .to_string()
            .contains("decisions are no longer accepted"),
        "{again}"
    );
    assert!(j.commit().is_err() && j.poisoned().is_some());
    drop(j);
    assert_acknowledged_kept(&log, 3);
}

#[test]
fn eio_on_write_drops_the_unacknowledged_batch_and_closes_the_log() {
    let d = TempDir::new("f-eio");
    let log = d.join("c.jsonl");
    let (mut j, switch) = journal_with_faults(&log);
    switch.set(Some(Fault::WriteEio));
    let text = j
        .append_durable(decision("dana", "go", "lost"), Ts(T0.0 + 7000))
        .unwrap_err()
        .to_string();
    assert!(text.contains("write failed (Input/output error"), "{text}");
    assert!(
        text.contains("3 unsaved record(s) were not recorded"),
        "{text}"
    );
    assert!(text.contains("closed for writing"), "{text}");
    switch.set(None);
    let next = j
        .append(observe("m", 3.0), Ts(T0.0 + 8000))
        .unwrap_err()
        .to_string();
    assert!(next.contains("decisions are no longer accepted"), "{next}");
    drop(j);
    assert_acknowledged_kept(&log, 3);
}

#[test]
fn a_full_disk_refuses_the_decision_but_the_cockpit_can_go_on_once_space_is_freed() {
    let d = TempDir::new("f-enospc");
    let log = d.join("c.jsonl");
    let (mut j, switch) = journal_with_faults(&log);
    switch.set(Some(Fault::DiskFull));
    let text = j
        .append_durable(decision("dana", "go", "lost"), Ts(T0.0 + 7000))
        .unwrap_err()
        .to_string();
    assert!(text.contains("No space left on device"), "{text}");
    assert!(
        text.contains("not recorded; free space and try again"),
        "{text}"
    );
    assert!(j.poisoned().is_none());
    switch.set(None);
    let r = j
        .append_durable(
            decision("dana", "go", "after freeing space"),
            Ts(T0.0 + 9000),
        )
        .unwrap();
    assert_eq!(r.seq, 4, "the refused batch left no hole in the chain");
    drop(j);
    assert_acknowledged_kept(&log, 4);
    let recs = verify_file(&log, None, None).unwrap().records;
    assert!(!recs.iter().any(|r| r.body["rationale"] == "lost"));
}

#[test]
fn a_short_write_is_cut_back_so_no_torn_line_is_left_behind() {
    let d = TempDir::new("f-short");
    let log = d.join("c.jsonl");
    let (mut j, switch) = journal_with_faults(&log);
    let before = std::fs::metadata(&log).unwrap().len();
    switch.set(Some(Fault::ShortWrite));
    let text = j
        .append_durable(decision("dana", "go", "half"), Ts(T0.0 + 7000))
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("write failed") && text.contains("not recorded"),
        "{text}"
    );
    assert_eq!(
        std::fs::metadata(&log).unwrap().len(),
        before,
        "partial bytes cut off"
    );
    assert_acknowledged_kept(&log, 3);
    switch.set(None);
    assert_eq!(
        j.append_durable(decision("dana", "go", "whole"), Ts(T0.0 + 8000))
            .unwrap()
            .seq,
        4
    );
    drop(j);
    assert_acknowledged_kept(&log, 4);
}
