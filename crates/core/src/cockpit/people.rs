//! Roster actions: sign-offs, handover of the commander role, the issue log.

use super::actions::{required, Plan, Rule};
use super::authority::{Allow, Authority};
use super::Cockpit;
use crate::records::{name_of, DecisionAction, IssueOp};

impl Cockpit {
    pub(super) fn plan_signoff(
        &self,
        actor: &str,
        phase: &str,
        role: &str,
        statement: &str,
    ) -> Rule {
        let Some(so) = self
            .signoffs
            .iter()
            .find(|s| s.phase == phase && s.role == role)
        else {
            return Err(format!("phase {phase:?} has no sign-off for role {role:?}"));
        };
        if so.owner != actor {
            return Err(format!(
                "the {role} sign-off of {phase} is given by {}, not {actor}",
                so.owner
            ));
        }
        if so.given_at.is_some() {
            return Err(format!("the {role} sign-off of {phase} is already in"));
        }
        required(statement, "a statement of what was reviewed")?;
        let signoff = DecisionAction::Signoff {
            phase: phase.to_string(),
            role: role.to_string(),
        };
        // the statement of what was reviewed is the sign-off's rationale
        let e = self.decision_entry(actor, signoff, statement);
        Ok(Plan::one(
            e,
            format!("sign-off {role} for {phase} recorded"),
            Authority::SignoffOwner,
        ))
    }

    pub(super) fn plan_handover(&self, actor: &str, to: &str, rationale: &str) -> Rule {
        if actor != self.commander {
            return Err(format!(
                "only the commander ({}) may hand over the role",
                self.commander
            ));
        }
        if self.runbook.owner(to).is_none() {
            return Err(format!("{to:?} is not on the roster"));
        }
        if to == actor {
            return Err(format!("{actor} is already the commander"));
        }
        required(rationale, "a rationale")?;
        let keeps = self.kept_after_handover(actor);
        let handover = DecisionAction::Handover {
            from: actor.to_string(),
            to: to.to_string(),
            keeps: keeps.clone(),
        };
        let e = self.decision_entry(actor, handover, rationale);
        let ack = match keeps.is_empty() {
            true => format!("{to} is now the commander; {actor} keeps no decision rights"),
            false => format!(
                "{to} is now the commander; {actor} keeps: {}",
                keeps.join(", ")
            ),
        };
        Ok(Plan::one(e, ack, Authority::Commander))
    }

    pub(super) fn plan_issue_open(
        &self,
        actor: &str,
        id: &str,
        sev: super::IssueSeverity,
        title: &str,
        owner: &str,
    ) -> Rule {
        let authority = self.may(actor, Allow::ANYONE, "open an issue")?;
        required(id, "an issue id")?;
        required(title, "an issue title")?;
        if self.issues.iter().any(|i| i.id == id) {
            return Err(format!("issue {id} already exists; pick another id"));
        }
        if self.runbook.owner(owner).is_none() {
            return Err(format!(
                "an issue's owner must be on the roster; {owner:?} is not"
            ));
        }
        let issue = DecisionAction::Issue {
            op: IssueOp::Open,
            id: id.to_string(),
            severity: Some(name_of(&sev)),
            title: Some(title.to_string()),
            owner: Some(owner.to_string()),
        };
        let e = self.decision_entry(actor, issue, title);
        Ok(Plan::one(e, format!("issue {id} opened"), authority))
    }

    pub(super) fn plan_issue_close(&self, actor: &str, id: &str, rationale: &str) -> Rule {
        let Some(i) = self
            .issues
            .iter()
            .find(|i| i.id == id && i.closed.is_none())
        else {
            return Err(format!("no open issue {id:?}"));
        };
        let allow = Allow {
            named: Some((i.owner.as_str(), Authority::IssueOwner)),
            ..Allow::DECISION
        };
        let Some(authority) = self.authority_of(actor, allow) else {
            return Err(format!(
                "issue {id} is closed by its owner ({}), the commander ({}) or the phase owner",
                i.owner, self.commander
            ));
        };
        required(rationale, "a rationale")?;
        let issue = DecisionAction::Issue {
            op: IssueOp::Close,
            id: id.to_string(),
            severity: None,
            title: None,
            owner: None,
        };
        let e = self.decision_entry(actor, issue, rationale);
        Ok(Plan::one(e, format!("issue {id} closed"), authority))
    }
}
