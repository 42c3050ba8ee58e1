//! `cutover verify` on signed logs (docs/performance.md, "Signatures"):
//! 1,000,000 records of which 10,000 are signed decisions, against the same
//! log with those 10,000 decisions unsigned, verified alternately so both
//! see the same machine load; and the time to seal a signed record vs an
//! unsigned one (what signing adds to an action's acknowledgement).
//!
//! Records: CUTOVER_BENCH_RECORDS (default 1,000,000). Files go to
//! $CUTOVER_BENCH_DIR or the system temp dir; CUTOVER_BENCH_KEEP=1 keeps them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a failed unwrap is a failed run

use cutover_cockpit::core::entry::{Entry, EntryKind};
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::canon::{Chain, ZERO_HASH};
use cutover_cockpit::journal::signed::Roster;
use cutover_cockpit::journal::{open_body, verify, Journal, Record};
use cutover_cockpit::sign::{public_text, Meaning, Unlocked};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const T0: Ts = Ts(1_795_903_200_000);

fn bench_dir() -> PathBuf {
    let base = std::env::var_os("CUTOVER_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let d = base.join(format!("cutover-bench-sig-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("bench dir");
    d
}

fn open_entry(key: &Unlocked) -> Entry {
    let mut roster = Roster::default();
    roster
        .add(
            "dana",
            "Dana Ruiz",
            "Cutover commander",
            &public_text(&key.public()),
        )
        .unwrap();
    let mut body = open_body(
        "[runbook]\nname = \"bench\"\n",
        "[poll]\ninterval = \"5s\"\n",
        "dana",
        "bench",
    );
    body["signers"] = roster.open_body_json();
    body["require_signature"] = json!([]);
    Entry {
        kind: EntryKind::Open,
        actor: "dana".into(),
        phase: None,
        body,
    }
}

fn decision(i: u64) -> Entry {
    Entry {
        kind: EntryKind::Decision,
        actor: "dana".into(),
        phase: Some("parallel-run".into()),
        body: json!({"type": "signoff", "rationale": format!("bench sign-off {i}"), "phase": "parallel-run",
                     "role": "Cutover commander",
                     "snapshot": {"gates": [["pilot-checksums", "pass"], ["ehr-lag", "holding"]]}}),
    }
}

fn observe(i: u64) -> Entry {
    Entry {
        kind: EntryKind::Observe,
        actor: "probe".into(),
        phase: Some("parallel-run".into()),
        body: json!({"probe": "target.pacs.latency", "samples": {
            "target.pacs.latency_ms": 300.0 + (i % 97) as f64, "target.pacs.latency_ok": 1,
            "target.pacs.replication_lag_s": (i % 13) as f64}}),
    }
}

/// `records` records, every 100th a decision (signed when `sign`).
fn build(path: &Path, records: u64, key: &Unlocked, sign: bool) -> u64 {
    let mut j = Journal::create(path, open_entry(key), T0, None).expect("create");
    for i in 1..records {
        let at = Ts(T0.0 + i as i64 * 100);
        if i.is_multiple_of(100) {
            if sign {
                j.append_durable_signed(decision(i), at, key, Meaning::Approval)
                    .expect("signed");
            } else {
                j.append(decision(i), at).expect("append");
            }
        } else {
            j.append(observe(i), at).expect("append");
        }
        if i.is_multiple_of(10_000) {
            j.commit().expect("commit");
        }
    }
    j.commit().expect("commit");
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let records: u64 = std::env::var("CUTOVER_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = bench_dir();
    let key = Unlocked::generate("dana").unwrap();

    // sealing: signed vs unsigned, same record (no IO)
    let (mut plain, mut signed) = (Vec::new(), Vec::new());
    for i in 0..2000u64 {
        let t = Instant::now();
        let _ = Record::seal(decision(i), i, T0, ZERO_HASH, &Chain::Sha256);
        plain.push(t.elapsed());
        let t = Instant::now();
        let _ = Record::seal_signed(
            decision(i),
            i,
            T0,
            ZERO_HASH,
            &Chain::Sha256,
            &key,
            Meaning::Approval,
        );
        signed.push(t.elapsed());
    }
    let p99 = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() * 99 / 100]
    };
    println!(
        "seal a decision: unsigned p50 {:?} p99 {:?}; signed p50 {:?} p99 {:?}",
        median(plain.clone()),
        p99(plain),
        median(signed.clone()),
        p99(signed)
    );

    let (a, b) = (dir.join("signed.jsonl"), dir.join("unsigned.jsonl"));
    let t = Instant::now();
    let sa = build(&a, records, &key, true);
    let sb = build(&b, records, &key, false);
    println!(
        "built 2 x {records} records ({:.0} MB signed, {:.0} MB unsigned) in {:.1?}",
        sa as f64 / 1e6,
        sb as f64 / 1e6,
        t.elapsed()
    );
    let (mut ts, mut tu) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        let out = verify::verify_summary(&b, None, None).expect("verify");
        tu.push(t.elapsed());
        assert!(out.damage.is_none() && out.summary.signatures.verified == 0);
        let t = Instant::now();
        let out = verify::verify_summary(&a, None, None).expect("verify");
        ts.push(t.elapsed());
        assert!(out.damage.is_none());
        assert_eq!(
            out.summary.signatures.verified,
            records / 100 - u64::from(records.is_multiple_of(100))
        );
        assert_eq!(out.summary.signatures.problem_count, 0);
    }
    let (ms, mu) = (median(ts.clone()), median(tu.clone()));
    println!("verify unsigned: {tu:.2?} median {mu:.2?}");
    println!(
        "verify signed ({} signatures): {ts:.2?} median {ms:.2?}",
        records / 100
    );
    println!(
        "ratio signed/unsigned (medians): {:.3}",
        ms.as_secs_f64() / mu.as_secs_f64()
    );
    if std::env::var_os("CUTOVER_BENCH_KEEP").is_some() {
        // for timing the binary on the same logs (docs/performance.md)
        println!("kept {} and {}", a.display(), b.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
