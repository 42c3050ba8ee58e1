//! Builds the TUI's plain-data `CockpitView` from the core's `Cockpit`.
//!
//! Pure: everything time-dependent comes in through `ViewContext::now`, so
//! the same cockpit and context always give the same view (tests, replay).

use crate::core::cockpit::{self as ck, Cockpit, RecommendationKind, StepState};
use crate::core::expr::ComparisonView as EvalCmp;
use crate::core::expr::Evaluation;
use crate::core::gate::{GateState as CoreGate, GateStatus};
use crate::core::runbook::{GateKind as CoreGateKind, Severity as CoreSeverity};
use crate::core::threshold::{ThresholdState as CoreTh, ThresholdStatus};
use crate::core::time::{Dur, Ts};
use crate::journal::Checkpoint;
use crate::tui::view::*;

#[path = "view_model_detail.rs"]
mod detail;

/// How many latency samples the sparkline gets per side.
pub const LATENCY_HISTORY: usize = 40;
/// Less than this left in the window counts as "overrun near".
pub const OVERRUN_NEAR: Dur = Dur(30 * 60_000);

/// What the view needs besides the cockpit: who is at the keyboard, the log.
#[derive(Debug, Clone, Default)]
pub struct ViewContext {
    pub operator: String,
    pub log_path: String,
    pub checkpoint: Option<Checkpoint>,
    /// The last records of the log, oldest first.
    pub log_tail: Vec<LogLine>,
    pub toast: Option<Toast>,
    pub now: Ts,
}

/// The whole screen's data for `cockpit` at `ctx.now`.
pub fn build_view(cockpit: &Cockpit, ctx: &ViewContext) -> CockpitView {
    let rb = cockpit.runbook();
    CockpitView {
        now: ctx.now,
        header: header(cockpit, ctx),
        phases: phases(cockpit),
        steps: steps(cockpit, ctx),
        gates: gates(cockpit, ctx.now),
        signoffs: signoffs(cockpit),
        thresholds: cockpit
            .thresholds()
            .iter()
            .map(|t| threshold(cockpit, t, ctx.now))
            .collect(),
        endpoints: endpoints(cockpit, ctx.now),
        datasets: detail::datasets(cockpit, ctx.now),
        issues: detail::issues(cockpit),
        recommendations: recommendations(cockpit),
        log_tail: ctx.log_tail.clone(),
        toast: ctx.toast.clone(),
        roster: rb.owners.iter().map(|o| o.id.clone()).collect(),
        rollback_scopes: rb.rollbacks.iter().map(|r| r.scope.clone()).collect(),
        templates: cockpit
            .filled_templates(ctx.now)
            .into_iter()
            .map(|(id, title, text)| TemplateView { id, title, text })
            .collect(),
        forms: super::form_hints::form_hints(cockpit, &ctx.operator, ctx.now),
    }
}

fn header(c: &Cockpit, ctx: &ViewContext) -> HeaderView {
    let rb = c.runbook();
    let w = c.window();
    let clock = WindowClock {
        elapsed: ctx.now - w.origin,
        max: rb.max_duration,
        overrun_near: false,
    };
    let forecast = c
        .store()
        .latest(crate::core::derived::FORECAST_OVERRUN_MIN, ctx.now)
        .unwrap_or(0.0);
    let overrun_near = forecast > 0.0 || clock.left() <= OVERRUN_NEAR;
    HeaderView {
        runbook_name: rb.name.clone(),
        runbook_version: rb.version.clone(),
        phase_name: c
            .phase()
            .map(|p| numbered_phase_name(&p.name, c.phase_state().index))
            .unwrap_or_default(),
        clock: WindowClock {
            overrun_near,
            ..clock
        },
        window: detail::window_times(c, ctx.now),
        pnr: detail::pnr(c, ctx.now),
        operator: ctx.operator.clone(),
        operator_is_commander: c.commander() == ctx.operator,
        hold: c.hold().map(|h| HoldBanner {
            by: h.by.clone(),
            reason: h.reason.clone(),
            since: h.since,
        }),
        rollback: c.rollback().map(|r| RollbackBanner {
            scope: r.scope.clone(),
            by: r.decided_by.clone(),
            since: r.since,
        }),
        replay: None,
        log_path: ctx.log_path.clone(),
        checkpoint: ctx.checkpoint.as_ref().map(short_checkpoint),
        disconnected_since: None,
        rehearsal: false,
        // the keyboard's key is the session's to say (`Session::view`)
        signing_locked: false,
    }
}

