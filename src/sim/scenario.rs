//! A simulator scenario: the starting state of every simulated system, dataset
//! and interface, and timed changes to it (steps, ramps, spikes with `until`).
//!
//! The format is documented in docs/probes.md ("Simulator scenarios").

use crate::core::span::Pos;
use crate::core::time::{parse_duration, Dur};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A knob's value: numbers ramp, text and flags switch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Knob {
    Flag(bool),
    Num(f64),
    Text(String),
}

impl Knob {
    /// The number, if this knob is one.
    pub fn num(&self) -> Option<f64> {
        match self {
            Knob::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// The knobs of one subject, e.g. `target.pacs` → {latency_ms: 120, health: "ok"}.
pub type Knobs = BTreeMap<String, Knob>;

/// The systems every scenario serves on both sides.
pub const SYSTEMS: [&str; 3] = ["pacs", "ehr", "ris"];
/// The datasets every scenario serves.
pub const DATASETS: [&str; 4] = ["pacs-pilot", "pacs-critical", "ehr-wave1", "ehr-identity"];

/// Defaults of a system's knobs; a scenario may set only these names.
fn system_defaults() -> Knobs {
    let mut k = Knobs::new();
    k.insert("latency_ms".into(), Knob::Num(40.0));
    k.insert("jitter_ms".into(), Knob::Num(0.0));
    k.insert("health_ms".into(), Knob::Num(5.0));
    k.insert("health".into(), Knob::Text("ok".into()));
    k.insert("error_rate".into(), Knob::Num(0.0));
    k.insert("outage".into(), Knob::Flag(false));
    k.insert("hang".into(), Knob::Flag(false));
    k.insert("body_kb".into(), Knob::Num(8.0));
    k.insert("replication_lag_s".into(), Knob::Num(1.0));
    k
}

fn dataset_defaults() -> Knobs {
    let mut k = Knobs::new();
    k.insert("count".into(), Knob::Num(1200.0));
    k.insert("buckets".into(), Knob::Num(6.0));
    k.insert("target_count_delta".into(), Knob::Num(0.0));
    k.insert("drift_bucket".into(), Knob::Text(String::new()));
    k
}

fn interface_defaults() -> Knobs {
    let mut k = Knobs::new();
    k.insert("queue_delay_s".into(), Knob::Num(0.5));
    k
}

/// One timed change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Scenario time it starts.
    pub at: Dur,
    /// Subjects it applies to (`target.pacs`; `both.pacs` is expanded).
    pub subjects: Vec<String>,
    pub set: Knobs,
    /// Numbers move linearly from their previous value over this long.
    pub ramp: Option<Dur>,
    /// The change stops applying at this scenario time (a spike).
    pub until: Option<Dur>,
}

/// A loaded scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Story length; after it the last state holds (informational).
    pub length: Dur,
    /// Seed for error-rate and jitter draws (reproducible runs).
    pub seed: u64,
    /// Scenario time at which the served certificate expires (TLS only).
    pub cert_expires_at: Option<Dur>,
    base: BTreeMap<String, Knobs>,
    changes: Vec<Change>,
}

/// Why a scenario could not be loaded: `LABEL:LINE:COL: what`, or `LABEL: what`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ScenarioError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    scenario: RawHead,
    #[serde(default)]
    system: Vec<toml::Spanned<RawSubject>>,
    #[serde(default)]
    dataset: Vec<toml::Spanned<RawSubject>>,
    #[serde(default)]
    interface: Vec<toml::Spanned<RawSubject>>,
    #[serde(default)]
    change: Vec<toml::Spanned<RawChange>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHead {
    name: String,
    #[serde(default)]
    description: String,
    length: Option<String>,
    #[serde(default)]
    seed: u64,
    cert_expires_at: Option<String>,
}

/// `[[system]]` has side+system, `[[dataset]]`/`[[interface]]` a name; the rest are knobs.
#[derive(Deserialize)]
struct RawSubject {
    side: Option<String>,
    system: Option<String>,
    name: Option<String>,
    #[serde(flatten)]
    knobs: Knobs,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    at: String,
    subject: String,
    set: Knobs,
    ramp: Option<String>,
    until: Option<String>,
}

fn at_pos(label: &str, text: &str, offset: usize) -> String {
    format!("{label}:{}", Pos::of_offset(text, offset))
}

fn duration(where_: &str, key: &str, s: &str) -> Result<Dur, ScenarioError> {
    parse_duration(s).map_err(|e| ScenarioError(format!("{where_}: `{key}`: {e}")))
}

/// Checks knob names and types against the defaults of the subject's kind.
fn check_knobs(where_: &str, knobs: &Knobs, defaults: &Knobs) -> Result<(), ScenarioError> {
    for (k, v) in knobs {
        let Some(d) = defaults.get(k) else {
            let known: Vec<&str> = defaults.keys().map(String::as_str).collect();
            return Err(ScenarioError(format!(
                "{where_}: unknown knob `{k}` (expected one of: {})",
                known.join(", ")
            )));
        };
        if std::mem::discriminant(d) != std::mem::discriminant(v) {
            return Err(ScenarioError(format!(
                "{where_}: `{k}` has the wrong type (expected {})",
                match d {
                    Knob::Flag(_) => "true or false",
                    Knob::Num(_) => "a number",
                    Knob::Text(_) => "a string",
                }
            )));
        }
    }
    Ok(())
}

/// The subjects a `[[system]]` entry or a change's `subject` names.
fn expand_subject(where_: &str, subject: &str) -> Result<(Vec<String>, Knobs), ScenarioError> {
    let bad = || {
        ScenarioError(format!(
            "{where_}: unknown subject \"{subject}\" (expected source.SYSTEM, target.SYSTEM, \
             both.SYSTEM with SYSTEM in pacs, ehr, ris; dataset.NAME with NAME in {}; or interface.NAME)",
            DATASETS.join(", ")
        ))
    };
    let (head, tail) = subject.split_once('.').ok_or_else(bad)?;
    match head {
        "source" | "target" | "both" if SYSTEMS.contains(&tail) => {
            let sides: &[&str] = match head {
                "both" => &["source", "target"],
                h => std::slice::from_ref(if h == "source" { &"source" } else { &"target" }),
            };
            Ok((
                sides.iter().map(|s| format!("{s}.{tail}")).collect(),
                system_defaults(),
            ))
        }
        "dataset" if DATASETS.contains(&tail) => {
            Ok((vec![subject.to_string()], dataset_defaults()))
        }
        "interface" if !tail.is_empty() => Ok((vec![subject.to_string()], interface_defaults())),
        _ => Err(bad()),
    }
}

impl Scenario {
    /// Reads a scenario file.
    pub fn load(path: &std::path::Path) -> Result<Scenario, ScenarioError> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScenarioError(format!("{label}: cannot read scenario: {e}")))?;
        Scenario::parse(&label, &text)
    }

    /// Parses scenario text; `label` names it in errors (`LABEL:LINE:COL: what`).
    pub fn parse(label: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| at_pos(label, text, s.start))
                .unwrap_or_else(|| label.to_string());
            ScenarioError(format!("{at}: {}", e.message().trim()))
        })?;
        let mut base: BTreeMap<String, Knobs> = BTreeMap::new();
        for side in ["source", "target"] {
            for s in SYSTEMS {
                base.insert(format!("{side}.{s}"), system_defaults());
            }
        }
        for d in DATASETS {
            base.insert(format!("dataset.{d}"), dataset_defaults());
        }
        base.insert("interface.adt".into(), interface_defaults());
        let groups = [
            ("system", &raw.system),
            ("dataset", &raw.dataset),
            ("interface", &raw.interface),
        ];
        for (group, entries) in groups {
            for sp in entries {
                let where_ = at_pos(label, text, sp.span().start);
                let r = sp.get_ref();
                let subject = match (group, &r.side, &r.system, &r.name) {
                    ("system", Some(side), Some(sys), None) => format!("{side}.{sys}"),
                    ("dataset" | "interface", None, None, Some(n)) => format!("{group}.{n}"),
                    ("system", ..) => return Err(ScenarioError(format!(
                        "{where_}: [[system]] needs `side` (source, target or both) and `system`, and no `name`"))),
                    _ => return Err(ScenarioError(format!("{where_}: [[{group}]] needs `name` only"))),
                };
                let (subjects, defaults) = expand_subject(&where_, &subject)?;
                check_knobs(&where_, &r.knobs, &defaults)?;
                for s in subjects {
                    let entry = base.entry(s).or_insert_with(|| defaults.clone());
                    entry.extend(r.knobs.clone());
                }
            }
        }
        let mut changes = Vec::new();
        for sp in &raw.change {
            let where_ = at_pos(label, text, sp.span().start);
            let r = sp.get_ref();
            let (subjects, defaults) = expand_subject(&where_, &r.subject)?;
            check_knobs(&where_, &r.set, &defaults)?;
            for s in &subjects {
                base.entry(s.clone()).or_insert_with(|| defaults.clone());
            }
            let at = duration(&where_, "at", &r.at)?;
            let until = r
                .until
                .as_deref()
                .map(|u| duration(&where_, "until", u))
                .transpose()?;
            if until.is_some_and(|u| u <= at) {
                return Err(ScenarioError(format!(
                    "{where_}: `until` must be later than `at`"
                )));
            }
            changes.push(Change {
                at,
                subjects,
                set: r.set.clone(),
                ramp: r
                    .ramp
                    .as_deref()
                    .map(|u| duration(&where_, "ramp", u))
                    .transpose()?,
                until,
            });
        }
        changes.sort_by_key(|c| c.at);
        let head = &raw.scenario;
        let where_ = label.to_string();
        Ok(Scenario {
            name: head.name.clone(),
            description: head.description.clone(),
            length: head
                .length
                .as_deref()
                .map(|l| duration(&where_, "length", l))
                .transpose()?
                .unwrap_or(Dur::from_mins(5)),
            seed: head.seed,
            cert_expires_at: head
                .cert_expires_at
                .as_deref()
                .map(|l| duration(&where_, "cert_expires_at", l))
                .transpose()?,
            base,
            changes,
        })
    }

    /// Every subject's knobs at scenario time `t`.
    pub fn state_at(&self, t: Dur) -> BTreeMap<String, Knobs> {
        let mut state = self.base.clone();
        for c in &self.changes {
            if t < c.at || c.until.is_some_and(|u| t >= u) {
                continue;
            }
            let progress = match c.ramp {
                Some(r) if r.0 > 0 => ((t - c.at).0 as f64 / r.0 as f64).min(1.0),
                _ => 1.0,
            };
            for s in &c.subjects {
                let Some(knobs) = state.get_mut(s) else {
                    continue;
                };
                for (k, new) in &c.set {
                    let value = match (knobs.get(k).and_then(Knob::num), new.num()) {
                        (Some(prev), Some(next)) => Knob::Num(prev + (next - prev) * progress),
                        _ => new.clone(),
                    };
                    knobs.insert(k.clone(), value);
                }
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "t"
length = "5m"

[[system]]
side = "both"
system = "pacs"
latency_ms = 100

[[change]]
at = "1m"
subject = "target.pacs"
set = { latency_ms = 900 }
ramp = "1m"

[[change]]
at = "3m"
until = "4m"
subject = "target.pacs"
set = { outage = true }

[[change]]
at = "2m"
subject = "dataset.pacs-critical"
set = { drift_bucket = "2024-03" }
"#;

    fn knob(s: &Scenario, t: &str, subject: &str, k: &str) -> Knob {
        s.state_at(parse_duration(t).unwrap())[subject][k].clone()
    }

    #[test]
    fn ramps_spikes_and_switches_follow_time() {
        let s = Scenario::parse("t.toml", TEXT).unwrap();
        assert_eq!(
            knob(&s, "0s", "target.pacs", "latency_ms"),
            Knob::Num(100.0)
        );
        assert_eq!(
            knob(&s, "90s", "target.pacs", "latency_ms"),
            Knob::Num(500.0)
        );
        assert_eq!(
            knob(&s, "5m", "target.pacs", "latency_ms"),
            Knob::Num(900.0)
        );
        assert_eq!(
            knob(&s, "5m", "source.pacs", "latency_ms"),
            Knob::Num(100.0)
        );
        assert_eq!(knob(&s, "3m30s", "target.pacs", "outage"), Knob::Flag(true));
        assert_eq!(knob(&s, "4m", "target.pacs", "outage"), Knob::Flag(false));
        assert_eq!(
            knob(&s, "1m", "dataset.pacs-critical", "drift_bucket"),
            Knob::Text(String::new())
        );
        assert_eq!(
            knob(&s, "2m", "dataset.pacs-critical", "drift_bucket"),
            Knob::Text("2024-03".into())
        );
    }

    #[test]
    fn errors_say_where_and_what_would_be_right() {
        let e = Scenario::parse("s.toml", "[scenario]\nname = \"x\"\n[[change]]\nat = \"1m\"\nsubject = \"target.mri\"\nset = {}\n").unwrap_err();
        assert!(
            e.0.starts_with("s.toml:3:1: unknown subject \"target.mri\""),
            "{e}"
        );
        let e = Scenario::parse("s.toml", "[scenario]\nname = \"x\"\n[[system]]\nside = \"target\"\nsystem = \"pacs\"\nlatncy_ms = 5\n").unwrap_err();
        assert!(e.0.contains("unknown knob `latncy_ms`"), "{e}");
        let e = Scenario::parse("s.toml", "[scenario]\nname = \"x\"\n[[system]]\nside = \"target\"\nsystem = \"pacs\"\noutage = 5\n").unwrap_err();
        assert!(e.0.contains("wrong type"), "{e}");
        let e = Scenario::parse("s.toml", "[scenario]\nname = 3\n").unwrap_err();
        assert!(e.0.starts_with("s.toml:2:8:"), "{e}");
    }
}
