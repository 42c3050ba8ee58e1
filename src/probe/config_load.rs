//! TEMPORARY BRIDGE: a minimal config reader so the probe engine, `status`
//! and the benches can run before `core::config::load` (issue: config loader,
//! another helper) lands. Replace every call of `load_config` with
//! `core::config::load` then delete this file. It checks only what the probes
//! need; it is not the validator.

use crate::core::config::{Config, JsonExpect, Poll, Probe, ProbeKind, Side};
use crate::core::span::Pos;
use crate::core::time::{parse_duration, Dur};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    poll: Option<RawPoll>,
    #[serde(default)]
    probe: Vec<toml::Spanned<RawProbe>>,
    // issue 8 sections: accepted, not read here
    #[serde(default)]
    serve: Option<toml::Value>,
    #[serde(default)]
    webhook: Option<toml::Value>,
    #[serde(default)]
    token: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoll {
    interval: Option<String>,
    timeout: Option<String>,
    stale_after: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProbe {
    side: Option<Side>,
    system: Option<String>,
    kind: String,
    url: Option<String>,
    #[serde(default)]
    expect_status: Vec<u16>,
    expect_json: Option<RawExpect>,
    bearer_env: Option<String>,
    ca_file: Option<String>,
    interval: Option<String>,
    timeout: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    dataset: Option<String>,
    source_url: Option<String>,
    target_url: Option<String>,
    #[serde(default)]
    select: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    pointer: String,
    equals: String,
}

fn dur(label: &str, key: &str, v: Option<String>, default: Dur) -> Result<Dur, String> {
    match v {
        None => Ok(default),
        Some(s) => parse_duration(&s).map_err(|e| format!("{label}: {key}: {e}")),
    }
}

/// Reads a config text; errors say `LABEL:LINE:COL: what` where a position is known.
pub fn load_config(label: &str, text: &str) -> Result<Config, String> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let pos = e
            .span()
            .map(|s| Pos::of_offset(text, s.start).to_string())
            .unwrap_or_else(|| "1:1".into());
        format!("{label}:{pos}: {}", e.message())
    })?;
    let _ = (&raw.serve, &raw.webhook, &raw.token);
    let d = Poll::default();
    let poll = match raw.poll {
        None => d,
        Some(p) => Poll {
            interval: dur(label, "poll.interval", p.interval, d.interval)?,
            timeout: dur(label, "poll.timeout", p.timeout, d.timeout)?,
            stale_after: dur(label, "poll.stale_after", p.stale_after, d.stale_after)?,
        },
    };
    let probes = raw
        .probe
        .into_iter()
        .map(|sp| {
            let pos = Pos::of_offset(text, sp.span().start);
            probe(label, pos, sp.into_inner())
        })
        .collect::<Result<Vec<_>, String>>()?;
    // the headless loader reads only what probes need; webhooks come from core::config
    Ok(Config {
        poll,
        probes,
        ..Config::default()
    })
}

fn probe(label: &str, pos: Pos, r: RawProbe) -> Result<Probe, String> {
    let at = format!("{label}:{pos}");
    let need = |v: Option<String>, key: &str| -> Result<String, String> {
        v.ok_or_else(|| format!("{at}: {} probe needs `{key}`", r.kind))
    };
    let kind = match r.kind.as_str() {
        "health" => ProbeKind::Health {
            expect_json: r.expect_json.map(|e| JsonExpect { pointer: e.pointer, equals: e.equals }),
        },
        "latency" => ProbeKind::Latency { fields: r.fields },
        "prometheus" => ProbeKind::Prometheus { select: r.select },
        "checksum" => ProbeKind::Checksum {
            dataset: need(r.dataset.clone(), "dataset")?,
            source_url: need(r.source_url.clone(), "source_url")?,
            target_url: need(r.target_url.clone(), "target_url")?,
        },
        other => {
            return Err(format!(
                "{at}: unknown probe kind \"{other}\" (expected health, latency, checksum or prometheus)"
            ))
        }
    };
    let is_checksum = matches!(kind, ProbeKind::Checksum { .. });
    let (url, side, system) = if is_checksum {
        (String::new(), None, None)
    } else {
        (
            need(r.url.clone(), "url")?,
            Some(
                r.side
                    .ok_or_else(|| format!("{at}: probe needs `side` (source or target)"))?,
            ),
            Some(need(r.system.clone(), "system")?),
        )
    };
    Ok(Probe {
        side,
        system,
        kind,
        url,
        expect_status: r.expect_status,
        bearer_env: r.bearer_env,
        ca_file: r.ca_file,
        interval: r
            .interval
            .map(|s| dur(label, "interval", Some(s), Dur::ZERO))
            .transpose()?,
        timeout: r
            .timeout
            .map(|s| dur(label, "timeout", Some(s), Dur::ZERO))
            .transpose()?,
        pos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example() {
        let text = r#"
[poll]
interval = "5s"
timeout = "2s"

[[probe]]
side = "target"
system = "pacs"
kind = "health"
url = "http://127.0.0.1:7700/target/pacs/health"
expect_json = { pointer = "/status", equals = "ok" }

[[probe]]
kind = "checksum"
dataset = "pacs-pilot"
source_url = "http://127.0.0.1:7700/source/checksum/pacs-pilot"
target_url = "http://127.0.0.1:7700/target/checksum/pacs-pilot"
"#;
        let c = load_config("c.toml", text).unwrap();
        assert_eq!(c.probes.len(), 2);
        assert_eq!(c.probes[0].prefix(), "target.pacs");
        assert_eq!(c.probes[0].pos, Pos::new(6, 1));
        assert_eq!(c.probes[1].prefix(), "recon.pacs-pilot");
        assert_eq!(c.poll.stale_after, Dur::from_secs(20));
    }

    #[test]
    fn errors_name_file_line_col() {
        let e = load_config("c.toml", "[[probe]]\nkind = \"health\"\nsurprise = 1\n").unwrap_err();
        assert!(e.starts_with("c.toml:3:1:"), "{e}");
        let e = load_config("c.toml", "[[probe]]\nkind = \"ping\"\n").unwrap_err();
        assert!(e.contains("unknown probe kind"), "{e}");
    }
}
