//! Advisory gates and thresholds (`advisory = true`): evaluated, shown and
//! logged, but they never block go and never recommend.

use super::*;

/// The test runbook with an extra readiness exit gate that fails (latency
/// is 500, it needs below 100) and the `target-down` threshold, both
/// advisory or not.
fn runbook_with(advisory: bool) -> Runbook {
    let mut rb = runbook();
    let mut g = gate(
        "fast-reads",
        "target.pacs.latency_ms < 100",
        None,
        GateKind::Exit,
    );
    g.advisory = advisory;
    rb.phases[0].gates.push(g);
    rb.thresholds[1].advisory = advisory;
    rb
}

fn ready_with_slow_reads(s: &mut Session) {
    s.at(
        1,
        &[("target.pacs.up", 1.0), ("target.pacs.latency_ms", 500.0)],
    );
    let out = s.act(
        "dr-lee",
        Action::SignOff {
            phase: "readiness".into(),
            role: "Clinical leadership".into(),
            statement: "reviewed the pilot plan".into(),
        },
    );
    assert!(acked(&out), "{out:?}");
}

#[test]
fn a_failing_advisory_gate_does_not_block_go_but_a_deciding_one_does() {
    let mut s = Session::with(runbook_with(true));
    ready_with_slow_reads(&mut s);
    let g =
        s.c.gates()
            .iter()
            .find(|g| g.id == "fast-reads")
            .expect("gate");
    assert_eq!(g.state(), GateState::Fail);
    assert!(g.advisory);
    // evaluated and logged as advisory
    assert!(s.log.iter().any(|(_, e)| e.kind == EntryKind::Gate
        && e.body["id"] == "fast-reads"
        && e.body["to"] == "fail"
        && e.body["advisory"] == true));
    // status leaves it out of the phase's readiness, as go does
    assert_eq!(s.c.phase_gates_pass("readiness"), Some(true));
    assert!(acked(&s.act("dana", go("ready"))));
    assert_eq!(s.c.phase_id(), "pilot");
    assert_eq!(s.c.durable_state(), s.replayed().durable_state());

    let mut s = Session::with(runbook_with(false));
    ready_with_slow_reads(&mut s);
    let why = refused(&s.act("dana", go("ready"))).expect("refused");
    assert!(why.contains("exit gate fast-reads is fail"), "{why}");
    assert_eq!(s.c.phase_gates_pass("readiness"), Some(false));
    // a deciding gate's transitions do not say advisory
    assert!(s
        .log
        .iter()
        .filter(|(_, e)| e.kind == EntryKind::Gate)
        .all(|(_, e)| e.body.get("advisory").is_none()));
}

#[test]
fn an_advisory_gate_cannot_be_waived() {
    let mut s = Session::with(runbook_with(true));
    ready_with_slow_reads(&mut s);
    let why = refused(&s.act(
        "dana",
        Action::Waive {
            gate: "fast-reads".into(),
            owner: "sam".into(),
            reason: "known slow cache".into(),
            expires: Ts(30 * MIN),
        },
    ))
    .expect("refused");
    assert!(why.contains("advisory"), "{why}");
}

#[test]
fn a_breached_advisory_threshold_raises_no_recommendation_a_deciding_one_does() {
    let mut s = Session::with(runbook_with(true));
    let mut out = s.at(1, &[("target.pacs.up", 0.0)]);
    out.extend(s.at(2, &[("target.pacs.up", 0.0)]));
    let th = &s.c.thresholds()[1];
    assert_eq!(th.id, "target-down");
    assert_eq!(th.state, ThresholdState::Breached, "still evaluated");
    assert!(recommends(&out).is_empty(), "{out:?}");
    assert!(s.c.recommendations().is_empty());
    assert!(
        !out.iter().any(|e| matches!(e, Effect::Notify { .. })),
        "no breach notice: {out:?}"
    );
    let (_, breach) = s
        .log
        .iter()
        .find(|(_, e)| e.kind == EntryKind::Threshold && e.body["to"] == "breached")
        .expect("the breach is logged");
    assert_eq!(breach.body["advisory"], true);
    assert!(breach.body.get("recommendation").is_none());
    assert_eq!(breach.body["would_recommend"]["kind"], "hold");
    // a replay agrees: still no recommendation
    let r = s.replayed();
    assert!(r.recommendations().is_empty());
    assert_eq!(s.c.durable_state(), r.durable_state());

    let mut s = Session::with(runbook_with(false));
    let out = s.at(1, &[("target.pacs.up", 0.0)]);
    assert_eq!(recommends(&out), vec!["target-down".to_string()]);
    assert_eq!(s.c.recommendations().len(), 1);
}

#[test]
fn decision_snapshots_mark_advisory_rows() {
    let mut s = Session::with(runbook_with(true));
    ready_with_slow_reads(&mut s);
    assert!(acked(&s.act("dana", go("ready"))));
    let (_, d) = s
        .log
        .iter()
        .rev()
        .find(|(_, e)| e.kind == EntryKind::Decision)
        .expect("go decision");
    let gates = d.body["snapshot"]["gates"].as_array().expect("gates");
    let row = |id: &str| gates.iter().find(|g| g["id"] == id).expect("row").clone();
    assert_eq!(row("fast-reads")["advisory"], true);
    assert!(row("targets-up").get("advisory").is_none());
    let ths = d.body["snapshot"]["thresholds"].as_array().expect("ths");
    assert_eq!(ths[1]["advisory"], true);
}

#[test]
fn the_exposition_names_advisory_thresholds_so_alerts_can_leave_them_out() {
    let mut s = Session::with(runbook_with(true));
    s.at(1, &[("target.pacs.up", 0.0)]);
    let text = crate::export::prometheus_text(&s.c, s.now);
    assert!(
        text.contains("cutover_threshold_advisory{threshold=\"target-down\"} 1"),
        "{text}"
    );
    assert!(!text.contains("cutover_threshold_advisory{threshold=\"latency\"}"));
    // no advisory threshold: no such family at all
    let s = Session::with(runbook_with(false));
    let text = crate::export::prometheus_text(&s.c, s.now);
    assert!(!text.contains("cutover_threshold_advisory"), "{text}");
}
