//! The event loop: one channel of [`AppEvent`]s in, frames out.
//!
//! The lead plugs the core in through [`CockpitPort`]. The loop drains every
//! pending event before drawing once, draws only when the view or the
//! screen state changed (an idle tick costs one `view()` and a comparison),
//! and never more than [`MAX_FPS`] times a second. Probe reports
//! ([`AppEvent::Probe`]) fetch the view at most once per [`PROBE_GAP`]:
//! a commander reads the screen at human speed, and with 30 probes every
//! report drawn at once was most of the cockpit's CPU.

use crate::core::cockpit::Action;
use crate::tui::form::{Amendment, Pending, Secret};
use crate::tui::input::{handle_key, Command};
use crate::tui::state::{Overlay, UiState};
use crate::tui::ui::render;
use crate::tui::view::{CockpitView, Toast, ToastKind};
use crossterm::event::KeyEvent;
use ratatui::backend::Backend;
use ratatui::Terminal;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// At most this many frames per second.
pub const MAX_FPS: u32 = 30;

/// Probe reports alone fetch (and so draw) the view at most once this often;
/// keys, actions and decisions still draw at once.
pub const PROBE_GAP: Duration = Duration::from_secs(1);

/// A note ("i") is stale after this long; an answer (done / refused) after [`ANSWER_TTL`].
pub const NOTE_TTL: crate::core::time::Dur = crate::core::time::Dur(10_000);
/// How long an acknowledgement or refusal stays in the footer.
pub const ANSWER_TTL: crate::core::time::Dur = crate::core::time::Dur(60_000);

/// Everything the loop reacts to, from one fan-in channel.
#[derive(Debug, Clone, PartialEq)]
pub enum AppEvent {
    /// A key from the terminal (see `terminal::spawn_key_reader`).
    Key(KeyEvent),
    /// The core's state changed (a decision by someone else, the tick...):
    /// drawn at once.
    Changed,
    /// A probe report moved the core: drawn with the next frame anyway, or
    /// [`PROBE_GAP`] after the last fetch of the view, whichever comes first.
    Probe,
    /// Time passed; redraws only if the view says something new (the clock).
    Tick,
    /// The terminal was resized.
    Resize,
    /// Leave now (signal, or the session ended elsewhere).
    Quit,
}

/// The core's answer to an action taken at this keyboard.
#[derive(Debug, Clone, PartialEq)]
pub enum ActResult {
    /// Accepted and durable (the decision record is fsynced): show this.
    Acknowledged(String),
    /// Refused by a rule: show the rule.
    Refused(String),
    /// Accepted, acknowledgement follows via `view().toast` and `Changed`.
    Pending,
}

/// What the loop needs from the cockpit.
pub trait CockpitPort {
    /// The current state as plain data to draw.
    fn view(&self) -> CockpitView;
    /// Carries out an action of the operator at this keyboard.
    fn act(&mut self, action: Action) -> ActResult;
    /// Writes the filled template `id` to a file; the answer names the file.
    fn save_template(&mut self, id: &str) -> ActResult {
        ActResult::Refused(format!(
            "cannot write template {id}: saving templates is not wired in"
        ))
    }
    /// A key was pressed at this keyboard: keeps an unlocked signing key
    /// unlocked (it locks after 15 minutes without a keypress).
    fn keypress(&mut self) {}
    /// Demo only: act as the next roster owner (`a`); refused elsewhere.
    fn act_as_next(&mut self) -> ActResult {
        ActResult::Refused("acting as another person is only possible in `cutover demo`".into())
    }
    /// The commander's request: the exact differing keys of `dataset`'s
    /// last reconciliation to a 0600 file beside the log; the answer names the file.
    fn write_exact_keys(&mut self, dataset: &str) -> ActResult {
        ActResult::Refused(format!(
            "cannot write the exact keys of {dataset}: not wired in here"
        ))
    }
    /// `Some(why)` when `pending` would be signed with a key that locked
    /// itself (15 minutes without a keypress): the screen asks the
    /// passphrase, masked, before it is done.
    fn passphrase_needed(&mut self, _pending: &Pending) -> Option<String> {
        None
    }
    /// Unlocks the keyboard's signing key with `passphrase` (never kept);
    /// `Ok` says so, `Err` why not (a wrong passphrase).
    fn unlock(&mut self, _passphrase: &Secret) -> Result<String, String> {
        Err("there is no signing key to unlock here".into())
    }
    /// Appends an amendment of an earlier log record (signed when a key is held).
    fn amend(&mut self, a: &Amendment) -> ActResult {
        ActResult::Refused(format!(
            "record #{} cannot be amended here: amend it at the commander's cockpit or with \
             `cutover amend LOG --seq {}`",
            a.seq, a.seq
        ))
    }
}

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The operator confirmed quit (`q` `y`): write the close record.
    Confirmed,
    /// `AppEvent::Quit` arrived or every sender is gone.
    Closed,
}

