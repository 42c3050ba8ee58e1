//! The journal writer: create, resume, torn tails, the single-writer lock,
//! checkpoints, the async handle.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod journal_support;

use cutover_cockpit::core::entry::{Entry, EntryKind};
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::{
    resume_body, runbook_digest, sha256_hex, spawn_writer, verify_file, Journal, JournalError,
};
use journal_support::*;
use serde_json::json;

#[test]
fn create_writes_a_durable_open_record_naming_the_chain_and_refuses_an_existing_log() {
    let d = TempDir::new("w-create");
    let log = d.join("c.jsonl");
    let j = Journal::create(&log, open_entry(), T0, None).unwrap();
    let recs = verify_file(&log, None, None).unwrap().records;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].body["chain"], "sha256");
    assert_eq!(recs[0].ts, "2026-11-28T22:00:00.000Z");
    assert_eq!(recs[0].prev, "0".repeat(64));
    assert_eq!(runbook_digest(&recs), Some(sha256_hex(RUNBOOK)));
    drop(j);
    let err = Journal::create(&log, open_entry(), T0, None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("already exists") && err.contains("cutover run"),
        "{err}"
    );
}

#[test]
fn a_second_writer_is_refused_naming_the_holder() {
    let d = TempDir::new("w-lock");
    let log = d.join("c.jsonl");
    let first = Journal::create(&log, open_entry(), T0, None).unwrap();
    let err = Journal::open_existing(&log, None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
    assert!(
        err.contains("host ") && err.contains("only one cockpit"),
        "{err}"
    );
    drop(first);
    assert!(Journal::open_existing(&log, None).is_ok());
}

#[test]
fn resume_continues_the_chain_and_the_result_verifies() {
    let d = TempDir::new("w-resume");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let (mut j, recs, info) = Journal::open_existing(&log, None).unwrap();
    assert_eq!(recs.len(), 12);
    assert_eq!(info.torn, None);
    assert_eq!(j.next_seq(), 12);
    assert_eq!(j.head_hash(), recs[11].hash);
    let resume = Entry {
        kind: EntryKind::Resume,
        actor: "dana".into(),
        phase: None,
        body: resume_body(&info, "dana", "h"),
    };
    let r = j.append_durable(resume, Ts(T0.0 + 3_600_000)).unwrap();
    assert_eq!((r.seq, r.prev.as_str()), (12, recs[11].hash.as_str()));
    j.append_durable(decision("dana", "go", "gates green"), Ts(T0.0 + 3_601_000))
        .unwrap();
    drop(j);
    let out = verify_file(&log, None, None).unwrap();
    assert_eq!(out.damage, None);
    assert_eq!(out.summary.count, 14);
    assert_eq!(out.records[11].kind, EntryKind::Close);
    assert_eq!(out.records[11].body["head"], recs[10].hash.as_str());
}

#[test]
fn a_torn_last_line_is_moved_aside_with_its_offset_and_reported_in_the_resume_record() {
    let d = TempDir::new("w-torn");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let full = std::fs::read(&log).unwrap();
    let last_start = full[..full.len() - 1]
        .iter()
        .rposition(|b| *b == b'\n')
        .unwrap()
        + 1;
    std::fs::write(&log, &full[..full.len() - 30]).unwrap();
    let (mut j, recs, info) = Journal::open_existing(&log, None).unwrap();
    let torn = info.torn.clone().expect("torn tail reported");
    assert_eq!(torn.offset, last_start as u64);
    assert_eq!(torn.moved_to, d.join("c.jsonl.torn"));
    assert_eq!(
        std::fs::read(&torn.moved_to).unwrap(),
        &full[last_start..full.len() - 30]
    );
    assert_eq!(
        recs.len(),
        11,
        "the torn record is not silently turned into a record"
    );
    let body = resume_body(&info, "dana", "h");
    assert_eq!(body["torn"]["offset"], last_start as u64);
    let r = j
        .append_durable(
            Entry {
                kind: EntryKind::Resume,
                actor: "dana".into(),
                phase: None,
                body,
            },
            T0,
        )
        .unwrap();
    assert_eq!(r.seq, 11);
    drop(j);
    assert_eq!(verify_file(&log, None, None).unwrap().damage, None);
}

#[test]
fn a_damaged_or_keyed_log_is_not_resumed() {
    let d = TempDir::new("w-damaged");
    let log = d.join("c.jsonl");
    sample_log(&log, None);
    let mut l = lines(&log);
    l[4] = l[4].replace("drift", "DRIFT");
    write_lines(&log, &l);
    let err = Journal::open_existing(&log, None)
        .err()
        .unwrap()
        .to_string();
    assert!(err.ends_with("c.jsonl:5: error: edited: record seq 4 does not match its hash: the line was changed after it was written"), "{err}");
    let keyed = d.join("k.jsonl");
    sample_log(&keyed, Some(b"k"));
    let err = Journal::open_existing(&keyed, None).err().unwrap();
    assert!(matches!(err, JournalError::KeyRequired { .. }), "{err}");
    assert!(Journal::open_existing(&keyed, Some(b"k".to_vec())).is_ok());
}

#[test]
fn a_checkpoint_sidecar_follows_every_decision_and_at_least_every_15_minutes() {
    let d = TempDir::new("w-cp");
    let log = d.join("c.jsonl");
    let mut j = Journal::create(&log, open_entry(), T0, None).unwrap();
    let read = || -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(d.join("c.jsonl.checkpoint")).unwrap())
            .unwrap()
    };
    // the sidecar is written on its own thread, after the commit returned
    j.wait_checkpoint();
    assert_eq!(read()["seq"], 0);
    let r = j
        .append_durable(decision("dana", "hold", "x"), Ts(T0.0 + 1000))
        .unwrap();
    j.wait_checkpoint();
    assert_eq!(
        (read()["seq"].as_u64(), read()["hash"].as_str()),
        (Some(1), Some(r.hash.as_str()))
    );
    j.append(observe("m", 1.0), Ts(T0.0 + 60_000)).unwrap();
    j.commit().unwrap();
    j.wait_checkpoint();
    assert_eq!(
        read()["seq"],
        1,
        "an observation 1 min later does not move the checkpoint"
    );
    j.append(observe("m", 2.0), Ts(T0.0 + 16 * 60_000)).unwrap();
    j.commit().unwrap();
    j.wait_checkpoint();
    assert_eq!(
        read()["seq"],
        3,
        "15 minutes after the last checkpoint a commit takes one"
    );
    assert_eq!(j.last_checkpoint().map(|c| c.seq), Some(3));
}

