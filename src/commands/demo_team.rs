//! `cutover demo --serve`: tokens for a team try-out. The demo config has no
//! `[[token]]`, so without this every `/api` request would get 401. One
//! token is minted per roster owner at start; only their hashes join the
//! in-memory config (the config text, and so the log, never sees them), and
//! the tokens themselves go to a 0600 file next to the demo log with the
//! follow command for each owner. They stop working when the demo quits.

use color_eyre::eyre::{eyre, WrapErr};
use cutover_cockpit::core::config::serve::TokenHash;
use cutover_cockpit::core::runbook::model::Owner;
use cutover_cockpit::serve::auth::{mint, token_hash};
use cutover_cockpit::tui::view::{Toast, ToastKind};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's name, in the demo log's directory.
pub const FILE_NAME: &str = "team-tokens.txt";

/// One minted token per roster owner, in roster order.
pub struct TeamTokens {
    tokens: Vec<(String, String)>,
}

impl TeamTokens {
    /// Mints a token for every owner on the roster.
    pub fn mint(owners: &[Owner]) -> color_eyre::Result<TeamTokens> {
        let tokens = owners
            .iter()
            .map(|o| Ok((o.id.clone(), mint().map_err(|e| eyre!("{e}"))?)))
            .collect::<color_eyre::Result<_>>()?;
        Ok(TeamTokens { tokens })
    }

    /// The `[[token]]` entries the server checks (hashes only).
    pub fn hashes(&self) -> Vec<TokenHash> {
        self.tokens
            .iter()
            .map(|(owner, token)| TokenHash {
                owner: owner.clone(),
                sha256: token_hash(token),
                owner_pos: Default::default(),
            })
            .collect()
    }

    /// The file's text: per owner, the command that follows `url` as them.
    pub fn file_text(&self, url: &str, exe: &str) -> String {
        let mut out = String::from(
            "# Team tokens for this `cutover demo --serve` only: they stop working when the\n\
             # demo quits. Keep this file private: whoever holds a line acts as that owner.\n\
             # Each team member runs the line with their id, in their own terminal:\n",
        );
        for (owner, token) in &self.tokens {
            out.push_str(&format!(
                "CUTOVER_TOKEN={token} {} follow {url} --as {owner}\n",
                shell_quote(exe)
            ));
        }
        out
    }
}

/// Writes `text` to `path`, created new with mode 0600 (never an old file).
pub fn write_private(path: &Path, text: &str) -> color_eyre::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .wrap_err_with(|| format!("cannot create {}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .wrap_err_with(|| format!("cannot write {}", path.display()))
}

/// `<log dir>/team-tokens.txt`.
pub fn file_path(log: &Path) -> PathBuf {
    log.parent().unwrap_or(Path::new(".")).join(FILE_NAME)
}

/// Writes the file once the server listens at `url`; says where (diagnostics
/// pane and the first toast), or why not.
pub fn publish(tokens: &TeamTokens, url: &str, path: &Path) -> Toast {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "cutover".into());
    match write_private(path, &tokens.file_text(url, &exe)) {
        Ok(()) => {
            log::info!(
                "team try-out: a token and follow command for each of the {} roster owners is in {} (valid until the demo quits)",
                tokens.tokens.len(),
                path.display()
            );
            Toast {
                kind: ToastKind::Info,
                message: format!("team tokens for {url}: {}", path.display()),
            }
        }
        Err(e) => {
            log::warn!("team try-out: {e:#}; followers will be refused");
            Toast {
                kind: ToastKind::Refused,
                message: format!("no team tokens: {e:#}"),
            }
        }
    }
}

/// `s` as one shell word.
fn shell_quote(s: &str) -> String {
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ':'));
    if plain && !s.is_empty() {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cutover_cockpit::serve::auth::Tokens;

    fn owner(id: &str) -> Owner {
        Owner {
            id: id.into(),
            name: id.into(),
            role: "r".into(),
            contact: None,
            signing_key: None,
            pos: Default::default(),
        }
    }

    #[test]
    fn every_owner_gets_a_distinct_token_that_the_server_accepts() {
        let t = TeamTokens::mint(&[owner("dana"), owner("sam")]).unwrap();
        let server = Tokens::new(t.hashes());
        let (sam, dana) = (&t.tokens[1].1, &t.tokens[0].1);
        assert_ne!(sam, dana);
        assert_eq!(server.owner_of(sam), Some("sam"));
        assert_eq!(server.owner_of(dana), Some("dana"));
        assert_eq!(server.owner_of("cct_guess"), None);
    }

    #[test]
    fn the_file_has_a_follow_command_per_owner() {
        let t = TeamTokens::mint(&[owner("dana"), owner("sam")]).unwrap();
        let text = t.file_text("http://127.0.0.1:7878", "/opt/my tools/cutover");
        let sam_line = text.lines().find(|l| l.ends_with("--as sam")).unwrap();
        assert_eq!(
            sam_line,
            format!(
                "CUTOVER_TOKEN={} '/opt/my tools/cutover' follow http://127.0.0.1:7878 --as sam",
                t.tokens[1].1
            )
        );
        assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 2);
    }

    #[test]
    fn the_file_is_private_and_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("cutover-demo-team-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = file_path(&dir.join("cutover.jsonl"));
        assert_eq!(path, dir.join(FILE_NAME));
        write_private(&path, "x\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(write_private(&path, "y\n").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x\n");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn odd_paths_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("/usr/bin/cutover"), "/usr/bin/cutover");
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
    }
}