/// The loop's result: why it ended and how many frames it drew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub exit: Exit,
    pub frames: u64,
}

/// Errors of the terminal edge.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("cannot draw to the terminal: {0}")]
    Draw(String),
    #[error("cannot set up the terminal: {0}")]
    Setup(#[from] std::io::Error),
}

/// Runs the cockpit screen until quit is confirmed or the channel closes.
pub async fn run<B: Backend, P: CockpitPort>(
    terminal: &mut Terminal<B>,
    mut events: mpsc::Receiver<AppEvent>,
    port: &mut P,
    ui: &mut UiState,
) -> Result<Outcome, TuiError> {
    let min_gap = Duration::from_secs(1) / MAX_FPS;
    let mut lp = Loop {
        view: port.view(),
        dirty: true,
        stale: false,
        probed: false,
        fetched_at: Instant::now(),
        exit: None,
        frames: 0,
    };
    let mut last_draw: Option<Instant> = None;
    loop {
        if lp.dirty || lp.stale {
            // everything that arrives within one frame interval is fetched
            // and drawn once: a burst of probe reports builds one view
            if let Some(wait) = last_draw.and_then(|t| min_gap.checked_sub(t.elapsed())) {
                tokio::time::sleep(wait).await;
                lp.drain(&mut events, port, ui);
            }
            if lp.exit.is_some() {
                break;
            }
            lp.catch_up(port, ui);
        }
        if lp.dirty {
            terminal
                .draw(|f| render(f, &lp.view, ui))
                .map_err(|e| TuiError::Draw(e.to_string()))?;
            lp.frames += 1;
            lp.dirty = false;
            last_draw = Some(Instant::now());
        }
        let next = if lp.probed {
            // reports wait for their slot unless something else comes first
            tokio::select! {
                ev = events.recv() => Some(ev),
                () = tokio::time::sleep_until(lp.fetched_at + PROBE_GAP) => None,
            }
        } else {
            Some(events.recv().await)
        };
        match next {
            Some(Some(ev)) => lp.on_event(ev, port, ui),
            Some(None) => lp.exit = Some(Exit::Closed),
            None => lp.stale = true,
        }
        lp.drain(&mut events, port, ui);
        if lp.exit.is_some() {
            break;
        }
    }
    // what the loop leaves behind (notes, selection) agrees with the core's
    // last word, even when quit came before the next frame
    lp.catch_up(port, ui);
    Ok(Outcome {
        exit: lp.exit.unwrap_or(Exit::Closed),
        frames: lp.frames,
    })
}

/// The loop's own bookkeeping (kept apart from `UiState`, which is drawn).
struct Loop {
    /// The view last fetched; keys are interpreted against what is on screen.
    view: CockpitView,
    dirty: bool,
    /// The core moved since `view` was fetched (fetched before the next
    /// frame or key, not once per report).
    stale: bool,
    /// Probe reports arrived since `view` was fetched (fetched with the
    /// next fetch, a key, or at `fetched_at + PROBE_GAP`).
    probed: bool,
    fetched_at: Instant,
    exit: Option<Exit>,
    frames: u64,
}

