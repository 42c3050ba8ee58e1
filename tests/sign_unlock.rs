//! The cockpit asks the passphrase again once the signing key locked itself
//! (15 minutes without a keypress), in a masked form on the screen, and
//! the cockpit's amend key appends a signed `amend` record. Driven through
//! the real event loop over a real session (`SharedPort`, as `cutover run`
//! uses it) under ratatui's TestBackend; the session's clock is injected,
//! tokio's is paused, so no test sleeps for real.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod app_support;
mod tui_support;

use app_support::{loaded, temp_log};
use crossterm::event::KeyCode;
use cutover_cockpit::app::session::{SharedPort, SharedSession};
use cutover_cockpit::app::start;
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::{read_records, verify_file, Record};
use cutover_cockpit::probe::Clock;
use cutover_cockpit::sign::holder::KeyHolder;
use cutover_cockpit::sign::keyfile::KeyFile;
use cutover_cockpit::sign::{public_text, Unlocked};
use cutover_cockpit::tui::form::FormKind;
use cutover_cockpit::tui::{run, AppEvent, CockpitPort, Overlay, Theme, UiState};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tui_support::{code, key, text};

const T0: i64 = 1_795_903_200_000;
const MINUTE: i64 = 60_000;
const PASS: &str = "tangerine-orbit-42";

struct Rig {
    session: SharedSession,
    now: Arc<AtomicI64>,
    log: PathBuf,
    key_path: PathBuf,
    ui: UiState,
}

/// A cockpit for dana with her key file (sealed under [`PASS`]) unlocked
/// at T0, as `cutover run --key` leaves it; notes require a signature.
fn rig(name: &str) -> Rig {
    let key = Unlocked::generate("dana").unwrap();
    let log = temp_log(name);
    let key_path = log.with_file_name("dana.key");
    let file = KeyFile::seal(&key, PASS.as_bytes(), &key_path).unwrap();
    file.write_new(&key_path).unwrap();
    let mut l = loaded();
    l.runbook.require_signature = vec!["note".into()];
    let dana = l
        .runbook
        .owners
        .iter_mut()
        .find(|o| o.id == "dana")
        .unwrap();
    dana.signing_key = Some(public_text(&key.public()));
    let now = Arc::new(AtomicI64::new(T0));
    let t = now.clone();
    let clock: Clock = Arc::new(move || Ts(t.load(Ordering::SeqCst)));
    let (mut s, _) = start::open_session(&l, &log, "dana", clock.clone()).expect("session");
    let file = KeyFile::read(&key_path).unwrap();
    s.set_signer(Some(KeyHolder::from_file(key, file, &key_path, clock())));
    Rig {
        session: Arc::new(Mutex::new(s)),
        now,
        log,
        key_path,
        ui: UiState {
            theme: Theme::monochrome(),
            ..UiState::default()
        },
    }
}

impl Rig {
    fn advance(&self, minutes: i64) {
        self.now.fetch_add(minutes * MINUTE, Ordering::SeqCst);
    }

