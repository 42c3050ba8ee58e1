//! The session port: what the team server (`serve`) may ask of the running
//! session, and nothing more. The wiring layer implements it over the shared
//! session (`app::shared`); the server holds an `Arc<dyn SessionPort>` and so
//! never depends on the wiring, the way the terminal draws through
//! `tui::CockpitPort`.
//!
//! Every method may wait for the session's lock, and the acting ones for an
//! fsync: async callers run them on a blocking thread.

use crate::core::cockpit::Action;
use crate::journal::signed::SigMember;
use crate::sign::Meaning;
use crate::tui::view::CockpitView;
use crate::tui::ActResult;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// The running session as the team server sees it.
pub trait SessionPort: Send + Sync + 'static {
    /// The screen as `owner` sees it (their commander flag and "my steps").
    fn view_for(&self, owner: &str) -> CockpitView;
    /// `owner` takes `action`: the same core rules and durable append as a
    /// key pressed on the commander's screen.
    fn act_as(&self, owner: &str, action: Action) -> ActResult;
    /// Step 1 of a signed action: the record `owner` must sign, or the refusal.
    fn prepare_signed(&self, owner: &str, action: Action) -> Result<Prepared, String>;
    /// Step 2: `owner` signed the prepared record for `action` with `member`.
    fn act_signed(&self, owner: &str, action: Action, member: SigMember) -> SignedAnswer;
    /// The cockpit's metrics and the log head in the Prometheus text format.
    fn prometheus_text(&self) -> String;
    /// Change notifications from now on, both taken at the same moment.
    fn subscribe(&self) -> Updates;
}

/// What a follower's event stream listens to.
pub struct Updates {
    /// A version bumped whenever the state may have moved (coalesced).
    pub changes: watch::Receiver<u64>,
    /// Every record appended from now on, as its JSON line.
    pub records: broadcast::Receiver<Arc<str>>,
}

/// The record a follower must sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Its unsigned canonical bytes (the record without `signature`, with `prev`).
    pub canon: String,
    pub meaning: Meaning,
    pub seq: u64,
}

/// The answer to a signed action.
#[derive(Debug, Clone, PartialEq)]
pub enum SignedAnswer {
    /// Taken or refused, as any action.
    Done(ActResult),
    /// Nothing was written: the log moved on (or the ticket expired) while
    /// the follower signed; prepare and sign again.
    Retry(String),
}
