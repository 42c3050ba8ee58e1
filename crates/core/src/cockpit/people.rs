//! Roster actions: sign-offs, handover of the commander role, the issue log.

use super::actions::{required, Plan, Rule};
use super::Cockpit;
use serde_json::json;

impl Cockpit {
    pub(super) fn plan_signoff(&self, actor: &str, phase: &str, role: &str) -> Rule {
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
        let e = self.decision_entry(actor, "signoff", "", json!({"phase": phase, "role": role}));
        Ok(Plan::one(
            e,
            format!("sign-off {role} for {phase} recorded"),
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
        let e = self.decision_entry(
            actor,
            "handover",
            rationale,
            json!({"from": actor, "to": to}),
        );
        Ok(Plan::one(e, format!("{to} is now the commander")))
    }

    pub(super) fn plan_issue_open(
        &self,
        actor: &str,
        id: &str,
        sev: super::IssueSeverity,
        title: &str,
        owner: &str,
    ) -> Rule {
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
        let f = json!({"op": "open", "id": id, "severity": sev, "title": title, "owner": owner});
        let e = self.decision_entry(actor, "issue", title, f);
        Ok(Plan::one(e, format!("issue {id} opened")))
    }

    pub(super) fn plan_issue_close(&self, actor: &str, id: &str, rationale: &str) -> Rule {
        let Some(i) = self
            .issues
            .iter()
            .find(|i| i.id == id && i.closed.is_none())
        else {
            return Err(format!("no open issue {id:?}"));
        };
        if actor != i.owner && self.authorize(actor, "close this issue").is_err() {
            return Err(format!(
                "issue {id} is closed by its owner ({}), the commander or the phase owner",
                i.owner
            ));
        }
        required(rationale, "a rationale")?;
        let e = self.decision_entry(actor, "issue", rationale, json!({"op": "close", "id": id}));
        Ok(Plan::one(e, format!("issue {id} closed")))
    }
}