    /// Runs the real loop over the session until `events` are handled;
    /// the screen state (`ui`) carries over to the next call. Returns the last frame.
    async fn keys(&mut self, events: Vec<AppEvent>) -> Buffer {
        let (tx, rx) = mpsc::channel(256);
        let mut port = SharedPort::new(self.session.clone());
        let mut ui = std::mem::take(&mut self.ui);
        let task = tokio::spawn(async move {
            let mut t = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
            run(&mut t, rx, &mut port, &mut ui)
                .await
                .expect("loop runs");
            (ui, t.backend().buffer().clone())
        });
        for ev in events {
            tx.send(ev).await.expect("queue event");
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        drop(tx);
        let (ui, buf) = task.await.expect("loop task");
        self.ui = ui;
        buf
    }

    fn records(&self) -> Vec<Record> {
        read_records(&self.log).unwrap()
    }

    fn notes(&self) -> Vec<Record> {
        self.records()
            .into_iter()
            .filter(|r| r.body["type"] == "note" && r.actor == "dana")
            .collect()
    }

    fn passphrase_form_open(&self) -> bool {
        matches!(&self.ui.overlay, Overlay::Form(f) if matches!(f.kind, FormKind::Passphrase { .. }))
    }
}

fn typed(s: &str) -> Vec<AppEvent> {
    s.chars().map(|c| AppEvent::Key(key(c))).collect()
}

fn enter() -> AppEvent {
    AppEvent::Key(code(KeyCode::Enter))
}

/// `n`, the text, Enter: a note (a decision, so it is signed).
fn note(s: &str) -> Vec<AppEvent> {
    let mut e = typed("n");
    e.extend(typed(s));
    e.push(enter());
    e
}

/// `cutover verify LOG` on the finished log: exit 0 and every signature verified.
fn cutover_verify(log: &Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .arg("verify")
        .arg(log)
        .env_remove("CUTOVER_LOG_KEY")
        .output()
        .expect("cutover verify runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "cutover verify: {said}");
    said
}

/// Only the popup drawn over the screen: from its top-left corner on the
/// row of `title` to its bottom border.
fn popup(buf: &Buffer, title: &str) -> String {
    let (tx, ty) = tui_support::find(buf, title).expect("popup title on screen");
    let left = (0..tx)
        .rev()
        .find(|&x| buf[(x, ty)].symbol() == "┌")
        .unwrap();
    let right = (tx..buf.area.width)
        .find(|&x| buf[(x, ty)].symbol() == "┐")
        .unwrap();
    let mut out = String::new();
    for y in ty..buf.area.height {
        let row: String = (left..=right).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(row.trim_end());
        out.push('\n');
        if buf[(left, y)].symbol() == "└" {
            break;
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn after_15_idle_minutes_a_signed_action_asks_the_passphrase_on_screen() {
    let mut r = rig("unlock-idle");
    // first signing: the key was unlocked before the screen started
    r.keys(note("first signed note")).await;
    assert_eq!(r.notes().len(), 1);

    // a keypress at 14 minutes keeps it unlocked for 15 more
    r.advance(14);
    r.keys(vec![AppEvent::Key(code(KeyCode::Esc))]).await;
    r.advance(14);
    r.keys(note("still unlocked")).await;
    assert!(
        !r.passphrase_form_open(),
        "asked while the key was unlocked"
    );
    assert_eq!(r.notes().len(), 2);

    // 15 minutes without a keypress: the header says so
    r.advance(15);
    let screen = text(&r.keys(vec![AppEvent::Tick]).await);
    assert!(
        screen.contains("key locked: passphrase asked at next signed action"),
        "{screen}"
    );

    // the next signed action opens the passphrase form; nothing is written yet
    let mut ev = note("after idle");
    ev.extend(typed("wrong-guess"));
    let buf = r.keys(ev).await;
    assert!(r.passphrase_form_open());
    assert_eq!(r.notes().len(), 2, "written before the passphrase");
    let screen = text(&buf);
    assert!(
        !screen.contains("wrong-guess"),
        "typed passphrase drawn:\n{screen}"
    );
    assert!(screen.contains("•••••••••••"), "no mask:\n{screen}");

    // a wrong passphrase is refused, the form stays (empty) and says so
    let buf = r.keys(vec![enter()]).await;
    assert!(
        r.passphrase_form_open(),
        "the form closed on a wrong passphrase"
    );
    let form = popup(&buf, "Signing key locked");
    assert!(form.contains("wrong passphrase"), "{form}");
    assert_eq!(r.notes().len(), 2, "signed without the passphrase");

    // the right passphrase: the mask on screen, never the text
    let buf = r.keys(typed(PASS)).await;
    let screen = text(&buf);
    assert!(!screen.contains(PASS), "typed passphrase drawn:\n{screen}");
    for part in PASS.split('-').filter(|p| p.len() > 3) {
        assert!(
            !screen.contains(part),
            "part of the passphrase drawn:\n{screen}"
        );
    }
    insta::assert_snapshot!("passphrase_form_masked", popup(&buf, "Signing key locked"));
    let debug = format!("{:?}", r.ui);
    assert!(!debug.contains(PASS), "passphrase in Debug output: {debug}");

    // Enter: unlocked, and the note that waited is signed
    let screen = text(&r.keys(vec![enter()]).await);
    assert!(!r.passphrase_form_open());
    assert!(!screen.contains("key locked"), "{screen}");
    let notes = r.notes();
    assert_eq!(notes.len(), 3);
    assert_eq!(notes[2].body["rationale"], "after idle");
    assert_eq!(notes[2].body["signature"]["meaning"], "authorship");

    // the idle timer restarted at the unlock: 14 minutes later it still signs
    r.advance(14);
    r.keys(note("after the unlock")).await;
    assert!(!r.passphrase_form_open());
    assert_eq!(r.notes().len(), 4);

    // Esc on the passphrase form: the action is not taken
    r.advance(16);
    let mut ev = note("abandoned");
    ev.extend(typed("half"));
    ev.push(AppEvent::Key(code(KeyCode::Esc)));
    let screen = text(&r.keys(ev).await);
    assert!(!r.passphrase_form_open());
    assert!(screen.contains("not taken"), "{screen}");
    assert_eq!(r.notes().len(), 4, "taken without the passphrase");

    cutover_cockpit_close(&r.session);
    let out = verify_file(&r.log, None, None).unwrap();
    assert!(out.damage.is_none());
    assert_eq!(out.summary.signatures.verified, 4);
    assert_eq!(out.summary.signatures.problem_count, 0);
    cutover_verify(&r.log);
    // nothing typed reached the log or the key file path
    let raw = std::fs::read_to_string(&r.log).unwrap();
    assert!(!raw.contains(PASS) && !raw.contains("wrong-guess"));
    assert!(r.key_path.exists());
}

fn cutover_cockpit_close(s: &SharedSession) {
    cutover_cockpit::app::session::lock(s).close().unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_amend_key_appends_a_signed_amendment_of_the_selected_log_line() {
    let mut r = rig("amend-key");
    r.keys(note("viewer cache cleared on ws-12")).await;
    let target = r.notes()[0].clone();

    // the amend key needs a selected log line
    let screen = text(&r.keys(typed("A")).await);
    assert!(screen.contains("select the log line to amend"), "{screen}");

    // tab to the log pane, select the note's line
    let lines = SharedPort::new(r.session.clone()).view().log_tail;
    let at = lines.iter().position(|l| l.seq == target.seq).unwrap();
    let mut ev: Vec<AppEvent> = (0..6).map(|_| AppEvent::Key(code(KeyCode::Tab))).collect();
    ev.extend((0..at).map(|_| AppEvent::Key(code(KeyCode::Down))));
    // idle long enough that the key locked: the amendment asks the passphrase
    r.keys(ev).await;
    r.advance(15);
    let mut ev = typed("A");
    ev.extend(typed("workstation was ws-21, not ws-12"));
    ev.push(AppEvent::Key(code(KeyCode::Tab)));
    ev.extend(typed("viewer cache cleared on ws-21"));
    ev.push(enter());
    r.keys(ev).await;
    assert!(
        r.passphrase_form_open(),
        "a locked key signed the amendment"
    );
    let mut ev = typed(PASS);
    ev.push(enter());
    let screen = text(&r.keys(ev).await);
    assert!(
        screen.contains(&format!("record #{} amended", target.seq)),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("amends #{}", target.seq)),
        "{screen}"
    );

    cutover_cockpit_close(&r.session);
    let records = r.records();
    let amend: Vec<_> = records
        .iter()
        .filter(|x| x.body.get("amends").is_some())
        .collect();
    assert_eq!(amend.len(), 1);
    let a = amend[0];
    assert_eq!(a.kind.as_str(), "amend");
    assert_eq!(a.actor, "dana");
    assert_eq!(a.body["amends"], target.seq);
    assert_eq!(a.body["amends_hash"], target.hash.as_str());
    assert_eq!(a.body["amends_kind"], "decision");
    assert_eq!(a.body["reason"], "workstation was ws-21, not ws-12");
    assert_eq!(a.body["correction"], "viewer cache cleared on ws-21");
    assert_eq!(a.body["signature"]["meaning"], "authorship");
    // the original is untouched
    let original = records.iter().find(|x| x.seq == target.seq).unwrap();
    assert_eq!(original.hash, target.hash);
    assert_eq!(original.body, target.body);
    let out = verify_file(&r.log, None, None).unwrap();
    assert!(out.damage.is_none());
    assert_eq!(out.summary.signatures.problem_count, 0);
    assert_eq!(out.summary.signatures.verified, 2);
    cutover_verify(&r.log);
}
