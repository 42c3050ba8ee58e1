//! `cutover replay`: the cockpit screens re-driven from a log, read-only.
//! Records are folded into a fresh `Cockpit` as replay time passes them.

use crate::app::replay_jump::{JumpForm, JumpKey, JumpRange};
use crate::app::replay_seek::{records_until, ReplayState, Snapshots, SNAPSHOT_EVERY};
use crate::app::view_model::{build_view, ViewContext};
use crate::core::cockpit::{Action, Cockpit, Msg};
use crate::core::entry::EntryKind;
use crate::core::runbook::Runbook;
use crate::core::time::{Dur, Ts};
use crate::journal::Record;
use crate::tui::view::{CockpitView, JumpPrompt, ReplayMarker, TimelineView, Toast, ToastKind};
use crate::tui::{ActResult, CockpitPort};
use crossterm::event::KeyEvent;

/// Speeds `+`/`-` step through.
pub const SPEEDS: [f64; 7] = [1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 1000.0];

/// A log being replayed: its records, how far they are applied, replay time.
pub struct Replayer {
    runbook: Runbook,
    records: Vec<Record>,
    /// The cockpit and log tail with `state.applied` records folded in.
    state: ReplayState,
    /// Every [`SNAPSHOT_EVERY`] records, for seeking backwards or far.
    snaps: Snapshots,
    at: Ts,
    speed: f64,
    playing: bool,
    log_path: String,
    /// Shown while replaying a damaged log (`--force`).
    banner: Option<String>,
    /// Phases, holds, episodes and decisions of the whole log.
    timeline: TimelineView,
    /// The "jump to a time" form, while open.
    jump: Option<JumpForm>,
}

impl Replayer {
    /// Starts paused-or-playing at the log's first record (`records` non-empty).
    pub fn new(runbook: Runbook, records: Vec<Record>, log_path: &str, speed: f64) -> Replayer {
        let start = records.first().map(Record::ts).unwrap_or(Ts(0));
        let snaps = Snapshots::build(&runbook, &records, SNAPSHOT_EVERY);
        let timeline = crate::app::replay_timeline::timeline_of(&records);
        let mut r = Replayer {
            state: ReplayState::start(&runbook, &records),
            runbook,
            records,
            snaps,
            at: start,
            speed: nearest_speed(speed),
            playing: true,
            log_path: log_path.to_string(),
            banner: None,
            timeline,
            jump: None,
        };
        r.apply_until(start);
        r
    }

    /// Names the damage of a log replayed with `--force`.
    pub fn with_banner(mut self, text: String) -> Replayer {
        self.banner = Some(text);
        self
    }

    pub fn cockpit(&self) -> &Cockpit {
        &self.state.cockpit
    }
    /// The records being replayed.
    pub fn records(&self) -> &[Record] {
        &self.records
    }
    /// The runbook from the log's `open` record.
    pub fn runbook(&self) -> &Runbook {
        &self.runbook
    }
    pub fn at(&self) -> Ts {
        self.at
    }
    pub fn applied(&self) -> usize {
        self.state.applied
    }
    pub fn playing(&self) -> bool {
        self.playing
    }
    pub fn speed(&self) -> f64 {
        self.speed
    }
    pub fn at_end(&self) -> bool {
        self.state.applied >= self.records.len()
    }

    /// Real time `real` passed: advance replay time by `real * speed` when playing.
    pub fn advance(&mut self, real: Dur) {
        if !self.playing || self.at_end() {
            return;
        }
        let to = self.at + Dur((real.0 as f64 * self.speed) as i64);
        self.apply_until(to);
        self.at = to;
        if self.at_end() {
            self.playing = false;
        }
    }

    pub fn toggle_play(&mut self) {
        self.playing = !self.playing && !self.at_end();
    }

