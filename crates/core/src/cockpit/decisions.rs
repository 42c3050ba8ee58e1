//! Decisions about risk: rollback, waivers (the exception register) and
//! answers to recommendations.

use super::actions::{required, Plan, Rule};
use super::notify::Fill;
use super::records::OVERRUN_ID;
use super::{Answer, Cockpit};
use crate::time::Ts;
use serde_json::json;

impl Cockpit {
    pub(super) fn plan_rollback(
        &self,
        actor: &str,
        scope: &str,
        rationale: &str,
        now: Ts,
        decide: Option<(&str, Answer)>,
    ) -> Rule {
        self.authorize(actor, "decide a rollback")?;
        required(rationale, "a rationale")?;
        if self.runbook.rollback(scope).is_none() {
            let scopes: Vec<&str> = self
                .runbook
                .rollbacks
                .iter()
                .map(|r| r.scope.as_str())
                .collect();
            return Err(format!(
                "no rollback plan for scope {scope:?}; plans: {}",
                scopes.join(", ")
            ));
        }
        if let Some(rb) = &self.rollback {
            return Err(format!("rollback {} is already in progress", rb.scope));
        }
        let e = match decide {
            None => self.decision_entry(actor, "rollback", rationale, json!({"scope": scope})),
            Some((th, a)) => self.decision_entry(
                actor,
                "decide",
                rationale,
                json!({"threshold": th, "answer": a, "scope": scope}),
            ),
        };
        let fill = Fill {
            actor: Some(actor),
            reason: Some(rationale),
            scope: Some(scope),
            ..Fill::default()
        };
        Ok(Plan {
            entries: vec![e],
            notify: vec![self.notify("rollback", now, fill)],
            ack: format!("rollback {scope} decided; its steps are now on screen"),
        })
    }

    pub(super) fn plan_waive(
        &self,
        actor: &str,
        gate: &str,
        owner: &str,
        reason: &str,
        expires: Ts,
        now: Ts,
    ) -> Rule {
        self.authorize(actor, "waive a gate")?;
        if !self.gates.iter().any(|g| g.id == gate) {
            return Err(format!("no gate {gate:?} in this runbook"));
        }
        if self.runbook.owner(owner).is_none() {
            return Err(format!(
                "a waiver needs an accountable owner from the roster; {owner:?} is not on it"
            ));
        }
        required(reason, "a reason for the waiver")?;
        if expires <= now || expires > self.window.end {
            return Err(format!(
                "a waiver's expiry must be after now and within the window (by {}); got {}",
                self.window.end.to_rfc3339(),
                expires.to_rfc3339()
            ));
        }
        if self
            .waivers
            .iter()
            .any(|w| w.gate == gate && w.in_force(now))
        {
            return Err(format!("gate {gate} is already waived"));
        }
        let f = json!({"gate": gate, "owner": owner, "reason": reason, "expires": expires.to_rfc3339()});
        let e = self.decision_entry(actor, "waive", reason, f);
        Ok(Plan::one(
            e,
            format!("gate {gate} waived until {} (owner {owner})", expires.hms()),
        ))
    }

    pub(super) fn plan_decide(
        &self,
        actor: &str,
        th: &str,
        answer: Answer,
        rationale: &str,
        now: Ts,
    ) -> Rule {
        self.authorize(actor, "decide a recommendation")?;
        required(rationale, "a rationale")?;
        let Some(rec) = self.recommendations.iter().find(|r| r.threshold == th) else {
            return Err(format!("no pending recommendation from {th:?}"));
        };
        match answer {
            Answer::Rollback => {
                let scope = match (&rec.scope, self.runbook.rollbacks.as_slice()) {
                    (Some(s), _) => s.clone(),
                    (None, [only]) => only.scope.clone(),
                    (None, _) => {
                        return Err(format!(
                            "{th} names no rollback scope: answer hold or continue, and use rollback SCOPE"
                        ))
                    }
                };
                self.plan_rollback(actor, &scope, rationale, now, Some((th, answer)))
            }
            Answer::Hold | Answer::Continue => {
                let e = self.decision_entry(
                    actor,
                    "decide",
                    rationale,
                    json!({"threshold": th, "answer": answer}),
                );
                let mut notify = vec![];
                if answer == Answer::Hold && self.hold.is_none() {
                    let fill = Fill {
                        actor: Some(actor),
                        reason: Some(rationale),
                        ..Fill::default()
                    };
                    notify.push(self.notify("hold", now, fill));
                }
                let what = if th == OVERRUN_ID {
                    "window overrun"
                } else {
                    th
                };
                Ok(Plan {
                    entries: vec![e],
                    notify,
                    ack: format!("{what}: {answer:?} decided").to_lowercase(),
                })
            }
        }
    }
}
