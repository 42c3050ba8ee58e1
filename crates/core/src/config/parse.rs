//! Config TOML -> [`Config`] with positions (docs/probes.md). Unknown keys
//! are errors; `bearer_env` is only the NAME of an environment variable.

use super::model::*;
use crate::diag::{self, Diagnostic};
use crate::span::Pos;
use crate::time::Dur;
use crate::tomlread::{parse_document, Reader, Spanned, Tbl};
use std::collections::{BTreeMap, HashMap};

/// Sections other issues add (`[serve]`, `[[token]]`); they
/// are read by their own modules, so they are accepted here unchecked.
const LATER_SECTIONS: &[&str] = &[];
const TOP_KEYS: &[&str] = &["poll", "probe", "serve", "webhook", "token"];
const POLL_KEYS: &[&str] = &["interval", "timeout", "stale_after"];
const COMMON: &[&str] = &[
    "kind",
    "expect_status",
    "bearer_env",
    "ca_file",
    "interval",
    "timeout",
    "stale_after",
    "fresh_connection",
];
const HEALTH_KEYS: &[&str] = &["side", "system", "url", "expect_json"];
const LATENCY_KEYS: &[&str] = &["side", "system", "url", "fields"];
const CHECKSUM_KEYS: &[&str] = &["dataset", "source_url", "target_url"];
const PROMETHEUS_KEYS: &[&str] = &["side", "system", "url", "select"];

/// The outcome of checking a config: the config when it has no errors, and every diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigOutcome {
    /// The parsed config; `None` when any error was found.
    pub config: Option<Config>,
    /// Every error and warning found in the file.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and validates a config; `path_label` names the file in diagnostics.
pub fn check(path_label: &str, text: &str) -> ConfigOutcome {
    let mut diagnostics = Vec::new();
    let config = match parse_document(path_label, text) {
        Err(d) => {
            diagnostics.push(d);
            None
        }
        Ok(doc) => {
            let mut r = Reader::new(path_label, text);
            let root = r.root(&doc);
            let config = read_config(&mut r, root);
            diagnostics = r.diags;
            Some(config)
        }
    };
    diag::sort(&mut diagnostics);
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    ConfigOutcome {
        config: config.filter(|_| ok),
        diagnostics,
    }
}

/// Parses and validates a config; `Err` holds the errors (warnings dropped).
pub fn load(path_label: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let out = check(path_label, text);
    out.config.ok_or_else(|| {
        out.diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()
    })
}

fn read_config(r: &mut Reader<'_>, root: Tbl<'_>) -> Config {
    r.check_keys(root, TOP_KEYS);
    let _ = LATER_SECTIONS;
    let mut poll = Poll::default();
    let mut poll_stale_pos = None;
    if let Some(t) = r.table(root, "poll", "[poll]") {
        r.check_keys(t, POLL_KEYS);
        if let Some(d) = r.opt_dur(t, "interval") {
            poll.interval = positive(r, d, "interval");
        }
        if let Some(d) = r.opt_dur(t, "timeout") {
            poll.timeout = positive(r, d, "timeout");
        }
        if let Some(d) = r.opt_dur(t, "stale_after") {
            poll_stale_pos = Some(d.pos);
            poll.stale_after = Some(positive(r, d, "stale_after"));
        }
    }
    let mut probes = Vec::new();
    for t in r.tables(root, "probe", "[[probe]]") {
        if let Some((p, at)) = read_probe(r, t) {
            warn_stale_before_next_attempt(r, &poll, &p, at, poll_stale_pos);
            probes.push(p);
        }
    }
    if probes.is_empty() && root.table.get_key_value("probe").is_none() {
        r.warn(
            Pos::new(1, 1),
            "the config has no [[probe]]".to_string(),
            None,
        );
    }
    check_duplicate_probes(r, &probes);
    let webhooks = super::webhook::read_webhooks(r, root);
    let serve = super::serve::read_serve(r, root);
    let tokens = super::serve::read_tokens(r, root);
    Config {
        poll,
        probes,
        webhooks,
        serve,
        tokens,
    }
}

