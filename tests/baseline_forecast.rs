//! Rehearsal baselines in the forecast, on screen and in the evidence pack.
//! The baseline logs are written here through the real session and journal
//! with a controlled clock, so their step durations are known: the forecast
//! moves by the known P50s, its band's late edge by the known P90s, the
//! header and the steps panel show them, and `cutover report --baseline`
//! prints the drift.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod app_support;
mod tui_support;

use app_support::{loaded, temp_log};
use cutover_cockpit::app::session::Session;
use cutover_cockpit::app::start::{self, Loaded};
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::core::derived::FORECAST_OVERRUN_MIN;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::probe::Clock;
use cutover_cockpit::tui::{ActResult, Theme, UiState};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tui_support::{draw, text};

const T0: i64 = 1_796_000_000_000;
const MIN: i64 = 60_000;

/// A session on `log` whose clock the test moves.
fn session(l: &Loaded, log: &Path) -> (Session, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(T0));
    let c = now.clone();
    let clock: Clock = Arc::new(move || Ts(c.load(Ordering::SeqCst)));
    let (s, _) = start::open_session(l, log, "dana", clock).expect("session opens");
    (s, now)
}

fn act(s: &mut Session, action: Action) {
    let r = s.act_as("dana", action);
    assert!(!matches!(r, ActResult::Refused(_)), "{r:?}");
}

/// Runs `step` from minute `from` for `mins` minutes.
fn run_step(s: &mut Session, now: &AtomicI64, step: &str, from: i64, mins: i64) {
    now.store(T0 + from * MIN, Ordering::SeqCst);
    act(s, Action::StepStart { step: step.into() });
    now.store(T0 + (from + mins) * MIN, Ordering::SeqCst);
    act(s, Action::StepDone { step: step.into() });
}

/// One rehearsal of the demo's readiness phase: `freeze-scope` takes
/// `freeze` minutes, then `test-backup-restore` (after it) `restore` minutes.
fn rehearsal_log(name: &str, freeze: i64, restore: i64) -> PathBuf {
    let log = temp_log(name);
    let (mut s, now) = session(&loaded(), &log);
    run_step(&mut s, &now, "freeze-scope", 0, freeze);
    run_step(&mut s, &now, "test-backup-restore", freeze, restore);
    s.close().expect("close record");
    log
}

/// freeze-scope 10/20/40 min (P50 20, P90 40); test-backup-restore
/// 12/15/30 min (P50 15, P90 30); nearest rank over three runs.
fn three_rehearsals(tag: &str) -> Vec<PathBuf> {
    [(10, 12), (20, 15), (40, 30)]
        .iter()
        .enumerate()
        .map(|(i, (f, r))| rehearsal_log(&format!("{tag}-{i}"), *f, *r))
        .collect()
}

fn with_baseline(logs: &[PathBuf]) -> Loaded {
    let mut l = loaded();
    l.baseline =
        Some(cutover_cockpit::app::baseline::load(logs, &l.runbook_text).expect("logs verify"));
    l
}

fn hm(t: Ts) -> String {
    t.hms()[..5].to_string()
}

