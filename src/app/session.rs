//! The live session: the core's `Cockpit`, the journal that records it, the
//! log tail and the last toast. It carries out the core's effects and is the
//! TUI's `CockpitPort`. The core stays the single owner of cutover state;
//! the session only executes what the core answered.

use crate::app::feed::Feed;
use crate::app::log_tail::LogTail;
use crate::app::view_model::{build_view, ViewContext};
use crate::core::cockpit::{Action, Cockpit, Effect, Msg, SYSTEM_ACTOR};
use crate::core::entry::{Entry, EntryKind};
use crate::core::records::{DecisionAction, DecisionBody};
use crate::core::sample::ProbeReport;
use crate::core::time::{Dur, Ts};
use crate::journal::{Journal, JournalError, Record};
use crate::notify::{Notice, Notifier};
use crate::probe::Clock;
use crate::tui::view::{CockpitView, Toast, ToastKind};
use crate::tui::{ActResult, CockpitPort};

pub use super::shared::{lock, SharedPort, SharedSession};
pub use signed::{Prepared, SignedAnswer};

mod keys;
mod signed;

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
    /// Webhooks; `None` when the config has none.
    notifier: Option<Notifier>,
    /// Sequence number of the last checkpoint sent to the webhooks.
    sent_checkpoint: Option<u64>,
    /// Tells the team server that state moved and which records were appended.
    feed: Feed,
    /// The checkpoint sidecar's write error last shown, if any.
    checkpoint_error: Option<String>,
    /// The keys the keyboard signs with: the operator's (`run --key`), or
    /// in the demo a throw-away key per roster owner.
    signers: Vec<crate::sign::holder::KeyHolder>,
    /// An action from this keyboard is being taken (only those are signed
    /// here: a follower signs on their own machine).
    at_keyboard: bool,
    /// The log's `open` record says this is a rehearsal: the header says so.
    rehearsal: bool,
    /// Demo only: the keyboard may act as the roster's other owners (so a
    /// newcomer can get through sign-offs alone); `Some(who)` while it does.
    demo_acting: Option<Option<String>>,
    /// The public keys pinned in the log's open record: a follower's
    /// signature is checked against these.
    roster: crate::journal::signed::Roster,
    /// Per follower: the record they were handed to sign (`prepare_signed`).
    tickets: std::collections::HashMap<String, signed::Ticket>,
    /// While a follower's signed action executes: their signature and key.
    presigned: Option<signed::Presigned>,
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
            notifier: None,
            sent_checkpoint: None,
            feed: Feed::default(),
            checkpoint_error: None,
            signers: Vec::new(),
            at_keyboard: false,
            rehearsal: history.first().is_some_and(crate::journal::is_rehearsal),
            demo_acting: None,
            roster: history
                .first()
                .map(|r| crate::journal::signed::Roster::from_open_body(&r.body))
                .unwrap_or_default(),
            tickets: std::collections::HashMap::new(),
            presigned: None,
        }
    }

    /// Demo only: lets the keyboard act as the roster's other owners
    /// (`a` cycles), visibly and logged as such (`demo_keyboard` in the body).
    pub fn enable_demo_acting(&mut self) {
        self.demo_acting = Some(None);
    }

    /// Whom the keyboard acts as now (the operator unless acting in the demo).
    fn keyboard_actor(&self) -> String {
        match &self.demo_acting {
            Some(Some(who)) => who.clone(),
            _ => self.operator.clone(),
        }
    }

    /// Signs the operator's decisions with this key from now on.
    pub fn set_signer(&mut self, signer: Option<crate::sign::holder::KeyHolder>) {
        self.signers = signer.into_iter().collect();
    }

    /// Demo only: the keyboard signs, for whoever it acts as, with these
    /// throw-away keys (their public halves are pinned in the open record).
    pub fn set_demo_keys(&mut self, keys: Vec<crate::sign::Unlocked>) {
        let now = self.now();
        self.signers = keys
            .into_iter()
            .map(|k| crate::sign::holder::KeyHolder::throw_away(k, now))
            .collect();
    }

    /// Whether the keyboard signs with throw-away demo keys.
    pub fn throw_away_keys(&self) -> bool {
        self.signers.iter().any(|h| h.is_throw_away())
    }

    /// `Some(reason)` when `action` must be signed (`require_signature`) and
    /// `actor` cannot sign it here. Keyboard activity keeps the key unlocked.
    fn unsigned_refusal(&mut self, actor: &str, action: &Action, now: Ts) -> Option<String> {
        let at_keyboard = self.at_keyboard;
        let holder = self
            .signers
            .iter_mut()
            .find(|h| at_keyboard && h.owner_id() == actor);
        let has_key = holder.is_some();
        let unlocked = match holder {
            Some(h) => {
                let ok = h.unlocked(now).is_some();
                h.activity(now);
                ok
            }
            None => false,
        };
        let kind = crate::sign::holder::decision_type(action)?;
        let required = self
            .cockpit
            .runbook()
            .require_signature
            .iter()
            .any(|r| r == kind);
        let follower = (!at_keyboard).then_some(actor);
        (required && !unlocked).then(|| crate::sign::holder::refusal(kind, has_key, follower))
    }

    /// Sends the core's notices and the journal's checkpoints to webhooks.
    pub fn with_notifier(mut self, notifier: Notifier) -> Session {
        self.notifier = Some(notifier);
        self
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
    /// Change notification for the team server.
    pub fn feed(&self) -> &Feed {
        &self.feed
    }
    /// Seq of the last record written (the log head), if any.
    pub fn head_seq(&self) -> Option<u64> {
        self.journal.next_seq().checked_sub(1)
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
        self.note_notify_problems(now);
        let effects = self.cockpit.handle(Msg::Tick, now);
        let _ = self.execute(effects, now);
        self.commit_now();
        self.note_checkpoint_error();
        self.publish_checkpoint(now);
    }

    /// A checkpoint sidecar (`LOG.checkpoint`) that could not be written is
    /// shown once per new reason, on screen and in the diagnostics pane: the
    /// log itself is intact, but the copy held elsewhere is falling behind.
    fn note_checkpoint_error(&mut self) {
        let err = self.journal.checkpoint_error();
        if err == self.checkpoint_error {
            return;
        }
        if let Some(why) = &err {
            let message = format!("checkpoint not written: {why}");
            log::error!("{message}");
            self.toast = Some(Toast {
                kind: ToastKind::Refused,
                message,
            });
        }
        self.checkpoint_error = err;
    }

    /// Writes the `close` record (durably). The journal adds the head hash.
    pub fn close(&mut self) -> Result<(), JournalError> {
        let now = self.now();
        // the probe reports since the last tick, and every running `for`
        // timer as it stands, before the log ends: a resume continues them
        let pending = self.cockpit.flush_observations();
        let _ = self.execute(pending, now);
        let timers = self.cockpit.checkpoint_timers(now);
        let _ = self.execute(timers, now);
        let body = crate::core::records::CloseBody {
            operator: self.operator.clone(),
            head: None,
        };
        let phase = Some(self.cockpit.phase_id());
        let entry = Entry::with_body(EntryKind::Close, &self.operator, phase, &body);
        let r = self.journal.append_durable(entry, now)?;
        self.tail.push(&r);
        self.feed.record(&r);
        self.feed.changed();
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
        self.system_note(now, text);
    }

    /// Records webhook failures (already logged by the notifier) as notes.
    fn note_notify_problems(&mut self, now: Ts) {
        let problems = match &self.notifier {
            Some(n) => n.take_problems(),
            None => return,
        };
        for text in problems {
            if self.failed.is_none() {
                self.system_note(now, format!("notification: {text}"));
            }
        }
    }

    /// A `note` decision by `system` (clock jumps, notification failures).
    fn system_note(&mut self, now: Ts, text: String) {
        let body = DecisionBody {
            action: DecisionAction::Note,
            rationale: text,
            snapshot: None,
            settles: Vec::new(),
            authority: None,
            demo_keyboard: None,
        };
        let phase = Some(self.cockpit.phase_id());
        let entry = Entry::with_body(EntryKind::Decision, SYSTEM_ACTOR, phase, &body);
        self.cockpit.apply_record(now, &entry);
        let _ = self.execute(vec![Effect::Append(entry)], now);
    }

    /// Queues a notice for the webhooks (never waits on the network).
    fn notify(&mut self, event: &str, text: String, now: Ts) {
        let Some(n) = &self.notifier else {
            log::info!("notify [{event}]: {text} (webhooks are not configured)");
            return;
        };
        n.enqueue(Notice {
            event: event.to_string(),
            text,
            runbook: self.cockpit.runbook().name.clone(),
            phase: self.phase_name(),
            time: now,
            checkpoint: None,
        });
    }

    fn phase_name(&self) -> String {
        self.cockpit
            .phase()
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    /// Sends the journal's newest checkpoint to the webhooks once.
    fn publish_checkpoint(&mut self, now: Ts) {
        let Some(n) = &self.notifier else { return };
        let Some(cp) = self.journal.last_checkpoint() else {
            return;
        };
        if self.sent_checkpoint == Some(cp.seq) {
            return;
        }
        self.sent_checkpoint = Some(cp.seq);
        let runbook = &self.cockpit.runbook().name;
        n.enqueue(Notice::checkpoint(
            cp.seq,
            &cp.hash,
            runbook,
            &self.phase_name(),
            now,
        ));
    }

    /// Carries out effects in order and returns the acknowledgement, if any.
    ///
    /// The unit of durability is the action: every record appended before
    /// an `Acknowledged` (the action's decision and the records that follow
    /// from it) is written and fsynced in one commit before the
    /// acknowledgement is returned. Records of kinds that open, resume or
    /// close the log are committed at once; observations and transitions
    /// are group-committed at the next tick.
    fn execute(&mut self, effects: Vec<Effect>, now: Ts) -> Option<ActResult> {
        let mut result = None;
        for effect in effects {
            match effect {
                Effect::Append(mut entry) => {
                    if self.failed.is_some() {
                        continue;
                    }
                    self.demo_stamp(&mut entry);
                    let commit_now = entry.kind.is_lifecycle();
                    let presigned = self.presigned.take_if(|p| p.signs(&entry));
                    let sign = match self.at_keyboard {
                        true => self
                            .signers
                            .iter_mut()
                            .find_map(|h| h.for_entry(&entry, now)),
                        false => None,
                    };
                    let written = match (presigned, sign) {
                        (Some(p), _) => {
                            self.journal.append_presigned(entry, now, &p.member, &p.key)
                        }
                        (None, Some((key, meaning))) => {
                            self.journal.append_signed(entry, now, key, meaning)
                        }
                        (None, None) => self.journal.append(entry, now),
                    };
                    match written {
                        Ok(r) => {
                            self.tail.push(&r);
                            self.feed.record(&r);
                        }
                        Err(e) => self.fail(&e),
                    }
                    if commit_now {
                        self.commit_now();
                    }
                }
                Effect::Acknowledged { message, .. } => {
                    // the whole action on disk before the person hears "done"
                    self.commit_now();
                    result = Some(match &self.failed {
                        None => ActResult::Acknowledged(message),
                        Some(_) => ActResult::Refused(LOG_FAILED.to_string()),
                    });
                }
                Effect::Refused { reason, .. } => result = Some(ActResult::Refused(reason)),
                // The recommendations panel and the footer show it from the
                // state, so it disappears from both once it is settled.
                Effect::Recommend { .. } => {}
                Effect::Notify { template, text } => self.notify(&template, text, now),
            }
        }
        self.publish_checkpoint(now);
        self.feed.changed();
        result
    }

    /// Demo only: a record of an action taken while the keyboard acts as
    /// another owner says who was really at the keyboard.
    fn demo_stamp(&self, entry: &mut Entry) {
        if let Some(Some(_)) = &self.demo_acting {
            if matches!(entry.kind, EntryKind::Decision | EntryKind::Step)
                && entry.actor != SYSTEM_ACTOR
            {
                entry.body["demo_keyboard"] = serde_json::Value::from(self.operator.as_str());
            }
        }
    }

    /// Writes and fsyncs what is buffered; a failure fails the session.
    fn commit_now(&mut self) {
        if self.failed.is_none() {
            if let Err(e) = self.journal.commit() {
                self.fail(&e);
            }
        }
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

impl Session {
    /// The screen as `operator` sees it (a team member through `--serve`):
    /// their commander flag and "my steps"; the keyboard's toast is not theirs.
    pub fn view_for(&self, operator: &str) -> CockpitView {
        let toast = match operator == self.operator {
            true => self.toast.clone(),
            false => None,
        };
        let ctx = ViewContext {
            operator: operator.to_string(),
            log_path: self.journal.path().display().to_string(),
            checkpoint: self.journal.last_checkpoint().cloned(),
            log_tail: self.tail.lines(),
            toast,
            now: self.now(),
        };
        let mut v = build_view(&self.cockpit, &ctx);
        v.header.rehearsal = self.rehearsal;
        v
    }

    /// `actor` does `action` (the keyboard's operator, or a team member
    /// authenticated by `--serve`): the same core rules decide either way.
    pub fn act_as(&mut self, actor: &str, action: Action) -> ActResult {
        if self.failed.is_some() {
            return ActResult::Refused(LOG_FAILED.to_string());
        }
        let now = self.now();
        if let Some(reason) = self.unsigned_refusal(actor, &action, now) {
            return ActResult::Refused(reason);
        }
        let msg = Msg::Act {
            actor: actor.to_string(),
            action,
        };
        let effects = self.cockpit.handle(msg, now);
        let result = self.execute(effects, now);
        if self.failed.is_some() {
            return ActResult::Refused(LOG_FAILED.to_string());
        }
        result.unwrap_or(ActResult::Pending)
    }
}

impl CockpitPort for Session {
    fn view(&self) -> CockpitView {
        let who = self.keyboard_actor();
        let mut v = self.view_for(&who);
        // comparisons running now live in the probe tasks, not in the core
        for ds in &mut v.datasets {
            ds.running = crate::probe::progress::of(&ds.dataset).map(|p| {
                (
                    Dur(p.elapsed.as_millis().min(i64::MAX as u128) as i64),
                    p.segments,
                    p.rows,
                )
            });
        }
        v.header.signing_locked = self.signing_locked();
        if let Some(acting) = &self.demo_acting {
            v.toast = self.toast.clone();
            v.forms.acting_as = acting.clone();
            v.forms.demo_keyboard = Some(self.operator.clone());
        }
        v
    }

    fn keypress(&mut self) {
        let now = self.now();
        for h in &mut self.signers {
            h.activity(now);
        }
    }

    fn act(&mut self, action: Action) -> ActResult {
        let actor = self.keyboard_actor();
        self.at_keyboard = true;
        let result = self.act_as(&actor, action);
        self.at_keyboard = false;
        match result {
            ActResult::Acknowledged(m) if actor != self.operator => {
                ActResult::Acknowledged(format!("{m}; acting as {actor} (demo only)"))
            }
            other => other,
        }
    }

    /// Demo only: the next roster owner to act as (back to the operator after the last).
    fn act_as_next(&mut self) -> ActResult {
        let Some(acting) = &self.demo_acting else {
            return ActResult::Refused(
                "acting as another person is only possible in `cutover demo`".into(),
            );
        };
        let ids: Vec<String> = self
            .cockpit
            .runbook()
            .owners
            .iter()
            .map(|o| o.id.clone())
            .filter(|id| *id != self.operator)
            .collect();
        let next = match acting {
            None => ids.first().cloned(),
            Some(cur) => ids
                .iter()
                .position(|id| id == cur)
                .and_then(|i| ids.get(i + 1).cloned()),
        };
        self.demo_acting = Some(next.clone());
        ActResult::Acknowledged(match next {
            Some(who) => format!("acting as {who} (demo only): the next actions are theirs"),
            None => format!("acting as yourself ({}) again", self.operator),
        })
    }

    /// The commander's request: `dataset`'s exact differing keys (from the
    /// last reconciliation in this process) to a 0600 file beside the log,
    /// and a note in the log that names the file and the count, never a key.
    fn passphrase_needed(&mut self, pending: &crate::tui::form::Pending) -> Option<String> {
        Session::passphrase_needed(self, pending)
    }

    fn unlock(&mut self, passphrase: &crate::tui::form::Secret) -> Result<String, String> {
        Session::unlock(self, passphrase.as_bytes())
    }

    fn amend(&mut self, a: &crate::tui::form::Amendment) -> ActResult {
        Session::amend(self, a)
    }

    fn write_exact_keys(&mut self, dataset: &str) -> ActResult {
        if self.cockpit.commander() != self.operator {
            return ActResult::Refused(format!(
                "only the commander ({}) can write the exact keys",
                self.cockpit.commander()
            ));
        }
        let Some(d) = crate::probe::exact::last(dataset) else {
            return ActResult::Refused(format!(
                "no reconciliation result for {dataset} in this session yet"
            ));
        };
        let path = match crate::probe::exact::write(self.journal.path(), dataset, &d) {
            Ok(p) => p,
            Err(e) => {
                return ActResult::Refused(format!("cannot write the exact keys of {dataset}: {e}"))
            }
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = format!(
            "exact differing keys of dataset {dataset} written to {name} ({} keys, mode 0600)",
            d.keys.len()
        );
        let operator = self.operator.clone();
        match self.act_as(&operator, Action::Note { text: text.clone() }) {
            ActResult::Refused(why) => ActResult::Refused(format!(
                "{name} written, but the log note was refused: {why}"
            )),
            _ => ActResult::Acknowledged(text),
        }
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