    /// `+` (up) / `-` (down) through [`SPEEDS`].
    pub fn change_speed(&mut self, up: bool) {
        let i = SPEEDS.iter().position(|s| *s == self.speed).unwrap_or(0);
        let j = if up {
            (i + 1).min(SPEEDS.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        self.speed = SPEEDS[j];
    }

    /// `.`: apply exactly the next record, pausing.
    pub fn step(&mut self) {
        self.playing = false;
        if let Some(ts) = self.records.get(self.state.applied).map(Record::ts) {
            self.state.apply_next(&self.records);
            self.at = self.at.max(ts);
        }
    }

    /// `n`: run forward to just after the next decision.
    pub fn next_decision(&mut self) {
        self.playing = false;
        while !self.at_end() {
            let is_decision = self.records[self.state.applied].kind == EntryKind::Decision;
            self.step();
            if is_decision {
                break;
            }
        }
    }

    /// `p`: rebuild up to just after the decision before the current position.
    pub fn prev_decision(&mut self) {
        self.playing = false;
        let before = self.state.applied.saturating_sub(1);
        let target = self.records[..before]
            .iter()
            .rposition(|r| r.kind == EntryKind::Decision)
            .map(|i| i + 1)
            .unwrap_or(1);
        self.seek(target);
    }

    /// Rebuilds the state with exactly `upto` records applied (at least the
    /// `open` record), pausing; replay time becomes the last applied record's.
    /// Backwards or far forward, it starts from the nearest snapshot.
    pub fn seek(&mut self, upto: usize) {
        self.playing = false;
        let upto = upto.clamp(1, self.records.len().max(1));
        if upto < self.state.applied || upto - self.state.applied > SNAPSHOT_EVERY {
            self.state = self.snaps.state_at(&self.records, upto);
        } else {
            self.state.apply_to(&self.records, upto);
        }
        self.at = self.start_ts();
        if let Some(r) = self
            .state
            .applied
            .checked_sub(1)
            .and_then(|i| self.records.get(i))
        {
            self.at = r.ts();
        }
    }

    /// Lands on the last record at or before `t` (the first record when `t`
    /// is before it), pausing; replay time becomes `t` when inside the log.
    pub fn jump_to(&mut self, t: Ts) {
        self.seek(records_until(&self.records, t));
        let end = self.records.last().map(Record::ts).unwrap_or(self.at);
        if t > self.at && t <= end {
            self.at = t;
        }
    }

    /// The cockpit as the live screen showed it at replay time: the folded
    /// state plus one evaluation at `at` (gate and threshold values, derived
    /// metrics, timers), which the log does not hold. Its records are dropped.
    pub fn shown_cockpit(&self) -> Cockpit {
        let mut c = self.state.cockpit.clone();
        let _ = c.handle(Msg::Tick, self.at);
        c
    }

    /// `t`: opens the jump form (pausing).
    pub fn open_jump(&mut self) {
        self.playing = false;
        self.jump = Some(JumpForm::default());
    }

    /// Whether the jump form is open (it then takes every key).
    pub fn jump_open(&self) -> bool {
        self.jump.is_some()
    }

    /// A key for the open jump form: Enter with a valid time jumps there.
    pub fn jump_key(&mut self, k: KeyEvent) {
        let range = JumpRange {
            origin: self.state.cockpit.window().origin,
            first: self.start_ts(),
            last: self.records.last().map(Record::ts).unwrap_or(self.at),
        };
        let Some(form) = self.jump.as_mut() else {
            return;
        };
        match form.key(k, range) {
            JumpKey::Open => {}
            JumpKey::Cancel => self.jump = None,
            JumpKey::Go(t) => {
                self.jump = None;
                self.jump_to(t);
            }
        }
    }

    /// The time of the log's first record.
    pub fn start_ts(&self) -> Ts {
        self.records.first().map(Record::ts).unwrap_or(Ts(0))
    }

    fn apply_until(&mut self, to: Ts) {
        while self
            .records
            .get(self.state.applied)
            .is_some_and(|r| r.ts() <= to)
        {
            self.state.apply_next(&self.records);
        }
    }
}

fn nearest_speed(s: f64) -> f64 {
    SPEEDS
        .iter()
        .copied()
        .min_by(|a, b| (a - s).abs().total_cmp(&(b - s).abs()))
        .unwrap_or(1.0)
}

impl CockpitPort for Replayer {
    fn view(&self) -> CockpitView {
        let ctx = ViewContext {
            operator: String::new(),
            log_path: self.log_path.clone(),
            checkpoint: None,
            log_tail: self.state.tail.lines(),
            toast: self.banner.as_ref().map(|b| Toast {
                kind: ToastKind::Refused,
                message: b.clone(),
            }),
            now: self.at,
        };
        let mut v = build_view(&self.shown_cockpit(), &ctx);
        v.header.rehearsal = self
            .records
            .first()
            .is_some_and(crate::journal::is_rehearsal);
        v.header.replay = Some(ReplayMarker {
            at: self.at,
            speed: if self.playing {
                format!("x{}", self.speed)
            } else if self.at_end() {
                "end".into()
            } else {
                "paused".into()
            },
            timeline: Some(self.timeline.clone()),
            jump: self.jump.as_ref().map(|j| JumpPrompt {
                input: j.input.clone(),
                error: j.error.clone(),
            }),
        });
        v
    }

    fn act(&mut self, _action: Action) -> ActResult {
        ActResult::Refused("replay is read-only".into())
    }
}

#[cfg(test)]
#[path = "replay_tests.rs"]
mod tests;
