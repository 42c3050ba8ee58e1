//! The real `Session` (core + journal) under the real TUI loop on a
//! TestBackend, and resuming a log the way `cutover run` does.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod app_support;

use app_support::{loaded, temp_log};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cutover_cockpit::app::live::{run_screen, spawn_feeders};
use cutover_cockpit::app::session::{lock, SharedSession};
use cutover_cockpit::app::start::{self, Opened};
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::core::entry::EntryKind;
use cutover_cockpit::journal::{read_records, verify_file};
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::tui::{AppEvent, CockpitPort, Theme, UiState};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

fn keys(s: &str) -> Vec<AppEvent> {
    s.chars()
        .map(|c| AppEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
        .chain([AppEvent::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        ))])
        .collect()
}

fn screen(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let w = buf.area.width as usize;
    let cells: Vec<&str> = buf.content().iter().map(|c| c.symbol()).collect();
    cells.chunks(w).map(|l| l.concat() + "\n").collect()
}

/// Runs the real loop over `session` (tick running, no probes), sends the
/// keys, lets it settle, closes it; returns the last frame.
async fn drive(session: SharedSession, events: Vec<AppEvent>) -> String {
    let (tx, rx) = mpsc::channel(256);
    let feeders = spawn_feeders(session.clone(), None, system_clock(), tx.clone());
    let task = tokio::spawn(async move {
        let mut t = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
        let mut ui = UiState {
            theme: Theme::monochrome(),
            ..UiState::default()
        };
        run_screen(&mut t, session, rx, feeders, &mut ui)
            .await
            .expect("loop runs");
        screen(&t)
    });
    for ev in events {
        tx.send(ev).await.expect("queue key");
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    tx.send(AppEvent::Quit).await.expect("quit");
    task.await.expect("loop task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_and_resume_typed_at_the_keyboard_are_recorded_and_shown() {
    let log = temp_log("keys");
    let (session, opened) =
        start::open_session(&loaded(), &log, "dana", system_clock()).expect("session");
    assert_eq!(opened, Opened::Created);
    let shared: SharedSession = Arc::new(Mutex::new(session));

    let held = drive(shared.clone(), keys("hquiet period requested")).await;
    assert!(held.contains("HOLD"), "no HOLD banner:\n{held}");
    assert!(held.contains("quiet period requested"), "{held}");
    assert!(
        held.contains(&log.display().to_string()),
        "log path on screen:\n{held}"
    );
    assert!(lock(&shared).cockpit().hold().is_some());

    let resumed = drive(shared.clone(), keys("rradiology confirmed")).await;
    assert!(!resumed.contains("HOLD"), "HOLD still shown:\n{resumed}");
    assert!(lock(&shared).cockpit().hold().is_none());

    lock(&shared).close().expect("close record");
    drop(shared);
    let out = verify_file(&log, None, None).expect("verify runs");
    assert!(out.damage.is_none(), "{:?}", out.damage);
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("quiet period requested"));
    assert!(text.contains("radiology confirmed"));
    let last = out.records.last().expect("records");
    assert_eq!(last.kind, EntryKind::Close);
}

#[test]
fn a_resumed_log_rebuilds_phase_and_hold_and_appends_a_resume_record() {
    let log = temp_log("resume");
    let l = loaded();
    {
        let (mut s, _) = start::open_session(&l, &log, "dana", system_clock()).expect("create");
        let hold = Action::Hold {
            reason: "storage alarm".into(),
        };
        assert!(matches!(
            s.act(hold),
            cutover_cockpit::tui::ActResult::Acknowledged(_)
        ));
        // dropped without a close record, as after a crash
    }
    let before = read_records(&log).expect("records").len();
    let (s, opened) = start::open_session(&l, &log, "priya", system_clock()).expect("resume");
    assert_eq!(opened, Opened::Resumed { torn: None });
    let hold = s.cockpit().hold().expect("hold rebuilt from the log");
    assert_eq!(hold.reason, "storage alarm");
    assert_eq!(hold.by, "dana");
    assert_eq!(s.cockpit().phase_id(), l.runbook.phases[0].id);
    let view = s.view();
    assert!(view.header.hold.is_some());
    assert!(
        !view.header.operator_is_commander,
        "priya is not the commander"
    );
    let records = read_records(&log).expect("records");
    assert_eq!(records.len(), before + 1);
    assert_eq!(records.last().map(|r| r.kind), Some(EntryKind::Resume));
    assert_eq!(
        records.last().map(|r| r.body["operator"].clone()),
        Some("priya".into())
    );
}

#[test]
fn a_second_cockpit_on_a_live_log_is_refused_naming_the_holder() {
    let log = temp_log("lock");
    let l = loaded();
    let _first = start::open_session(&l, &log, "dana", system_clock()).expect("create");
    let err = start::open_session(&l, &log, "dana", system_clock())
        .err()
        .expect("refused");
    assert_eq!(err.exit_code(), 1);
    assert!(
        err.to_string().contains(&std::process::id().to_string()),
        "{err}"
    );
}

#[test]
fn a_log_from_another_runbook_is_refused() {
    let log = temp_log("digest");
    let l = loaded();
    drop(start::open_session(&l, &log, "dana", system_clock()).expect("create"));
    let edited = start::load_texts(
        "edited.toml",
        format!("{}\n# edited\n", l.runbook_text),
        "config.toml",
        l.config_text.clone(),
    )
    .expect("still valid");
    let err = start::open_session(&edited, &log, "dana", system_clock())
        .err()
        .expect("refused");
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("different runbook"), "{err}");
}

