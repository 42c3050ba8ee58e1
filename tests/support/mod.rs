//! Support shared by the integration tests: one policy for a missing
//! external tool, listeners handed over already bound, temp dirs, tmux.
//! Include it with `mod support;` (each test file is its own crate).
#![allow(dead_code)] // each test crate uses a different part of it

pub mod external;
pub mod mariadb;
pub mod net;
pub mod orthanc;
pub mod pg;
pub mod tmux;

/// A fresh temp directory, removed when dropped.
pub fn temp_dir(prefix: &str) -> TempDir {
    // one counter per test process, so two dirs made in the same instant differ
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let path = std::env::temp_dir().join(format!(
        "{prefix}-{}-{stamp}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&path).expect("create temp dir");
    TempDir { path }
}

/// A directory that is deleted on drop (also when the test fails).
pub struct TempDir {
    pub path: std::path::PathBuf,
}

impl TempDir {
    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The first `cutover.jsonl` below `dir` (where `cutover demo` puts its log
/// under TMPDIR), searched depth first.
pub fn find_log(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        if p.is_dir() {
            if let Some(found) = find_log(&p) {
                return Some(found);
            }
        } else if p.file_name().is_some_and(|n| n == "cutover.jsonl") {
            return Some(p);
        }
    }
    None
}

/// Polls `ok` every 100 ms until it returns `Some`, or panics after
/// `timeout` with `what` and the last `context()`.
pub fn poll<T>(
    what: &str,
    timeout: std::time::Duration,
    mut ok: impl FnMut() -> Option<T>,
    context: impl Fn() -> String,
) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = ok() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}:\n{}",
            context()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
