use super::*;
use crate::core::cockpit::{Action, Msg};
use crate::core::sample::ProbeReport;
use crate::core::time::{Dur, Ts};

const RUNBOOK: &str = include_str!("../../runbooks/demo-pacs-cutover.toml");
const T0: Ts = Ts(1_795_903_200_000);

fn cockpit() -> Cockpit {
    let rb = crate::core::runbook::load("demo.toml", RUNBOOK).unwrap();
    let mut c = Cockpit::new(rb, T0);
    c.begin(T0);
    c
}

fn ctx(now: Ts) -> ViewContext {
    ViewContext {
        operator: "dana".into(),
        log_path: "/tmp/x/cutover.jsonl".into(),
        now,
        ..ViewContext::default()
    }
}

fn report(probe: &str, at: Ts, samples: &[(&str, f64)]) -> ProbeReport {
    ProbeReport::ok_with(probe, at, samples)
}

#[test]
fn header_names_runbook_operator_log_and_window_clock() {
    let c = cockpit();
    let v = build_view(&c, &ctx(T0 + Dur::from_mins(10)));
    assert_eq!(
        v.header.runbook_name,
        "PACS archive cutover, Northside imaging"
    );
    assert!(v.header.operator_is_commander);
    assert_eq!(v.header.log_path, "/tmp/x/cutover.jsonl");
    assert_eq!(v.header.clock.elapsed, Dur::from_mins(10));
    assert_eq!(v.header.clock.max, Dur::from_mins(360));
    assert!(v.header.hold.is_none());
    assert_eq!(v.current_phase().map(|p| p.id.as_str()), Some(c.phase_id()));
    assert_eq!(v.phases.len(), c.runbook().phases.len());
    assert!(v.roster.iter().any(|o| o == "dana"));
}

#[test]
fn only_steps_and_signoffs_of_the_current_phase_are_shown() {
    let c = cockpit();
    let v = build_view(&c, &ctx(T0));
    let first = &c.runbook().phases[0];
    let ids: Vec<&str> = v.steps.iter().map(|s| s.id.as_str()).collect();
    let want: Vec<&str> = first.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, want);
    assert!(v.signoffs.iter().all(|s| s.phase == first.id));
    assert!(v
        .gates
        .iter()
        .any(|g| first.gates.iter().any(|x| x.id == g.id)));
}

#[test]
fn hold_shows_a_banner_and_a_running_step_its_elapsed_time() {
    let mut c = cockpit();
    let step = c.runbook().phases[0].steps[0].id.clone();
    let owner = c.runbook().phases[0].steps[0].owner.clone();
    let t1 = T0 + Dur::from_mins(1);
    c.handle(
        Msg::Act {
            actor: owner,
            action: Action::StepStart { step: step.clone() },
        },
        t1,
    );
    let hold = Action::Hold {
        reason: "radiology asked".into(),
    };
    c.handle(
        Msg::Act {
            actor: "dana".into(),
            action: hold,
        },
        t1,
    );
    let v = build_view(&c, &ctx(t1 + Dur::from_mins(4)));
    let banner = v.header.hold.expect("hold banner");
    assert_eq!(banner.reason, "radiology asked");
    assert_eq!(banner.by, "dana");
    let s = v.steps.iter().find(|s| s.id == step).unwrap();
    assert_eq!(s.status, StepStatus::Running);
    assert_eq!(s.elapsed, Some(Dur::from_mins(4)));
}

#[test]
fn endpoints_pair_source_and_target_with_latency_history() {
    let mut c = cockpit();
    for i in 0..5 {
        let t = T0 + Dur::from_secs(i);
        c.handle(
            Msg::Probe(report(
                "target.pacs.latency",
                t,
                &[("target.pacs.latency_ms", 100.0 + i as f64)],
            )),
            t,
        );
        c.handle(
            Msg::Probe(report("source.pacs.health", t, &[("source.pacs.up", 1.0)])),
            t,
        );
    }
    let v = build_view(&c, &ctx(T0 + Dur::from_secs(5)));
    let row = v
        .endpoints
        .iter()
        .find(|r| r.system == "pacs")
        .expect("pacs row");
    let target = row.target.as_ref().expect("target side");
    assert_eq!(target.latency_history, vec![100, 101, 102, 103, 104]);
    assert_eq!(target.latency_ms, Some(104.0));
    assert_eq!(row.source.as_ref().and_then(|s| s.up), Some(true));
}

#[test]
fn a_failed_probe_shows_its_reason_on_its_side() {
    let mut c = cockpit();
    let mut r = report("target.pacs.health", T0, &[("target.pacs.up", 0.0)]);
    r.ok = false;
    r.reason = Some("connection refused".into());
    c.handle(Msg::Probe(r), T0);
    let v = build_view(&c, &ctx(T0));
    let side = v.endpoints[0].target.as_ref().unwrap();
    assert_eq!(side.up, Some(false));
    assert_eq!(side.last_error.as_deref(), Some("connection refused"));
    assert!(v.endpoints[0].source.is_none());
}

#[test]
fn checkpoint_is_shortened_to_seq_and_hash_prefix() {
    let cp = Checkpoint {
        seq: 7,
        hash: "ab".repeat(32),
        ts: None,
    };
    assert_eq!(short_checkpoint(&cp), "7:abababababab");
}