impl Loop {
    /// Handles every event already waiting, without blocking.
    fn drain<P: CockpitPort>(
        &mut self,
        events: &mut mpsc::Receiver<AppEvent>,
        port: &mut P,
        ui: &mut UiState,
    ) {
        while self.exit.is_none() {
            match events.try_recv() {
                Ok(ev) => self.on_event(ev, port, ui),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => self.exit = Some(Exit::Closed),
            }
        }
    }

    fn on_event<P: CockpitPort>(&mut self, ev: AppEvent, port: &mut P, ui: &mut UiState) {
        if matches!(ev, AppEvent::Key(_)) {
            port.keypress();
            // a key is judged against what the core says now
            self.catch_up(port, ui);
        }
        match ev {
            AppEvent::Key(key) => match handle_key(ui, &self.view, key) {
                None => {}
                Some(Command::Redraw) => self.dirty = true,
                Some(Command::Quit) => self.exit = Some(Exit::Confirmed),
                Some(Command::Act(action)) => self.submit(Pending::Act(action), port, ui),
                Some(Command::Amend(a)) => self.submit(Pending::Amend(a), port, ui),
                Some(Command::Unlock {
                    passphrase,
                    pending,
                }) => self.unlock(&passphrase, *pending, port, ui),
                Some(Command::ActAsNext) => {
                    ui.toast = toast_for(port.act_as_next());
                    ui.toast_at = Some(self.view.now);
                    self.dirty = true;
                    self.refresh(port, ui);
                }
                Some(Command::SaveTemplate(id)) => {
                    ui.toast = toast_for(port.save_template(&id));
                    ui.toast_at = Some(self.view.now);
                    self.dirty = true;
                }
                Some(Command::WriteExactKeys(dataset)) => {
                    ui.toast = toast_for(port.write_exact_keys(&dataset));
                    ui.toast_at = Some(self.view.now);
                    self.dirty = true;
                    self.refresh(port, ui);
                }
            },
            AppEvent::Changed | AppEvent::Tick => self.stale = true,
            AppEvent::Probe => self.probed = true,
            AppEvent::Resize => self.dirty = true,
            AppEvent::Quit => self.exit = Some(Exit::Closed),
        }
    }

    /// Asks the passphrase first when `pending` would be signed with a
    /// locked key; otherwise does it now.
    fn submit<P: CockpitPort>(&mut self, pending: Pending, port: &mut P, ui: &mut UiState) {
        match port.passphrase_needed(&pending) {
            Some(why) => {
                log::info!("{}", crate::core::sanitize::inert(&why));
                ui.overlay = Overlay::Form(crate::tui::open_form::passphrase(pending, why));
                self.dirty = true;
            }
            None => self.perform(pending, port, ui),
        }
    }

    /// The passphrase form was submitted: unlock, then do what waited; a
    /// wrong passphrase brings the form back (empty) saying so.
    fn unlock<P: CockpitPort>(
        &mut self,
        passphrase: &Secret,
        pending: Pending,
        port: &mut P,
        ui: &mut UiState,
    ) {
        match port.unlock(passphrase) {
            Ok(said) => {
                log::info!("{}", crate::core::sanitize::inert(&said));
                self.perform(pending, port, ui);
            }
            Err(why) => {
                log::warn!(
                    "signing key not unlocked: {}",
                    crate::core::sanitize::inert(&why)
                );
                let prompt = port
                    .passphrase_needed(&pending)
                    .unwrap_or_else(|| "type the passphrase again".into());
                let mut form = crate::tui::open_form::passphrase(pending, prompt);
                form.error = Some(why);
                ui.overlay = Overlay::Form(form);
                self.dirty = true;
            }
        }
    }

