//! Shared setup for the tests that drive a real `Session`: the demo runbook
//! and config loaded, and a fresh log path per test.
#![allow(dead_code)]

use cutover_cockpit::app::start::{self, Loaded};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The demo runbook and config, loaded and checked as `cutover run` does.
pub fn loaded() -> Loaded {
    start::load(
        &Path::new(ROOT).join("runbooks/demo-pacs-cutover.toml"),
        &Path::new(ROOT).join("config/demo.toml"),
    )
    .expect("demo runbook and config load")
}

/// `cutover.jsonl` in a fresh temp directory named after the test.
pub fn temp_log(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cutover-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("cutover.jsonl")
}
