//! Phases, steps and state transitions over time, from `phase`, `step`,
//! `gate` and `threshold` records.

use super::facts::{PhaseVisit, StepRun, Transition};
use super::plan::Plan;
use super::records::Rec;
use crate::core::records::{DecisionAction, PhaseEvent, RecordBody, StepBody, StepEvent};
use crate::core::time::Ts;

/// Every stay in a phase. A new `entered` closes the visit still open, so a
/// log that skips `completed` still gives a sensible timeline.
pub fn phase_visits(recs: &[Rec], plan: &Plan, end: Option<Ts>) -> Vec<PhaseVisit> {
    let mut out: Vec<PhaseVisit> = Vec::new();
    let mut open: Option<usize> = None;
    for r in recs {
        let Some(ts) = r.ts else { continue };
        let rolled_back = r.decision().is_some_and(|d| match &d.action {
            DecisionAction::Rollback { .. } => true,
            DecisionAction::Decide { answer, .. } => answer == "rollback",
            _ => false,
        });
        if rolled_back {
            close(&mut out, &mut open, ts, "rolled back");
            continue;
        }
        let RecordBody::Phase(p) = &r.body else {
            continue;
        };
        let id = Some(p.phase.as_str())
            .filter(|p| !p.is_empty())
            .or(r.phase)
            .unwrap_or("?");
        if p.event == PhaseEvent::Entered {
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
            let event = crate::core::records::name_of(&p.event);
            close(&mut out, &mut open, ts, &event);
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
    for r in recs {
        let (Some(ts), RecordBody::Step(b)) = (r.ts, &r.body) else {
            continue;
        };
        let id = b.step.as_str();
        // a rollback step may share its id with a phase step: the record says which
        let pool = b.rollback.as_ref().map(|scope| format!("rollback {scope}"));
        let found = out.iter().position(|s| {
            s.id == id
                && pool
                    .as_ref()
                    .map_or(!s.phase.starts_with("rollback "), |p| &s.phase == p)
        });
        let i = match found {
            Some(i) => i,
            None => {
                out.push(unplanned(id, r.phase, b.rollback.as_deref(), plan));
                out.len() - 1
            }
        };
        apply(&mut out[i], b, r.actor, ts);
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

fn apply(s: &mut StepRun, b: &StepBody, actor: &str, ts: Ts) {
    match b.event {
        StepEvent::Start => {
            s.started.get_or_insert(ts);
        }
        StepEvent::Done | StepEvent::Skip => {
            s.ended = Some(ts);
            s.actual = s.started.map(|st| ts - st);
        }
        StepEvent::Blocked | StepEvent::Other => {}
    }
    let event = b.event.as_str();
    s.outcome = event.to_string();
    s.by = Some(actor.to_string());
    if let Some(reason) = b.reason.as_deref().filter(|r| !r.is_empty()) {
        s.reason = Some(format!("{event}: {reason}"));
    }
}

/// State changes of every `kind` record (`gate` or `threshold`), in order.
pub fn transitions(recs: &[Rec], kind: &str) -> Vec<Transition> {
    recs.iter()
        .filter(|r| r.kind == kind)
        .filter_map(|r| {
            let t = match &r.body {
                RecordBody::Gate(t) | RecordBody::Threshold(t) => t,
                _ => return None,
            };
            // timer checkpoints (`from == to`) are not changes
            if t.checkpoint || t.id.is_empty() || t.to.is_empty() {
                return None;
            }
            Some(Transition {
                ts: r.ts?,
                id: t.id.clone(),
                from: Some(t.from.clone()).filter(|f| !f.is_empty()),
                to: t.to.clone(),
                value: t.value,
                limit: t.limit,
                recommendation: t.recommendation.as_ref().map(recommendation_text),
                advisory: t.advisory,
                would_recommend: t.would_recommend.as_ref().map(recommendation_text),
            })
        })
        .collect()
}

/// "rollback (scope return-read-path)", "hold".
fn recommendation_text(rec: &crate::core::records::RecommendationBody) -> String {
    match &rec.scope {
        Some(scope) => format!("{} (scope {scope})", rec.kind),
        None => rec.kind.clone(),
    }
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
            rec(
                0,
                "phase",
                "d",
                json!({"type":"entered","phase":"p1","reentry":false}),
            ),
            rec(
                40,
                "phase",
                "d",
                json!({"type":"completed","phase":"p1","reentry":false}),
            ),
            rec(
                40,
                "phase",
                "d",
                json!({"type":"entered","phase":"p2","reentry":false}),
            ),
            rec(55, "decision", "d", json!({"type":"rollback","scope":"s"})),
            rec(
                60,
                "phase",
                "d",
                json!({"type":"entered","phase":"p2","reentry":false}),
            ),
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
            rec(
                1,
                "step",
                "sam",
                json!({"type":"start","step":"a","phase":"p1"}),
            ),
            rec(
                26,
                "step",
                "kim",
                json!({"type":"done","step":"a","phase":"p1"}),
            ),
            rec(
                27,
                "step",
                "sam",
                json!({"type":"blocked","step":"zz","phase":"p1","reason":"no vpn"}),
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
