//! Decisions that mean what they say, read off the screen of the real
//! `Session` (core + journal) under the real TUI loop: the authority a
//! decision was taken under, the recommendation's life, forms that refuse
//! before they open and keep what was typed, the evidence pack's story.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod app_support;
mod tui_support;

use app_support::{loaded, temp_log};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cutover_cockpit::app::session::Session;
use cutover_cockpit::app::start;
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::probe::Clock;
use cutover_cockpit::report::{self, verify, Evidence};
use cutover_cockpit::tui::{self, AppEvent, CockpitPort, Overlay, Theme, UiState};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// A clock the test moves by hand (ms since the epoch).
fn manual_clock(start: i64) -> (Clock, Arc<AtomicI64>) {
    let t = Arc::new(AtomicI64::new(start));
    let read = t.clone();
    (Arc::new(move || Ts(read.load(Ordering::SeqCst))), t)
}

const T0: i64 = 1_796_000_000_000;

fn session(name: &str) -> (Session, Arc<AtomicI64>, std::path::PathBuf) {
    let log = temp_log(name);
    let (clock, t) = manual_clock(T0);
    let (s, _) = start::open_session(&loaded(), &log, "dana", clock).expect("session");
    (s, t, log)
}

fn key(c: char) -> AppEvent {
    AppEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn special(c: KeyCode) -> AppEvent {
    AppEvent::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn typed(s: &str) -> Vec<AppEvent> {
    s.chars().map(key).collect()
}

/// Runs the real loop over the session with these events, then draws the
/// screen as the user would now see it (120x40).
async fn drive(port: &mut Session, ui: &mut UiState, events: Vec<AppEvent>) -> String {
    let (tx, rx) = mpsc::channel(512);
    for ev in events.into_iter().chain([AppEvent::Tick, AppEvent::Quit]) {
        tx.send(ev).await.expect("queue");
    }
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    tui::run(&mut t, rx, port, ui).await.expect("loop");
    screen(port, ui)
}

fn screen(port: &Session, ui: &UiState) -> String {
    tui_support::text(&tui_support::draw(&port.view(), ui, 120, 40))
}

fn ui() -> UiState {
    UiState {
        theme: Theme::monochrome(),
        ..UiState::default()
    }
}

#[tokio::test]
async fn after_a_handover_the_screen_says_under_which_authority_dana_still_decides() {
    let (mut s, _t, _) = session("authority");
    let mut ui = ui();
    // the handover form says what dana keeps before it is submitted
    let form = drive(&mut s, &mut ui, vec![key('o')]).await;
    assert!(
        form.contains("dana keeps: owner of phase readiness"),
        "{form}"
    );
    let mut evs = typed("shift change");
    evs.push(special(KeyCode::Enter));
    let done = drive(&mut s, &mut ui, evs).await;
    assert!(
        done.contains("sam is now the commander; dana keeps:"),
        "{done}"
    );
    assert!(done.contains("(as commander)"), "{done}");
    // dana still owns readiness: her hold is taken as its owner, and says so
    let mut evs = vec![key('h')];
    evs.extend(typed("storage alarm"));
    evs.push(special(KeyCode::Enter));
    let held = drive(&mut s, &mut ui, evs).await;
    assert!(
        held.contains("HOLD: the line is stopped (as owner of phase readiness)"),
        "toast:\n{held}"
    );
    assert!(
        held.contains("hold \"storage alarm\" (as owner of phase readiness)"),
        "log tail:\n{held}"
    );
}

#[tokio::test]
async fn a_form_that_cannot_succeed_does_not_open_and_says_why() {
    let (mut s, _t, _) = session("refuse-first");
    let mut ui = ui();
    let out = drive(&mut s, &mut ui, vec![key('r')]).await;
    assert_eq!(ui.overlay, Overlay::None, "no resume form without a hold");
    assert!(
        out.contains("refused: nothing to resume: the line is not on hold"),
        "{out}"
    );
    // `s` offers only the sign-offs dana may give (hers, not dr-lee's)
    let _ = drive(&mut s, &mut ui, vec![key('s')]).await;
    let Overlay::Form(form) = &ui.overlay else {
        panic!("no sign-off form for dana");
    };
    assert_eq!(
        form.fields[0].choices,
        vec!["Cutover commander".to_string()]
    );
    assert_eq!(form.fields[1].label, "reviewed");
    let out = drive(&mut s, &mut ui, vec![special(KeyCode::Esc), key('c')]).await;
    assert!(out.contains("refused: no issue is open"), "{out}");
}

#[tokio::test]
async fn a_refused_submit_keeps_what_was_typed_and_shows_the_rule() {
    let (mut s, _t, _) = session("keep-typed");
    let mut ui = ui();
    // a waiver beyond the approved window: the core refuses on submit
    let mut evs = vec![key('w')];
    evs.extend(typed("checksum tool known to lag"));
    evs.push(special(KeyCode::Tab));
    evs.extend(typed("48h"));
    evs.push(special(KeyCode::Enter));
    let out = drive(&mut s, &mut ui, evs).await;
    let Overlay::Form(form) = &ui.overlay else {
        panic!("the form closed after a refusal:\n{out}");
    };
    assert_eq!(form.fields[2].value, "checksum tool known to lag");
    assert_eq!(form.fields[3].value, "48h");
    assert!(out.contains("within the window"), "{out}");
}

/// Feeds a latency spike until `retrieval-latency-spike` breaches.
fn spike(s: &mut Session, t: &AtomicI64) {
    for _ in 0..80 {
        let now = Ts(t.fetch_add(1000, Ordering::SeqCst) + 1000);
        s.probe(ProbeReport::ok_with(
            "target.pacs.health",
            now,
            &[("target.pacs.latency_ms", 950.0)],
        ));
        s.tick();
    }
}

#[tokio::test]
async fn a_rollback_settles_the_recommendation_and_the_screen_and_report_say_so() {
    let (mut s, t, log) = session("settle");
    spike(&mut s, &t);
    let mut ui = ui();
    let raised = drive(&mut s, &mut ui, vec![]).await;
    assert!(raised.contains("Recommendations 1 pending"), "{raised}");
    assert!(raised.contains("RECOMMENDATION"), "footer:\n{raised}");
    // `b`: the scope comes from the recommendation; a rationale; Enter
    let mut evs = vec![key('b')];
    evs.extend(typed("spike on the new archive"));
    evs.push(special(KeyCode::Enter));
    let after = drive(&mut s, &mut ui, evs).await;
    // the recommendations panel is on screen only while one is pending
    assert!(!after.contains("Recommendations 1 pending"), "{after}");
    assert!(s.view().recommendations.is_empty(), "{after}");
    // the row is cut at 120 columns; the view carries the whole sentence
    assert!(
        after.contains("handled by rollback switch-archi"),
        "threshold row:\n{after}"
    );
    let row = s.view().thresholds;
    let spike_row = row
        .iter()
        .find(|t| t.id == "retrieval-latency-spike")
        .expect("row");
    assert!(
        spike_row.handled.as_deref().is_some_and(
            |h| h.starts_with("handled by rollback switch-archive-retrieval (dana) at ")
        ),
        "{spike_row:?}"
    );
    assert!(
        after.contains("Thresholds 0 alarming · 1 handled"),
        "{after}"
    );
    assert!(
        !after.contains("RECOMMENDATION"),
        "the footer agrees with the panel:\n{after}"
    );
    // answering it is no longer the only way out: nothing is left to answer
    let d = drive(&mut s, &mut ui, vec![key('d')]).await;
    assert!(
        d.contains("no recommendation is pending: retrieval-latency-spike is handled by rollback"),
        "{d}"
    );
    // the evidence pack tells the same story
    s.close().expect("close");
    let (records, verification) = verify::verification_of(&log).expect("verify");
    let md = report::markdown(&Evidence::from_records(&records, verification));
    assert!(md.contains("- Authority: as commander"), "{md}");
    assert!(
        md.contains("rollback: scope switch-archive-retrieval")
            && md.contains("(settles this recommendation)"),
        "{md}"
    );
    assert!(!md.contains("recommendation: continue"), "{md}");
}

#[tokio::test]
async fn a_stale_note_expires_and_never_contradicts_the_panel() {
    let (mut s, t, _) = session("stale-note");
    let mut ui = ui();
    let out = drive(&mut s, &mut ui, vec![key('d')]).await;
    assert!(out.contains("no recommendation is pending"), "{out}");
    // a recommendation arrives: the old note goes, the footer shows it
    spike(&mut s, &t);
    let out = drive(&mut s, &mut ui, vec![]).await;
    assert!(!out.contains("no recommendation is pending"), "{out}");
    assert!(out.contains("RECOMMENDATION"), "{out}");
    // a refusal expires after a minute of view time
    let out = drive(&mut s, &mut ui, vec![key('r')]).await;
    assert!(out.contains("nothing to resume"), "{out}");
    t.fetch_add(61_000, Ordering::SeqCst);
    let out = drive(&mut s, &mut ui, vec![]).await;
    assert!(!out.contains("nothing to resume"), "{out}");
}

#[tokio::test]
async fn templates_opened_after_a_hold_name_who_held_and_why() {
    let (mut s, _t, _) = session("templates");
    let mut ui = ui();
    let before = drive(&mut s, &mut ui, vec![key('p')]).await;
    assert!(before.contains("(no hold so far)"), "{before}");
    assert!(!before.contains("n/a"), "{before}");
    let mut evs = vec![special(KeyCode::Esc), key('h')];
    evs.extend(typed("storage alarm"));
    evs.push(special(KeyCode::Enter));
    evs.push(key('p'));
    let after = drive(&mut s, &mut ui, evs).await;
    assert!(after.contains("paused by Dana Ruiz: storage"), "{after}");
    assert!(
        after.contains("HOLD at 00:53:20 UTC"),
        "the hold's time:\n{after}"
    );
}

#[tokio::test]
async fn in_the_demo_the_keyboard_can_act_as_dr_lee_visibly_and_logged_as_such() {
    // as `cutover demo` does: throw-away keys for the roster, pinned at open
    let log = temp_log("demo-acting");
    let (clock, _t) = manual_clock(T0);
    let mut l = loaded();
    assert_eq!(l.runbook.require_signature, ["signoff"]);
    let keys = cutover_cockpit::sign::throw_away_keys(&mut l.runbook).expect("keys");
    let lee = keys
        .iter()
        .find(|k| k.owner() == "dr-lee")
        .expect("dr-lee's key")
        .fingerprint();
    let (mut s, _) = start::open_session(&l, &log, "dana", clock).expect("session");
    s.set_demo_keys(keys);
    s.enable_demo_acting();
    let mut ui = ui();
    // roster order: sam, priya, dr-lee
    let acting = drive(&mut s, &mut ui, vec![key('a'), key('a'), key('a')]).await;
    assert!(acting.contains("acting as dr-lee (demo only"), "{acting}");
    let mut evs = vec![key('s')];
    evs.extend(typed("pilot studies opened on 3 viewers"));
    evs.push(special(KeyCode::Enter));
    let signed = drive(&mut s, &mut ui, evs).await;
    assert!(
        signed.contains("(as the named sign-off owner); acting as dr-l"),
        "{signed}"
    );
    s.close().expect("close");
    let text = std::fs::read_to_string(&log).expect("log");
    let line = text
        .lines()
        .find(|l| l.contains("\"type\":\"signoff\""))
        .expect("the sign-off is in the log");
    assert!(line.contains("\"actor\":\"dr-lee\""), "{line}");
    assert!(line.contains("\"demo_keyboard\":\"dana\""), "{line}");
    assert!(line.contains("pilot studies opened on 3 viewers"), "{line}");
    // signed with dr-lee's throw-away key, as an approval, and it verifies
    assert!(
        line.contains(&format!("\"key\":\"{lee}\",\"meaning\":\"approval\"")),
        "{line}"
    );
    let out = cutover_cockpit::journal::verify_file(&log, None, None).expect("verify");
    assert!(out.damage.is_none());
    assert_eq!(out.summary.signatures.verified, 1);
    assert_eq!(out.summary.signatures.problem_count, 0);
}
