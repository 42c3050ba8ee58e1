//! `cutover run RUNBOOK --config CONFIG --log LOG --as OWNER`: the live cockpit.
//! Exit 0 on quit, 1 when the log is refused, 2 on usage/IO/invalid input.

use crate::cli::RunArgs;
use color_eyre::eyre::WrapErr;
use cutover_cockpit::app::live::{run_screen, spawn_feeders_at};
use cutover_cockpit::app::session::{lock, SharedSession};
use cutover_cockpit::app::start::{self, Loaded, Opened};
use cutover_cockpit::clock::MonoClock;
use cutover_cockpit::notify::{Notifier, RetryPolicy, QUEUE_CAP};
use cutover_cockpit::probe::Clock;
use cutover_cockpit::serve::{self, OnChange, ServeHandle, ServeOptions};
use cutover_cockpit::sign::holder::KeyHolder;
use cutover_cockpit::sign::keyfile::KeyFile;
use cutover_cockpit::sign::{passphrase, Unlocked};
use cutover_cockpit::tui::terminal::{init_diagnostics, spawn_key_reader, TerminalGuard};
use cutover_cockpit::tui::view::Toast;
use cutover_cockpit::tui::{AppEvent, CockpitPort, Exit, Theme, UiState};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

pub fn run(args: RunArgs) -> color_eyre::Result<u8> {
    let mut loaded = match start::load(&args.runbook, &args.config).and_then(|l| {
        let label = args.config.display().to_string();
        start::check_env(&l, &label, |n| std::env::var(n).ok()).map(|()| l)
    }) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Ok(e.exit_code());
        }
    };
    if !args.baseline.is_empty() {
        match cutover_cockpit::app::baseline::load(&args.baseline, &loaded.runbook_text) {
            Ok(b) => loaded.baseline = Some(b),
            Err(e) => {
                eprintln!("cutover: {e}");
                return Ok(e.exit_code());
            }
        }
    }
    let signer = match &args.key {
        None => Keys::None,
        Some(path) => match unlock_for(&loaded, &args.as_owner, path) {
            Ok(k) => Keys::Operator(Box::new(k)),
            Err(code) => return Ok(code),
        },
    };
    let serve = args.serve.serve.as_deref();
    runtime()?.block_on(live_with(
        &loaded,
        &args.log,
        &args.as_owner,
        serve,
        None,
        signer,
        false,
    ))
}

/// `--key FILE`: the key must be OWNER's `signing_key` in the runbook; the
/// passphrase is asked once, here, before the screen starts (both
/// components: the owner id of `--as` and the passphrase). The key file
/// (still sealed) is kept so the screen can ask the passphrase again once
/// the key locked itself. Exit 1 refused.
fn unlock_for(loaded: &Loaded, owner: &str, path: &Path) -> Result<SealedKey, u8> {
    let kf = KeyFile::read(path).map_err(|e| {
        eprintln!("cutover: {e}");
        2
    })?;
    let roster_key = loaded
        .runbook
        .owners
        .iter()
        .find(|o| o.id == owner)
        .and_then(|o| o.signing_key.as_deref());
    if kf.owner != owner || roster_key != Some(kf.public.as_str()) {
        eprintln!(
            "cutover: {} is not {owner}'s signing_key in the runbook's roster (key {} of {}); nothing is signed with it",
            path.display(),
            kf.fingerprint(),
            kf.owner
        );
        return Err(1);
    }
    let pass = passphrase::read(
        &format!("Passphrase for {} ({owner}): ", path.display()),
        false,
    )
    .map_err(|e| {
        eprintln!("cutover: {e}");
        2
    })?;
    let key = kf.unlock(pass.as_bytes(), path).map_err(|e| {
        eprintln!("cutover: {e}");
        1
    })?;
    Ok(SealedKey {
        key,
        file: kf,
        path: path.to_path_buf(),
    })
}

