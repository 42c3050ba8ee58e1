//! The cockpit state machine: `Cockpit::handle(msg, now) -> Vec<Effect>`.
//!
//! Every change of durable state goes through a log entry: `handle` checks
//! the rules, builds the entries, and applies them with the same
//! [`Cockpit::apply_record`] that rebuilds a cockpit from a log. So folding
//! the log's records gives the state the live session had (timers up to the
//! last checkpoint; see docs/decision-core.md).

mod actions;
mod apply;
mod authority;
mod board;
mod decisions;
pub mod forecast;
pub mod msg;
mod notify;
mod people;
pub mod records;
pub mod state;
mod status;
mod steps;
mod tick;

pub use authority::Authority;
pub use msg::{Action, Answer, Effect, IssueSeverity, Msg};
pub use records::OVERRUN_ID;
pub use state::*;

use crate::entry::{Entry, EntryKind};
use crate::gate::GateStatus;
use crate::metrics::{MetricStore, DEFAULT_CAP};
use crate::runbook::{Phase, Runbook};
use crate::threshold::ThresholdStatus;
use crate::time::{Dur, Ts};
use std::collections::BTreeMap;

/// Actor name of records the cockpit writes by itself (evaluations, probes).
pub const SYSTEM_ACTOR: &str = "cockpit";

/// The live (or replayed) state of a cutover.
#[derive(Debug, Clone)]
pub struct Cockpit {
    runbook: Runbook,
    window: Window,
    commander: String,
    phase: PhaseState,
    steps: Vec<StepStatus>,
    gates: Vec<GateStatus>,
    thresholds: Vec<ThresholdStatus>,
    signoffs: Vec<SignOffStatus>,
    waivers: Vec<Waiver>,
    hold: Option<Hold>,
    rollback: Option<RollbackState>,
    recommendations: Vec<Recommendation>,
    /// Recommendations settled while their threshold is still breached.
    handled: Vec<Handled>,
    /// The latest hold, resume, go and rollback (for templates).
    last: BTreeMap<String, LastDecision>,
    issues: Vec<Issue>,
    endpoints: BTreeMap<String, EndpointStatus>,
    overrun_raised: bool,
    store: MetricStore,
    /// Probe reports applied live but not yet handed out as an `observe`
    /// record: the next record (at the latest the next tick) carries them.
    unlogged: Vec<crate::records::ReportBody>,
}

impl Cockpit {
    /// A cockpit at the start of a new log (`now` = the log's start), in the first phase.
    pub fn new(runbook: Runbook, now: Ts) -> Cockpit {
        let window = Window::new(&runbook, now);
        let steps = runbook
            .phases
            .iter()
            .flat_map(|p| p.steps.iter().map(move |s| StepStatus::new(Some(&p.id), s)))
            .collect();
        let gates = runbook
            .gates()
            .map(|(p, g)| GateStatus::new(&p.id, g))
            .collect();
        let thresholds = runbook
            .thresholds
            .iter()
            .map(ThresholdStatus::new)
            .collect();
        let signoffs = runbook
            .phases
            .iter()
            .flat_map(|p| {
                p.signoffs.iter().map(move |s| SignOffStatus {
                    phase: p.id.clone(),
                    role: s.role.clone(),
                    owner: s.owner.clone(),
                    given_at: None,
                })
            })
            .collect();
        let retain = longest_window(&runbook).max(Dur::from_mins(60));
        let mut store = MetricStore::new(DEFAULT_CAP, retain, Dur::from_secs(20));
        // the cockpit's own metrics are computed every tick: never stale
        for name in crate::derived::names(runbook.rollbacks.iter().map(|r| r.scope.as_str())) {
            store.set_stale_override(&name, None);
        }
        Cockpit {
            commander: runbook.commander.clone(),
            window,
            phase: PhaseState {
                index: 0,
                entered_at: now,
                needs_reentry: false,
                finished: false,
            },
            steps,
            gates,
            thresholds,
            signoffs,
            waivers: Vec::new(),
            hold: None,
            rollback: None,
            recommendations: Vec::new(),
            handled: Vec::new(),
            last: BTreeMap::new(),
            issues: Vec::new(),
            endpoints: BTreeMap::new(),
            overrun_raised: false,
            store,
            runbook,
            unlogged: Vec::new(),
        }
    }

