//! Under which authority a person takes an action. Every accepted action
//! records it (`"authority"` in the record body), the acknowledgement says
//! it, and the report shows it: after a handover the outgoing commander may
//! still own phases, and a decision they take then is visibly taken as
//! "owner of phase X", not as commander.
//!
//! When several rules allow an action, the recorded authority is the first
//! of: commander, owner of the current phase, the named owner (of the
//! sign-off, step or issue), anyone on the roster.

use super::Cockpit;
use serde::{Deserialize, Serialize};

/// The rule that allowed an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Authority {
    /// The current commander (after any handover): may take every decision.
    Commander,
    /// Owner of this phase (the current one when the action was taken).
    PhaseOwner(String),
    /// The person a sign-off names: may give that sign-off only.
    SignoffOwner,
    /// The step's owner: may start, finish, skip or block that step.
    StepOwner,
    /// The issue's owner: may close that issue.
    IssueOwner,
    /// Anyone on the roster may (hold, note, open an issue).
    Roster,
}

impl Authority {
    /// As written in the log: `commander`, `phase-owner:<phase>`,
    /// `signoff-owner`, `step-owner`, `issue-owner`, `roster`.
    pub fn code(&self) -> String {
        match self {
            Authority::Commander => "commander".into(),
            Authority::PhaseOwner(p) => format!("phase-owner:{p}"),
            Authority::SignoffOwner => "signoff-owner".into(),
            Authority::StepOwner => "step-owner".into(),
            Authority::IssueOwner => "issue-owner".into(),
            Authority::Roster => "roster".into(),
        }
    }

    /// The inverse of [`Authority::code`].
    pub fn parse(code: &str) -> Option<Authority> {
        Some(match code {
            "commander" => Authority::Commander,
            "signoff-owner" => Authority::SignoffOwner,
            "step-owner" => Authority::StepOwner,
            "issue-owner" => Authority::IssueOwner,
            "roster" => Authority::Roster,
            other => Authority::PhaseOwner(other.strip_prefix("phase-owner:")?.to_string()),
        })
    }

    /// For people: "as commander", "as owner of phase pilot", ...
    pub fn words(&self) -> String {
        match self {
            Authority::Commander => "as commander".into(),
            Authority::PhaseOwner(p) => format!("as owner of phase {p}"),
            Authority::SignoffOwner => "as the named sign-off owner".into(),
            Authority::StepOwner => "as the step's owner".into(),
            Authority::IssueOwner => "as the issue's owner".into(),
            Authority::Roster => "as a member of the roster".into(),
        }
    }

    /// A record code in words ("as owner of phase pilot"); unknown codes as they are.
    pub fn code_words(code: &str) -> String {
        Authority::parse(code)
            .map(|a| a.words())
            .unwrap_or_else(|| format!("as {code}"))
    }
}

/// Which rules allow an action (see the module comment for precedence).
#[derive(Debug, Clone, Default)]
pub(super) struct Allow<'a> {
    pub commander: bool,
    pub phase_owner: bool,
    /// The one named person and the authority that names them.
    pub named: Option<(&'a str, Authority)>,
    pub roster: bool,
}

impl<'a> Allow<'a> {
    /// Commander or owner of the current phase (go, resume, rollback, waive, decide).
    pub const DECISION: Allow<'static> = Allow {
        commander: true,
        phase_owner: true,
        named: None,
        roster: false,
    };
    /// Anyone on the roster (hold, note, issue open).
    pub const ANYONE: Allow<'static> = Allow {
        commander: true,
        phase_owner: true,
        named: None,
        roster: true,
    };
}

impl Cockpit {
    /// The authority `actor` acts under for an action allowed by `allow`,
    /// or `None` when no rule allows it.
    pub(super) fn authority_of(&self, actor: &str, allow: Allow) -> Option<Authority> {
        let phase = self.phase().map(|p| (p.id.as_str(), p.owner.as_str()));
        if allow.commander && actor == self.commander {
            return Some(Authority::Commander);
        }
        if let Some((id, owner)) = phase.filter(|_| allow.phase_owner) {
            if actor == owner {
                return Some(Authority::PhaseOwner(id.to_string()));
            }
        }
        if let Some((who, auth)) = allow.named {
            if actor == who {
                return Some(auth);
            }
        }
        allow.roster.then_some(Authority::Roster)
    }

    /// What `actor` keeps if they hand the commander role over now: the
    /// phases they own and the sign-offs still theirs to give.
    pub fn kept_after_handover(&self, actor: &str) -> Vec<String> {
        let mut kept: Vec<String> = self
            .runbook
            .phases
            .iter()
            .filter(|p| p.owner == actor)
            .map(|p| format!("owner of phase {}", p.id))
            .collect();
        kept.extend(
            self.signoffs
                .iter()
                .filter(|s| s.owner == actor && s.given_at.is_none())
                .map(|s| format!("the {} sign-off of {}", s.role, s.phase)),
        );
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::Authority;

    #[test]
    fn codes_round_trip() {
        for a in [
            Authority::Commander,
            Authority::PhaseOwner("pilot".into()),
            Authority::SignoffOwner,
            Authority::StepOwner,
            Authority::IssueOwner,
            Authority::Roster,
        ] {
            assert_eq!(Authority::parse(&a.code()), Some(a));
        }
        assert_eq!(Authority::parse("king"), None);
        assert_eq!(
            Authority::code_words("phase-owner:pilot"),
            "as owner of phase pilot"
        );
    }
}
