//! Replays every kept fuzz input (fuzz/corpus/<target>/*) through the same
//! target bodies the libFuzzer binaries run (src/fuzzing.rs), so CI on stable
//! re-checks everything the fuzzer ever found, without the fuzz engine.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::fuzzing::{run, TARGETS};
use std::path::Path;

fn corpus_files(target: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let files = corpus_files(target);
    assert!(!files.is_empty(), "no corpus kept for {target}");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let ok = std::panic::catch_unwind(|| run(target, &data));
        assert!(
            matches!(ok, Ok(true)),
            "fuzz target {target} fails on {}",
            f.display()
        );
    }
}

#[test]
fn corpus_runbook() {
    replay("runbook");
}

#[test]
fn corpus_config() {
    replay("config");
}

#[test]
fn corpus_expr() {
    replay("expr");
}

#[test]
fn corpus_verify() {
    replay("verify");
}

#[test]
fn corpus_prom() {
    replay("prom");
}

#[test]
fn corpus_checksum() {
    replay("checksum");
}

#[test]
fn every_target_has_a_corpus_folder() {
    for t in TARGETS {
        assert!(!corpus_files(t).is_empty(), "{t}");
    }
}
