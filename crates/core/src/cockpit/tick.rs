//! A tick: derived metrics into the store, waiver expiry, gate and threshold
//! evaluation, the window-overrun trigger. Transitions become records.

use super::notify::Fill;
use super::records::{transition_entry, OVERRUN_ID};
use super::state::RecommendationKind;
use super::{Cockpit, Effect};
use crate::derived::{derived_samples, remaining_path, DerivedInputs};
use crate::entry::EntryKind;
use crate::expr::WindowCache;
use crate::gate::fmt_num;
use crate::records::{name_of, RecommendationBody, TransitionBody};
use crate::runbook::Severity;
use crate::threshold::ThresholdState;
use crate::time::{Dur, Ts};
use crate::timer::Transition;

impl Cockpit {
    pub(super) fn tick(&mut self, now: Ts) -> Vec<Effect> {
        self.refresh_derived(now);
        let phase = self.phase_id().to_string();
        self.store.set_baseline_phase(&phase);
        // One set of window results per tick: the store does not change below.
        let mut cache = WindowCache::default();
        let mut out = self.expire_waivers(now);
        out.extend(self.evaluate_gates(now, &mut cache));
        out.extend(self.evaluate_thresholds(now, &mut cache));
        out.extend(self.check_overrun(now));
        out
    }

    /// Rebuilding from a log: feeds every `for` timer one evaluation at a
    /// logged observation's time, as the live cockpit did at its ticks.
    /// Only the timers move; states come from the logged transitions (which
    /// also carry the exact timer). So after a crash a timer is rebuilt up to
    /// the last logged observation, not only to its last 60 s checkpoint.
    pub(super) fn advance_timers(&mut self, now: Ts) {
        self.refresh_derived(now);
        let mut cache = WindowCache::default();
        for ((_, gate), st) in self.runbook.gates().zip(self.gates.iter_mut()) {
            st.cond.evaluate(&gate.when, &self.store, now, &mut cache);
        }
        let defs = self.runbook.thresholds.iter();
        for (def, st) in defs.zip(self.thresholds.iter_mut()) {
            if st.state != ThresholdState::Inactive {
                st.cond.evaluate(&def.when, &self.store, now, &mut cache);
            }
        }
    }

    /// Feeds the derived metrics (countdowns, forecast, slack, issues) at `now`.
    pub fn refresh_derived(&mut self, now: Ts) {
        let ahead: Vec<_> = self
            .steps
            .iter()
            .filter(|s| {
                s.phase
                    .as_deref()
                    .and_then(|p| self.runbook.phase_index(p))
                    .is_some_and(|i| i >= self.phase.index && !self.phase.finished)
            })
            .collect();
        // Phases run one after another; steps inside a phase along `after`.
        let mut work = Dur::ZERO;
        for p in self.runbook.phases.iter().skip(self.phase.index) {
            let in_phase: Vec<_> = ahead
                .iter()
                .copied()
                .filter(|s| s.phase.as_deref() == Some(&p.id))
                .collect();
            work = work + remaining_path(&in_phase, now);
        }
        if let Some(rb) = &self.rollback {
            work = work + remaining_path(&rb.steps.iter().collect::<Vec<_>>(), now);
        }
        let plans: Vec<(&str, Dur)> = self
            .runbook
            .rollbacks
            .iter()
            .map(|r| {
                let rows: Vec<(&str, Dur, &[String])> = r
                    .steps
                    .iter()
                    .map(|s| {
                        (
                            s.id.as_str(),
                            s.expected.unwrap_or(Dur::ZERO),
                            s.after.as_slice(),
                        )
                    })
                    .collect();
                (r.scope.as_str(), crate::derived::critical_path(&rows))
            })
            .collect();
        let open = self.issues.iter().filter(|i| i.closed.is_none());
        let inp = DerivedInputs {
            now,
            origin: self.window.origin,
            window_end: self.window.end,
            phase_entered: self.phase.entered_at,
            remaining_work: work,
            rollback_plans: plans,
            issues_open: open.clone().count(),
            issues_open_critical: open
                .filter(|i| i.severity == super::IssueSeverity::Critical)
                .count(),
        };
        for (name, v) in derived_samples(&inp) {
            self.store.push(&name, now, v);
        }
    }

