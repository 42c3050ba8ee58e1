//! The session shared between the screen, the probe forwarder, the tick
//! task and the team server: the lock, the screen's non-blocking port, and
//! the team server's `SessionPort`.

use super::session::Session;
use crate::core::cockpit::Action;
use crate::core::export::{log_head_text, prometheus_text};
use crate::journal::signed::SigMember;
use crate::session_port::{Prepared, SessionPort, SignedAnswer, Updates};
use crate::tui::view::CockpitView;
use crate::tui::{ActResult, CockpitPort};

/// Shared handle: the probe forwarder and the tick task lock it briefly.
pub type SharedSession = std::sync::Arc<std::sync::Mutex<Session>>;

/// Locks a shared session, recovering from a poisoned lock (a panicked
/// holder left the data as consistent as any journal error would).
pub fn lock(s: &SharedSession) -> std::sync::MutexGuard<'_, Session> {
    lock_mutex(s)
}

fn lock_mutex(s: &std::sync::Mutex<Session>) -> std::sync::MutexGuard<'_, Session> {
    match s.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// `CockpitPort` over a shared session, for `tui::run`. A frame never waits
/// for another holder of the lock (a team member's action fsyncing its
/// decision through `--serve`): it draws the last view, and the holder sends
/// `AppEvent::Changed` once it is done, which draws the new one.
pub struct SharedPort {
    session: SharedSession,
    last: std::sync::Mutex<Option<CockpitView>>,
}

impl SharedPort {
    pub fn new(session: SharedSession) -> SharedPort {
        SharedPort {
            session,
            last: std::sync::Mutex::new(None),
        }
    }
}

impl CockpitPort for SharedPort {
    fn view(&self) -> CockpitView {
        let mut last = match self.last.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let fresh = match self.session.try_lock() {
            Ok(s) => s.view(),
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner().view(),
            Err(std::sync::TryLockError::WouldBlock) => match last.as_ref() {
                Some(v) => return v.clone(),
                None => lock(&self.session).view(),
            },
        };
        *last = Some(fresh.clone());
        fresh
    }
    fn act(&mut self, action: Action) -> ActResult {
        lock(&self.session).act(action)
    }
    fn save_template(&mut self, id: &str) -> ActResult {
        lock(&self.session).save_template(id)
    }
    fn act_as_next(&mut self) -> ActResult {
        lock(&self.session).act_as_next()
    }
    fn write_exact_keys(&mut self, dataset: &str) -> ActResult {
        lock(&self.session).write_exact_keys(dataset)
    }
    fn passphrase_needed(&mut self, pending: &crate::tui::form::Pending) -> Option<String> {
        lock(&self.session).passphrase_needed(pending)
    }
    fn unlock(&mut self, passphrase: &crate::tui::form::Secret) -> Result<String, String> {
        // the key derivation (a quarter second) runs without the session
        // lock: followers' actions are not held up by it
        let sealed = lock(&self.session).sealed_key();
        let (file, path) =
            sealed.ok_or_else(|| "there is no key file to unlock here".to_string())?;
        let key = file
            .unlock(passphrase.as_bytes(), &path)
            .map_err(|e| e.to_string())?;
        lock(&self.session).install_key(key)
    }
    fn amend(&mut self, a: &crate::tui::form::Amendment) -> ActResult {
        lock(&self.session).amend(a)
    }
    fn keypress(&mut self) {
        // never wait for the lock on a keypress: a busy session (a follower's
        // fsync) misses one keypress, well inside the 15 minutes
        match self.session.try_lock() {
            Ok(mut s) => s.keypress(),
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner().keypress(),
            Err(std::sync::TryLockError::WouldBlock) => {}
        }
    }
}

/// The team server's port: each call takes the lock for its own duration,
/// so a `SharedSession` is handed to `serve::start` as it is.
impl SessionPort for std::sync::Mutex<Session> {
    fn view_for(&self, owner: &str) -> CockpitView {
        lock_mutex(self).view_for(owner)
    }
    fn act_as(&self, owner: &str, action: Action) -> ActResult {
        lock_mutex(self).act_as(owner, action)
    }
    fn prepare_signed(&self, owner: &str, action: Action) -> Result<Prepared, String> {
        lock_mutex(self).prepare_signed(owner, action)
    }
    fn act_signed(&self, owner: &str, action: Action, member: SigMember) -> SignedAnswer {
        lock_mutex(self).act_signed(owner, action, member)
    }
    fn prometheus_text(&self) -> String {
        let s = lock_mutex(self);
        let mut text = prometheus_text(s.cockpit(), s.now());
        if let Some(seq) = s.head_seq() {
            text.push_str(&log_head_text(seq));
        }
        text
    }
    fn subscribe(&self) -> Updates {
        let s = lock_mutex(self);
        Updates {
            changes: s.feed().watch(),
            records: s.feed().records(),
        }
    }
}
