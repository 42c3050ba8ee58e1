//! The cockpit's unlocked key: it signs the operator's decisions and locks
//! itself after 15 minutes without activity (21 CFR 11.200: the first
//! signing of a session uses both components, owner id and passphrase;
//! later signings in the session at least one, the passphrase; an
//! unattended terminal must not keep signing). Time is passed in.
//!
//! The holder keeps the key file as it is on disk (sealed under the
//! passphrase), never the passphrase: a locked key is unlocked again only
//! by the person typing it.

use super::keyfile::{KeyFile, KeyFileError};
use super::{Meaning, Unlocked};
use crate::core::cockpit::Action;
use crate::core::time::{Dur, Ts};
use std::path::{Path, PathBuf};

/// A key stays unlocked this long without activity.
pub const IDLE_LOCK: Dur = Dur(15 * 60_000);

/// The decision `type` an action records (`None` for steps, which are not decisions).
pub fn decision_type(action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::Go { .. } => "go",
        Action::Hold { .. } => "hold",
        Action::Resume { .. } => "resume",
        Action::Rollback { .. } => "rollback",
        Action::Waive { .. } => "waive",
        Action::SignOff { .. } => "signoff",
        Action::Handover { .. } => "handover",
        Action::IssueOpen { .. } | Action::IssueClose { .. } => "issue",
        Action::Note { .. } => "note",
        Action::Decide { .. } => "decide",
        _ => return None,
    })
}

/// Whether the keyboard's signing key signs now (shown in the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Unlocked,
    /// Idle too long: the passphrase is asked at the next signed action.
    Locked,
    /// A throw-away demo key (never locks).
    ThrowAway,
}

/// An unlocked key and when it was last used.
pub struct KeyHolder {
    owner: String,
    key: Option<Unlocked>,
    last_activity: Ts,
    /// A throw-away demo key: it never locks (there is no passphrase to ask).
    throw_away: bool,
    /// The key file (still sealed) and where it was read, to unlock again.
    sealed: Option<(KeyFile, PathBuf)>,
}

impl KeyHolder {
    /// Unlocked now (the passphrase was just given).
    pub fn new(key: Unlocked, now: Ts) -> KeyHolder {
        KeyHolder {
            owner: key.owner().to_string(),
            key: Some(key),
            last_activity: now,
            throw_away: false,
            sealed: None,
        }
    }

    /// Unlocked now from `file` (read from `path`): once it locks, the same
    /// file unlocks it again with the passphrase ([`KeyHolder::unlock`]).
    pub fn from_file(key: Unlocked, file: KeyFile, path: &Path, now: Ts) -> KeyHolder {
        KeyHolder {
            sealed: Some((file, path.to_path_buf())),
            ..KeyHolder::new(key, now)
        }
    }

    /// Whether the key signs at `now` (without changing anything).
    pub fn state(&self, now: Ts) -> KeyState {
        if self.throw_away {
            KeyState::ThrowAway
        } else if self.key.is_some() && now - self.last_activity < IDLE_LOCK {
            KeyState::Unlocked
        } else {
            KeyState::Locked
        }
    }

    /// Whether a locked key can be unlocked again here (the key file is held).
    pub fn can_unlock(&self) -> bool {
        self.sealed.is_some()
    }

    /// The sealed key file and its path, to unlock it away from any lock
    /// the holder sits behind (the key derivation takes a quarter second).
    pub fn sealed(&self) -> Option<(KeyFile, PathBuf)> {
        self.sealed.clone()
    }

    /// Takes a key unlocked from [`KeyHolder::sealed`]: it signs from `now`
    /// and the idle timer restarts. Refused when it is another person's key.
    pub fn install(&mut self, key: Unlocked, now: Ts) -> Result<(), String> {
        let same = self
            .sealed
            .as_ref()
            .is_some_and(|(f, _)| f.owner == key.owner() && f.fingerprint() == key.fingerprint());
        if !same {
            return Err(format!("that key is not {}'s key file", self.owner));
        }
        self.key = Some(key);
        self.last_activity = now;
        Ok(())
    }

    /// Unlocks the key again with `passphrase` (never kept); the idle timer
    /// restarts. A wrong passphrase leaves it locked and says so.
    pub fn unlock(&mut self, passphrase: &[u8], now: Ts) -> Result<(), KeyFileError> {
        let Some((file, path)) = &self.sealed else {
            return Err(KeyFileError::Crypto(format!(
                "{}'s key cannot be unlocked here: no key file is held",
                self.owner
            )));
        };
        let key = file.unlock(passphrase, path)?;
        self.key = Some(key);
        self.last_activity = now;
        Ok(())
    }