    fn expire_waivers(&mut self, now: Ts) -> Vec<Effect> {
        let due: Vec<(String, Ts)> = self
            .waivers
            .iter()
            .filter(|w| !w.expired && now >= w.expires)
            .map(|w| (w.gate.clone(), w.expires))
            .collect();
        let mut entries = vec![];
        for (gate, expires) in due {
            let Some(g) = self.gates.iter().find(|g| g.id == gate) else {
                continue;
            };
            let t = Transition {
                id: gate.clone(),
                from: "waived",
                to: g.evaluated.as_str(),
                value: None,
                limit: None,
                timer: g.timer.acc,
                hold_for: g.hold_for,
                reason: Some(format!("waiver expired at {}", expires.to_rfc3339())),
                checkpoint: false,
            };
            let body = TransitionBody {
                phase: Some(g.phase.clone()),
                advisory: g.advisory,
                waiver_expired: true,
                waiver_expires: Some(expires.to_rfc3339()),
                ..t.body()
            };
            entries.push(transition_entry(EntryKind::Gate, &body, self.phase_id()));
        }
        self.commit(now, entries)
    }

    fn evaluate_gates(&mut self, now: Ts, cache: &mut WindowCache) -> Vec<Effect> {
        let mut entries = vec![];
        let cur = self.phase_id().to_string();
        for ((_, gate), st) in self.runbook.gates().zip(self.gates.iter_mut()) {
            if let Some(t) = st.evaluate(&gate.when, &self.store, now, cache) {
                let body = TransitionBody {
                    phase: Some(st.phase.clone()),
                    advisory: gate.advisory,
                    ..t.body()
                };
                entries.push(transition_entry(EntryKind::Gate, &body, &cur));
            }
        }
        self.commit(now, entries)
    }

    fn evaluate_thresholds(&mut self, now: Ts, cache: &mut WindowCache) -> Vec<Effect> {
        let cur = self.phase_id().to_string();
        let mut out = vec![];
        for i in 0..self.thresholds.len() {
            let Some(def) = self.runbook.thresholds.get(i) else {
                break;
            };
            let active = def.active_in(&cur) && !self.phase.finished;
            let Some(t) = self.thresholds[i].evaluate(active, &def.when, &self.store, now, cache)
            else {
                continue;
            };
            let value = t.value.map(fmt_num);
            let fill = Fill {
                threshold: Some(&def.id),
                value: value.clone(),
                scope: def.scope.as_deref(),
                ..Fill::default()
            };
            let mut after = vec![];
            // an advisory threshold alarms nobody: no notification, no recommendation
            if t.to == "watch" && t.from != "watch" && !def.advisory {
                after.push(self.notify("watch", now, fill.clone()));
            }
            let pending = self.recommendations.iter().any(|r| r.threshold == def.id);
            let mut body = TransitionBody {
                advisory: def.advisory,
                ..t.body()
            };
            if t.to == "breached" && t.from != "breached" && def.advisory {
                // logged, so the evidence pack can say what it would have decided
                body.would_recommend = Some(RecommendationBody {
                    kind: name_of(&match def.severity {
                        Severity::Rollback => RecommendationKind::Rollback,
                        Severity::Hold => RecommendationKind::Hold,
                    }),
                    scope: def.scope.clone(),
                    message: format!(
                        "{} breached (advisory: {}: {} vs limit {}); advisory thresholds never recommend",
                        def.id,
                        def.when_src,
                        value.clone().unwrap_or_else(|| "?".into()),
                        t.limit.map(fmt_num).unwrap_or_else(|| "?".into()),
                    ),
                });
            } else if t.to == "breached" && t.from != "breached" && !pending {
                let (kind, advice) = match def.severity {
                    Severity::Rollback => (
                        RecommendationKind::Rollback,
                        format!("rollback of {}", def.scope.as_deref().unwrap_or("?")),
                    ),
                    Severity::Hold => (
                        RecommendationKind::Hold,
                        "a hold (stop the line)".to_string(),
                    ),
                };
                let message = format!(
                    "{} breached ({}: {} vs limit {}): recommend {advice}; decide rollback, hold, or continue with a rationale",
                    def.id,
                    def.when_src,
                    value.clone().unwrap_or_else(|| "?".into()),
                    t.limit.map(fmt_num).unwrap_or_else(|| "?".into()),
                );
                body.recommendation = Some(RecommendationBody {
                    kind: name_of(&kind),
                    scope: def.scope.clone(),
                    message: message.clone(),
                });
                after.push(Effect::Recommend {
                    threshold: def.id.clone(),
                    message: message.clone(),
                });
                after.push(self.notify(
                    "breach",
                    now,
                    Fill {
                        reason: Some(&message),
                        ..fill
                    },
                ));
            }
            let e = transition_entry(EntryKind::Threshold, &body, &cur);
            out.extend(self.commit(now, vec![e]));
            out.extend(after);
        }
        out
    }

