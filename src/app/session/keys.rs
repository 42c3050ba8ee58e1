//! The keyboard's signing key once it locked itself (15 minutes without a
//! keypress): the screen asks the passphrase before the next signed action
//! and the key is unlocked again from the key file the holder kept (the
//! passphrase is never kept). Also the cockpit's amend key: an `amend`
//! record appended after the record it corrects, signed when a key is held.

use super::{Session, LOG_FAILED};
use crate::sign::append::{amend_entry, AMEND_MEANING};
use crate::sign::holder::{decision_type, KeyHolder, KeyState};
use crate::sign::keyfile::KeyFile;
use crate::sign::Unlocked;
use crate::tui::form::{Amendment, Pending};
use crate::tui::ActResult;
use std::path::PathBuf;

impl Session {
    /// Who signs `pending` at this keyboard: the actor for a decision, the
    /// operator for an amendment; `None` when nothing would be signed.
    fn signs(&self, pending: &Pending) -> Option<(String, String)> {
        match pending {
            Pending::Act(a) => decision_type(a).map(|k| (self.keyboard_actor(), k.to_string())),
            Pending::Amend(a) => Some((self.operator.clone(), format!("amendment of #{}", a.seq))),
        }
    }

    fn holder_of(&mut self, owner: &str) -> Option<&mut KeyHolder> {
        self.signers.iter_mut().find(|h| h.owner_id() == owner)
    }

    /// Whether the keyboard's key is held and locked now (the header says so).
    pub fn signing_locked(&self) -> bool {
        let now = self.now();
        let who = self.keyboard_actor();
        self.signers
            .iter()
            .any(|h| h.owner_id() == who && h.can_unlock() && h.state(now) == KeyState::Locked)
    }

    /// `Some(prompt)` when `pending` would be signed with a key that locked
    /// itself and can be unlocked again here (`run --key`).
    pub fn passphrase_needed(&mut self, pending: &Pending) -> Option<String> {
        let (who, what) = self.signs(pending)?;
        let now = self.now();
        let h = self.holder_of(&who)?;
        if !h.can_unlock() || h.state(now) != KeyState::Locked {
            return None;
        }
        // the file's name: enough to say which key, short enough for the form
        let file = h
            .sealed()
            .and_then(|(_, p)| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        Some(format!(
            "{who}'s signing key locked after 15 minutes without a keypress: type the passphrase \
             of {file} to sign this {what} (Esc: it is not taken)"
        ))
    }

    /// The keyboard's sealed key file, to unlock away from the session lock.
    pub fn sealed_key(&self) -> Option<(KeyFile, PathBuf)> {
        let who = self.keyboard_actor();
        self.signers
            .iter()
            .find(|h| h.owner_id() == who)
            .and_then(KeyHolder::sealed)
    }

    /// Takes a key unlocked from [`Session::sealed_key`]; the idle timer restarts.
    pub fn install_key(&mut self, key: Unlocked) -> Result<String, String> {
        let now = self.now();
        let who = self.keyboard_actor();
        let fp = key.fingerprint();
        let h = self
            .holder_of(&who)
            .ok_or_else(|| format!("{who} holds no signing key here"))?;
        h.install(key, now)?;
        Ok(format!("signing key of {who} unlocked (key {fp})"))
    }

    /// Unlocks the keyboard's key with `passphrase`; `Err` says why (a
    /// wrong passphrase), never with the passphrase in it.
    pub fn unlock(&mut self, passphrase: &[u8]) -> Result<String, String> {
        let (file, path) = self
            .sealed_key()
            .ok_or_else(|| "there is no key file to unlock here".to_string())?;
        let key = file.unlock(passphrase, &path).map_err(|e| e.to_string())?;
        self.install_key(key)
    }

    /// Appends an `amend` record referring to log record `a.seq` (which
    /// stays as it is), signed with the operator's key when one is held.
    pub fn amend(&mut self, a: &Amendment) -> ActResult {
        if self.failed.is_some() {
            return ActResult::Refused(LOG_FAILED.to_string());
        }
        let now = self.now();
        let actor = self.operator.clone();
        let Some((kind, hash)) = self.tail.target(a.seq) else {
            return ActResult::Refused(format!(
                "record #{} is no longer in the log pane: amend it with `cutover amend LOG --seq {}`",
                a.seq, a.seq
            ));
        };
        let entry = match amend_entry(&actor, a.seq, (kind, &hash), &a.reason, &a.correction) {
            Ok(e) => e,
            Err(why) => return ActResult::Refused(why),
        };
        let holder = self.signers.iter_mut().find(|h| h.owner_id() == actor);
        let written = match holder {
            None => self.journal.append(entry, now),
            Some(h) => {
                let Some(key) = h.unlocked(now) else {
                    return ActResult::Refused(crate::sign::holder::refusal(
                        "an amendment",
                        true,
                        None,
                    ));
                };
                self.journal.append_signed(entry, now, key, AMEND_MEANING)
            }
        };
        let signed = match written {
            Ok(r) => {
                self.tail.push(&r);
                self.feed.record(&r);
                r.body.get("signature").is_some()
            }
            Err(e) => {
                self.fail(&e);
                return ActResult::Refused(LOG_FAILED.to_string());
            }
        };
        // durable before the operator hears "done"
        self.commit_now();
        self.feed.changed();
        if self.failed.is_some() {
            return ActResult::Refused(LOG_FAILED.to_string());
        }
        let how = match signed {
            true => format!("signed by {actor}"),
            false => "unsigned: no signing key is held".to_string(),
        };
        ActResult::Acknowledged(format!(
            "record #{} amended ({how}); the original stays as recorded",
            a.seq
        ))
    }
}
