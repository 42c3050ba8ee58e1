//! The live session: the core's `Cockpit`, the journal that records it, the
//! log tail and the last toast. It carries out the core's effects and is the
//! TUI's `CockpitPort`. The core stays the single owner of cutover state;
//! the session only executes what the core answered.

use crate::app::log_tail::LogTail;
use crate::app::view_model::{build_view, ViewContext};
use crate::core::cockpit::{Action, Cockpit, Effect, Msg, SYSTEM_ACTOR};
use crate::core::entry::{Entry, EntryKind};
use crate::core::sample::ProbeReport;
use crate::core::time::{Dur, Ts};
use crate::journal::{Journal, JournalError, Record};
use crate::probe::Clock;
use crate::tui::view::{CockpitView, Toast, ToastKind};
use crate::tui::{ActResult, CockpitPort};
use serde_json::json;

/// Shown (and returned for every later decision) once the log cannot be written.
pub const LOG_FAILED: &str = "log write failed: decisions are not being recorded";

/// A wall-clock jump larger than this is recorded as a note.
pub const JUMP_NOTE_AFTER: Dur = Dur(60_000);

/// Cockpit + journal + what the screen shows besides the core state.
pub struct Session {
    cockpit: Cockpit,
    journal: Journal,
    operator: String,
    clock: Clock,
    /// How far the wall clock is from ours (`None` where there is no wall clock to compare).
    jump: Option<Box<dyn Fn() -> Dur + Send>>,
    noted_jump: Dur,
    tail: LogTail,
    toast: Option<Toast>,
    failed: Option<String>,
}

impl Session {
    /// Wraps a cockpit and its open journal; `history` fills the log pane.
    pub fn new(
        cockpit: Cockpit,
        journal: Journal,
        operator: &str,
        clock: Clock,
        history: &[Record],
    ) -> Session {
        let mut tail = LogTail::default();
        history.iter().for_each(|r| tail.push(r));
        Session {
            cockpit,
            journal,
            operator: operator.to_string(),
            clock,
            jump: None,
            noted_jump: Dur::ZERO,
            tail,
            toast: None,
            failed: None,
        }
    }

    /// Measures wall-clock jumps with `jump` (see `MonoClock::jump`).
    pub fn with_jump_detector(mut self, jump: impl Fn() -> Dur + Send + 'static) -> Session {
        self.jump = Some(Box::new(jump));
        self
    }

    pub fn cockpit(&self) -> &Cockpit {
        &self.cockpit
    }
    /// For starting up (`begin`, `restart`); effects go through `run_effects`.
    pub fn cockpit_mut(&mut self) -> &mut Cockpit {
        &mut self.cockpit
    }
    pub fn journal(&self) -> &Journal {
        &self.journal
    }
    /// Why the log stopped being written, if it did.
    pub fn failed(&self) -> Option<&str> {
        self.failed.as_deref()
    }
    /// The clock's current time.
    pub fn now(&self) -> Ts {
        (self.clock)()
    }

    /// Runs a core answer that is not an operator's action (begin, restart).
    pub fn run_effects(&mut self, effects: Vec<Effect>, now: Ts) {
        let _ = self.execute(effects, now);
    }

    /// A probe finished: the core records its samples (group-committed).
    pub fn probe(&mut self, report: ProbeReport) {
        let now = self.now();
        let effects = self.cockpit.handle(Msg::Probe(report), now);
        let _ = self.execute(effects, now);
    }

    /// Time passed: re-evaluate, commit what is buffered, note a clock jump.
    pub fn tick(&mut self) {
        let now = self.now();
        self.note_clock_jump(now);
        let effects = self.cockpit.handle(Msg::Tick, now);
        let _ = self.execute(effects, now);
        if self.failed.is_none() {
            if let Err(e) = self.journal.commit() {
                self.fail(&e);
            }
        }
    }

    /// Writes the `close` record (durably). The journal adds the head hash.
    pub fn close(&mut self) -> Result<(), JournalError> {
        let now = self.now();
        let entry = Entry {
            kind: EntryKind::Close,
            actor: self.operator.clone(),
            phase: Some(self.cockpit.phase_id().to_string()),
            body: json!({"operator": self.operator}),
        };
        let r = self.journal.append_durable(entry, now)?;
        self.tail.push(&r);
        Ok(())
    }

    /// Records a wall-clock jump of more than a minute once per new jump.
    fn note_clock_jump(&mut self, now: Ts) {
        let Some(jump) = self.jump.as_ref().map(|f| f()) else {
            return;
        };
        if (jump - self.noted_jump).0.abs() <= JUMP_NOTE_AFTER.0 || self.failed.is_some() {
            return;
        }
        self.noted_jump = jump;
        // said as a direction and a size: a log or report never shows a negative duration
        let dir = if jump.0 < 0 { "back" } else { "forward" };
        let text = format!(
            "system clock jumped {dir} by {}s against the cockpit's monotonic clock; timers keep monotonic time",
            jump.0.abs() / 1000
        );
        log::warn!("{text}");
        let entry = Entry {
            kind: EntryKind::Decision,
            actor: SYSTEM_ACTOR.into(),
            phase: Some(self.cockpit.phase_id().to_string()),
            body: json!({"type": "note", "rationale": text}),
        };
        self.cockpit.apply_record(now, &entry);
        let _ = self.execute(vec![Effect::Append(entry)], now);
    }

