//! The follower's `CockpitPort`: the latest streamed view, marked while the
//! link is down, and actions POSTed from a spawned task (the screen never
//! waits on the network; the answer comes back as a toast and `Changed`).

use crate::core::cockpit::Action;
pub use crate::follow::answer::ACT_TIMEOUT;
use crate::follow::answer::{refused, said_by_status};
use crate::follow::stream::{lock, without_url, FollowTarget, SharedLink};
use crate::sign::holder::KeyState;
use crate::tui::view::{CockpitView, Toast, ToastKind};
use crate::tui::{ActResult, AppEvent, CockpitPort};
use serde::Deserialize;
use tokio::sync::mpsc;

/// The follower's port; cheap to clone pieces are shared with the tasks.
pub struct FollowPort {
    http: reqwest::Client,
    target: FollowTarget,
    link: SharedLink,
    tx: mpsc::Sender<AppEvent>,
    rt: tokio::runtime::Handle,
    /// `--key`: the owner's unlocked signing key; their decisions are signed.
    signer: Option<crate::follow::signing::SharedHolder>,
}

impl FollowPort {
    /// Must be called inside the tokio runtime the act tasks will run on.
    pub fn new(
        http: reqwest::Client,
        target: FollowTarget,
        link: SharedLink,
        tx: mpsc::Sender<AppEvent>,
    ) -> FollowPort {
        FollowPort {
            http,
            target,
            link,
            tx,
            rt: tokio::runtime::Handle::current(),
            signer: None,
        }
    }

    /// Signs the owner's decisions with this key from now on (`--key`).
    pub fn with_signer(mut self, holder: crate::sign::holder::KeyHolder) -> FollowPort {
        self.signer = Some(std::sync::Arc::new(std::sync::Mutex::new(holder)));
        self
    }
}

impl CockpitPort for FollowPort {
    /// The latest view with our own toast and the link state on top. Before
    /// the first view an empty screen names the operator and says disconnected.
    fn view(&self) -> CockpitView {
        // read before the link is locked: never hold both locks at once
        let key_locked = self.signer.as_ref().is_some_and(|h| {
            let held = crate::follow::signing::lock_holder(h);
            held.can_unlock() && held.state(crate::clock::wall_now()) == KeyState::Locked
        });
        let l = lock(&self.link);
        let mut view = l.view.clone().unwrap_or_else(|| {
            let mut v = CockpitView::default();
            v.header.operator = self.target.owner.clone();
            v.header.runbook_name = format!("following {}", self.target.display_base());
            v
        });
        view.header.disconnected_since = match (&l.view, l.disconnected_since) {
            (_, Some(t)) => Some(t),
            (None, None) => Some(crate::clock::wall_now()),
            (Some(_), None) => None,
        };
        // the server's toast belongs to whoever acted there; ours is our answer
        view.toast = l.toast.clone();
        // the server says nothing about our key: our own holder does
        view.header.signing_locked = key_locked;
        if l.view.is_some() && view.toast.is_none() && view.header.operator != self.target.owner {
            view.toast = Some(refused(format!(
                "this token is {}'s, not {}'s: actions would be recorded as {}",
                crate::core::sanitize::inert(&view.header.operator),
                self.target.owner,
                crate::core::sanitize::inert(&view.header.operator),
            )));
        }
        view
    }

    /// POSTs the action from a task and returns at once.
    fn act(&mut self, action: Action) -> ActResult {
        let offline = {
            let l = lock(&self.link);
            l.disconnected_since.is_some() || l.view.is_none()
        };
        if offline {
            return ActResult::Refused(
                "not connected to the commander's cockpit: the action was not sent".into(),
            );
        }
        let signer = match (&self.signer, crate::sign::holder::decision_type(&action)) {
            (Some(h), Some(_)) => {
                let now = crate::clock::wall_now();
                let mut held = crate::follow::signing::lock_holder(h);
                if held.unlocked(now).is_none() {
                    return ActResult::Refused(crate::follow::signing::LOCKED.into());
                }
                held.activity(now);
                Some(h.clone())
            }
            _ => None,
        };
        let (http, target, link, tx) = (
            self.http.clone(),
            self.target.clone(),
            self.link.clone(),
            self.tx.clone(),
        );
        self.rt.spawn(async move {
            let toast = match signer {
                Some(h) => crate::follow::signing::post_signed(&http, &target, &action, &h).await,
                None => post_action(&http, &target, &action).await,
            };
            lock(&link).toast = Some(toast);
            let _ = tx.send(AppEvent::Changed).await;
        });
        ActResult::Pending
    }