fn positive(r: &mut Reader<'_>, d: Spanned<crate::time::Dur>, key: &str) -> crate::time::Dur {
    if d.value.0 <= 0 {
        r.error(d.pos, format!("`{key}` must be longer than 0"));
    }
    d.value
}

/// A metric segment: `[a-z0-9_][a-z0-9_-]*`.
fn is_segment(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    s.chars().next().is_some_and(ok) && s.chars().all(|c| ok(c) || c == '-')
}

fn segment(r: &mut Reader<'_>, t: Tbl<'_>, key: &str) -> Option<String> {
    let s = r.req_str(t, key)?;
    if !is_segment(&s.value) {
        r.error_help(
            s.pos,
            format!("`{key}` \"{}\" cannot be part of a metric name", s.value),
            Some("use lowercase letters, digits, `_` and `-`, e.g. \"pacs\"".into()),
        );
        return None;
    }
    Some(s.value)
}

fn url(r: &mut Reader<'_>, t: Tbl<'_>, key: &str) -> String {
    let Some(u) = r.req_str(t, key) else {
        return String::new();
    };
    if !(u.value.starts_with("http://") || u.value.starts_with("https://")) {
        r.error_help(
            u.pos,
            format!("`{key}` must be an http:// or https:// URL"),
            Some("e.g. \"http://127.0.0.1:7700/target/pacs/health\"".into()),
        );
    }
    u.value
}

/// Where a probe sets `interval` and `stale_after`, if it does.
struct ProbeAt {
    interval: Option<Pos>,
    stale_after: Option<Pos>,
}

/// A probe whose samples go stale before its next attempt leaves every gate
/// reading them unknown most of the time: a warning (the config still
/// works), at the key that makes it so, naming the probe and its line.
fn warn_stale_before_next_attempt(
    r: &mut Reader<'_>,
    poll: &Poll,
    p: &Probe,
    at: ProbeAt,
    poll_stale_pos: Option<Pos>,
) {
    let interval = p.interval.unwrap_or(poll.interval);
    let Some(stale) = p.stale_after.or(poll.stale_after) else {
        return; // 3 x interval
    };
    if stale >= interval {
        return;
    }
    let from = if p.stale_after.is_some() {
        "its `stale_after`"
    } else {
        "`[poll] stale_after`"
    };
    let pos = at
        .stale_after
        .or(at.interval)
        .or(poll_stale_pos)
        .unwrap_or(p.pos);
    let msg = format!(
        "probe `{}.{}` (line {}) goes stale after {stale} ({from}), before its next attempt (interval {interval}): between attempts every gate reading it is unknown",
        p.prefix(),
        p.kind.name(),
        p.pos.line
    );
    let help = format!(
        "set `stale_after` on this probe to at least {interval} (with no `stale_after` anywhere, samples stay fresh for 3 x the interval: {})",
        Dur(interval.0.saturating_mul(STALE_INTERVALS))
    );
    r.warn(pos, msg, Some(help));
}

