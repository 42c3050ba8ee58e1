//! A follower's signed action (`cutover follow --key`): the follower signs
//! on its own machine, so the session hands it the exact record to sign and
//! only checks and writes what comes back; it never holds a follower's key.
//!
//! 1. `prepare_signed`: the core's answer to the action is worked out on a
//!    copy of the cockpit (nothing changes), at the time and place (seq,
//!    prev) the decision will take; its unsigned canonical bytes go back to
//!    the follower and are remembered as the follower's ticket.
//! 2. `act_signed`: the signature must verify over the ticket's bytes with
//!    the key the log's open record pins for the follower. The action is
//!    worked out again on a copy: if anything was written meanwhile (the
//!    bytes differ), nothing is written and the follower is asked to sign
//!    again; otherwise the action is taken for real at the ticket's time
//!    and the decision is written with the follower's signature.
//!
//! A signature covers seq and prev, so it can only ever be written at the
//! one place it was made for.

use super::Session;
use crate::core::cockpit::{Action, Effect, Msg};
use crate::core::entry::{Entry, EntryKind};
use crate::core::time::{Dur, Ts};
use crate::journal::signed::SigMember;
use crate::sign::holder::decision_type;
use crate::sign::Meaning;
use crate::tui::ActResult;

/// The answers live with the team server's port, which hands them out.
pub use crate::session_port::{Prepared, SignedAnswer};

/// A ticket is good this long: the follower signs at once, with the key
/// already unlocked.
pub const TICKET_TTL: Dur = Dur(60_000);

/// What a follower was handed to sign.
pub(crate) struct Ticket {
    action: Action,
    now: Ts,
    canon: String,
    meaning: Meaning,
}

/// A follower's checked signature, waiting for its record in `execute`.
pub(crate) struct Presigned {
    pub actor: String,
    pub member: SigMember,
    pub key: ed25519_dalek::VerifyingKey,
}

impl Presigned {
    /// The record this signature is for: the follower's decision.
    pub fn signs(&self, entry: &Entry) -> bool {
        entry.kind == EntryKind::Decision && entry.actor == self.actor
    }
}

impl Session {
    /// Works `actor`'s `action` out on a copy of the cockpit at `now`: the
    /// records it would append (after the session's stamp), or the refusal.
    fn dry_run(&self, actor: &str, action: Action, now: Ts) -> Result<Vec<Entry>, String> {
        let mut copy = self.cockpit.clone();
        let msg = Msg::Act {
            actor: actor.to_string(),
            action,
        };
        let mut entries = Vec::new();
        for effect in copy.handle(msg, now) {
            match effect {
                Effect::Refused { reason, .. } => return Err(reason),
                Effect::Append(mut e) => {
                    self.demo_stamp(&mut e);
                    entries.push(e);
                }
                _ => {}
            }
        }
        Ok(entries)
    }

    /// The key pinned for `actor` in the log's open record, or why none is.
    fn pinned_key(&self, actor: &str) -> Result<ed25519_dalek::VerifyingKey, String> {
        self.roster.of_owner(actor).map(|s| s.key).ok_or_else(|| {
            format!(
                "{actor} has no signing key pinned in this log's open record: only people with a \
                 `signing_key` in the runbook's roster when the log was opened can sign (the key \
                 line comes from `cutover keygen {actor}`)"
            )
        })
    }

    /// Step 1: the record `actor` must sign for `action`. `Err` is the
    /// refusal (the core's, or why it cannot be signed).
    pub fn prepare_signed(&mut self, actor: &str, action: Action) -> Result<Prepared, String> {
        if self.failed.is_some() {
            return Err(super::LOG_FAILED.to_string());
        }
        let Some(kind) = decision_type(&action) else {
            return Err(
                "only decisions are signed; send this action unsigned (POST /api/act)".into(),
            );
        };
        self.pinned_key(actor)?;
        let now = self.now();
        // probe results waiting to be logged would take the seq first: write them now
        let pending = self.cockpit.flush_observations();
        let _ = self.execute(pending, now);
        let entries = self.dry_run(actor, action.clone(), now)?;
        let Some(first) = entries.first() else {
            return Err(format!("{kind} writes no record here: nothing to sign"));
        };
        if first.kind != EntryKind::Decision || first.actor != actor {
            return Err(format!(
                "{kind} does not start with {actor}'s decision: nothing to sign"
            ));
        }
        let meaning = Meaning::of_decision(kind);
        let canon = self
            .journal
            .next_unsigned_canon(first, now)
            .ok_or_else(|| format!("{kind} cannot be signed: its record has no object body"))?;
        let seq = self.journal.next_seq();
        self.tickets.insert(
            actor.to_string(),
            Ticket {
                action,
                now,
                canon: canon.clone(),
                meaning,
            },
        );
        Ok(Prepared {
            canon,
            meaning,
            seq,
        })
    }

    /// Step 2: `actor` signed the prepared record for `action` with `member`.
    pub fn act_signed(&mut self, actor: &str, action: Action, member: SigMember) -> SignedAnswer {
        let refused = |m: String| SignedAnswer::Done(ActResult::Refused(m));
        if self.failed.is_some() {
            return refused(super::LOG_FAILED.to_string());
        }
        let key = match self.pinned_key(actor) {
            Ok(k) => k,
            Err(why) => return refused(why),
        };
        let pinned = crate::sign::fingerprint(&key);
        if member.key != pinned {
            let shown =
                match member.key.len() == 32 && member.key.bytes().all(|c| c.is_ascii_hexdigit()) {
                    true => member.key.clone(),
                    false => "(not a key fingerprint)".into(),
                };
            return refused(format!(
                "bad signature: signed with key {shown}, which is not {actor}'s signing key pinned \
                 in this log ({pinned}); follow with {actor}'s own key file (--key FILE)"
            ));
        }
        let now = self.now();
        let ticket = match self.tickets.remove(actor) {
            Some(t) if t.action == action && now - t.now <= TICKET_TTL => t,
            _ => return SignedAnswer::Retry(
                "nothing is prepared for this action (or it expired): prepare it and sign again"
                    .into(),
            ),
        };
        if member.alg != "ed25519" || member.meaning != ticket.meaning.as_str() {
            return refused(format!(
                "bad signature: this record is signed as ed25519 with meaning {:?}",
                ticket.meaning.as_str()
            ));
        }
        if !crate::sign::verify_b64(&key, ticket.canon.as_bytes(), &member.value) {
            return refused(format!(
                "bad signature: it does not verify over the record {actor} was given to sign \
                 with {actor}'s pinned key {pinned}"
            ));
        }
        let same = match self.dry_run(actor, action.clone(), ticket.now) {
            Err(reason) => return refused(reason),
            Ok(entries) => entries
                .first()
                .and_then(|e| self.journal.next_unsigned_canon(e, ticket.now))
                .is_some_and(|c| c == ticket.canon),
        };
        if !same {
            return SignedAnswer::Retry(format!(
                "the log moved on while {actor} signed (another record came first): sign again"
            ));
        }
        let effects = self.cockpit.handle(
            Msg::Act {
                actor: actor.to_string(),
                action,
            },
            ticket.now,
        );
        self.presigned = Some(Presigned {
            actor: actor.to_string(),
            member,
            key,
        });
        let result = self.execute(effects, ticket.now);
        self.presigned = None;
        if self.failed.is_some() {
            return refused(super::LOG_FAILED.to_string());
        }
        SignedAnswer::Done(result.unwrap_or(ActResult::Pending))
    }
}
