//! `cutover status RUNBOOK --config CONFIG [--phase ID] [--json] [--for DUR]`:
//! headless pre-flight: polls every probe and prints every metric.

use crate::cli::StatusArgs;
use color_eyre::eyre::{eyre, WrapErr};
use cutover_cockpit::core::config::Config;
use cutover_cockpit::core::sanitize::inert;
use cutover_cockpit::core::time::{parse_duration, Dur, Ts};
use cutover_cockpit::probe::{self, snapshot::Latest, snapshot::MetricView};
use std::collections::BTreeMap;

/// What status needs from the runbook until `core::runbook::load` lands.
struct RunbookFacts {
    window_start: Option<Ts>,
    phases: Vec<String>,
}

/// TODO(runbook loader): replace with `core::runbook::load` and exit 2 on its diagnostics.
fn read_runbook(path: &std::path::Path) -> color_eyre::Result<RunbookFacts> {
    let label = path.display();
    let text =
        std::fs::read_to_string(path).wrap_err_with(|| format!("{label}: cannot read runbook"))?;
    let v: toml::Value = toml::from_str(&text).map_err(|e| {
        let pos = e
            .span()
            .map(|s| cutover_cockpit::core::span::Pos::of_offset(&text, s.start).to_string())
            .unwrap_or_else(|| "1:1".into());
        eyre!("{label}:{pos}: error: {}", e.message().trim())
    })?;
    let window_start = match v.get("runbook").and_then(|r| r.get("window_start")) {
        None => None,
        Some(w) => Some(w.as_str().and_then(Ts::parse_rfc3339).ok_or_else(|| {
            eyre!("{label}: window_start must be an RFC 3339 string like \"2026-11-28T22:00:00Z\"")
        })?),
    };
    let phases = v
        .get("phase")
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|p| p.get("id")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(RunbookFacts {
        window_start,
        phases,
    })
}

fn read_config(path: &std::path::Path) -> color_eyre::Result<Config> {
    let label = path.display().to_string();
    let text =
        std::fs::read_to_string(path).wrap_err_with(|| format!("{label}: cannot read config"))?;
    // TEMPORARY BRIDGE until core::config::load lands (see src/probe/config_load.rs)
    probe::config_load::load_config(&label, &text).map_err(|e| eyre!("{e}"))
}

pub fn run(args: StatusArgs) -> color_eyre::Result<u8> {
    let runbook = read_runbook(&args.runbook)?;
    let config = read_config(&args.config)?;
    if let Some(p) = &args.phase {
        if !runbook.phases.iter().any(|id| id == p) {
            return Err(eyre!(
                "--phase {}: no such phase in {} (phases: {})",
                inert(p),
                args.runbook.display(),
                inert(&runbook.phases.join(", "))
            ));
        }
    }
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
    let started = clock();
    let latest = rt.block_on(poll(&config, clock.clone(), keep_polling));
    let now = clock();
    let mut metrics = latest.table(&config, now);
    let elapsed_from = runbook.window_start.unwrap_or(started);
    metrics.insert(
        "cutover.elapsed_min".into(),
        MetricView {
            value: Some((now - elapsed_from).as_mins_f64()),
            age_s: Some(0.0),
            reason: None,
        },
    );
    if args.json {
        print_json(&metrics)?;
    } else {
        print_human(&metrics);
    }
    // TODO(gate evaluator): evaluate every phase's gates, sign-offs and thresholds
    // (core evaluator, issue of the gate engine) and return 1 unless every entry
    // and exit gate of `--phase` (default: the first phase) passes. Until it lands
    // there are no gates to fail, so the answer is 0.
    Ok(0)
}

/// Polls once, or again every `poll.interval` until `keep` has passed.
async fn poll(config: &Config, clock: probe::Clock, keep: Option<Dur>) -> Latest {
    let mut latest = Latest::default();
    let until = keep
        .map(|d| tokio::time::Instant::now() + std::time::Duration::from_millis(d.0.max(0) as u64));
    let every = std::time::Duration::from_millis(config.poll.interval.0.max(100) as u64);
    loop {
        let round = tokio::time::Instant::now();
        for r in probe::poll_once(config, clock.clone()).await {
            latest.add(&r);
        }
        match until {
            Some(u) if round + every < u => tokio::time::sleep_until(round + every).await,
            _ => return latest,
        }
    }
}

fn print_json(metrics: &BTreeMap<String, MetricView>) -> color_eyre::Result<()> {
    let doc = serde_json::json!({
        "metrics": metrics,
        "gates": [],
        "signoffs": [],
        "thresholds": [],
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

fn print_human(metrics: &BTreeMap<String, MetricView>) {
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
    println!("\ngates, sign-offs, thresholds: not evaluated yet (gate evaluator pending)");
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