fn read_probe(r: &mut Reader<'_>, t: Tbl<'_>) -> Option<(Probe, ProbeAt)> {
    if t.table.get_key_value("kind").is_none() {
        // without a kind, check against every probe key so a typo of `kind` is named
        let all: Vec<&str> = [
            COMMON,
            HEALTH_KEYS,
            LATENCY_KEYS,
            CHECKSUM_KEYS,
            PROMETHEUS_KEYS,
            super::recon::SQL_KEYS,
            super::recon::DICOMWEB_KEYS,
        ]
        .concat();
        r.check_keys(t, &all);
    }
    let kind = r.req_str(t, "kind")?;
    let extra = match kind.value.as_str() {
        "health" => HEALTH_KEYS,
        "latency" => LATENCY_KEYS,
        "checksum" => CHECKSUM_KEYS,
        "prometheus" => PROMETHEUS_KEYS,
        "sql" => super::recon::SQL_KEYS,
        "dicomweb" => super::recon::DICOMWEB_KEYS,
        other => {
            let kinds = [
                "health",
                "latency",
                "checksum",
                "prometheus",
                "sql",
                "dicomweb",
            ];
            let help = diag::did_you_mean(other, kinds)
                .or_else(|| Some(format!("kinds: {}", kinds.join(", "))));
            r.error_help(kind.pos, format!("unknown probe kind \"{other}\""), help);
            return None;
        }
    };
    // a sql probe speaks no HTTP: no status, token or trust root
    let common: &[&str] = match kind.value.as_str() {
        "sql" => &["kind", "interval", "timeout", "stale_after"],
        "dicomweb" => &[
            "kind",
            "bearer_env",
            "ca_file",
            "interval",
            "timeout",
            "stale_after",
        ],
        _ => COMMON,
    };
    let allowed: Vec<&str> = common.iter().chain(extra).copied().collect();
    r.check_keys(t, &allowed);
    let (side, system, url_text, kind_model) = if kind.value == "sql" {
        let dataset = segment(r, t, "dataset").unwrap_or_default();
        let k = ProbeKind::Sql(Box::new(super::recon::read_sql(r, t, dataset)));
        (None, None, String::new(), k)
    } else if kind.value == "dicomweb" {
        let dataset = segment(r, t, "dataset").unwrap_or_default();
        let source_url = url(r, t, "source_url");
        let target_url = url(r, t, "target_url");
        let d = super::recon::read_dicomweb(r, t, dataset, source_url, target_url);
        (None, None, String::new(), ProbeKind::Dicomweb(Box::new(d)))
    } else if kind.value == "checksum" {
        let dataset = segment(r, t, "dataset").unwrap_or_default();
        let source_url = url(r, t, "source_url");
        let target_url = url(r, t, "target_url");
        let k = ProbeKind::Checksum {
            dataset,
            source_url,
            target_url,
        };
        (None, None, String::new(), k)
    } else {
        let side = read_side(r, t);
        let system = segment(r, t, "system");
        let u = url(r, t, "url");
        (side, system, u, read_kind_details(r, t, &kind.value))
    };
    let expect_status = read_statuses(r, t);
    let bearer_env = read_env_name(r, t);
    let interval = r.opt_dur(t, "interval");
    let stale_after = r.opt_dur(t, "stale_after");
    let at = ProbeAt {
        interval: interval.as_ref().map(|d| d.pos),
        stale_after: stale_after.as_ref().map(|d| d.pos),
    };
    let probe = Probe {
        side,
        system,
        kind: kind_model,
        url: url_text,
        expect_status,
        bearer_env,
        ca_file: r.opt_str(t, "ca_file").map(|s| s.value),
        interval: interval.map(|d| d.value),
        timeout: r.opt_dur(t, "timeout").map(|d| d.value),
        stale_after: stale_after.map(|d| positive(r, d, "stale_after")),
        fresh_connection: r.opt_bool(t, "fresh_connection").is_some_and(|b| b.value),
        pos: t.pos,
    };
    Some((probe, at))
}

fn read_side(r: &mut Reader<'_>, t: Tbl<'_>) -> Option<Side> {
    let s = r.req_str(t, "side")?;
    match s.value.as_str() {
        "source" => Some(Side::Source),
        "target" => Some(Side::Target),
        other => {
            let help = diag::did_you_mean(other, ["source", "target"]);
            r.error_help(
                s.pos,
                format!("`side` must be \"source\" or \"target\", found \"{other}\""),
                help,
            );
            None
        }
    }
}

fn read_kind_details(r: &mut Reader<'_>, t: Tbl<'_>, kind: &str) -> ProbeKind {
    match kind {
        "latency" => ProbeKind::Latency {
            fields: read_map(r, t, "fields", true),
        },
        "prometheus" => ProbeKind::Prometheus {
            select: read_map(r, t, "select", false),
        },
        _ => ProbeKind::Health {
            expect_json: read_expect_json(r, t),
        },
    }
}

