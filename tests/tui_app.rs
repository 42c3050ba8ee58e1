//! The real event loop under ratatui's TestBackend with a fake cockpit:
//! keys in, actions to the port, frames out (only when something changed).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

mod tui_support;

use crossterm::event::KeyCode;
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::tui::{run, ActResult, AppEvent, Exit, Theme, UiState};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;
use tui_support::{code, key, text, FakePort};

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(80, 24)).expect("test terminal")
}

/// Runs the loop in a task, sends `events`, lets it settle (longer than
/// one frame gap), then ends it; returns (exit, frames, last screen).
/// The tests run on tokio's paused clock: a sleep returns only once every
/// task is idle, so "settled" means the loop has handled all it was sent.
/// Without `AppEvent::Quit` in `events` the loop is closed by dropping the
/// sender after the pause.
async fn drive(port: &mut FakePort, events: Vec<AppEvent>) -> (Exit, u64, String) {
    let (tx, rx) = mpsc::channel(256);
    let mut p = port.clone();
    let task = tokio::spawn(async move {
        let mut t = terminal();
        let mut ui = UiState {
            theme: Theme::colored(),
            ..UiState::default()
        };
        let out = run(&mut t, rx, &mut p, &mut ui).await.expect("loop runs");
        (out.exit, out.frames, text(t.backend().buffer()))
    });
    for ev in events {
        tx.send(ev).await.expect("queue event");
    }
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    drop(tx);
    task.await.expect("loop task")
}

fn typed(s: &str) -> Vec<AppEvent> {
    s.chars().map(|c| AppEvent::Key(key(c))).collect()
}

