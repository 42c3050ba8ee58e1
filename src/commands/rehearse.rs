//! `cutover rehearse RUNBOOK --config CONFIG [--scenario NAME|FILE] [--speed N]
//! [--log LOG] [--as OWNER] [--baseline LOG...] [--notify]`: a dress rehearsal of any runbook. The
//! simulator serves what the config names (by its own names); the probes are
//! pointed at it in memory; the cockpit runs as `run` does, marked REHEARSAL
//! on screen and in the log's `open` record. Exit codes as `run`.

use crate::cli::RehearseArgs;
use crate::commands::demo::{fresh_log_path, print_next_steps};
use crate::commands::run::{live, runtime};
use color_eyre::eyre::{eyre, WrapErr};
use cutover_cockpit::app::rehearse::{point_at_sim, universe_of, SimTarget};
use cutover_cockpit::app::start;
use cutover_cockpit::core::sanitize::inert;
use cutover_cockpit::sim::{self, Scenario};
use std::path::Path;

pub fn run(args: RehearseArgs) -> color_eyre::Result<u8> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(eyre!("--speed {}: expected a positive number", args.speed));
    }
    let mut loaded = match start::load(&args.runbook, &args.config) {
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
    let scenario = match Scenario::resolve(&args.scenario) {
        Ok(s) => s.with_universe(universe_of(&loaded.config)),
        Err(e) => {
            eprintln!("cutover: {e}");
            return Ok(2);
        }
    };
    let log = match &args.log {
        Some(l) => l.clone(),
        None => fresh_log_path("cutover-rehearsal")?,
    };
    if let Err(why) = refuse_live_log(&log) {
        eprintln!("cutover: {why}");
        return Ok(1);
    }
    let operator = args
        .as_owner
        .clone()
        .unwrap_or_else(|| loaded.runbook.commander.clone());
    if !args.notify {
        loaded.config.webhooks.clear();
    }
    loaded.rehearsal = true;
    // the cockpit's clock runs at the simulator's speed (docs/runbook.md, "Rehearsals")
    loaded.pace = cutover_cockpit::clock::Pace::new(args.speed);
    runtime()?.block_on(async {
        let any = "127.0.0.1:0".parse().wrap_err("loopback address")?;
        let sim = sim::start(scenario, any, args.speed).await?;
        let https = match (sim.tls_addr, &sim.ca_pem) {
            (Some(addr), Some(pem)) => {
                let dir = log.parent().unwrap_or(Path::new("."));
                let ca = dir.join(format!("rehearsal-sim-{}-ca.pem", addr.port()));
                std::fs::write(&ca, pem).wrap_err_with(|| {
                    format!("cannot write the simulator CA to {}", ca.display())
                })?;
                Some((format!("https://{addr}"), ca.display().to_string()))
            }
            _ => None,
        };
        let target = SimTarget {
            http: sim.base_url(),
            https,
        };
        // before the rewriting, so the diagnostics pane keeps what it says
        let _ = cutover_cockpit::tui::terminal::init_diagnostics(log::LevelFilter::Info);
        point_at_sim(&mut loaded.config, &target);
        let code = live(&loaded, &log, &operator, None, None, false).await;
        sim.stop().await;
        print_next_steps(&log);
        code
    })
}

/// A rehearsal never resumes (and so never writes simulated answers into)
/// the log of a real run.
fn refuse_live_log(log: &Path) -> Result<(), String> {
    if !log.exists() {
        return Ok(());
    }
    let records = cutover_cockpit::journal::read_records(log)
        .map_err(|e| format!("{}: {e}", inert(&log.display().to_string())))?;
    match records.first() {
        Some(r) if cutover_cockpit::journal::is_rehearsal(r) => Ok(()),
        _ => Err(format!(
            "{}: is not a rehearsal's log; a rehearsal writes only its own logs (choose another --log)",
            inert(&log.display().to_string())
        )),
    }
}