    fn check_overrun(&mut self, now: Ts) -> Vec<Effect> {
        if self.overrun_raised || now <= self.window.end || self.phase.finished {
            return vec![];
        }
        let over = (now - self.window.end).as_mins_f64();
        let message = format!(
            "the approved window ({}) ended at {}: decide rollback, hold, or continue with a rationale",
            self.runbook.max_duration,
            self.window.end.to_rfc3339()
        );
        let t = Transition {
            id: OVERRUN_ID.into(),
            from: "ok",
            to: "breached",
            value: Some(over),
            limit: Some(0.0),
            timer: Dur::ZERO,
            hold_for: None,
            reason: Some(message.clone()),
            checkpoint: false,
        };
        // with `overrun_scope` the overrun is a rollback trigger, as the runbook says
        let kind = match self.runbook.overrun_scope {
            Some(_) => RecommendationKind::Rollback,
            None => RecommendationKind::Hold,
        };
        let body = TransitionBody {
            builtin: true,
            recommendation: Some(RecommendationBody {
                kind: name_of(&kind),
                scope: self.runbook.overrun_scope.clone(),
                message: message.clone(),
            }),
            ..t.body()
        };
        let cur = self.phase_id().to_string();
        let mut out = self.commit(
            now,
            vec![transition_entry(EntryKind::Threshold, &body, &cur)],
        );
        out.push(Effect::Recommend {
            threshold: OVERRUN_ID.into(),
            message: message.clone(),
        });
        out.push(self.notify(
            "overrun",
            now,
            Fill {
                reason: Some(&message),
                ..Fill::default()
            },
        ));
        out
    }

    /// Writes a checkpoint of every running timer whose logged value is behind
    /// (call before closing the log, so a clean restart loses nothing).
    pub fn checkpoint_timers(&mut self, now: Ts) -> Vec<Effect> {
        let mut entries = vec![];
        let cur = self.phase_id().to_string();
        for g in &self.gates {
            if g.timer.acc != g.recorded_timer {
                let t = checkpoint_of(&g.id, g.evaluated.as_str(), g.timer.acc, g.hold_for);
                let body = TransitionBody {
                    phase: Some(g.phase.clone()),
                    advisory: g.advisory,
                    ..t.body()
                };
                entries.push(transition_entry(EntryKind::Gate, &body, &cur));
            }
        }
        for th in &self.thresholds {
            if th.timer.acc != th.recorded_timer && th.state != ThresholdState::Inactive {
                let t = checkpoint_of(&th.id, th.state.as_str(), th.timer.acc, th.hold_for);
                let body = TransitionBody {
                    advisory: th.advisory,
                    ..t.body()
                };
                entries.push(transition_entry(EntryKind::Threshold, &body, &cur));
            }
        }
        self.commit(now, entries)
    }
}

fn checkpoint_of(id: &str, state: &'static str, acc: Dur, hold_for: Option<Dur>) -> Transition {
    Transition {
        id: id.to_string(),
        from: state,
        to: state,
        value: None,
        limit: None,
        timer: acc,
        hold_for,
        reason: None,
        checkpoint: true,
    }
}

impl Cockpit {
    /// Recomputes what the screen shows at `now` (derived metrics, every
    /// comparison's current values and reasons) without changing any state
    /// or writing anything: for `replay` after a seek, or a frozen view.
    pub fn refresh_views(&mut self, now: Ts) {
        self.refresh_derived(now);
        let phase = self.phase_id().to_string();
        self.store.set_baseline_phase(&phase);
        for ((_, gate), st) in self.runbook.gates().zip(self.gates.iter_mut()) {
            let ev = crate::expr::eval(&gate.when, &self.store, now);
            st.reason = crate::gate::reason_for(st.evaluated, &ev, st.timer.acc, st.hold_for);
            st.last = Some(ev);
        }
        for (def, st) in self
            .runbook
            .thresholds
            .iter()
            .zip(self.thresholds.iter_mut())
        {
            if st.state != ThresholdState::Inactive {
                let ev = crate::expr::eval(&def.when, &self.store, now);
                st.reason = ev.reason.clone();
                st.last = Some(ev);
            }
        }
    }
}
