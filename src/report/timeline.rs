//! Phases, steps and state transitions over time, from `phase`, `step`,
//! `gate` and `threshold` records.

use super::evidence::{PhaseVisit, StepRun, Transition};
use super::plan::Plan;
use super::records::{self as f, Rec};
use crate::core::time::Ts;

/// Every stay in a phase. A new `entered` closes the visit still open, so a
/// log that skips `completed` still gives a sensible timeline.
pub fn phase_visits(recs: &[Rec], plan: &Plan, end: Option<Ts>) -> Vec<PhaseVisit> {
    let mut out: Vec<PhaseVisit> = Vec::new();
    let mut open: Option<usize> = None;
    for r in recs {
        let Some(ts) = r.ts else { continue };
        let kind = r.decision_type();
        let rolled_back = kind == Some("rollback")
            || (kind == Some("decide") && r.text(f::ANSWER) == Some("rollback"));
        if rolled_back {
            close(&mut out, &mut open, ts, "rolled back");
            continue;
        }
        if r.kind != "phase" {
            continue;
        }
        let event = r.text(f::PHASE_EVENT).unwrap_or("entered");
        let id = r.text(f::PHASE_ID).or(r.phase).unwrap_or("?");
        if event == "entered" {
            close(&mut out, &mut open, ts, "left");
            out.push(PhaseVisit {
                phase: id.to_string(),
                entered: ts,
                left: None,
                outcome: "open at end of log".into(),
                planned: plan.planned(id),
                actual: end.map_or(crate::core::time::Dur::ZERO, |e| e - ts),
            });
            open = Some(out.len() - 1);
        } else {
            close(&mut out, &mut open, ts, event);
        }
    }
    out
}

fn close(out: &mut [PhaseVisit], open: &mut Option<usize>, ts: Ts, outcome: &str) {
    if let Some(v) = open.take().and_then(|i| out.get_mut(i)) {
        v.left = Some(ts);
        v.actual = ts - v.entered;
        v.outcome = outcome.to_string();
    }
}

/// Every planned step (in runbook order), then any step the log names that
/// the plan does not, with what happened to it.
pub fn steps(recs: &[Rec], plan: &Plan) -> Vec<StepRun> {
    let mut out: Vec<StepRun> = plan
        .phases
        .iter()
        .flat_map(|p| {
            p.steps.iter().map(|s| StepRun {
                id: s.id.clone(),
                title: s.title.clone(),
                phase: p.id.clone(),
                owner: s.owner.clone(),
                started: None,
                ended: None,
                outcome: "not started".into(),
                by: None,
                reason: None,
                planned: s.expected,
                actual: None,
            })
        })
        .collect();
    for r in recs.iter().filter(|r| r.kind == "step") {
        let (Some(ts), Some(id)) = (r.ts, r.text(f::ID)) else {
            continue;
        };
        // a rollback step may share its id with a phase step: the record says which
        let pool = r
            .text(f::STEP_ROLLBACK)
            .map(|scope| format!("rollback {scope}"));
        let found = out.iter().position(|s| {
            s.id == id
                && pool
                    .as_ref()
                    .map_or(!s.phase.starts_with("rollback "), |p| &s.phase == p)
        });
        let i = match found {
            Some(i) => i,
            None => {
                out.push(unplanned(id, r.phase, r.text(f::STEP_ROLLBACK), plan));
                out.len() - 1
            }
        };
        apply(&mut out[i], r, ts);
    }
    out
}

/// A step the log names beyond the phases' plan: a rollback step (listed
/// only once it ran, since rollback plans are contingencies) or unknown.
fn unplanned(id: &str, phase: Option<&str>, scope: Option<&str>, plan: &Plan) -> StepRun {
    let rollback = plan
        .rollbacks
        .iter()
        .filter(|rb| scope == Some(rb.id.as_str()))
        .find_map(|rb| rb.steps.iter().find(|s| s.id == id).map(|s| (rb, s)));
    let (phase, title, owner, planned) = match rollback {
        Some((rb, s)) => (
            format!("rollback {}", rb.id),
            s.title.clone(),
            s.owner.clone(),
            s.expected,
        ),
        None => (
            // keep the rollback pool in the name so later records find this row
            scope.map_or_else(
                || phase.unwrap_or("").to_string(),
                |sc| format!("rollback {sc}"),
            ),
            "(not in the runbook)".into(),
            String::new(),
            None,
        ),
    };
    StepRun {
        id: id.to_string(),
        title,
        phase,
        owner,
        started: None,
        ended: None,
        outcome: "not started".into(),
        by: None,
        reason: None,
        planned,
        actual: None,
    }
}

fn apply(s: &mut StepRun, r: &Rec, ts: Ts) {
    let event = r.text(f::STEP_EVENT).unwrap_or("?");
    match event {
        "start" | "started" => {
            s.started.get_or_insert(ts);
        }
        "done" | "skip" | "skipped" => {
            s.ended = Some(ts);
            s.actual = s.started.map(|st| ts - st);
        }
        _ => {}
    }
    s.outcome = event.to_string();
    s.by = Some(r.actor.to_string());
    if let Some(reason) = r.text(f::REASON) {
        s.reason = Some(format!("{event}: {reason}"));
    }
}

