//! `cutover status RUNBOOK --config CONFIG [--phase ID] [--json] [--for DUR]`:
//! headless pre-flight: polls every probe and prints every metric.

use crate::cli::StatusArgs;
use color_eyre::eyre::{eyre, WrapErr};
use cutover_cockpit::core::cockpit::{Cockpit, Msg};
use cutover_cockpit::core::config::{self, Config};
use cutover_cockpit::core::diag::Diagnostic;
use cutover_cockpit::core::gate::{GateState, GateStatus};
use cutover_cockpit::core::runbook::{self, GateKind, Runbook};
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::sanitize::inert;
use cutover_cockpit::core::threshold::{ThresholdState, ThresholdStatus};
use cutover_cockpit::core::time::{parse_duration, Dur, Ts};
use cutover_cockpit::probe::{self, snapshot::Latest, snapshot::MetricView};
use std::collections::BTreeMap;

/// Reads and validates a file with `load`; on problems prints every diagnostic
/// (FILE:LINE:COL) to stderr and fails, so the command exits 2.
fn load_file<T>(
    path: &std::path::Path,
    what: &str,
    load: impl Fn(&str, &str) -> Result<T, Vec<Diagnostic>>,
) -> color_eyre::Result<(T, String)> {
    let label = path.display().to_string();
    let text =
        std::fs::read_to_string(path).wrap_err_with(|| format!("{label}: cannot read {what}"))?;
    match load(&label, &text) {
        Ok(v) => Ok((v, text)),
        Err(diags) => {
            for d in diags.iter().filter(|d| d.is_error()) {
                eprintln!("{}", d.render(&text));
            }
            Err(eyre!("{label}: invalid {what}"))
        }
    }
}