/// The phase name with the same number the phase strip shows: the
/// runbook's own "Phase N:" when it has one, else its position from 1.
pub fn numbered_phase_name(name: &str, index: usize) -> String {
    match crate::tui::label::phase_number(name) {
        Some(_) => name.to_string(),
        None => format!("Phase {}: {name}", index + 1),
    }
}

/// `SEQ:HASHPREFIX` (12 hex digits are plenty to compare by eye).
pub fn short_checkpoint(cp: &Checkpoint) -> String {
    format!("{}:{}", cp.seq, cp.hash.get(..12).unwrap_or(&cp.hash))
}

fn phases(c: &Cockpit) -> Vec<PhaseView> {
    let st = c.phase_state();
    let rolled = c.rollback().map(|r| r.phase.as_str());
    c.runbook()
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let state = if rolled == Some(p.id.as_str()) {
                PhaseState::RolledBack
            } else if i < st.index || (i == st.index && st.finished) {
                PhaseState::Done
            } else if i == st.index {
                PhaseState::Current
            } else {
                PhaseState::Pending
            };
            PhaseView {
                id: p.id.clone(),
                name: p.name.clone(),
                state,
            }
        })
        .collect()
}

/// Steps of the current phase, or of the rollback plan while one runs,
/// with why each step key would be refused for the operator now.
fn steps(c: &Cockpit, ctx: &ViewContext) -> Vec<StepView> {
    let rows: Vec<&ck::StepStatus> = match c.rollback() {
        Some(r) => r.steps.iter().collect(),
        None => c
            .steps()
            .iter()
            .filter(|s| s.phase.as_deref() == Some(c.phase_id()))
            .collect(),
    };
    rows.into_iter()
        .map(|s| {
            let mut v = step(s, ctx.now);
            v.refused = super::form_hints::step_refusals(c, &ctx.operator, &s.id, ctx.now);
            v.rehearsal = rehearsal(c, s, v.status);
            v
        })
        .collect()
}

/// The rehearsals' P50/P90 of a done or running phase step, when known.
fn rehearsal(c: &Cockpit, s: &ck::StepStatus, status: StepStatus) -> Option<StepRehearsal> {
    if !matches!(status, StepStatus::Done | StepStatus::Running) {
        return None;
    }
    let b = c
        .store()
        .baseline_runs()?
        .step(s.phase.as_deref()?, &s.id)?;
    Some(StepRehearsal {
        p50: b.p50,
        p90: b.p90,
        runs: b.runs,
    })
}

fn step(s: &ck::StepStatus, now: Ts) -> StepView {
    let (status, elapsed) = match &s.state {
        StepState::Pending => (StepStatus::Pending, None),
        StepState::InProgress { since, .. } => (StepStatus::Running, Some(now - *since)),
        StepState::Done { at, started, .. } => (StepStatus::Done, started.map(|t| *at - t)),
        StepState::Skipped { .. } => (StepStatus::Skipped, None),
        StepState::Blocked { .. } => (StepStatus::Blocked, None),
    };
    let expected = s.expected.unwrap_or(Dur::ZERO);
    StepView {
        id: s.id.clone(),
        title: s.title.clone(),
        owner: s.owner.clone(),
        status,
        elapsed,
        expected,
        overrun: s.expected.is_some() && elapsed.is_some_and(|e| e > expected),
        undone_by: s.undone_by.clone(),
        refused: Default::default(),
        rehearsal: None,
    }
}