/// State changes of every `kind` record (`gate` or `threshold`), in order.
pub fn transitions(recs: &[Rec], kind: &str) -> Vec<Transition> {
    recs.iter()
        .filter(|r| r.kind == kind)
        // timer checkpoints (`from == to`) are not changes
        .filter(|r| r.value(f::CHECKPOINT).and_then(serde_json::Value::as_bool) != Some(true))
        .filter_map(|r| {
            Some(Transition {
                ts: r.ts?,
                id: r.text(f::ID)?.to_string(),
                from: r.text(f::FROM).map(String::from),
                to: r.text(f::TO)?.to_string(),
                value: r.num(f::VALUE),
                limit: r.num(f::LIMIT),
                recommendation: r.text(f::RECOMMENDATION_KIND).map(|k| {
                    match r.text(f::RECOMMENDATION_SCOPE) {
                        Some(scope) => format!("{k} (scope {scope})"),
                        None => k.to_string(),
                    }
                }),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::Dur;
    use serde_json::{json, Value};

    fn rec(min: i64, kind: &str, actor: &str, body: Value) -> Value {
        json!({"seq":0,"ts":Ts(min * 60_000).to_rfc3339(),"kind":kind,"actor":actor,"phase":"p1","body":body})
    }

    const RB: &str = "[[phase]]\nid='p1'\nname='One'\nowner='d'\n[[phase.step]]\nid='a'\ntitle='A'\nowner='sam'\nexpected='20m'\n[[phase.step]]\nid='b'\ntitle='B'\nowner='sam'\nexpected='10m'\n[[phase]]\nid='p2'\nname='Two'\nowner='d'\n[[rollback]]\nscope='s'\ntitle='Back'\n[[rollback.step]]\nid='undo'\ntitle='Undo'\nowner='kim'\nexpected='15m'\n";

    #[test]
    fn phases_show_planned_and_actual_and_rollback_ends_a_visit() {
        let vals = [
            rec(0, "phase", "d", json!({"event":"entered","id":"p1"})),
            rec(40, "phase", "d", json!({"event":"completed","id":"p1"})),
            rec(40, "phase", "d", json!({"event":"entered","id":"p2"})),
            rec(55, "decision", "d", json!({"type":"rollback","scope":"s"})),
            rec(60, "phase", "d", json!({"event":"entered","id":"p2"})),
        ];
        let recs: Vec<Rec> = vals.iter().filter_map(Rec::of).collect();
        let plan = Plan::from_toml(Some(RB));
        let v = phase_visits(&recs, &plan, Some(Ts(90 * 60_000)));
        let got: Vec<_> = v
            .iter()
            .map(|v| (v.phase.as_str(), v.outcome.as_str(), v.actual, v.planned))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "p1",
                    "completed",
                    Dur::from_mins(40),
                    Some(Dur::from_mins(30))
                ),
                ("p2", "rolled back", Dur::from_mins(15), Some(Dur::ZERO)),
                (
                    "p2",
                    "open at end of log",
                    Dur::from_mins(30),
                    Some(Dur::ZERO)
                ),
            ]
        );
    }

    #[test]
    fn a_recommendation_answered_rollback_also_ends_the_visit() {
        let vals = [
            rec(0, "phase", "d", json!({"type":"entered","phase":"p1"})),
            rec(
                10,
                "decision",
                "d",
                json!({"type":"decide","threshold":"t","answer":"continue"}),
            ),
            rec(
                12,
                "decision",
                "d",
                json!({"type":"decide","threshold":"t","answer":"rollback","scope":"s"}),
            ),
        ];
        let recs: Vec<Rec> = vals.iter().filter_map(Rec::of).collect();
        let v = phase_visits(&recs, &Plan::from_toml(Some(RB)), Some(Ts(30 * 60_000)));
        assert_eq!(
            (v[0].outcome.as_str(), v[0].left),
            ("rolled back", Some(Ts(12 * 60_000)))
        );
    }

    #[test]
    fn a_rollback_step_that_ran_is_listed_with_its_plan() {
        let vals = [
            rec(
                1,
                "step",
                "kim",
                json!({"type":"start","step":"undo","phase":null,"rollback":"s"}),
            ),
            rec(
                19,
                "step",
                "kim",
                json!({"type":"done","step":"undo","phase":null,"rollback":"s"}),
            ),
        ];
        let recs: Vec<Rec> = vals.iter().filter_map(Rec::of).collect();
        let s = steps(&recs, &Plan::from_toml(Some(RB)));
        let undo = s.iter().find(|s| s.id == "undo").unwrap();
        assert_eq!(
            (undo.phase.as_str(), undo.owner.as_str()),
            ("rollback s", "kim")
        );
        assert_eq!(
            (undo.planned, undo.actual),
            (Some(Dur::from_mins(15)), Some(Dur::from_mins(18)))
        );
    }

    #[test]
    fn steps_measure_start_to_done_and_keep_unplanned_ones() {
        let vals = [
            rec(1, "step", "sam", json!({"event":"start","step":"a"})),
            rec(26, "step", "kim", json!({"event":"done","step":"a"})),
            rec(
                27,
                "step",
                "sam",
                json!({"event":"blocked","step":"zz","reason":"no vpn"}),
            ),
        ];
        let recs: Vec<Rec> = vals.iter().filter_map(Rec::of).collect();
        let s = steps(&recs, &Plan::from_toml(Some(RB)));
        assert_eq!(s.len(), 3, "rollback steps are listed only once they ran");
        assert_eq!(s[0].actual, Some(Dur::from_mins(25)));
        assert_eq!(s[0].by.as_deref(), Some("kim"));
        assert_eq!(s[1].outcome, "not started");
        assert_eq!(
            (s[2].id.as_str(), s[2].reason.as_deref()),
            ("zz", Some("blocked: no vpn"))
        );
    }
}