#[tokio::test(start_paused = true)]
async fn hold_typed_at_the_keyboard_reaches_the_core_and_shows_the_banner() {
    let mut port = FakePort::new(fixtures::demo_view());
    let mut events = typed("hdiagnosing viewer cache");
    events.push(AppEvent::Key(code(KeyCode::Enter)));
    let (exit, _, screen) = drive(&mut port, events).await;
    assert_eq!(exit, Exit::Closed);
    let actions = port.actions.lock().expect("actions").clone();
    assert_eq!(
        actions,
        vec![Action::Hold {
            reason: "diagnosing viewer cache".into()
        }]
    );
    assert!(screen.contains("HOLD: line stopped by dana"), "{screen}");
    assert!(screen.contains("✔ done: recorded"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn q_y_ends_the_loop_as_confirmed_quit() {
    let mut port = FakePort::new(fixtures::demo_view());
    let (exit, _, _) = drive(&mut port, typed("qy")).await;
    assert_eq!(exit, Exit::Confirmed);
    assert!(port.actions.lock().expect("actions").is_empty());
}

#[tokio::test(start_paused = true)]
async fn refusal_shows_the_rule() {
    let mut port = FakePort::new(fixtures::team_view());
    port.answer = ActResult::Refused("go belongs to the commander or the phase owner".into());
    let mut events = typed("gready");
    events.push(AppEvent::Key(code(KeyCode::Enter)));
    let (_, _, screen) = drive(&mut port, events).await;
    // the form comes back as typed, with the rule under it
    assert!(screen.contains("✘ go belongs to the commander"), "{screen}");
    assert!(screen.contains("ready"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn idle_ticks_do_not_redraw() {
    let mut port = FakePort::new(fixtures::demo_view());
    let (_, frames, _) = drive(&mut port, vec![AppEvent::Tick; 50]).await;
    assert_eq!(frames, 1, "only the first frame");
}

/// A burst of probe reports (one `Changed` each) within one frame interval
/// builds the view once and draws once, not once per report.
#[tokio::test(start_paused = true)]
async fn a_burst_of_reports_builds_one_view_and_draws_one_frame() {
    let port = FakePort::new(fixtures::demo_view());
    let fetches = port.fetches.clone();
    let (tx, rx) = mpsc::channel(256);
    let view = port.view.clone();
    let mut p = port.clone();
    let task = tokio::spawn(async move {
        let mut t = terminal();
        let mut ui = UiState::default();
        let out = run(&mut t, rx, &mut p, &mut ui).await.expect("loop runs");
        (out.frames, text(t.backend().buffer()))
    });
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    let before = fetches.load(std::sync::atomic::Ordering::Relaxed);
    *view.lock().expect("view") = fixtures::breached_view();
    for _ in 0..100 {
        tx.send(AppEvent::Changed).await.expect("send");
    }
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    drop(tx);
    let (frames, screen) = task.await.expect("join");
    let built = fetches.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert!(built <= 2, "100 reports built the view {built} times");
    assert_eq!(frames, 2, "first frame + one for the burst");
    assert!(screen.contains("RECOMMENDATION"), "{screen}");
}

/// Starts the loop on `port`; returns the event sender and the loop task
/// (frames drawn, view fetches counted by the port).
fn start(port: &FakePort) -> (mpsc::Sender<AppEvent>, tokio::task::JoinHandle<u64>) {
    let (tx, rx) = mpsc::channel(256);
    let mut p = port.clone();
    let task = tokio::spawn(async move {
        let mut t = terminal();
        let mut ui = UiState::default();
        run(&mut t, rx, &mut p, &mut ui)
            .await
            .expect("loop runs")
            .frames
    });
    (tx, task)
}

/// The core moved (its clock): every fetch from now on sees a new view.
fn advance(port: &FakePort, ms: i64) {
    let mut v = port.view.lock().expect("view");
    v.now = v.now + cutover_cockpit::core::time::Dur(ms);
}

fn ms(n: u64) -> std::time::Duration {
    std::time::Duration::from_millis(n)
}

/// Probe reports spread over time (each one changing the view) draw at most
/// one frame a second, not one per report. Paused clock: the sleeps advance
/// tokio's time instantly.
#[tokio::test(start_paused = true)]
async fn probe_reports_draw_at_most_one_frame_a_second() {
    let port = FakePort::new(fixtures::demo_view());
    let (tx, task) = start(&port);
    tokio::time::sleep(ms(1100)).await;
    let fetched = port.fetches.load(std::sync::atomic::Ordering::Relaxed);
    // 10 reports, 95 ms apart: within one second
    for _ in 0..10 {
        advance(&port, 95);
        tx.send(AppEvent::Probe).await.expect("send");
        tokio::time::sleep(ms(95)).await;
    }
    tokio::time::sleep(ms(100)).await;
    drop(tx);
    let frames = task.await.expect("join");
    let built = port.fetches.load(std::sync::atomic::Ordering::Relaxed) - fetched;
    // the first report after a quiet second draws at once, the rest wait
    // for one more slot a second later
    assert!(
        frames <= 3,
        "first frame + at most 2 for 10 reports: {frames}"
    );
    assert!(frames >= 2, "the reports are drawn at all: {frames}");
    assert!(built <= 3, "10 reports built the view {built} times");
}

/// A report that is waiting for its slot shows up by itself once the slot
/// comes, without any other event.
#[tokio::test(start_paused = true)]
async fn a_waiting_report_is_drawn_when_its_slot_comes() {
    let port = FakePort::new(fixtures::demo_view());
    let (tx, task) = start(&port);
    tokio::time::sleep(ms(1100)).await;
    advance(&port, 1100);
    tx.send(AppEvent::Probe).await.expect("send"); // drawn at once
    tokio::time::sleep(ms(100)).await;
    *port.view.lock().expect("view") = fixtures::breached_view();
    tx.send(AppEvent::Probe).await.expect("send"); // waits
    tokio::time::sleep(ms(500)).await;
    let before_slot = port.fetches.load(std::sync::atomic::Ordering::Relaxed);
    tokio::time::sleep(ms(600)).await;
    let after_slot = port.fetches.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(after_slot, before_slot + 1, "fetched once the slot came");
    drop(tx);
    assert_eq!(task.await.expect("join"), 3, "first frame + one per report");
}

/// A key while reports wait for their slot is drawn at once, and what it
/// draws includes the reports (the view is fetched for the key).
#[tokio::test(start_paused = true)]
async fn a_key_draws_at_once_while_reports_wait() {
    let port = FakePort::new(fixtures::demo_view());
    let (tx, rx) = mpsc::channel(256);
    let mut p = port.clone();
    let task = tokio::spawn(async move {
        let mut t = terminal();
        let mut ui = UiState::default();
        let out = run(&mut t, rx, &mut p, &mut ui).await.expect("loop runs");
        (out.frames, text(t.backend().buffer()))
    });
    tokio::time::sleep(ms(100)).await;
    *port.view.lock().expect("view") = fixtures::breached_view();
    tx.send(AppEvent::Probe).await.expect("send");
    tokio::time::sleep(ms(100)).await;
    tx.send(AppEvent::Key(code(KeyCode::Down)))
        .await
        .expect("send");
    // well before the report's slot (1 s after the first frame)
    tokio::time::sleep(ms(50)).await;
    drop(tx);
    let (frames, screen) = task.await.expect("join");
    assert_eq!(frames, 2, "first frame + the key's, at once");
    assert!(screen.contains("RECOMMENDATION"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn a_changed_view_is_drawn_and_an_unchanged_one_is_not() {
    let port = FakePort::new(fixtures::demo_view());
    let (tx, rx) = mpsc::channel(16);
    let view = port.view.clone();
    let mut p = port.clone();
    let task = tokio::spawn(async move {
        let mut t = terminal();
        let mut ui = UiState::default();
        let out = run(&mut t, rx, &mut p, &mut ui).await.expect("loop runs");
        (out.frames, text(t.backend().buffer()))
    });
    tx.send(AppEvent::Changed).await.expect("send");
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    *view.lock().expect("view") = fixtures::breached_view();
    tx.send(AppEvent::Changed).await.expect("send");
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    drop(tx);
    let (frames, screen) = task.await.expect("join");
    assert_eq!(frames, 2, "first frame + the one change");
    assert!(screen.contains("RECOMMENDATION"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_keys_is_drawn_in_one_frame() {
    let mut port = FakePort::new(fixtures::demo_view());
    let mut events: Vec<AppEvent> = (0..200)
        .map(|i| {
            AppEvent::Key(code(if i % 2 == 0 {
                KeyCode::Down
            } else {
                KeyCode::Up
            }))
        })
        .collect();
    events.push(AppEvent::Quit);
    let (exit, frames, _) = drive(&mut port, events).await;
    assert_eq!(exit, Exit::Closed);
    assert!(
        frames <= 2,
        "{frames} frames: keys are drained before a draw"
    );
}

#[tokio::test(start_paused = true)]
async fn closed_channel_ends_the_loop() {
    let mut port = FakePort::new(fixtures::demo_view());
    let (exit, frames, screen) = drive(&mut port, vec![]).await;
    assert_eq!((exit, frames), (Exit::Closed, 1));
    assert!(screen.contains("cutover.jsonl"));
}

// real time: the frame budget is measured against the wall clock
#[tokio::test]
async fn steady_typing_is_drawn_at_most_30_times_a_second() {
    let port = FakePort::new(fixtures::demo_view());
    let (tx, rx) = mpsc::channel(16);
    let mut p = port.clone();
    let task = tokio::spawn(async move {
        let mut t = terminal();
        let mut ui = UiState::default();
        run(&mut t, rx, &mut p, &mut ui)
            .await
            .expect("loop runs")
            .frames
    });
    let start = std::time::Instant::now();
    for i in 0..150 {
        let c = if i % 2 == 0 {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        tx.send(AppEvent::Key(code(c))).await.expect("send");
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    drop(tx);
    let frames = task.await.expect("join");
    let allowed = start.elapsed().as_millis() as u64 / 33 + 2;
    assert!(
        frames <= allowed,
        "{frames} frames, at most {allowed} allowed"
    );
    assert!(frames >= 2, "typing is drawn at all");
}

#[tokio::test(start_paused = true)]
async fn writing_a_template_goes_to_the_port_and_its_answer_is_shown() {
    let mut port = FakePort::new(fixtures::demo_view());
    let (_, _, screen) = drive(&mut port, typed("pw")).await;
    // FakePort keeps the trait's default, which refuses and says why
    assert!(
        screen.contains("✘ refused: cannot write template status"),
        "{screen}"
    );
}