    /// A throw-away key made for one demo: it signs without a passphrase
    /// and does not lock when idle.
    pub fn throw_away(key: Unlocked, now: Ts) -> KeyHolder {
        KeyHolder {
            throw_away: true,
            ..KeyHolder::new(key, now)
        }
    }

    /// Whether this is a throw-away demo key.
    pub fn is_throw_away(&self) -> bool {
        self.throw_away
    }

    /// The key if it is still unlocked at `now`; after [`IDLE_LOCK`]
    /// without activity it is dropped (wiped) for good.
    pub fn unlocked(&mut self, now: Ts) -> Option<&Unlocked> {
        if !self.throw_away && now - self.last_activity >= IDLE_LOCK {
            self.key = None;
        }
        self.key.as_ref()
    }

    /// The person did something at `now` (a keypress, an action): keeps an
    /// unlocked key unlocked; never unlocks one that was idle too long.
    pub fn activity(&mut self, now: Ts) {
        if self.unlocked(now).is_some() {
            self.last_activity = self.last_activity.max(now);
        }
    }

    /// Whose key this is (also once it locked).
    pub fn owner_id(&self) -> &str {
        &self.owner
    }

    /// Whose key this is, while it is unlocked.
    pub fn owner(&self) -> Option<&str> {
        self.key.as_ref().map(Unlocked::owner)
    }

    /// The key and meaning to sign `entry` with: the operator's own
    /// decisions, while the key is unlocked.
    pub fn for_entry(
        &mut self,
        entry: &crate::core::entry::Entry,
        now: Ts,
    ) -> Option<(&Unlocked, Meaning)> {
        if entry.kind != crate::core::entry::EntryKind::Decision {
            return None;
        }
        let t = entry
            .body
            .get("type")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let meaning = Meaning::of_decision(t);
        let key = self.unlocked(now)?;
        (key.owner() == entry.actor).then_some((key, meaning))
    }
}

/// Why an unsigned action is refused, saying how to sign. `follower`:
/// the action came from a team member, who signs on their own machine.
pub fn refusal(kind: &str, locked: bool, follower: Option<&str>) -> String {
    if let Some(who) = follower {
        return format!(
            "{kind} must be signed with {who}'s own key: add --key FILE to `cutover follow ... \
             --as {who}` (the key file from `cutover keygen {who}`; it signs on {who}'s machine; \
             the runbook's require_signature)"
        );
    }
    if locked {
        format!(
            "{kind} must be signed and your signing key locked after 15 minutes without a \
             keypress: type your passphrase when the cockpit asks for it (it asks at the next \
             signed action)"
        )
    } else {
        format!(
            "{kind} must be signed (the runbook's require_signature): start the cockpit with \
             --key FILE (your key from `cutover keygen`)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_key_locks_after_15_minutes_without_activity_and_stays_locked() {
        let t0 = Ts(1_000_000);
        let mut h = KeyHolder::new(Unlocked::generate("dana").unwrap(), t0);
        assert!(h.unlocked(t0 + Dur(14 * 60_000)).is_some());
        h.activity(t0 + Dur(14 * 60_000));
        // 14 + 14 minutes: active 14 minutes ago, still unlocked
        assert!(h.unlocked(t0 + Dur(28 * 60_000)).is_some());
        assert!(h.unlocked(t0 + Dur(29 * 60_000)).is_none());
        h.activity(t0 + Dur(30 * 60_000));
        assert!(
            h.unlocked(t0 + Dur(30 * 60_000)).is_none(),
            "activity does not unlock"
        );
        assert_eq!(h.owner(), None);
    }

    #[test]
    fn only_the_key_owners_decisions_are_signed_with_their_meaning() {
        let t0 = Ts(0);
        let mut h = KeyHolder::new(Unlocked::generate("dana").unwrap(), t0);
        let e = |actor: &str, kind, t: &str| crate::core::entry::Entry {
            kind,
            actor: actor.into(),
            phase: None,
            body: json!({"type": t}),
        };
        use crate::core::entry::EntryKind::{Decision, Step};
        let (_, m) = h.for_entry(&e("dana", Decision, "signoff"), t0).unwrap();
        assert_eq!(m, Meaning::Approval);
        assert!(h.for_entry(&e("sam", Decision, "go"), t0).is_none());
        assert!(h.for_entry(&e("dana", Step, "done"), t0).is_none());
        assert!(refusal("signoff", false, None).contains("--key FILE"));
        let theirs = refusal("signoff", false, Some("dr-lee"));
        assert!(
            theirs.contains("add --key FILE to `cutover follow ... --as dr-lee`"),
            "{theirs}"
        );
    }
}
