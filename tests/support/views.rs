//! Test support: a `CockpitView` of the demo PACS cutover in named states,
//! for the screen's own tests and benches (render, layout, input, idle
//! redraws), where a view in an exact state matters more than how the core
//! got there; the snapshots of views built by the real core are in
//! tests/tui_core_screens.rs. Fixed times (window opened
//! 2026-11-28T22:00:00Z); no patient data. Included by path
//! (`#[path = "support/views.rs"] mod fixtures;`): it is not in the library.
#![allow(dead_code)] // each test crate uses a different part of it

use cutover_cockpit::core::entry::EntryKind;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::tui::view::*;

/// 2026-11-28T22:00:00Z, the demo window's start.
pub const WINDOW_START: Ts = Ts(1_795_903_200_000);

fn at(min: i64, sec: i64) -> Ts {
    WINDOW_START + Dur(min * 60_000 + sec * 1000)
}

fn cmp(left: &str, op: &str, value: Option<f64>, limit: f64) -> ComparisonView {
    ComparisonView {
        left: left.into(),
        op: op.into(),
        value,
        limit: Some(limit),
        reason: None,
        ..ComparisonView::default()
    }
}

/// The return-read-path plan takes 15 minutes: its slack is what is left of the window minus that.
fn pnr_at(clock: WindowClock) -> PnrView {
    PnrView {
        scope: "return-read-path".into(),
        slack: clock.left() - Dur::from_mins(15),
    }
}

fn phases(current: usize) -> Vec<PhaseView> {
    let names = [
        ("prepare", "Phase 1: prepare"),
        ("parallel-run", "Phase 2: parallel run"),
        ("freeze", "Phase 3: freeze writes"),
        ("switch", "Phase 4: switch read path"),
        ("validate", "Phase 5: clinical validation"),
        ("close", "Phase 6: close out"),
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, (id, name))| PhaseView {
            id: id.to_string(),
            name: name.to_string(),
            state: match i.cmp(&current) {
                std::cmp::Ordering::Less => PhaseState::Done,
                std::cmp::Ordering::Equal => PhaseState::Current,
                std::cmp::Ordering::Greater => PhaseState::Pending,
            },
        })
        .collect()
}

fn step(
    id: &str,
    title: &str,
    owner: &str,
    status: StepStatus,
    el: Option<i64>,
    exp: i64,
) -> StepView {
    let elapsed = el.map(Dur::from_mins);
    StepView {
        id: id.into(),
        title: title.into(),
        owner: owner.into(),
        status,
        elapsed,
        expected: Dur::from_mins(exp),
        overrun: elapsed.is_some_and(|e| e > Dur::from_mins(exp)),
        ..StepView::default()
    }
}

fn steps() -> Vec<StepView> {
    vec![
        step(
            "start-dual-write",
            "Enable dual write to target archive",
            "sam",
            StepStatus::Done,
            Some(18),
            20,
        ),
        step(
            "verify-pilot",
            "Verify pilot batch checksums",
            "sam",
            StepStatus::Running,
            Some(26),
            20,
        ),
        step(
            "viewer-smoke",
            "Smoke test viewers on target",
            "ana",
            StepStatus::Pending,
            None,
            15,
        ),
        step(
            "notify-wards",
            "Notify wards of read-path switch",
            "dana",
            StepStatus::Pending,
            None,
            5,
        ),
    ]
}

fn gates() -> Vec<GateView> {
    vec![
        GateView {
            id: "pilot-checksums".into(),
            title: "100% checksum match on pilot batch".into(),
            kind: GateKind::Exit,
            state: GateState::Holding,
            comparisons: vec![
                cmp("recon.pacs-pilot.match", "==", Some(1.0), 1.0),
                cmp("recon.pacs-pilot.count_delta", "==", Some(0.0), 0.0),
            ],
            held_for: Some((Dur::from_mins(6), Dur::from_mins(10))),
            waiver: None,
            advisory: false,
        },
        GateView {
            id: "replication-lag".into(),
            title: "Replication lag under 60 s".into(),
            kind: GateKind::Exit,
            state: GateState::Pass,
            comparisons: vec![cmp("target.pacs.replication_lag_s", "<", Some(12.0), 60.0)],
            held_for: None,
            waiver: None,
            advisory: false,
        },
        GateView {
            id: "no-critical-issues".into(),
            title: "No open critical incidents".into(),
            kind: GateKind::Exit,
            state: GateState::Fail,
            comparisons: vec![cmp("issues.open_critical", "==", Some(1.0), 0.0)],
            held_for: None,
            waiver: None,
            advisory: false,
        },
    ]
}

