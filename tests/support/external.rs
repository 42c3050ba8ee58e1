//! One policy for a test that needs a tool from outside the repository
//! (tmux, chromium, prometheus, postgres, mariadb, orthanc, python3):
//! under `CI=true` its absence fails the test; elsewhere the test is
//! skipped with the reason printed. Nothing is skipped silently.

/// Whether `CI=true` is set (CI must have every tool).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The path of `tool` on PATH (or at one of `extra` absolute paths).
pub fn find(tool: &str, extra: &[&str]) -> Option<std::path::PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        extra
            .iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.is_file())
    })
}

/// `Some(path)` when the tool is there. When it is not: panics under CI,
/// prints `skipped: ...` and returns `None` otherwise. `install` says how
/// to get it (e.g. "apt-get install -y tmux").
pub fn require(tool: &str, extra: &[&str], install: &str) -> Option<std::path::PathBuf> {
    if let Some(p) = find(tool, extra) {
        return Some(p);
    }
    missing(&format!("`{tool}` is not installed ({install})"))
}

/// Reports a missing prerequisite under the policy: panic under CI, else
/// print the reason and return `None` so the caller returns early.
pub fn missing<T>(reason: &str) -> Option<T> {
    if in_ci() {
        panic!("{reason}; CI must provide it");
    }
    eprintln!("skipped: {reason}");
    None
}
