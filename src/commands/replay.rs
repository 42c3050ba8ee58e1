//! `cutover replay LOG [--speed N] [--force]`: the cockpit, read-only,
//! re-driven from a log. Keys: space play/pause, `+`/`-` speed, `.` step,
//! `n`/`p` next/previous decision, `t` jump to a time, `q` `y` quit. Exit 0, 1 refused, 2 unreadable.

use crate::cli::ReplayArgs;
use crate::commands::run::runtime;
use crossterm::event::{KeyCode, KeyEvent};
use cutover_cockpit::app::replay::Replayer;
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::core::records::OpenBody;
use cutover_cockpit::core::runbook;
use cutover_cockpit::core::sanitize::inert;
use cutover_cockpit::core::time::Dur;
use cutover_cockpit::journal::{self, verify_file};
use cutover_cockpit::tui::terminal::{spawn_key_reader, TerminalGuard};
use cutover_cockpit::tui::{ActResult, AppEvent, CockpitPort, CockpitView, Theme, UiState};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How often replay time advances.
const FRAME: Duration = Duration::from_millis(100);

pub fn run(args: ReplayArgs) -> color_eyre::Result<u8> {
    let key = journal::key_from_env()?;
    let outcome = match verify_file(&args.log, key, None) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("cutover: {e}");
            return Ok(2);
        }
    };
    let log = args.log.display().to_string();
    let banner = outcome.damage.as_ref().map(|d| {
        format!(
            "DAMAGED LOG {}:{}: {}: {} (replaying the intact part only)",
            inert(&log),
            d.line,
            d.kind,
            inert(&d.message)
        )
    });
    if let (Some(b), false) = (&banner, args.force) {
        eprintln!("cutover: {b}; refusing to replay it (use --force to replay the intact part)");
        return Ok(1);
    }
    let Some(open) = outcome
        .records
        .first()
        .filter(|r| r.kind == cutover_cockpit::core::entry::EntryKind::Open)
    else {
        eprintln!("cutover: {log}: no open record to take the runbook from");
        return Ok(1);
    };
    let open: Option<OpenBody> = cutover_cockpit::core::records::read(&open.body);
    let text = open.map(|o| o.runbook).unwrap_or_default();
    let rb = match runbook::load(&format!("{log} (open record)"), &text) {
        Ok(rb) => rb,
        Err(d) => {
            eprintln!(
                "cutover: {log}: the runbook in its open record does not load: {}",
                d.first().map(|d| d.headline()).unwrap_or_default()
            );
            return Ok(1);
        }
    };
    let abs = std::path::absolute(&args.log).unwrap_or(args.log.clone());
    let mut r = Replayer::new(rb, outcome.records, &abs.display().to_string(), args.speed);
    if let Some(b) = banner {
        r = r.with_banner(b);
    }
    runtime()?.block_on(screen(r))
}

async fn screen(replayer: Replayer) -> color_eyre::Result<u8> {
    let shared = Arc::new(Mutex::new(replayer));
    let (raw_tx, mut raw_rx) = mpsc::channel(64);
    let (tx, rx) = mpsc::channel(256);
    let mut guard = TerminalGuard::enter()?;
    let _keys = spawn_key_reader(raw_tx);
    // replay's own keys are taken here; the rest (help, quit, focus) go to the screen
    let (s, t) = (shared.clone(), tx.clone());
    let keys = tokio::spawn(async move {
        while let Some(ev) = raw_rx.recv().await {
            let ev = match ev {
                AppEvent::Key(k) if replay_key(&s, k) => AppEvent::Changed,
                other => other,
            };
            if t.send(ev).await.is_err() {
                break;
            }
        }
    });
    let s = shared.clone();
    let clock = tokio::spawn(async move {
        let mut every = tokio::time::interval(FRAME);
        loop {
            every.tick().await;
            lock(&s).advance(Dur(FRAME.as_millis() as i64));
            if tx.send(AppEvent::Changed).await.is_err() {
                break;
            }
        }
    });
    let mut ui = UiState::for_view(Theme::from_env(), &lock(&shared).view());
    ui.only_mine = false;
    let out = cutover_cockpit::tui::run(guard.terminal(), rx, &mut Port(shared), &mut ui).await;
    keys.abort();
    clock.abort();
    drop(guard);
    out?;
    Ok(0)
}

fn lock(s: &Arc<Mutex<Replayer>>) -> std::sync::MutexGuard<'_, Replayer> {
    match s.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Handles a replay key; `false` for keys the screen should get.
fn replay_key(s: &Arc<Mutex<Replayer>>, k: KeyEvent) -> bool {
    let mut r = lock(s);
    if r.jump_open() {
        r.jump_key(k);
        return true;
    }
    match k.code {
        KeyCode::Char(' ') => r.toggle_play(),
        KeyCode::Char('+') | KeyCode::Char('=') => r.change_speed(true),
        KeyCode::Char('-') => r.change_speed(false),
        KeyCode::Char('.') => r.step(),
        KeyCode::Char('n') => r.next_decision(),
        KeyCode::Char('p') => r.prev_decision(),
        KeyCode::Char('t') => r.open_jump(),
        _ => return false,
    }
    true
}

struct Port(Arc<Mutex<Replayer>>);

impl CockpitPort for Port {
    fn view(&self) -> CockpitView {
        lock(&self.0).view()
    }
    fn act(&mut self, action: Action) -> ActResult {
        lock(&self.0).act(action)
    }
}