    /// Carries out effects in order. Durable kinds are fsynced before the
    /// following `Acknowledged` is returned; returns that acknowledgement.
    fn execute(&mut self, effects: Vec<Effect>, now: Ts) -> Option<ActResult> {
        let mut result = None;
        for effect in effects {
            match effect {
                Effect::Append(entry) => {
                    if self.failed.is_some() {
                        continue;
                    }
                    let durable = entry.kind.is_durable_before_ack();
                    let written = if durable {
                        self.journal.append_durable(entry, now)
                    } else {
                        self.journal.append(entry, now)
                    };
                    match written {
                        Ok(r) => self.tail.push(&r),
                        Err(e) => self.fail(&e),
                    }
                }
                Effect::Acknowledged { message, .. } => {
                    result = Some(match &self.failed {
                        None => ActResult::Acknowledged(message),
                        Some(_) => ActResult::Refused(LOG_FAILED.to_string()),
                    });
                }
                Effect::Refused { reason, .. } => result = Some(ActResult::Refused(reason)),
                Effect::Recommend { message, .. } => {
                    self.toast = Some(Toast {
                        kind: ToastKind::Info,
                        message: format!("recommendation: {message}"),
                    });
                }
                Effect::Notify { template, text } => {
                    log::info!("notify [{template}]: {text} (webhooks are not configured)");
                }
            }
        }
        result
    }

    /// The log can no longer be trusted to record: say so loudly, refuse decisions.
    fn fail(&mut self, e: &JournalError) {
        log::error!("{LOG_FAILED}: {e}");
        self.failed = Some(e.to_string());
        self.toast = Some(Toast {
            kind: ToastKind::Refused,
            message: format!("{LOG_FAILED} ({e})"),
        });
    }
}

impl CockpitPort for Session {
    fn view(&self) -> CockpitView {
        let ctx = ViewContext {
            operator: self.operator.clone(),
            log_path: self.journal.path().display().to_string(),
            checkpoint: self.journal.last_checkpoint().cloned(),
            log_tail: self.tail.lines(),
            toast: self.toast.clone(),
            now: self.now(),
        };
        build_view(&self.cockpit, &ctx)
    }

    fn act(&mut self, action: Action) -> ActResult {
        if self.failed.is_some() {
            return ActResult::Refused(LOG_FAILED.to_string());
        }
        let now = self.now();
        let msg = Msg::Act {
            actor: self.operator.clone(),
            action,
        };
        let effects = self.cockpit.handle(msg, now);
        let result = self.execute(effects, now);
        if self.failed.is_some() {
            return ActResult::Refused(LOG_FAILED.to_string());
        }
        result.unwrap_or(ActResult::Pending)
    }

    /// Writes the filled template next to the log (`LOG.template-ID.txt`),
    /// so it can be pasted into an e-mail or ticket.
    fn save_template(&mut self, id: &str) -> ActResult {
        let now = self.now();
        let Some((_, _, text)) = self
            .cockpit
            .filled_templates(now)
            .into_iter()
            .find(|(t, _, _)| t == id)
        else {
            return ActResult::Refused(format!("no template `{id}` in this runbook"));
        };
        let mut name = self.journal.path().as_os_str().to_owned();
        name.push(format!(".template-{id}.txt"));
        let path = std::path::PathBuf::from(name);
        match std::fs::write(&path, format!("{text}\n")) {
            Ok(()) => {
                ActResult::Acknowledged(format!("template {id} written to {}", path.display()))
            }
            Err(e) => ActResult::Refused(format!("cannot write {}: {e}", path.display())),
        }
    }
}

/// Shared handle: the probe forwarder and the tick task lock it briefly.
pub type SharedSession = std::sync::Arc<std::sync::Mutex<Session>>;

/// Locks a shared session, recovering from a poisoned lock (a panicked
/// holder left the data as consistent as any journal error would).
pub fn lock(s: &SharedSession) -> std::sync::MutexGuard<'_, Session> {
    match s.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// `CockpitPort` over a shared session, for `tui::run`.
pub struct SharedPort(pub SharedSession);

impl CockpitPort for SharedPort {
    fn view(&self) -> CockpitView {
        lock(&self.0).view()
    }
    fn act(&mut self, action: Action) -> ActResult {
        lock(&self.0).act(action)
    }
    fn save_template(&mut self, id: &str) -> ActResult {
        lock(&self.0).save_template(id)
    }
}
