//! The exception register: every waiver, who is accountable, and whether
//! it ran out while the gate it waived still mattered.

use super::facts::{PhaseVisit, Waiver};
use super::plan::Plan;
use super::records::Rec;
use crate::core::records::{DecisionAction, RecordBody};
use crate::core::time::Ts;

/// The exception register. A waiver is in use from its grant until the
/// waived gate's phase is next left (or the log ends); it "expired while in
/// use" when its expiry falls before that.
pub fn waivers(recs: &[Rec], plan: &Plan, visits: &[PhaseVisit], end: Option<Ts>) -> Vec<Waiver> {
    recs.iter()
        .filter_map(|r| {
            let action = &r.decision()?.action;
            let DecisionAction::Waive {
                gate,
                owner,
                reason,
                ..
            } = action
            else {
                return None;
            };
            let granted = r.ts?;
            let gate = if gate.is_empty() { "?" } else { gate }.to_string();
            let phase = plan
                .phases
                .iter()
                .find(|p| p.gates.iter().any(|g| g.id == gate))
                .map(|p| p.id.as_str());
            let left = visits
                .iter()
                .filter(|v| Some(v.phase.as_str()) == phase)
                .filter_map(|v| v.left)
                .find(|l| *l >= granted);
            let in_use_until = left.or(end);
            let expires = action.waiver_expires();
            // the cockpit records the moment a waiver in force runs out
            let expired_on_gate = recs.iter().any(|x| {
                matches!(&x.body, RecordBody::Gate(t) if t.id == gate && t.waiver_expired)
                    && x.ts
                        .is_some_and(|t| t >= granted && in_use_until.is_none_or(|u| t <= u))
            });
            Some(Waiver {
                owner: if owner.is_empty() { "?" } else { owner }.to_string(),
                reason: Some(reason.clone()).filter(|r| !r.is_empty()),
                expired_in_use: expired_on_gate
                    || matches!((expires, in_use_until), (Some(x), Some(u)) if x < u),
                expires,
                granted,
                granted_by: r.actor.to_string(),
                in_use_until,
                gate,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::Dur;
    use crate::report::records::test_support::{at, parse, rec};
    use serde_json::json;

    #[test]
    fn a_waiver_that_outlives_its_expiry_is_flagged() {
        let plan = Plan::from_toml(Some(
            "[[phase]]\nid='p1'\n[[phase.gate]]\nid='g'\nwhen='true'\n",
        ));
        let visit = |left| PhaseVisit {
            phase: "p1".into(),
            entered: at(0),
            left,
            outcome: String::new(),
            planned: None,
            actual: Dur::ZERO,
        };
        let vals = [rec(
            10,
            "decision",
            json!({"type":"waive","gate":"g","owner":"mo","reason":"patch","expires":at(30).to_rfc3339()}),
        )];
        let early = waivers(&parse(&vals), &plan, &[visit(Some(at(20)))], Some(at(90)));
        assert!(!early[0].expired_in_use);
        let late = waivers(&parse(&vals), &plan, &[visit(None)], Some(at(90)));
        assert!(late[0].expired_in_use);
        assert_eq!(late[0].in_use_until, Some(at(90)));
    }

    #[test]
    fn the_cockpits_expiry_record_flags_a_waiver_in_use() {
        let plan = Plan::from_toml(Some(
            "[[phase]]\nid='p1'\n[[phase.gate]]\nid='g'\nwhen='true'\n",
        ));
        let visit = PhaseVisit {
            phase: "p1".into(),
            entered: at(0),
            left: Some(at(60)),
            outcome: String::new(),
            planned: None,
            actual: Dur::ZERO,
        };
        let vals = [
            // expiry stated later than use, but the cockpit saw it run out at 40
            rec(
                10,
                "decision",
                json!({"type":"waive","gate":"g","owner":"mo","reason":"r","expires":at(90).to_rfc3339()}),
            ),
            rec(
                40,
                "gate",
                json!({"id":"g","from":"waived","to":"fail","waiver_expired":true}),
            ),
        ];
        let w = waivers(&parse(&vals), &plan, &[visit], Some(at(90)));
        assert!(w[0].expired_in_use);
    }
}