    /// Sends the action (or the amendment) to the core and shows the answer.
    fn perform<P: CockpitPort>(&mut self, pending: Pending, port: &mut P, ui: &mut UiState) {
        let answer = match &pending {
            Pending::Act(action) => port.act(action.clone()),
            Pending::Amend(a) => port.amend(a),
        };
        let submitted = ui.submitted.take();
        match (&answer, submitted) {
            // refused: the form comes back as typed, with the reason
            (ActResult::Refused(why), Some(mut form)) => {
                form.error = Some(why.clone());
                ui.overlay = Overlay::Form(form);
                ui.toast = None;
                log::warn!("refused: {}", crate::core::sanitize::inert(why));
            }
            _ => {
                ui.toast = toast_for(answer);
                keep_in_diagnostics(ui.toast.as_ref());
            }
        }
        ui.toast_at = Some(self.view.now);
        self.dirty = true;
        self.refresh(port, ui);
    }

    /// Fetches the view if the core moved since the last fetch.
    fn catch_up<P: CockpitPort>(&mut self, port: &P, ui: &mut UiState) {
        if self.stale || self.probed {
            self.refresh(port, ui);
        }
    }

    /// Fetches the view; marks a redraw only if it differs from the last one.
    fn refresh<P: CockpitPort>(&mut self, port: &P, ui: &mut UiState) {
        self.stale = false;
        self.probed = false;
        self.fetched_at = Instant::now();
        let view = port.view();
        if view != self.view {
            if phase_moved(&self.view, &view) {
                // another phase's steps: the old selection would hit the wrong step
                ui.selected[0] = 0;
            }
            if view.recommendations.len() != self.view.recommendations.len() {
                // a note about recommendations would now contradict the panel
                drop_note(ui);
            }
            self.view = view;
            self.dirty = true;
        }
        if expire_toast(ui, self.view.now) {
            self.dirty = true;
        }
    }
}

/// The footer cuts a long answer; the diagnostics pane (`l`) keeps it whole.
fn keep_in_diagnostics(t: Option<&Toast>) {
    let Some(t) = t else { return };
    let text = crate::core::sanitize::inert(&t.message);
    match t.kind {
        ToastKind::Refused => log::warn!("refused: {text}"),
        _ => log::info!("{text}"),
    }
}

/// The steps on screen belong to another phase (or to a rollback plan) now.
fn phase_moved(old: &CockpitView, new: &CockpitView) -> bool {
    let at = |v: &CockpitView| {
        (
            v.current_phase().map(|p| p.id.clone()),
            v.header.rollback.as_ref().map(|r| r.scope.clone()),
        )
    };
    at(old) != at(new)
}

fn drop_note(ui: &mut UiState) {
    if ui.toast.as_ref().is_some_and(|t| t.kind == ToastKind::Info) {
        ui.toast = None;
    }
}

/// Clears a stale footer message; true if one was cleared. The first time
/// a message is seen its age starts (`toast_at`).
pub fn expire_toast(ui: &mut UiState, now: crate::core::time::Ts) -> bool {
    let Some(t) = &ui.toast else {
        ui.toast_at = None;
        return false;
    };
    let since = *ui.toast_at.get_or_insert(now);
    let ttl = match t.kind {
        ToastKind::Info => NOTE_TTL,
        _ => ANSWER_TTL,
    };
    // reading takes wall time: under a sped-up clock the view-time TTL grows with it
    let ttl = crate::core::time::Dur((ttl.0 as f64 * ui.pace.speed()) as i64);
    if now - since > ttl {
        ui.toast = None;
        ui.toast_at = None;
        return true;
    }
    false
}

fn toast_for(r: ActResult) -> Option<Toast> {
    match r {
        ActResult::Acknowledged(message) => Some(Toast {
            kind: ToastKind::Acknowledged,
            message,
        }),
        ActResult::Refused(message) => Some(Toast {
            kind: ToastKind::Refused,
            message,
        }),
        ActResult::Pending => None,
    }
}

/// Sends `Tick` every `every` until the loop is gone (the lead may instead
/// send `Changed` after each core tick).
pub fn spawn_ticks(tx: mpsc::Sender<AppEvent>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if tx.send(AppEvent::Tick).await.is_err() {
                break;
            }
        }
    })
}