pub fn run(args: StatusArgs) -> color_eyre::Result<u8> {
    let (runbook, _) = load_file(&args.runbook, "runbook", runbook::load)?;
    let (config, _) = load_file(&args.config, "config", config::load)?;
    let phase = match &args.phase {
        None => runbook
            .phases
            .first()
            .map(|p| p.id.clone())
            .unwrap_or_default(),
        Some(p) if runbook.phase(p).is_some() => p.clone(),
        Some(p) => {
            let ids: Vec<_> = runbook.phases.iter().map(|p| p.id.as_str()).collect();
            return Err(eyre!(
                "--phase {}: no such phase in {} (phases: {})",
                inert(p),
                args.runbook.display(),
                inert(&ids.join(", "))
            ));
        }
    };
    let keep_polling = match &args.for_ {
        None => None,
        Some(d) => Some(parse_duration(d).map_err(|e| eyre!("--for: {e}"))?),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    let clock = probe::system_clock();
    let mut board = Board::new(runbook, &config, &phase, clock());
    let latest = rt.block_on(poll(&config, clock.clone(), keep_polling, &mut board));
    let now = clock();
    board.evaluate(now);
    let mut metrics = latest.table(&config, now);
    for name in DERIVED {
        if let Some(v) = board.cockpit.store().latest_raw(name, now) {
            metrics.insert(
                (*name).into(),
                MetricView {
                    value: Some(v.1),
                    age_s: Some((now - v.0).as_secs_f64()),
                    reason: None,
                },
            );
        }
    }
    if args.json {
        print_json(&metrics, &board)?;
    } else {
        print_human(&metrics, &board);
    }
    Ok(if board.phase_passes(&phase) { 0 } else { 1 })
}

/// Derived metrics the cockpit computes (shown with the probes' metrics).
const DERIVED: &[&str] = &[
    "cutover.elapsed_min",
    "cutover.remaining_min",
    "cutover.forecast_overrun_min",
    "phase.elapsed_min",
    "issues.open",
    "issues.open_critical",
];

/// Every gate of every phase and every threshold, evaluated headless over the
/// cockpit's metric store (no log: sign-offs are all awaiting).
struct Board {
    cockpit: Cockpit,
    gates: Vec<(GateStatus, cutover_cockpit::core::expr::Expr)>,
    thresholds: Vec<(ThresholdStatus, cutover_cockpit::core::expr::Expr, bool)>,
}

impl Board {
    fn new(runbook: Runbook, config: &Config, phase: &str, now: Ts) -> Board {
        let gates = runbook
            .gates()
            .map(|(p, g)| (GateStatus::new(&p.id, g), g.when.clone()))
            .collect();
        let thresholds = runbook
            .thresholds
            .iter()
            .map(|t| (ThresholdStatus::new(t), t.when.clone(), t.active_in(phase)))
            .collect();
        let mut cockpit = Cockpit::new(runbook, now);
        cockpit.set_stale_after(config.poll.stale_after);
        Board {
            cockpit,
            gates,
            thresholds,
        }
    }

    fn feed(&mut self, report: ProbeReport) {
        let ts = report.ts;
        // effects (observe records) are dropped: status writes no log
        let _ = self.cockpit.handle(Msg::Probe(report), ts);
    }

    fn evaluate(&mut self, now: Ts) {
        self.cockpit.refresh_derived(now);
        let store = self.cockpit.store();
        for (g, when) in &mut self.gates {
            if let Some(t) = g.evaluate(when, store, now) {
                g.apply(
                    GateState::from_name(t.to).unwrap_or(GateState::Unknown),
                    t.timer,
                );
            }
        }
        for (t, when, active) in &mut self.thresholds {
            if let Some(tr) = t.evaluate(*active, when, store, now) {
                t.apply(
                    ThresholdState::from_name(tr.to).unwrap_or(ThresholdState::Unknown),
                    tr.timer,
                );
            }
        }
    }

    /// Every entry and exit gate of `phase` passes (sign-offs and thresholds never count).
    fn phase_passes(&self, phase: &str) -> bool {
        self.gates
            .iter()
            .filter(|(g, _)| g.phase == phase)
            .all(|(g, _)| g.state() == GateState::Pass)
    }
}

/// Polls once, or again every `poll.interval` until `keep` has passed.
async fn poll(
    config: &Config,
    clock: probe::Clock,
    keep: Option<Dur>,
    board: &mut Board,
) -> Latest {
    let mut latest = Latest::default();
    let until = keep
        .map(|d| tokio::time::Instant::now() + std::time::Duration::from_millis(d.0.max(0) as u64));
    let every = std::time::Duration::from_millis(config.poll.interval.0.max(100) as u64);
    loop {
        let round = tokio::time::Instant::now();
        for r in probe::poll_once(config, clock.clone()).await {
            latest.add(&r);
            board.feed(r);
        }
        // `for` timers need an evaluation per round, not just one at the end
        board.evaluate(clock());
        match until {
            Some(u) if round + every < u => tokio::time::sleep_until(round + every).await,
            _ => return latest,
        }
    }
}

fn print_json(metrics: &BTreeMap<String, MetricView>, board: &Board) -> color_eyre::Result<()> {
    let gates: Vec<_> = board
        .gates
        .iter()
        .map(|(g, _)| {
            serde_json::json!({
                "id": g.id, "phase": g.phase, "kind": g.kind,
                "state": g.state().as_str(), "reason": g.reason,
            })
        })
        .collect();
    let signoffs: Vec<_> = board
        .cockpit
        .signoffs()
        .iter()
        .map(|s| {
            serde_json::json!({
                "phase": s.phase, "role": s.role, "owner": s.owner, "state": "awaiting",
            })
        })
        .collect();
    let thresholds: Vec<_> = board
        .thresholds
        .iter()
        .map(|(t, _, _)| {
            let (value, limit) = t
                .last
                .as_ref()
                .map(|e| e.first_sides())
                .unwrap_or((None, None));
            serde_json::json!({
                "id": t.id, "state": t.state.as_str(), "value": value, "limit": limit,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "metrics": metrics,
        "gates": gates,
        "signoffs": signoffs,
        "thresholds": thresholds,
    });
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}

fn print_human(metrics: &BTreeMap<String, MetricView>, board: &Board) {
    let width = metrics
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(10);
    println!("{:width$}  {:>12}  {:>7}  reason", "metric", "value", "age");
    for (name, m) in metrics {
        let value = m.value.map(fmt_value).unwrap_or_else(|| "-".into());
        let age = m
            .age_s
            .map(|a| format!("{a:.1}s"))
            .unwrap_or_else(|| "-".into());
        let reason = m.reason.as_deref().map(inert).unwrap_or_default();
        println!("{name:width$}  {value:>12}  {age:>7}  {reason}");
    }
    println!(
        "\n{:<28} {:<20} {:<6} {:<8} reason",
        "gate", "phase", "kind", "state"
    );
    for (g, _) in &board.gates {
        let kind = match g.kind {
            GateKind::Entry => "entry",
            GateKind::Exit => "exit",
        };
        let reason = g.reason.as_deref().map(inert).unwrap_or_default();
        println!(
            "{:<28} {:<20} {kind:<6} {:<8} {reason}",
            g.id,
            g.phase,
            g.state().as_str()
        );
    }
    println!("\n{:<28} {:<20} {:<24} state", "sign-off", "phase", "role");
    for s in board.cockpit.signoffs() {
        println!(
            "{:<28} {:<20} {:<24} awaiting",
            s.owner,
            s.phase,
            inert(&s.role)
        );
    }
    println!(
        "\n{:<28} {:<10} {:>12} {:>12}",
        "threshold", "state", "value", "limit"
    );
    for (t, _, _) in &board.thresholds {
        let (v, l) = t
            .last
            .as_ref()
            .map(|e| e.first_sides())
            .unwrap_or((None, None));
        let show = |x: Option<f64>| x.map(fmt_value).unwrap_or_else(|| "-".into());
        println!(
            "{:<28} {:<10} {:>12} {:>12}",
            t.id,
            t.state.as_str(),
            show(v),
            show(l)
        );
    }
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}