#[test]
fn the_async_handle_acknowledges_decisions_after_they_are_on_disk() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let d = TempDir::new("w-async");
    let log = d.join("c.jsonl");
    let j = Journal::create(&log, open_entry(), T0, None).unwrap();
    rt.block_on(async {
        let h = spawn_writer(j);
        for i in 0..50 {
            let r = h
                .append(observe("m", f64::from(i)), Ts(T0.0 + i64::from(i)))
                .await
                .unwrap();
            assert_eq!(r.seq, u64::try_from(i).unwrap() + 1);
        }
        let r = h
            .append_durable(decision("dana", "go", "ok"), Ts(T0.0 + 100))
            .await
            .unwrap();
        assert_eq!(r.seq, 51);
        // acknowledged: it and everything batched before it is in the file now
        let on_disk = verify_file(&log, None, None).unwrap();
        assert_eq!((on_disk.summary.count, on_disk.damage), (52, None));
        h.append(observe("m", 9.0), Ts(T0.0 + 200)).await.unwrap();
        assert_eq!(h.problem(), None);
        h.shutdown().await.unwrap();
        let late = h
            .append_durable(decision("dana", "go", "late"), Ts(T0.0 + 300))
            .await;
        assert!(matches!(late, Err(JournalError::WriterGone)));
    });
    assert_eq!(verify_file(&log, None, None).unwrap().summary.count, 53);
    let again = Journal::open_existing(&log, None);
    assert!(again.is_ok(), "the writer thread released the lock");
}

#[test]
fn dropping_the_last_handle_flushes_what_was_buffered() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let d = TempDir::new("w-drop");
    let log = d.join("c.jsonl");
    let j = Journal::create(&log, open_entry(), T0, None).unwrap();
    rt.block_on(async {
        let h = spawn_writer(j);
        h.append(observe("m", 1.0), T0).await.unwrap();
    });
    let mut count = 0;
    for _ in 0..500 {
        count = verify_file(&log, None, None).unwrap().summary.count;
        if count == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(
        count, 2,
        "the buffered observation was flushed when the handle was dropped"
    );
}

#[test]
fn records_give_back_the_core_entry_and_its_time() {
    let d = TempDir::new("w-entry");
    let log = d.join("c.jsonl");
    let mut j = Journal::create(&log, open_entry(), T0, None).unwrap();
    let e = Entry {
        kind: EntryKind::Step,
        actor: "sam".into(),
        phase: Some("p".into()),
        body: json!({"step": "s1", "state": "done"}),
    };
    j.append_durable(e.clone(), Ts(T0.0 + 1234)).unwrap();
    let rec = &verify_file(&log, None, None).unwrap().records[1];
    assert_eq!(rec.entry(), e);
    assert_eq!(rec.ts(), Ts(T0.0 + 1234));
}