    fn passphrase_needed(&mut self, pending: &crate::tui::form::Pending) -> Option<String> {
        let h = self.signer.as_ref()?;
        let crate::tui::form::Pending::Act(action) = pending else {
            return None;
        };
        let kind = crate::sign::holder::decision_type(action)?;
        let held = crate::follow::signing::lock_holder(h);
        let locked = held.state(crate::clock::wall_now()) == KeyState::Locked;
        (locked && held.can_unlock()).then(|| {
            format!(
                "{}'s signing key locked after 15 minutes without a keypress: type its passphrase \
                 to sign this {kind} (Esc: it is not sent)",
                held.owner_id()
            )
        })
    }

    fn unlock(&mut self, passphrase: &crate::tui::form::Secret) -> Result<String, String> {
        let h = self
            .signer
            .as_ref()
            .ok_or_else(|| "there is no signing key to unlock here".to_string())?;
        // the key derivation runs without holding the key's lock
        let sealed = crate::follow::signing::lock_holder(h).sealed();
        let (file, path) =
            sealed.ok_or_else(|| "there is no key file to unlock here".to_string())?;
        let key = file
            .unlock(passphrase.as_bytes(), &path)
            .map_err(|e| e.to_string())?;
        let fp = key.fingerprint();
        let mut held = crate::follow::signing::lock_holder(h);
        held.install(key, crate::clock::wall_now())?;
        Ok(format!(
            "signing key of {} unlocked (key {fp})",
            held.owner_id()
        ))
    }

    fn keypress(&mut self) {
        if let Some(h) = &self.signer {
            crate::follow::signing::lock_holder(h).activity(crate::clock::wall_now());
        }
    }

    fn save_template(&mut self, id: &str) -> ActResult {
        ActResult::Refused(format!(
            "template {id} is not saved here: a follower writes no files (copy it from the popup)"
        ))
    }
}

/// The server's answer body (`result` for 200/202/403, `error` otherwise).
#[derive(Debug, Default, Deserialize)]
struct Answer {
    result: Option<String>,
    message: Option<String>,
    error: Option<String>,
}

/// Sends one action; the answer as a toast (never with the token or body echoed).
pub async fn post_action(http: &reqwest::Client, target: &FollowTarget, action: &Action) -> Toast {
    let resp = http
        .post(target.url("/api/act"))
        .timeout(ACT_TIMEOUT)
        .header(reqwest::header::AUTHORIZATION, target.bearer())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(action).unwrap_or_default())
        .send()
        .await;
    let resp = match resp {
        Ok(r) => r,
        Err(e) => return refused(format!("action not sent: {}", without_url(&e))),
    };
    let status = resp.status();
    if let Some(toast) = said_by_status(status.as_u16()) {
        return toast;
    }
    let body = match resp.bytes().await {
        Ok(bytes) => serde_json::from_slice::<Answer>(&bytes).map_err(|e| e.to_string()),
        Err(e) => Err(without_url(&e)),
    };
    let body = match body {
        Ok(b) => b,
        // the action may or may not be recorded: say so rather than guess
        Err(why) => {
            return refused(format!(
                "the server answered {status} to POST /api/act with an unreadable body ({why}): \
                 check the log tail to see whether it was recorded"
            ))
        }
    };
    let text = |s: Option<String>| crate::core::sanitize::inert(&s.unwrap_or_default());
    match (status.as_u16(), body.result.as_deref()) {
        (200, Some("acknowledged")) => Toast {
            kind: ToastKind::Acknowledged,
            message: text(body.message),
        },
        // the footer already says "✘ refused:"; the core's reason follows it as is
        (403, _) => refused(text(body.message.or(body.error))),
        (code, _) => refused(format!(
            "the server answered {code}: {}",
            text(body.error.or(body.message))
        )),
    }
}