#[test]
fn the_forecast_takes_the_rehearsal_p50s_and_shows_the_p90_band() {
    let logs = three_rehearsals("fc");
    // the same moment without baselines: the runbook's `expected` only
    let (mut plain, _) = session(&loaded(), &temp_log("fc-plain"));
    plain.tick();
    let v = plain.view_for("dana");
    let plain_end = v.header.window.forecast_end.expect("a forecast");
    assert_eq!(v.header.window.forecast_p90_end, None);

    let (mut s, now) = session(&with_baseline(&logs), &temp_log("fc-live"));
    s.tick();
    let v = s.view_for("dana");
    // readiness along `after`: runbook 5m + 10m; rehearsals P50 20m + 15m, P90 40m + 30m
    let end = v.header.window.forecast_end.expect("a forecast");
    let p90 = v.header.window.forecast_p90_end.expect("a band");
    assert_eq!(end - plain_end, Dur::from_mins(35 - 15));
    assert_eq!(p90 - plain_end, Dur::from_mins(70 - 15));
    let overrun = |s: &Session| {
        s.cockpit()
            .store()
            .latest(FORECAST_OVERRUN_MIN, s.now())
            .unwrap()
    };
    assert_eq!(
        overrun(&s) - overrun(&plain),
        20.0,
        "the metric is the P50 forecast"
    );

    let ui = UiState {
        theme: Theme::colored(),
        ..UiState::default()
    };
    let screen = text(&draw(&v, &ui, 160, 48));
    let band = format!("forecast {}, P90 {}", hm(end), hm(p90));
    assert!(screen.contains(&band), "{band} not on screen:\n{screen}");

    // freeze-scope done in 25 min (beyond its P50), restore running 5 min
    run_step(&mut s, &now, "freeze-scope", 0, 25);
    act(
        &mut s,
        Action::StepStart {
            step: "test-backup-restore".into(),
        },
    );
    now.store(T0 + 30 * MIN, Ordering::SeqCst);
    s.tick();
    let v = s.view_for("dana");
    let row = |id: &str| v.steps.iter().find(|r| r.id == id).unwrap();
    let done = row("freeze-scope")
        .rehearsal
        .expect("done step has its rehearsal");
    assert_eq!(
        (done.p50, done.p90, done.runs),
        (Dur::from_mins(20), Dur::from_mins(40), 3)
    );
    assert!(
        row("test-backup-restore").rehearsal.is_some(),
        "running step too"
    );
    assert_eq!(row("brief-service-desk").rehearsal, None, "never rehearsed");
    // restore: P50 15 - 5 = 10 min left, P90 30 - 5 = 25
    let w = v.header.window;
    assert_eq!(
        w.forecast_end.unwrap() - Ts(T0 + 30 * MIN),
        remaining_after_readiness(&plain) + Dur::from_mins(10)
    );
    assert_eq!(
        w.forecast_p90_end.unwrap() - Ts(T0 + 30 * MIN),
        remaining_after_readiness(&plain) + Dur::from_mins(25)
    );
    let screen = text(&draw(&v, &ui, 160, 48));
    assert!(
        screen.contains("25m/5m over P50 20m"),
        "actual against rehearsal:\n{screen}"
    );
}

/// The planned work after the readiness phase (readiness alone is 15 min
/// by the runbook, nothing started).
fn remaining_after_readiness(plain: &Session) -> Dur {
    let w = plain.view_for("dana").header.window;
    w.forecast_end.unwrap() - plain.now() - Dur::from_mins(15)
}

fn report(log: &Path, format: &str, baseline: &[PathBuf]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.arg("report").arg(log).args(["--format", format]);
    if !baseline.is_empty() {
        cmd.arg("--baseline").args(baseline);
    }
    let out = cmd.output().expect("cutover report runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_evidence_pack_compares_the_run_with_its_rehearsals() {
    let logs = three_rehearsals("rp");
    // the live run: freeze-scope 25 min (P50 20, P90 40), restore 35 min (P90 30)
    let live = rehearsal_log("rp-live", 25, 35);

    let (code, md, err) = report(&live, "md", &logs);
    assert_eq!(code, 0, "{err}");
    let section = md
        .split("## This run against its rehearsals")
        .nth(1)
        .expect("the section is there");
    assert!(section.contains("Baseline logs (3)"), "{section}");
    assert!(
        section.contains("### Phase 0: readiness (`readiness`)"),
        "{section}"
    );
    assert!(
        section.contains("| freeze-scope Freeze migration scope and configuration (change ticket approved) | 25m | 20m | 40m | 3 | +5m |"),
        "{section}"
    );
    assert!(
        section.contains("| test-backup-restore Restore a sample study from source backup | 35m | 15m | 30m | 3 | +20m (beyond P90) |"),
        "{section}"
    );
    assert!(
        section.contains("| phase total (2 steps with both) | 1h | 35m | 1h10m |  | +25m |"),
        "{section}"
    );
    // a step nobody rehearsed has no figures
    assert!(section.contains("| brief-service-desk Brief the service desk and post the downtime notice | – | – | – | 0 | – |"), "{section}");

    let (code, html, _) = report(&live, "html", &logs);
    assert_eq!(code, 0);
    assert!(html.contains("<h2 id=\"rehearsals\">This run against its rehearsals</h2>"));
    assert!(html.contains("<td>+20m (beyond P90)</td>"), "{html}");

    // without --baseline the section is absent
    let (_, md, _) = report(&live, "md", &[]);
    assert!(!md.contains("against its rehearsals"));

    // a baseline log of another runbook is refused, and named
    let other = temp_log("rp-other");
    let ehr = start::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks/ehr-wave-cutover.toml"),
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("config/ehr.toml"),
    )
    .expect("ehr loads");
    let clock: Clock = Arc::new(|| Ts(T0));
    let (mut s, _) = start::open_session(&ehr, &other, "ana", clock).expect("ehr session");
    s.close().unwrap();
    let (code, _, err) = report(&live, "md", &[other]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("different runbook") && err.contains("rp-other"),
        "{err}"
    );
}