    /// Sets the staleness of every bare metric to one value.
    pub fn set_stale_after(&mut self, stale_after: Dur) {
        self.store.set_stale_after(stale_after);
    }

    /// Sets the staleness of bare metrics per metric, as the config says
    /// (`Config::staleness`: each probe's `stale_after`, else `[poll]
    /// stale_after`, else 3 x its interval). The cockpit's own metrics stay
    /// never stale.
    pub fn set_staleness(&mut self, s: &crate::config::Staleness) {
        self.store.set_stale_after(s.default);
        for (name, d) in &s.metrics {
            if !crate::derived::is_derived(name) {
                self.store.set_stale_override(name, Some(*d));
            }
        }
    }

    /// Earlier runs of this runbook (`--baseline` logs): `baseline()` in
    /// expressions, per-step P50/P90 for the forecast.
    pub fn set_baseline(&mut self, baseline: std::sync::Arc<crate::baseline::Baseline>) {
        self.store.set_baseline(baseline);
    }

    /// The first record of a new log after `open`: the first phase is entered.
    pub fn begin(&mut self, now: Ts) -> Vec<Effect> {
        let e = records::phase_entry(
            SYSTEM_ACTOR,
            crate::records::PhaseEvent::Entered,
            self.phase_id(),
            false,
        );
        self.commit(now, vec![e])
    }

    /// A restart picked the log up: time not running must not count in any
    /// `for` timer. `body` says what happened (e.g. a torn line moved aside).
    pub fn restart(&mut self, now: Ts, body: &crate::records::ResumeBody) -> Vec<Effect> {
        let e = Entry::with_body(EntryKind::Resume, SYSTEM_ACTOR, Some(self.phase_id()), body);
        self.commit(now, vec![e])
    }

    /// Rebuilds a cockpit from a log's records (the first one's time is the
    /// log start). Records that do not fit the runbook are skipped.
    pub fn replay(runbook: Runbook, entries: impl IntoIterator<Item = (Ts, Entry)>) -> Cockpit {
        Cockpit::replay_with_baseline(runbook, entries, None)
    }

    /// As [`Cockpit::replay`], with the `--baseline` runs the live cockpit
    /// had, so that `for` timers over `baseline()` (and the forecast) are
    /// rebuilt as they ran.
    pub fn replay_with_baseline(
        runbook: Runbook,
        entries: impl IntoIterator<Item = (Ts, Entry)>,
        baseline: Option<std::sync::Arc<crate::baseline::Baseline>>,
    ) -> Cockpit {
        let mut it = entries.into_iter().peekable();
        let start = it.peek().map(|(t, _)| *t).unwrap_or(Ts(0));
        let mut c = Cockpit::new(runbook, start);
        if let Some(b) = baseline {
            c.set_baseline(b);
        }
        for (ts, e) in it {
            c.apply_record(ts, &e);
        }
        c
    }

    /// Reacts to one message at `now`. Entries in `Effect::Append` must be
    /// written with this same `now` as their `ts`, so a replay matches.
    pub fn handle(&mut self, msg: Msg, now: Ts) -> Vec<Effect> {
        match msg {
            Msg::Probe(report) => {
                // Applied now (the screen shows it at once), logged in one
                // batch with the others at the next record or tick.
                let body = records::observe_report(&report);
                self.apply_report(now, &body);
                self.unlogged.push(body);
                Vec::new()
            }
            Msg::Tick => {
                let mut out = self.flush_observations();
                out.extend(self.tick(now));
                out
            }
            Msg::Act { actor, action } => self.act(&actor, action, now),
        }
    }