/// An unlocked key with the key file it came from (to unlock it again).
pub struct SealedKey {
    pub key: Unlocked,
    pub file: KeyFile,
    pub path: std::path::PathBuf,
}

/// The keys the cockpit's keyboard signs with.
pub enum Keys {
    None,
    /// `run --key`: the operator's, unlocked with their passphrase.
    Operator(Box<SealedKey>),
    /// `demo`: a throw-away key per roster owner (already pinned in the runbook).
    ThrowAway(Vec<Unlocked>),
}

/// Called once, when the team server listens, with its URL (diagnostics are
/// set up by then); may return a toast for the cockpit's first screen.
pub type OnServing<'a> = Box<dyn FnOnce(&str) -> Option<Toast> + 'a>;

/// The async runtime the cockpit runs on (2 workers: probes are IO-bound).
pub fn runtime() -> color_eyre::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// Opens (or resumes) `log` and runs the cockpit screen until quit; with
/// `serve` (an address, or "" for the config's), also serves it to the team.
pub async fn live(
    loaded: &Loaded,
    log: &Path,
    operator: &str,
    serve: Option<&str>,
    on_serving: Option<OnServing<'_>>,
    demo: bool,
) -> color_eyre::Result<u8> {
    live_with(loaded, log, operator, serve, on_serving, Keys::None, demo).await
}

/// [`live`] with the operator's unlocked signing key (`run --key`).
pub async fn live_with(
    loaded: &Loaded,
    log: &Path,
    operator: &str,
    serve: Option<&str>,
    on_serving: Option<OnServing<'_>>,
    signer: Keys,
    demo: bool,
) -> color_eyre::Result<u8> {
    let serve_opts = match serve.map(|s| ServeOptions::from_config(&loaded.config, Some(s))) {
        Some(Err(e)) => {
            eprintln!("cutover: {e}");
            return Ok(2);
        }
        Some(Ok(o)) => Some(o),
        None => None,
    };
    let (session, clock, log_path) = match open_live(loaded, log, operator, signer) {
        Ok(opened) => opened,
        Err(code) => return Ok(code),
    };

    let (tx, rx) = mpsc::channel(256);
    let server = match serve_opts {
        None => None,
        Some(opts) => match start_server(session.clone(), opts, tx.clone()).await {
            Ok(h) => Some(h),
            Err(e) => {
                eprintln!("cutover: {e}");
                return Ok(2);
            }
        },
    };
    let first_toast = match (&server, on_serving) {
        (Some(h), Some(hook)) => hook(&h.url()),
        _ => None,
    };
    let first_toast = match demo {
        true => {
            lock(&session).enable_demo_acting();
            // the solo way through every phase, said on the first screen
            first_toast.or_else(|| {
                Some(cutover_cockpit::tui::view::Toast {
                    kind: cutover_cockpit::tui::view::ToastKind::Info,
                    message: match lock(&session).throw_away_keys() {
                        true => "demo: sign-offs are signed with THROW-AWAY keys made for this demo (no passphrase); press a to act as another owner (e.g. dr-lee), a again for the next".into(),
                        false => "demo: press a to act as another owner (e.g. dr-lee for a sign-off); a again for the next, back to you after the last".into(),
                    },
                })
            })
        }
        false => first_toast,
    };
    let mut guard = TerminalGuard::enter()?;
    let _keys = spawn_key_reader(tx.clone());
    let signals = spawn_signal_quit(tx.clone());
    let feeders = spawn_feeders_at(
        session.clone(),
        Some(&loaded.config),
        clock,
        loaded.pace,
        tx,
    );
    let mut ui = UiState::for_view(Theme::from_env(), &lock(&session).view());
    ui.pace = loaded.pace;
    ui.toast = first_toast;
    let outcome = run_screen(guard.terminal(), session.clone(), rx, feeders, &mut ui).await;
    drop(guard);
    signals.abort();

    let mut code = 0;
    if matches!(outcome, Ok(o) if o.exit == Exit::Confirmed) {
        if let Err(e) = lock(&session).close() {
            eprintln!("cutover: cannot write the close record: {e}");
            code = 1;
        }
    }
    println!("cutover log: {}", log_path.display());
    outcome?;
    Ok(code)
}

