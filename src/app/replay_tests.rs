//! Unit tests of the replayer: play, step, decisions, seek, jump.

use super::*;
use crate::journal::canon::{Chain, ZERO_HASH};

const RUNBOOK: &str = include_str!("../../runbooks/demo-pacs-cutover.toml");
const T0: Ts = Ts(1_795_903_200_000);

/// A little log: begin, then a hold at +60 s and a resume at +120 s.
fn records() -> (Runbook, Vec<Record>) {
    let rb = crate::core::runbook::load("demo.toml", RUNBOOK).unwrap();
    let mut c = Cockpit::new(rb.clone(), T0);
    let mut entries: Vec<(Ts, crate::core::entry::Entry)> = Vec::new();
    let mut take = |t: Ts, fx: Vec<crate::core::cockpit::Effect>| {
        for e in fx {
            if let crate::core::cockpit::Effect::Append(e) = e {
                entries.push((t, e));
            }
        }
    };
    take(T0, c.begin(T0));
    let t1 = T0 + Dur::from_secs(60);
    let hold = Action::Hold {
        reason: "why".into(),
    };
    take(
        t1,
        c.handle(
            Msg::Act {
                actor: "dana".into(),
                action: hold,
            },
            t1,
        ),
    );
    let t2 = T0 + Dur::from_secs(120);
    let resume = Action::Resume {
        rationale: "ok".into(),
    };
    take(
        t2,
        c.handle(
            Msg::Act {
                actor: "dana".into(),
                action: resume,
            },
            t2,
        ),
    );
    let chain = Chain::from_key(None);
    let mut prev = ZERO_HASH.to_string();
    let recs = entries
        .into_iter()
        .enumerate()
        .map(|(i, (t, e))| {
            let (r, _) = Record::seal(e, i as u64, t, &prev, &chain);
            prev = r.hash.clone();
            r
        })
        .collect();
    (rb, recs)
}

#[test]
fn playing_applies_records_as_replay_time_passes_them() {
    let (rb, recs) = records();
    let mut r = Replayer::new(rb, recs, "/x/cutover.jsonl", 10.0);
    assert!(r.cockpit().hold().is_none());
    r.advance(Dur::from_secs(7)); // 70 s of log time at x10
    assert!(r.cockpit().hold().is_some(), "the hold at +60 s is applied");
    r.advance(Dur::from_secs(6));
    assert!(
        r.cockpit().hold().is_none(),
        "the resume at +120 s is applied"
    );
    assert!(r.at_end() && !r.playing());
}

#[test]
fn next_and_previous_decision_jump_and_pause() {
    let (rb, recs) = records();
    let mut r = Replayer::new(rb, recs, "/x/cutover.jsonl", 1.0);
    r.next_decision();
    assert!(!r.playing());
    assert!(r.cockpit().hold().is_some());
    assert_eq!(r.at(), T0 + Dur::from_secs(60));
    r.next_decision();
    assert!(r.cockpit().hold().is_none());
    r.prev_decision();
    assert!(r.cockpit().hold().is_some(), "back to just after the hold");
    let v = r.view();
    assert_eq!(v.header.replay.map(|m| m.speed), Some("paused".to_string()));
    assert!(v.header.hold.is_some());
}

#[test]
fn speed_steps_stay_between_1x_and_1000x_and_actions_are_refused() {
    let (rb, recs) = records();
    let mut r = Replayer::new(rb, recs, "/x/cutover.jsonl", 3.0);
    assert_eq!(r.speed(), 2.0);
    (0..10).for_each(|_| r.change_speed(true));
    assert_eq!(r.speed(), 1000.0);
    (0..10).for_each(|_| r.change_speed(false));
    assert_eq!(r.speed(), 1.0);
    let refused = r.act(Action::Note { text: "x".into() });
    assert!(matches!(refused, ActResult::Refused(_)));
}

fn view_of(s: &ReplayState) -> CockpitView {
    let ctx = ViewContext {
        operator: String::new(),
        log_path: String::new(),
        checkpoint: None,
        log_tail: s.tail.lines(),
        toast: None,
        now: T0,
    };
    build_view(&s.cockpit, &ctx)
}

#[test]
fn a_snapshot_plus_a_short_fold_is_the_full_fold() {
    let (rb, recs) = records();
    let snaps = Snapshots::build(&rb, &recs, 2);
    for k in 0..=recs.len() {
        let mut full = ReplayState::start(&rb, &recs);
        full.apply_to(&recs, k);
        let fast = snaps.state_at(&recs, k);
        assert_eq!(fast.applied, k);
        assert_eq!(view_of(&fast), view_of(&full), "after {k} records");
    }
}

#[test]
fn jumping_to_a_time_lands_on_the_last_record_at_or_before_it() {
    let (rb, recs) = records();
    let n = recs.len();
    let mut r = Replayer::new(rb, recs, "/x/cutover.jsonl", 1.0);
    r.jump_to(T0 + Dur::from_secs(90));
    assert!(r.cockpit().hold().is_some(), "the hold at +60 s is in");
    assert_eq!(r.applied(), n - 1, "the resume at +120 s is not");
    assert_eq!(r.at(), T0 + Dur::from_secs(90));
    r.jump_to(T0 + Dur::from_secs(30));
    assert!(r.cockpit().hold().is_none(), "backwards: the hold is gone");
    assert_eq!(r.applied(), n - 2);
    r.jump_to(T0 + Dur::from_secs(120));
    assert!(r.at_end() && r.cockpit().hold().is_none());
}