/// `fields` / `select`: metric field name -> JSON pointer / Prometheus selector.
fn read_map(r: &mut Reader<'_>, t: Tbl<'_>, key: &str, pointers: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(m) = r.table(t, key, "a probe's field map") else {
        return out;
    };
    let names: Vec<String> = m.table.iter().map(|(k, _)| k.to_string()).collect();
    for name in names {
        let Some(v) = r.opt_str(m, &name) else {
            continue;
        };
        if !is_segment(&name) {
            r.error(
                v.pos,
                format!("field name `{name}` cannot be part of a metric name"),
            );
        } else if pointers && !(v.value.is_empty() || v.value.starts_with('/')) {
            r.error_help(
                v.pos,
                format!("`{name}` must be a JSON pointer"),
                Some("JSON pointers start with `/`, e.g. \"/replication/lag_seconds\"".into()),
            );
        } else if !pointers && v.value.trim().is_empty() {
            r.error(v.pos, format!("`{name}` needs a Prometheus selector"));
        }
        out.insert(name, v.value);
    }
    out
}

fn read_expect_json(r: &mut Reader<'_>, t: Tbl<'_>) -> Option<JsonExpect> {
    let m = r.table(t, "expect_json", "`expect_json`")?;
    r.check_keys(m, &["pointer", "equals"]);
    let pointer = r.req_str(m, "pointer")?;
    let (_, item) = m.table.get_key_value("equals")?;
    // compared with the JSON value's text, so numbers and booleans are written as JSON would
    let equals = match item.as_value() {
        Some(toml_edit::Value::String(s)) => s.value().clone(),
        Some(toml_edit::Value::Integer(i)) => i.value().to_string(),
        Some(toml_edit::Value::Float(f)) => f.value().to_string(),
        Some(toml_edit::Value::Boolean(b)) => b.value().to_string(),
        _ => {
            let pos = item.span().map(|s| r.pos(s.start)).unwrap_or(m.pos);
            r.error(pos, "`equals` must be a string, number or boolean");
            return None;
        }
    };
    Some(JsonExpect {
        pointer: pointer.value,
        equals,
    })
}

fn read_statuses(r: &mut Reader<'_>, t: Tbl<'_>) -> Vec<u16> {
    let mut out = Vec::new();
    for s in r.int_array(t, "expect_status") {
        match u16::try_from(s.value)
            .ok()
            .filter(|c| (100..=599).contains(c))
        {
            Some(c) => out.push(c),
            None => r.error(
                s.pos,
                format!("HTTP status {} is not between 100 and 599", s.value),
            ),
        }
    }
    out
}

/// Only the NAME of a variable; a value that looks like a token is refused.
fn read_env_name(r: &mut Reader<'_>, t: Tbl<'_>) -> Option<String> {
    let s = r.opt_str(t, "bearer_env")?;
    let ok = s
        .value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        // do not echo the value: it may be the secret itself
        r.error_help(
            s.pos,
            "`bearer_env` must be the NAME of an environment variable, not a token",
            Some("e.g. bearer_env = \"PACS_TOKEN\", with the token in that variable".into()),
        );
        return None;
    }
    Some(s.value)
}