/// Gates of the current phase, then the entry gates of the next one.
fn gates(c: &Cockpit, now: Ts) -> Vec<GateView> {
    let cur = c.phase_id();
    let next = c
        .runbook()
        .phases
        .get(c.phase_state().index + 1)
        .map(|p| p.id.as_str());
    let current = c.gates().iter().filter(|g| g.phase == cur);
    let upcoming = c
        .gates()
        .iter()
        .filter(|g| Some(g.phase.as_str()) == next && g.kind == CoreGateKind::Entry);
    current.chain(upcoming).map(|g| gate(c, g, now)).collect()
}

fn gate(c: &Cockpit, g: &GateStatus, now: Ts) -> GateView {
    let waiver = c
        .waivers()
        .iter()
        .rev()
        .find(|w| w.gate == g.id && !w.expired)
        .map(|w| WaiverView {
            owner: w.owner.clone(),
            reason: w.reason.clone(),
            expires: w.expires,
        });
    GateView {
        id: g.id.clone(),
        title: g.title.clone(),
        kind: match g.kind {
            CoreGateKind::Entry => GateKind::Entry,
            CoreGateKind::Exit => GateKind::Exit,
        },
        state: gate_state(g.state()),
        comparisons: enriched(c, comparisons(g.last.as_ref(), g.reason.as_deref()), now),
        // capped at `for`: past it the gate passes, and a replay (whose timer
        // stops at the last logged checkpoint) then shows the same as live
        held_for: g.hold_for.map(|f| (g.timer.acc.min(f), f)),
        waiver,
        advisory: g.advisory,
    }
}

/// Comparisons with what the detail view shows: window inputs, recent values.
fn enriched(c: &Cockpit, mut cs: Vec<ComparisonView>, now: Ts) -> Vec<ComparisonView> {
    for cmp in &mut cs {
        detail::enrich(c, cmp, now);
    }
    cs
}

fn gate_state(s: CoreGate) -> GateState {
    match s {
        CoreGate::Pass => GateState::Pass,
        CoreGate::Holding => GateState::Holding,
        CoreGate::Fail => GateState::Fail,
        CoreGate::Unknown => GateState::Unknown,
        CoreGate::Waived => GateState::Waived,
        CoreGate::Awaiting => GateState::Awaiting,
    }
}

/// Every comparison of the latest evaluation; an unknown side carries the reason.
fn comparisons(ev: Option<&Evaluation>, reason: Option<&str>) -> Vec<ComparisonView> {
    ev.map(|e| {
        e.comparisons
            .iter()
            .map(|c| comparison(c, reason))
            .collect()
    })
    .unwrap_or_default()
}

fn comparison(c: &EvalCmp, reason: Option<&str>) -> ComparisonView {
    // the text is `LEFT OP RIGHT`; the screen wants the left side as written
    let left = c
        .text
        .split_once(&format!(" {} ", c.op))
        .map(|(l, _)| l.to_string())
        .unwrap_or_else(|| c.text.clone());
    ComparisonView {
        left,
        op: c.op.clone(),
        value: c.left,
        limit: c.right,
        reason: (c.left.is_none() || c.right.is_none())
            .then(|| reason.unwrap_or("unknown").to_string()),
        ..ComparisonView::default()
    }
}

fn signoffs(c: &Cockpit) -> Vec<SignOffView> {
    c.signoffs()
        .iter()
        .filter(|s| s.phase == c.phase_id())
        .map(|s| SignOffView {
            phase: s.phase.clone(),
            role: s.role.clone(),
            owner: s.owner.clone(),
            signed_at: s.given_at,
        })
        .collect()
}

fn threshold(c: &Cockpit, t: &ThresholdStatus, now: Ts) -> ThresholdView {
    let state = match t.state {
        CoreTh::Ok => ThresholdState::Ok,
        CoreTh::Watch => ThresholdState::Watch,
        CoreTh::Breached => ThresholdState::Breached,
        CoreTh::Unknown => ThresholdState::Unknown,
        CoreTh::Inactive => ThresholdState::Inactive,
    };
    let running = matches!(t.state, CoreTh::Watch | CoreTh::Breached);
    let all = enriched(c, comparisons(t.last.as_ref(), t.reason.as_deref()), now);
    ThresholdView {
        id: t.id.clone(),
        title: t.title.clone(),
        state,
        comparison: all.first().cloned().unwrap_or_default(),
        comparisons: all,
        advisory: t.advisory,
        breach_for: t.hold_for.filter(|_| running).map(|f| (t.timer.acc, f)),
        scope: t.scope.clone(),
        severity: severity(t.severity),
        inputs_unknown: t.inputs_unknown,
        handled: c
            .handled()
            .iter()
            .find(|h| h.threshold == t.id)
            .map(|h| format!("handled by {} ({}) at {}", h.by, h.actor, h.at.hms())),
    }
}

