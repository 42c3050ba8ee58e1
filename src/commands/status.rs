//! `cutover status RUNBOOK --config CONFIG [--phase ID] [--json] [--for DUR]`:
//! headless pre-flight: polls every probe and prints every metric.

use crate::cli::StatusArgs;
use color_eyre::eyre::{eyre, WrapErr};
use cutover_cockpit::core::cockpit::{Cockpit, Msg};
use cutover_cockpit::core::config::{self, Config};
use cutover_cockpit::core::derived;
use cutover_cockpit::core::diag::Diagnostic;
use cutover_cockpit::core::runbook::{self, Runbook};
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::sanitize::inert;
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
    let (config, config_text) = load_file(&args.config, "config", config::load)?;
    let config_label = args.config.display().to_string();
    let unset = config::recon::missing_env(&config, &config_label, |n| std::env::var(n).ok());
    if !unset.is_empty() {
        for d in &unset {
            eprintln!("{}", d.render(&config_text));
        }
        return Err(eyre!("{config_label}: environment variables missing"));
    }
    // cross-checked against the config: a metric no probe produces is an
    // error at its FILE:LINE:COL (exit 2), not a gate that is forever unknown
    let (runbook, _) = load_file(&args.runbook, "runbook", |label, text| {
        let out = runbook::check_with_config(label, text, &config_label, &config);
        match out.runbook {
            Some(rb) => Ok(rb),
            None => Err(out.diagnostics),
        }
    })?;
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
    let mut board = Board::new(runbook, &config, clock());
    let latest = rt.block_on(poll(&config, clock.clone(), keep_polling, &mut board));
    let now = clock();
    board.evaluate(now);
    let mut metrics = latest.table(&config, now);
    let scopes = board
        .cockpit
        .runbook()
        .rollbacks
        .iter()
        .map(|r| r.scope.as_str());
    for name in derived::names(scopes) {
        if let Some(v) = board.cockpit.store().latest_raw(&name, now) {
            metrics.insert(
                name,
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
    Ok(if board.cockpit.phase_gates_pass(&phase) == Some(true) {
        0
    } else {
        1
    })
}

/// The cockpit fed with the probes' reports, no log: gates, sign-offs and
/// thresholds come from the same core the live cockpit runs.
struct Board {
    cockpit: Cockpit,
    /// `status_json` of the last evaluation.
    doc: serde_json::Value,
}

impl Board {
    fn new(runbook: Runbook, config: &Config, now: Ts) -> Board {
        let mut cockpit = Cockpit::new(runbook, now);
        cockpit.set_staleness(&config.staleness());
        Board {
            cockpit,
            doc: serde_json::Value::Null,
        }
    }

    fn feed(&mut self, report: ProbeReport) {
        let ts = report.ts;
        // effects (observe records) are dropped: status writes no log
        let _ = self.cockpit.handle(Msg::Probe(report), ts);
    }

    fn evaluate(&mut self, now: Ts) {
        let _ = self.cockpit.handle(Msg::Tick, now);
        self.doc = self.cockpit.status_json(&[], now);
    }

    fn list(&self, key: &str) -> &[serde_json::Value] {
        self.doc[key].as_array().map(Vec::as_slice).unwrap_or(&[])
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
    let doc = serde_json::json!({
        "metrics": metrics,
        "gates": board.list("gates"),
        "signoffs": board.list("signoffs"),
        "thresholds": board.list("thresholds"),
    });
    println!(
        "{}",
        escape_c1_and_bidi(&serde_json::to_string_pretty(&doc)?)
    );
    Ok(())
}

/// serde_json escapes C0 only; C1 controls and bidi overrides (from config
/// text) are escaped too, as the log does, so no raw one reaches a terminal.
fn escape_c1_and_bidi(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if cutover_cockpit::core::sanitize::is_dangerous(c) && !c.is_ascii() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
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
        let name = inert(name);
        println!("{name:width$}  {value:>12}  {age:>7}  {reason}");
    }
    let text = |v: &serde_json::Value, k: &str| inert(v[k].as_str().unwrap_or("-"));
    println!(
        "\n{:<28} {:<20} {:<6} {:<8} reason",
        "gate", "phase", "kind", "state"
    );
    for g in board.list("gates") {
        println!(
            "{:<28} {:<20} {:<6} {:<8} {}",
            text(g, "id"),
            text(g, "phase"),
            text(g, "kind"),
            text(g, "state"),
            inert(g["reason"].as_str().unwrap_or(""))
        );
    }
    println!("\n{:<16} {:<20} {:<34} state", "sign-off", "phase", "role");
    for s in board.list("signoffs") {
        println!(
            "{:<16} {:<20} {:<34} {}",
            text(s, "owner"),
            text(s, "phase"),
            text(s, "role"),
            text(s, "state")
        );
    }
    println!(
        "\n{:<28} {:<10} {:>12} {:>12}",
        "threshold", "state", "value", "limit"
    );
    for t in board.list("thresholds") {
        let show = |k: &str| t[k].as_f64().map(fmt_value).unwrap_or_else(|| "-".into());
        println!(
            "{:<28} {:<10} {:>12} {:>12}",
            text(t, "id"),
            text(t, "state"),
            show("value"),
            show("limit")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_has_no_raw_c1_or_bidi() {
        let doc = serde_json::json!({"m": "a\u{1b}b\u{9b}c\u{202e}d"});
        let out = escape_c1_and_bidi(&serde_json::to_string(&doc).unwrap());
        assert_eq!(out, r#"{"m":"a\u001bb\u009bc\u202ed"}"#);
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, doc);
    }
}