fn thresholds() -> Vec<ThresholdView> {
    vec![
        ThresholdView {
            id: "retrieval-latency".into(),
            title: "Target retrieval p95 above 800 ms for two hours".into(),
            state: ThresholdState::Watch,
            comparison: cmp("p95(target.pacs.latency_ms, 5m)", ">", Some(912.0), 800.0),
            breach_for: Some((Dur::from_mins(14), Dur::from_mins(120))),
            scope: Some("return-read-path".into()),
            severity: Severity::Rollback,
            inputs_unknown: false,
            ..ThresholdView::default()
        },
        ThresholdView {
            id: "adt-queue".into(),
            title: "ADT interface queue delay above 120 s".into(),
            state: ThresholdState::Ok,
            comparison: cmp("source.ehr.adt_delay_s", ">", Some(35.0), 120.0),
            breach_for: None,
            scope: None,
            severity: Severity::Hold,
            inputs_unknown: false,
            ..ThresholdView::default()
        },
        ThresholdView {
            id: "window-slack".into(),
            title: "Rollback slack below 30 min".into(),
            state: ThresholdState::Inactive,
            comparison: cmp(
                "rollback.return-read-path.slack_min",
                "<",
                Some(190.0),
                30.0,
            ),
            breach_for: None,
            scope: Some("return-read-path".into()),
            severity: Severity::Rollback,
            inputs_unknown: false,
            ..ThresholdView::default()
        },
    ]
}

fn side(up: bool, ms: f64, hist: &[u64], err: Option<&str>, cert: Option<i64>) -> EndpointSide {
    EndpointSide {
        up: Some(up),
        latency_ms: up.then_some(ms),
        latency_history: hist.to_vec(),
        last_error: err.map(String::from),
        cert_days_left: cert,
        stale: false,
        ..EndpointSide::default()
    }
}

fn endpoints() -> Vec<EndpointRow> {
    vec![
        EndpointRow {
            system: "pacs".into(),
            source: Some(side(
                true,
                240.0,
                &[220, 230, 250, 240, 235, 240],
                None,
                Some(210),
            )),
            target: Some(side(
                true,
                912.0,
                &[400, 520, 610, 700, 850, 912],
                None,
                Some(9),
            )),
        },
        EndpointRow {
            system: "ehr".into(),
            source: Some(side(true, 88.0, &[80, 90, 85, 88], None, None)),
            target: Some(side(
                false,
                0.0,
                &[95, 99, 120],
                Some("timeout after 2s"),
                None,
            )),
        },
        EndpointRow {
            system: "ris".into(),
            source: Some(side(true, 41.0, &[40, 42, 41], None, None)),
            target: Some(EndpointSide {
                stale: true,
                ..side(true, 45.0, &[44, 45], None, None)
            }),
        },
    ]
}

fn log_line(seq: u64, min: i64, kind: EntryKind, actor: &str, summary: &str) -> LogLine {
    LogLine {
        seq,
        ts: at(min, 7),
        kind,
        actor: actor.into(),
        summary: summary.into(),
    }
}

/// The demo cutover in phase 2 with the line running: one gate holding,
/// one failing, a latency threshold on watch, an endpoint down.
pub fn demo_view() -> CockpitView {
    CockpitView {
        now: at(72, 5),
        header: HeaderView {
            runbook_name: "PACS archive cutover, Northside imaging".into(),
            runbook_version: "2026.11-r3".into(),
            phase_name: "Phase 2: parallel run".into(),
            clock: WindowClock {
                elapsed: Dur::from_secs(72 * 60 + 5),
                max: Dur::from_mins(360),
                overrun_near: false,
            },
            operator: "dana".into(),
            operator_is_commander: true,
            log_path: "/tmp/cutover-demo-1a2b/cutover.jsonl".into(),
            checkpoint: Some("41:9f3ac2e1".into()),
            window: WindowTimes {
                start: WINDOW_START,
                end: at(360, 0),
                forecast_end: Some(at(372, 0)),
            },
            pnr: Some(pnr_at(WindowClock {
                elapsed: Dur::from_secs(72 * 60 + 5),
                max: Dur::from_mins(360),
                overrun_near: false,
            })),
            ..HeaderView::default()
        },
        phases: phases(1),
        steps: steps(),
        gates: gates(),
        signoffs: vec![SignOffView {
            phase: "parallel-run".into(),
            role: "Clinical leadership".into(),
            owner: "dr-lee".into(),
            signed_at: None,
        }],
        thresholds: thresholds(),
        endpoints: endpoints(),
        datasets: vec![DatasetView {
            dataset: "pacs-pilot".into(),
            matched: Some(true),
            metrics: vec![
                ("count_delta".into(), Some(0.0)),
                ("match".into(), Some(1.0)),
                ("mismatched_buckets".into(), Some(0.0)),
            ],
            last_error: None,
        }],
        issues: vec![IssueView {
            id: "INC-7".into(),
            severity: "critical".into(),
            title: "viewer cache errors".into(),
            owner: "ana".into(),
            opened_at: at(70, 7),
        }],
        recommendations: vec![],
        log_tail: vec![
            log_line(
                38,
                46,
                EntryKind::Step,
                "sam",
                "start-dual-write done (18m, expected 20m)",
            ),
            log_line(
                39,
                58,
                EntryKind::Threshold,
                "cockpit",
                "retrieval-latency ok → watch (912 > 800)",
            ),
            log_line(
                40,
                66,
                EntryKind::Gate,
                "cockpit",
                "pilot-checksums fail → holding",
            ),
            log_line(
                41,
                70,
                EntryKind::Decision,
                "ana",
                "issue open INC-7 critical: viewer cache errors",
            ),
        ],
        toast: None,
        roster: ["dana", "sam", "ana", "dr-lee"].map(String::from).to_vec(),
        rollback_scopes: vec!["return-read-path".into(), "stop-dual-write".into()],
        templates: vec![TemplateView {
            id: "status".into(),
            title: "Status update".into(),
            text: "STATUS at 23:12: Phase 2: parallel run, 1 of 3 exit gates passing, \
                   retrieval latency on watch (912 ms > 800 ms for 14m of 2h). \
                   Next update 23:42."
                .into(),
        }],
        forms: FormHints {
            go: "enter controlled-shift".into(),
            refused: [(
                "signoff".to_string(),
                "no sign-off here is dana's to give; awaited: Clinical leadership (dr-lee)"
                    .to_string(),
            )]
            .into(),
            handover_keeps: vec!["owner of phase parallel-run".into()],
            ..FormHints::default()
        },
    }
}