fn severity(s: CoreSeverity) -> Severity {
    match s {
        CoreSeverity::Rollback => Severity::Rollback,
        CoreSeverity::Hold => Severity::Hold,
    }
}

fn recommendations(c: &Cockpit) -> Vec<RecommendationView> {
    c.recommendations()
        .iter()
        .map(|r| RecommendationView {
            threshold: r.threshold.clone(),
            message: r.message.clone(),
            severity: match r.kind {
                RecommendationKind::Rollback => Severity::Rollback,
                RecommendationKind::Hold => Severity::Hold,
            },
            scope: r.scope.clone(),
            raised_at: r.raised_at,
        })
        .collect()
}

/// One row per system seen in a `source.*`/`target.*` probe label, sorted.
fn endpoints(c: &Cockpit, now: Ts) -> Vec<EndpointRow> {
    let mut systems: Vec<String> = c
        .endpoints()
        .keys()
        .filter_map(|label| {
            let mut parts = label.split('.');
            let side = parts.next()?;
            let system = parts.next()?;
            matches!(side, "source" | "target").then(|| system.to_string())
        })
        .collect();
    systems.dedup();
    systems.sort();
    systems.dedup();
    systems
        .into_iter()
        .map(|system| EndpointRow {
            source: endpoint_side(c, "source", &system, now),
            target: endpoint_side(c, "target", &system, now),
            system,
        })
        .collect()
}

fn endpoint_side(c: &Cockpit, side: &str, system: &str, now: Ts) -> Option<EndpointSide> {
    let prefix = format!("{side}.{system}.");
    let labelled: Vec<(&String, &ck::EndpointStatus)> = c
        .endpoints()
        .iter()
        .filter(|(label, _)| label.starts_with(&prefix))
        .collect();
    let probes: Vec<&ck::EndpointStatus> = labelled.iter().map(|(_, s)| *s).collect();
    if probes.is_empty() {
        return None;
    }
    let store = c.store();
    let metric = |f: &str| format!("{prefix}{f}");
    let up = store
        .latest_raw(&metric("up"), now)
        .map(|(_, v)| v >= 1.0)
        .or_else(|| c.endpoints().get(&metric("health")).map(|s| s.ok));
    let latency_history = store
        .series(&metric("latency_ms"))
        .map(|s| {
            let v: Vec<u64> = s
                .iter()
                .rev()
                .take(LATENCY_HISTORY)
                .map(|(_, v)| v.max(0.0) as u64)
                .collect();
            v.into_iter().rev().collect()
        })
        .unwrap_or_default();
    let last_error = probes
        .iter()
        .filter(|p| !p.ok)
        .filter_map(|p| p.last_failure.as_ref())
        .max_by_key(|(t, _)| *t)
        .map(|(_, why)| why.clone());
    let latency_ms = store.latest_raw(&metric("latency_ms"), now).map(|(_, v)| v);
    let stale = ["up", "latency_ms"].iter().any(|f| {
        store.latest_raw(&metric(f), now).is_some() && store.latest(&metric(f), now).is_err()
    });
    Some(EndpointSide {
        up,
        latency_ms,
        latency_history,
        last_error,
        cert_days_left: store
            .latest_raw(&metric("cert_days_left"), now)
            .map(|(_, v)| v.floor() as i64),
        stale,
        attempts: detail::attempts(c, &labelled, now),
    })
}

#[cfg(test)]
#[path = "view_model_tests.rs"]
mod tests;
