//! Decisions about risk: rollback, waivers (the exception register) and
//! answers to recommendations.

use super::actions::{required, Plan, Rule};
use super::notify::Fill;
use super::records::OVERRUN_ID;
use super::state::RecommendationKind;
use super::{Answer, Cockpit};
use crate::records::{name_of, DecisionAction};
use crate::time::Ts;

impl Cockpit {
    pub(super) fn plan_rollback(
        &self,
        actor: &str,
        scope: &str,
        rationale: &str,
        now: Ts,
        decide: Option<(&str, Answer)>,
    ) -> Rule {
        let authority = self.authorize(actor, "decide a rollback")?;
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
            return match decide {
                // The answer asks for what is already under way: it settles
                // the recommendation and starts nothing new.
                Some((th, a)) if rb.scope == scope => {
                    let f = DecisionAction::Decide {
                        threshold: th.to_string(),
                        answer: name_of(&a),
                        scope: Some(scope.to_string()),
                        in_progress: true,
                    };
                    let e = self.settling_entry(actor, f, rationale, vec![th.to_string()]);
                    let ack = format!("{th}: rollback {scope} is already in progress; the recommendation is settled by it");
                    Ok(Plan::one(e, ack, authority))
                }
                _ => Err(format!(
                    "rollback {} is already in progress (decided by {} at {}); finish its steps and re-enter with go first, or answer the recommendation hold or continue",
                    rb.scope,
                    rb.decided_by,
                    rb.since.hms()
                )),
            };
        }
        let mut settles = self.mooted_by_rollback(scope);
        let action = match decide {
            None => DecisionAction::Rollback {
                scope: scope.to_string(),
            },
            Some((th, a)) => {
                settles.retain(|t| t != th);
                settles.insert(0, th.to_string());
                DecisionAction::Decide {
                    threshold: th.to_string(),
                    answer: name_of(&a),
                    scope: Some(scope.to_string()),
                    in_progress: false,
                }
            }
        };
        let e = self.settling_entry(actor, action, rationale, settles);
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
            authority,
        })
    }

    /// Pending recommendations a rollback of `scope` makes moot: those that
    /// recommend that rollback (or any, when the runbook has only this plan).
    pub(super) fn mooted_by_rollback(&self, scope: &str) -> Vec<String> {
        let only = self.runbook.rollbacks.len() == 1;
        self.recommendations
            .iter()
            .filter(|r| r.kind == RecommendationKind::Rollback)
            .filter(|r| r.scope.as_deref() == Some(scope) || (r.scope.is_none() && only))
            .map(|r| r.threshold.clone())
            .collect()
    }

    /// Pending recommendations a new hold makes moot: those that recommend a hold.
    pub(super) fn mooted_by_hold(&self) -> Vec<String> {
        if self.hold.is_some() {
            return Vec::new();
        }
        self.recommendations
            .iter()
            .filter(|r| r.kind == RecommendationKind::Hold)
            .map(|r| r.threshold.clone())
            .collect()
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
        let authority = self.authorize(actor, "waive a gate")?;
        match self.gates.iter().find(|g| g.id == gate) {
            None => return Err(format!("no gate {gate:?} in this runbook")),
            // an exception register entry for a gate that never blocks would mislead a reviewer
            Some(g) if g.advisory => {
                return Err(format!(
                    "gate {gate} is advisory: it never blocks go, so there is nothing to waive"
                ))
            }
            Some(_) => {}
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
        let waive = DecisionAction::Waive {
            gate: gate.to_string(),
            owner: owner.to_string(),
            reason: reason.to_string(),
            expires: expires.to_rfc3339(),
        };
        let e = self.decision_entry(actor, waive, reason);
        Ok(Plan::one(
            e,
            format!("gate {gate} waived until {} (owner {owner})", expires.hms()),
            authority,
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
        let authority = self.authorize(actor, "decide a recommendation")?;
        required(rationale, "a rationale")?;
        let Some(rec) = self.recommendations.iter().find(|r| r.threshold == th) else {
            return Err(match self.handled.iter().find(|h| h.threshold == th) {
                Some(h) => format!(
                    "{th} is already handled by {} ({}) at {}",
                    h.by,
                    h.actor,
                    h.at.hms()
                ),
                None => format!("no pending recommendation from {th:?}"),
            });
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
                let mut settles = vec![th.to_string()];
                if answer == Answer::Hold {
                    settles.extend(self.mooted_by_hold().into_iter().filter(|t| t != th));
                }
                let decide = DecisionAction::Decide {
                    threshold: th.to_string(),
                    answer: name_of(&answer),
                    scope: None,
                    in_progress: false,
                };
                let e = self.settling_entry(actor, decide, rationale, settles);
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
                    authority,
                })
            }
        }
    }
}