#[test]
fn an_operator_not_on_the_roster_is_a_usage_error_and_no_log_is_made() {
    let log = temp_log("roster");
    let err = start::open_session(&loaded(), &log, "mallory", system_clock())
        .err()
        .expect("refused");
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("dana"), "names the roster: {err}");
    assert!(!log.exists());
}

#[test]
fn a_torn_last_line_is_moved_aside_and_named_in_the_resume_record() {
    let log = temp_log("torn");
    let l = loaded();
    drop(start::open_session(&l, &log, "dana", system_clock()).expect("create"));
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut f, b"{\"seq\":99,\"ts\":\"2026-").unwrap();
    drop(f);
    let (_s, opened) = start::open_session(&l, &log, "dana", system_clock()).expect("resume");
    let Opened::Resumed { torn: Some(torn) } = opened else {
        panic!("torn tail not reported: {opened:?}");
    };
    assert!(torn.moved_to.exists());
    let records = read_records(&log).expect("records");
    let resume = records.last().expect("resume record");
    assert_eq!(resume.kind, EntryKind::Resume);
    assert!(resume.body["torn"]["moved_to"]
        .as_str()
        .is_some_and(|p| p.ends_with(".torn")));
}

#[test]
fn a_failed_fsync_refuses_the_decision_and_every_later_one_loudly() {
    use cutover_cockpit::app::session::{Session, LOG_FAILED};
    use cutover_cockpit::core::cockpit::Cockpit;
    use cutover_cockpit::core::entry::Entry;
    use cutover_cockpit::journal::storage::{Fault, FaultStorage, FaultSwitch};
    use cutover_cockpit::journal::{open_body, Journal};
    use cutover_cockpit::tui::view::ToastKind;
    use cutover_cockpit::tui::ActResult;

    let log = temp_log("eio");
    let l = loaded();
    let clock = system_clock();
    let now = clock();
    let switch = FaultSwitch::default();
    let open = Entry {
        kind: EntryKind::Open,
        actor: "dana".into(),
        phase: None,
        body: open_body(&l.runbook_text, &l.config_text, "dana", "test-host"),
    };
    let sw = switch.clone();
    let journal = Journal::create_with(&log, open, now, None, move |f| {
        Box::new(FaultStorage::new(f, sw))
    })
    .expect("create");
    let mut s = Session::new(
        Cockpit::new(l.runbook.clone(), now),
        journal,
        "dana",
        clock,
        &[],
    );
    let begin = s.cockpit_mut().begin(now);
    s.run_effects(begin, now);
    assert!(s.failed().is_none());

    switch.set(Some(Fault::SyncEio));
    let r = s.act(Action::Hold {
        reason: "disk test".into(),
    });
    assert_eq!(
        r,
        ActResult::Refused(LOG_FAILED.into()),
        "never acknowledged"
    );
    let toast = s.view().toast.expect("a loud toast");
    assert_eq!(toast.kind, ToastKind::Refused);
    assert!(toast.message.contains(LOG_FAILED), "{}", toast.message);

    switch.set(None);
    let r = s.act(Action::Note {
        text: "after the fault".into(),
    });
    assert_eq!(
        r,
        ActResult::Refused(LOG_FAILED.into()),
        "later decisions refused too"
    );
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(!text.contains("disk test") && !text.contains("after the fault"));
}
