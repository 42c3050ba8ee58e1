//! What the action forms need to know before they open, for one operator:
//! the core's own verdict (`Cockpit::check`) on each action now, so a form
//! opens only when its action can succeed, and otherwise the refusal (which
//! says what would make it possible) is shown instead.

use crate::core::cockpit::{Action, Answer, Cockpit};
use crate::core::time::{Dur, Ts};
use crate::tui::view::FormHints;
use std::collections::BTreeMap;

/// Stands in for the text a form asks for: the check is about who and
/// when; the text is checked when the form is submitted.
const TYPED: &str = "(typed in the form)";

/// The hints for `operator` at `now`.
pub fn form_hints(c: &Cockpit, operator: &str, now: Ts) -> FormHints {
    let mut refused = BTreeMap::new();
    let mut verdict = |key: &str, r: Result<(), String>| {
        if let Err(why) = r {
            refused.insert(key.to_string(), why);
        }
    };
    let check = |a: Action| c.check(operator, a, now).map(|_| ());
    verdict(
        "go",
        check(Action::Go {
            rationale: TYPED.into(),
        }),
    );
    verdict(
        "hold",
        check(Action::Hold {
            reason: TYPED.into(),
        }),
    );
    verdict(
        "resume",
        check(Action::Resume {
            rationale: TYPED.into(),
        }),
    );
    verdict("rollback", any_rollback(c, operator, now));
    verdict("waive", may_waive(c, operator, now));
    verdict("decide", may_decide(c, operator, now));
    let other = c
        .runbook()
        .owners
        .iter()
        .map(|o| o.id.as_str())
        .find(|id| *id != c.commander())
        .unwrap_or("")
        .to_string();
    verdict(
        "handover",
        check(Action::Handover {
            to: other,
            rationale: TYPED.into(),
        }),
    );
    let my_signoffs: Vec<(String, String)> = c
        .signoffs()
        .iter()
        .filter(|s| {
            c.check(
                operator,
                Action::SignOff {
                    phase: s.phase.clone(),
                    role: s.role.clone(),
                    statement: TYPED.into(),
                },
                now,
            )
            .is_ok()
        })
        .map(|s| (s.phase.clone(), s.role.clone()))
        .collect();
    if my_signoffs.is_empty() {
        verdict("signoff", Err(no_signoff(c, operator)));
    }
    let closable_issues: Vec<(String, String)> = c
        .issues()
        .iter()
        .filter(|i| i.closed.is_none())
        .filter(|i| {
            c.check(
                operator,
                Action::IssueClose {
                    id: i.id.clone(),
                    rationale: TYPED.into(),
                },
                now,
            )
            .is_ok()
        })
        .map(|i| (i.id.clone(), i.title.clone()))
        .collect();
    if closable_issues.is_empty() {
        let open = c.issues().iter().filter(|i| i.closed.is_none()).count();
        let why = match open {
            0 => "no issue is open".to_string(),
            n => format!(
                "{n} issue(s) open, none yours to close: an issue is closed by its owner, the commander ({}) or the phase owner",
                c.commander()
            ),
        };
        verdict("issue_close", Err(why));
    }
    FormHints {
        go: c.go_intent(),
        refused,
        handover_keeps: c.kept_after_handover(operator),
        my_signoffs,
        closable_issues,
        acting_as: None,
        demo_keyboard: None,
    }
}

/// Why each step key would be refused for `operator` on step `id` now.
pub fn step_refusals(c: &Cockpit, operator: &str, id: &str, now: Ts) -> BTreeMap<String, String> {
    let step = || id.to_string();
    let reason = || TYPED.to_string();
    [
        ("start", Action::StepStart { step: step() }),
        ("done", Action::StepDone { step: step() }),
        (
            "skip",
            Action::StepSkip {
                step: step(),
                reason: reason(),
            },
        ),
        (
            "blocked",
            Action::StepBlocked {
                step: step(),
                reason: reason(),
            },
        ),
    ]
    .into_iter()
    .filter_map(|(k, a)| c.check(operator, a, now).err().map(|e| (k.to_string(), e)))
    .collect()
}

/// A rollback is possible when some plan may be started now.
fn any_rollback(c: &Cockpit, operator: &str, now: Ts) -> Result<(), String> {
    let mut why = None;
    for r in &c.runbook().rollbacks {
        let a = Action::Rollback {
            scope: r.scope.clone(),
            rationale: TYPED.into(),
        };
        match c.check(operator, a, now) {
            Ok(_) => return Ok(()),
            Err(e) => {
                why.get_or_insert(e);
            }
        }
    }
    Err(why.unwrap_or_else(|| "this runbook has no rollback plan".into()))
}

/// Waiving needs decision authority and a gate that is not waived yet.
fn may_waive(c: &Cockpit, operator: &str, now: Ts) -> Result<(), String> {
    let Some(gate) = c.gates().first() else {
        return Err("this runbook has no gates".into());
    };
    let a = Action::Waive {
        gate: gate.id.clone(),
        owner: operator.to_string(),
        reason: TYPED.into(),
        expires: now + Dur::from_secs(1),
    };
    match c.check(operator, a, now) {
        // only the authority part matters here; the form asks gate and expiry
        Err(e) if e.contains("may not") => Err(e),
        _ => Ok(()),
    }
}

/// Deciding needs a pending recommendation and decision authority.
fn may_decide(c: &Cockpit, operator: &str, now: Ts) -> Result<(), String> {
    let Some(r) = c.recommendations().first() else {
        let handled: Vec<String> = c
            .handled()
            .iter()
            .map(|h| format!("{} is handled by {} ({})", h.threshold, h.by, h.actor))
            .collect();
        return Err(match handled.is_empty() {
            true => "no recommendation is pending".into(),
            false => format!("no recommendation is pending: {}", handled.join("; ")),
        });
    };
    let a = Action::Decide {
        threshold: r.threshold.clone(),
        answer: Answer::Continue,
        rationale: TYPED.into(),
    };
    c.check(operator, a, now).map(|_| ())
}

/// Why this operator has no sign-off to give, and who does.
fn no_signoff(c: &Cockpit, operator: &str) -> String {
    let awaited: Vec<String> = c
        .signoffs()
        .iter()
        .filter(|s| s.phase == c.phase_id() && s.given_at.is_none())
        .map(|s| format!("{} ({})", s.role, s.owner))
        .collect();
    match awaited.is_empty() {
        true => "no sign-off is awaited in this phase".into(),
        false => format!(
            "no sign-off here is {operator}'s to give; awaited: {} (they sign with `cutover follow` or at their own keyboard)",
            awaited.join(", ")
        ),
    }
}
