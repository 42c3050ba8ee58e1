//! `--baseline LOG...`: logs of earlier runs, written here through the real
//! session and journal with a controlled clock (known step durations and
//! samples), give known per-step P50/P90 and `baseline()` values; a damaged
//! log or one from another runbook is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod app_support;

use app_support::{loaded, temp_log};
use cutover_cockpit::app::start::{self, StartError};
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::core::expr::{eval, parse, WindowFn};
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::probe::Clock;
use cutover_cockpit::tui::ActResult;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

const T0: i64 = 1_796_000_000_000;

/// One run: `freeze-scope` takes `step_min` minutes; target PACS latency
/// samples `latencies` are observed during the first phase.
fn run_log(name: &str, step_min: i64, latencies: &[f64]) -> PathBuf {
    let log = temp_log(name);
    let now = Arc::new(AtomicI64::new(T0));
    let c = now.clone();
    let clock: Clock = Arc::new(move || Ts(c.load(Ordering::SeqCst)));
    let l = loaded();
    let (mut s, _) = start::open_session(&l, &log, "dana", clock).expect("session opens");
    let step = "freeze-scope".to_string();
    let r = s.act_as("dana", Action::StepStart { step: step.clone() });
    assert!(!matches!(r, ActResult::Refused(_)), "{r:?}");
    for (i, v) in latencies.iter().enumerate() {
        let t = T0 + (i as i64 + 1) * 1000;
        now.store(t, Ordering::SeqCst);
        s.probe(ProbeReport::ok_with(
            "target.pacs.latency",
            Ts(t),
            &[("target.pacs.latency_ms", *v)],
        ));
    }
    now.store(T0 + step_min * 60_000, Ordering::SeqCst);
    let r = s.act_as("dana", Action::StepDone { step });
    assert!(!matches!(r, ActResult::Refused(_)), "{r:?}");
    s.close().expect("close record");
    log
}

#[test]
fn step_durations_and_samples_of_the_baseline_logs() {
    let logs = [
        run_log("bl-a", 10, &[100.0, 200.0]),
        run_log("bl-b", 20, &[300.0]),
        run_log("bl-c", 40, &[400.0, 500.0]),
        run_log("bl-d", 30, &[]),
    ];
    let l = loaded();
    let b = cutover_cockpit::app::baseline::load(&logs, &l.runbook_text).expect("all verify");
    assert_eq!(b.runs, 4);
    let s = b
        .step("readiness", "freeze-scope")
        .expect("finished in every run");
    // durations 10, 20, 30, 40 min: nearest-rank P50 is the 2nd, P90 the 4th
    assert_eq!(
        (s.p50, s.p90, s.runs),
        (Dur::from_mins(20), Dur::from_mins(40), 4)
    );
    assert_eq!(
        b.stat("readiness", WindowFn::Avg, "target.pacs.latency_ms"),
        Ok(300.0)
    );
    assert_eq!(
        b.stat("readiness", WindowFn::P95, "target.pacs.latency_ms"),
        Ok(500.0)
    );

    // the expression reads the current phase's baseline through the cockpit
    let mut l = loaded();
    l.baseline = Some(b);
    let log = temp_log("bl-live");
    let clock: Clock = Arc::new(|| Ts(T0));
    let (s, _) = start::open_session(&l, &log, "dana", clock).expect("session opens");
    let e = parse("baseline(p50, target.pacs.latency_ms) == 300").unwrap();
    let mut c = s.cockpit().clone();
    c.refresh_views(Ts(T0));
    assert_eq!(
        eval(&e, c.store(), Ts(T0)).tri(),
        cutover_cockpit::core::expr::Tri::True
    );
}

#[test]
fn a_damaged_or_foreign_baseline_log_is_refused() {
    let log = run_log("bl-bad", 5, &[1.0]);
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("freeze-scope", "freeze-scopf", 1)).unwrap();
    let l = loaded();
    match cutover_cockpit::app::baseline::load(&[&log], &l.runbook_text) {
        Err(StartError::Refused(m)) => assert!(m.contains("does not verify"), "{m}"),
        other => panic!("{other:?}"),
    }
    let good = run_log("bl-other", 5, &[1.0]);
    match cutover_cockpit::app::baseline::load(&[&good], "[runbook]\nname = \"another\"\n") {
        Err(StartError::Refused(m)) => assert!(m.contains("different runbook"), "{m}"),
        other => panic!("{other:?}"),
    }
}