/// Two probes writing the same metrics would fight; the second is an error.
fn check_duplicate_probes(r: &mut Reader<'_>, probes: &[Probe]) {
    let mut seen: HashMap<(String, &str), Pos> = HashMap::new();
    for p in probes {
        // the reconciliation kinds all write recon.<dataset>.match and co.
        let kind = if p.kind.dataset().is_some() {
            "reconciliation"
        } else {
            p.kind.name()
        };
        let key = (p.prefix(), kind);
        if let Some(first) = seen.get(&key) {
            r.error(
                p.pos,
                format!(
                    "duplicate {} probe for `{}` (first defined at {first})",
                    p.kind.name(),
                    key.0
                ),
            );
        } else {
            seen.insert(key, p.pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example() {
        let src = r#"
[poll]
interval = "5s"
timeout = "2s"
stale_after = "20s"

[[probe]]
side = "target"
system = "pacs"
kind = "health"
url = "https://pacs-new.example.org/healthz"
expect_status = [200]
expect_json = { pointer = "/status", equals = "ok" }
bearer_env = "PACS_TOKEN"

[[probe]]
kind = "checksum"
dataset = "pacs-pilot"
source_url = "http://127.0.0.1:7700/source/checksum/pacs-pilot"
target_url = "http://127.0.0.1:7700/target/checksum/pacs-pilot"
"#;
        let c = load("c.toml", src).unwrap();
        assert_eq!(c.probes.len(), 2);
        assert!(c.known_metric("target.pacs.up"));
        assert!(c.known_metric("recon.pacs-pilot.match"));
        assert!(!c.known_metric("source.pacs.up"));
        assert_eq!(c.probes[0].bearer_env.as_deref(), Some("PACS_TOKEN"));
    }

    #[test]
    fn a_token_in_bearer_env_is_refused_without_echoing_it() {
        let src = "[[probe]]\nside = \"target\"\nsystem = \"pacs\"\nkind = \"health\"\nurl = \"http://x/\"\nbearer_env = \"eyJhbGciOi.secret\"\n";
        let errs = load("c.toml", src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].pos, Pos::new(6, 14));
        assert!(!errs[0].message.contains("secret"));
    }

    #[test]
    fn unknown_probe_keys_are_errors() {
        let src = "[[probe]]\nside = \"target\"\nsystem = \"pacs\"\nkind = \"health\"\nurl = \"http://x/\"\nexpect_stauts = [200]\n";
        let errs = load("c.toml", src).unwrap_err();
        assert_eq!(errs[0].pos, Pos::new(6, 1));
        assert_eq!(
            errs[0].message,
            "unknown key `expect_stauts`, did you mean `expect_status`?"
        );
    }

    const SLOW: &str = "[poll]\ninterval = \"5s\"\nstale_after = \"20s\"\n\n[[probe]]\nside = \"target\"\nsystem = \"pacs\"\nkind = \"latency\"\nurl = \"http://x/\"\ninterval = \"5m\"\n";

    #[test]
    fn a_stale_after_shorter_than_the_interval_is_a_warning_at_its_cause() {
        // [poll] stale_after 20s, probe interval 5m: warned at the probe's interval
        let out = check("c.toml", SLOW);
        assert!(out.config.is_some(), "a warning, not an error");
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        let w = &out.diagnostics[0];
        assert!(!w.is_error());
        assert_eq!(w.pos, Pos::new(10, 12));
        assert!(
            w.message.contains("probe `target.pacs.latency` (line 5)")
                && w.message.contains("20s")
                && w.message.contains("5m"),
            "{}",
            w.message
        );
        // the probe's own stale_after: warned there
        let own = SLOW.replace(
            "interval = \"5m\"\n",
            "interval = \"5m\"\nstale_after = \"1m\"\n",
        );
        let out = check("c.toml", &own);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        assert_eq!(out.diagnostics[0].pos, Pos::new(11, 15));
        assert!(out.diagnostics[0].message.contains("its `stale_after`"));
        // long enough, or unset everywhere (3 x interval): no warning
        let fine = SLOW.replace(
            "interval = \"5m\"\n",
            "interval = \"5m\"\nstale_after = \"5m\"\n",
        );
        assert!(check("c.toml", &fine).diagnostics.is_empty());
        let unset = SLOW.replace("stale_after = \"20s\"\n", "");
        let out = check("c.toml", &unset);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let c = out.config.unwrap();
        assert_eq!(c.poll.stale_after, None);
        assert_eq!(c.stale_after_of(&c.probes[0]), Dur::from_mins(15));
        // a zero stale_after on a probe is an error
        let zero = SLOW.replace(
            "interval = \"5m\"\n",
            "interval = \"5m\"\nstale_after = \"0s\"\n",
        );
        assert!(load("c.toml", &zero).is_err());
    }
}