    /// The probe reports not yet logged, as one `observe` record (none if
    /// there are none). Already applied, so not applied again. Call before
    /// writing a record of your own (e.g. `close`) so no sample is lost.
    pub fn flush_observations(&mut self) -> Vec<Effect> {
        if self.unlogged.is_empty() {
            return Vec::new();
        }
        let reports = std::mem::take(&mut self.unlogged);
        let e = records::observe_batch_entry(reports, self.phase_id());
        vec![Effect::Append(e)]
    }

    /// Applies entries to the state and wraps them as effects, in order,
    /// after the unlogged probe reports (so a rebuild sees them first too).
    fn commit(&mut self, now: Ts, entries: Vec<Entry>) -> Vec<Effect> {
        let mut out = self.flush_observations();
        out.extend(entries.into_iter().map(|e| {
            self.apply_record(now, &e);
            Effect::Append(e)
        }));
        out
    }

    // ----- read API for the view model -----

    /// The runbook this cutover follows.
    pub fn runbook(&self) -> &Runbook {
        &self.runbook
    }
    /// The current phase of the runbook (`None` only for a runbook without phases).
    pub fn phase(&self) -> Option<&Phase> {
        self.runbook.phases.get(self.phase.index)
    }
    /// Id of the current phase (empty for a runbook without phases).
    pub fn phase_id(&self) -> &str {
        self.runbook
            .phases
            .get(self.phase.index)
            .map(|p| p.id.as_str())
            .unwrap_or("")
    }
    /// Index, entry time, re-entry need, completion.
    pub fn phase_state(&self) -> &PhaseState {
        &self.phase
    }
    /// The approved window the countdowns run against.
    pub fn window(&self) -> Window {
        self.window
    }
    /// Who holds decision authority now (after any handover).
    pub fn commander(&self) -> &str {
        &self.commander
    }
    /// Every gate of every phase, in runbook order.
    pub fn gates(&self) -> &[GateStatus] {
        &self.gates
    }
    /// Every threshold of the runbook with its state and `for` timer.
    pub fn thresholds(&self) -> &[ThresholdStatus] {
        &self.thresholds
    }
    /// Every phase step, in runbook order (rollback steps are in `rollback()`).
    pub fn steps(&self) -> &[StepStatus] {
        &self.steps
    }
    /// Every required sign-off of every phase, given or awaited.
    pub fn signoffs(&self) -> &[SignOffStatus] {
        &self.signoffs
    }
    /// The active hold; `None` while the line runs.
    pub fn hold(&self) -> Option<&Hold> {
        self.hold.as_ref()
    }
    /// The rollback being carried out; `None` when there is none.
    pub fn rollback(&self) -> Option<&RollbackState> {
        self.rollback.as_ref()
    }
    /// Pending recommendations, oldest first (they stay until decided).
    pub fn recommendations(&self) -> &[Recommendation] {
        &self.recommendations
    }
    /// Settled recommendations whose threshold has not cleared yet.
    pub fn handled(&self) -> &[Handled] {
        &self.handled
    }
    /// The latest decision of a type (`hold`, `resume`, `go`, `rollback`).
    pub fn last_decision(&self, kind: &str) -> Option<&LastDecision> {
        self.last.get(kind)
    }
    /// The exception register, expired waivers included (flagged).
    pub fn waivers(&self) -> &[Waiver] {
        &self.waivers
    }
    /// The issue log, open and closed, in the order opened.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }
    /// Per probe label: last ok, last failure.
    pub fn endpoints(&self) -> &BTreeMap<String, EndpointStatus> {
        &self.endpoints
    }
    /// Recent samples of every metric, probed and derived.
    pub fn store(&self) -> &MetricStore {
        &self.store
    }
}

/// The longest window any gate or threshold reads (samples are kept that long).
fn longest_window(rb: &Runbook) -> Dur {
    let gates = rb.gates().flat_map(|(_, g)| g.when.windows());
    let ths = rb.thresholds.iter().flat_map(|t| t.when.windows());
    gates.chain(ths).max().unwrap_or(Dur::ZERO)
}

#[cfg(test)]
mod tests;