/// The session of `live` (log opened or resumed, clock, notifier), shared
/// with the feeders and the server; `Err` is the exit code after saying why.
fn open_live(
    loaded: &Loaded,
    log: &Path,
    operator: &str,
    signer: Keys,
) -> Result<(SharedSession, Clock, std::path::PathBuf), u8> {
    let mut mono = MonoClock::start().at_speed(loaded.pace.speed());
    if loaded.rehearsal {
        // a resumed rehearsal ran ahead of the wall clock: carry on from its last record
        if let Some(last) = last_ts(log) {
            mono = mono.not_before(last);
        }
    }
    let clock: Clock = Arc::new(move || mono.now());
    let (session, opened) = match start::open_session(loaded, log, operator, clock.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cutover: {e}");
            return Err(e.exit_code());
        }
    };
    let log_path = std::path::absolute(log).unwrap_or_else(|_| log.to_path_buf());
    // a second init (tests, demo after run) is harmless: keep the first logger
    let _ = init_diagnostics(log::LevelFilter::Info);
    let mut session = session.with_jump_detector(move || mono.jump());
    match signer {
        Keys::None => {}
        Keys::Operator(k) => {
            let SealedKey { key, file, path } = *k;
            session.set_signer(Some(KeyHolder::from_file(key, file, &path, clock())))
        }
        Keys::ThrowAway(keys) => session.set_demo_keys(keys),
    }
    if !loaded.config.webhooks.is_empty() {
        let env = |name: &str| std::env::var(name).ok();
        let notifier = Notifier::spawn(
            &loaded.config.webhooks,
            env,
            RetryPolicy::default(),
            QUEUE_CAP,
        );
        session = session.with_notifier(notifier);
    }
    let session: SharedSession = Arc::new(Mutex::new(session));
    announce(&opened, &log_path);
    Ok((session, clock, log_path))
}

/// The time of the last readable record of `log`, if it exists.
fn last_ts(log: &Path) -> Option<cutover_cockpit::core::time::Ts> {
    if !log.exists() {
        return None;
    }
    let records = cutover_cockpit::journal::read_records(log).ok()?;
    records.last().map(|r| r.ts())
}

/// The team server; a follower's action wakes the screen at once.
async fn start_server(
    session: SharedSession,
    opts: ServeOptions,
    tx: mpsc::Sender<AppEvent>,
) -> Result<ServeHandle, cutover_cockpit::serve::ServeError> {
    let on_change: OnChange = Arc::new(move || {
        // a full queue already holds a redraw
        let _ = tx.try_send(AppEvent::Changed);
    });
    let h = serve::start(session, opts, Some(on_change)).await?;
    log::info!("serving the cockpit to the team on {}", h.url());
    Ok(h)
}

fn announce(opened: &Opened, log: &Path) {
    match opened {
        Opened::Created => log::info!("new cutover log {}", log.display()),
        Opened::Resumed { torn: None } => log::info!("resumed cutover log {}", log.display()),
        Opened::Resumed { torn: Some(t) } => log::warn!(
            "resumed cutover log {}; a torn last line ({} bytes at offset {}) was moved to {}",
            log.display(),
            t.len,
            t.offset,
            t.moved_to.display()
        ),
    }
}

/// SIGTERM/SIGHUP end the screen cleanly (terminal restored, log path
/// printed). No close record: only a confirmed quit closes the log.
fn spawn_signal_quit(tx: mpsc::Sender<AppEvent>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
        log::warn!("signal received: leaving the cockpit without a close record");
        let _ = tx.send(AppEvent::Quit).await;
    })
}