/// The line is stopped: HOLD banner with who, when and why.
pub fn hold_view() -> CockpitView {
    let mut v = demo_view();
    v.header.hold = Some(HoldBanner {
        by: "sam".into(),
        reason: "viewer cache errors on target, investigating".into(),
        since: at(71, 30),
    });
    v.log_tail.push(log_line(
        42,
        71,
        EntryKind::Decision,
        "sam",
        "hold: viewer cache errors on target",
    ));
    v
}

/// The latency threshold breached and a rollback recommendation pending.
pub fn breached_view() -> CockpitView {
    let mut v = demo_view();
    v.now = at(200, 0);
    v.header.clock.elapsed = Dur::from_mins(200);
    v.header.pnr = Some(pnr_at(v.header.clock));
    let t = &mut v.thresholds[0];
    t.state = ThresholdState::Breached;
    t.comparison.value = Some(1240.0);
    t.breach_for = Some((Dur::from_mins(120), Dur::from_mins(120)));
    v.recommendations.push(RecommendationView {
        threshold: "retrieval-latency".into(),
        message: "Target retrieval p95 above 800 ms for two hours: roll back return-read-path"
            .into(),
        severity: Severity::Rollback,
        scope: Some("return-read-path".into()),
        raised_at: at(198, 12),
    });
    v.log_tail.push(log_line(
        57,
        198,
        EntryKind::Threshold,
        "cockpit",
        "retrieval-latency watch → breached (1240 > 800)",
    ));
    v
}

/// A rollback in progress: banner with scope, phase marked rolled back,
/// the rollback plan's steps, and the window close to overrun.
pub fn rollback_view() -> CockpitView {
    let mut v = breached_view();
    v.now = at(330, 0);
    v.recommendations.clear();
    v.header.clock.elapsed = Dur::from_mins(330);
    v.header.pnr = Some(pnr_at(v.header.clock));
    v.header.clock.overrun_near = true;
    v.header.rollback = Some(RollbackBanner {
        scope: "return-read-path".into(),
        by: "dana".into(),
        since: at(205, 0),
    });
    v.phases[1].state = PhaseState::RolledBack;
    v.steps = vec![step(
        "repoint-viewers",
        "Point viewers back at source archive",
        "sam",
        StepStatus::Running,
        Some(9),
        15,
    )];
    v.log_tail.push(log_line(
        58,
        205,
        EntryKind::Decision,
        "dana",
        "rollback return-read-path: p95 breached 2h",
    ));
    v
}

/// A team member (not the commander) at the keyboard.
pub fn team_view() -> CockpitView {
    let mut v = demo_view();
    v.header.operator = "sam".into();
    v.header.operator_is_commander = false;
    v
}

/// A large runbook's view (for benches): `steps` steps and `gates` gates in
/// the current phase, 20 thresholds, 10 systems, a full log tail.
pub fn large_view(steps: usize, gates: usize) -> CockpitView {
    let mut v = breached_view();
    let base = v.steps.clone();
    v.steps = (0..steps)
        .map(|i| {
            let mut s = base[i % base.len()].clone();
            s.id = format!("step-{i:03}");
            s.title = format!("Runbook step {i:03}: {}", s.title);
            s
        })
        .collect();
    let g = v.gates.clone();
    v.gates = (0..gates)
        .map(|i| {
            let mut x = g[i % g.len()].clone();
            x.id = format!("gate-{i:03}");
            x
        })
        .collect();
    let t = v.thresholds.clone();
    v.thresholds = (0..20)
        .map(|i| {
            let mut x = t[i % t.len()].clone();
            x.id = format!("threshold-{i:02}");
            x
        })
        .collect();
    let e = v.endpoints.clone();
    v.endpoints = (0..10)
        .map(|i| {
            let mut x = e[i % e.len()].clone();
            x.system = format!("sys{i}");
            x
        })
        .collect();
    let l = v.log_tail.clone();
    v.log_tail = (0..40).map(|i| l[i % l.len()].clone()).collect();
    v
}
