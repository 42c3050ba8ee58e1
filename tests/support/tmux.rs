//! Drive a command in a detached tmux session: send keys, read the pane.
//! For end-to-end tests of the real terminal (the lead's `demo` test can
//! reuse it). `Tmux::start` returns `None` when tmux is not installed;
//! callers decide with `support::external::require("tmux", ...)`.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux session running one shell command; killed on drop.
pub struct Tmux {
    name: String,
}

impl Tmux {
    /// Starts `shell_cmd` (run by `sh -c`) in a `w`x`h` pane.
    pub fn start(name: &str, shell_cmd: &str, w: u16, h: u16) -> Option<Tmux> {
        let name = format!("{name}-{}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .args(["sh", "-c", shell_cmd])
            .env("TERM", "xterm-256color")
            .status()
            .ok()?
            .success();
        ok.then_some(Tmux { name })
    }

    /// Sends tmux key names (`"Enter"`, `"Escape"`, `"C-c"`, `"q"`).
    pub fn keys(&self, keys: &[&str]) {
        let _ = Command::new("tmux")
            .args(["send-keys", "-t", &self.name])
            .args(keys)
            .status();
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        let _ = Command::new("tmux")
            .args(["send-keys", "-t", &self.name, "-l", text])
            .status();
    }

    /// The visible pane as text.
    pub fn capture(&self) -> String {
        Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// The pid of the pane's process (the command itself when started with `exec`).
    pub fn pane_pid(&self) -> Option<u32> {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.name, "#{pane_pid}"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }

    /// Waits until the pane shows `needle`; the last capture either way.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> Result<String, String> {
        let start = Instant::now();
        loop {
            let pane = self.capture();
            if pane.contains(needle) {
                return Ok(pane);
            }
            if start.elapsed() > timeout {
                return Err(pane);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}
