//! A simulator scenario: the starting state of every simulated system, dataset
//! and interface, and timed changes to it (steps, ramps, spikes with `until`).
//!
//! The format is documented in docs/probes.md ("Simulator scenarios").

use crate::core::span::Pos;
use crate::core::time::{parse_duration, Dur};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

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

/// The systems the demo universe serves on both sides (`cutover sim` without a config).
pub const SYSTEMS: [&str; 3] = ["pacs", "ehr", "ris"];
/// The datasets of the demo universe.
pub const DATASETS: [&str; 4] = ["pacs-pilot", "pacs-critical", "ehr-wave1", "ehr-identity"];

/// The scenarios built into the binary, by name (the files under assets/scenarios).
pub const BUILTIN: [(&str, &str); 6] = [
    ("steady", include_str!("../../assets/scenarios/steady.toml")),
    (
        "latency-spike",
        include_str!("../../assets/scenarios/latency-spike.toml"),
    ),
    (
        "checksum-drift",
        include_str!("../../assets/scenarios/checksum-drift.toml"),
    ),
    (
        "target-outage",
        include_str!("../../assets/scenarios/target-outage.toml"),
    ),
    (
        "cert-expiry",
        include_str!("../../assets/scenarios/cert-expiry.toml"),
    ),
    ("demo", include_str!("../../assets/scenarios/demo.toml")),
];

/// What the simulator serves: systems (on both sides), datasets, and the
/// extra fields probes read from a system (JSON pointers in the latency body,
/// Prometheus selectors on `/{side}/{system}/metrics`). The demo's by
/// default; a rehearsal derives it from the site's config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Universe {
    pub systems: BTreeSet<String>,
    pub datasets: BTreeSet<String>,
    /// `side.system` -> field -> JSON pointer.
    pub json_fields: BTreeMap<String, BTreeMap<String, String>>,
    /// `side.system` -> field -> Prometheus selector.
    pub prom_fields: BTreeMap<String, BTreeMap<String, String>>,
}

impl Universe {
    /// The demo's systems and datasets.
    pub fn demo() -> Universe {
        Universe {
            systems: SYSTEMS.iter().map(|s| s.to_string()).collect(),
            datasets: DATASETS.iter().map(|s| s.to_string()).collect(),
            ..Universe::default()
        }
    }
}

/// Whether `name` matches `pattern`, where `*` stands for any run of characters.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // classic two-pointer wildcard match with backtracking to the last `*`
    let (mut i, mut j) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == n[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

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
    // the QIDO-RS archive of the dataset (sim::qido): studies, and what the target lacks or adds
    k.insert("studies".into(), Knob::Num(0.0));
    k.insert("target_missing_instances".into(), Knob::Num(0.0));
    k.insert("target_extra_series".into(), Knob::Num(0.0));
    k.insert("source_only_studies".into(), Knob::Num(0.0));
    k.insert("target_only_studies".into(), Knob::Num(0.0));
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
    /// `[[system]]`/`[[dataset]]`/`[[interface]]` entries: subject patterns
    /// (`*` wildcards) and the knobs they set, in file order.
    entries: Vec<(Vec<String>, Knobs)>,
    changes: Vec<Change>,
    universe: Universe,
    interfaces: BTreeSet<String>,
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
/// A system also takes any other numeric knob: the value served for the
/// config field of that name.
fn check_knobs(
    where_: &str,
    knobs: &Knobs,
    defaults: &Knobs,
    kind: Kind,
) -> Result<(), ScenarioError> {
    for (k, v) in knobs {
        let Some(d) = defaults.get(k) else {
            // a field value, unless it looks like a misspelt or shortened knob
            let near = defaults
                .keys()
                .any(|d| edit_distance(d, k) <= 2 || d.starts_with(k.as_str()));
            if kind == Kind::System && matches!(v, Knob::Num(_)) && is_field_name(k) && !near {
                continue;
            }
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

/// What a subject is; it decides the knobs and their defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    System,
    Dataset,
    Interface,
}

impl Kind {
    fn defaults(self) -> Knobs {
        match self {
            Kind::System => system_defaults(),
            Kind::Dataset => dataset_defaults(),
            Kind::Interface => interface_defaults(),
        }
    }
}

/// Levenshtein distance (knob names are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn is_field_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A name or a pattern: `[a-z0-9_-]` and `*` wildcards.
fn is_name_pattern(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '*'))
}

/// The subject patterns a `[[system]]` entry or a change's `subject` names
/// (`both.X` is both sides), and their kind.
fn expand_subject(where_: &str, subject: &str) -> Result<(Vec<String>, Kind), ScenarioError> {
    let bad = || {
        ScenarioError(format!(
            "{where_}: unknown subject \"{subject}\" (expected source.SYSTEM, target.SYSTEM, \
             both.SYSTEM, dataset.NAME or interface.NAME; SYSTEM and NAME are the config's own \
             names, lowercase, `*` matches any run of characters, e.g. target.*)"
        ))
    };
    let (head, tail) = subject.split_once('.').ok_or_else(bad)?;
    if !is_name_pattern(tail) {
        return Err(bad());
    }
    match head {
        "source" | "target" => Ok((vec![subject.to_string()], Kind::System)),
        "both" => Ok((
            vec![format!("source.{tail}"), format!("target.{tail}")],
            Kind::System,
        )),
        "dataset" => Ok((vec![subject.to_string()], Kind::Dataset)),
        "interface" => Ok((vec![subject.to_string()], Kind::Interface)),
        _ => Err(bad()),
    }
}

/// The `[[system]]`, `[[dataset]]`, `[[interface]]` entries, checked, in file order.
fn entries(label: &str, text: &str, raw: &Raw) -> Result<Vec<(Vec<String>, Knobs)>, ScenarioError> {
    let mut out = Vec::new();
    let groups = [
        ("system", &raw.system),
        ("dataset", &raw.dataset),
        ("interface", &raw.interface),
    ];
    for (group, list) in groups {
        for sp in list {
            let where_ = at_pos(label, text, sp.span().start);
            let r = sp.get_ref();
            let subject = match (group, &r.side, &r.system, &r.name) {
                ("system", Some(side), Some(sys), None) => format!("{side}.{sys}"),
                ("dataset" | "interface", None, None, Some(n)) => format!("{group}.{n}"),
                ("system", ..) => return Err(ScenarioError(format!(
                    "{where_}: [[system]] needs `side` (source, target or both) and `system`, and no `name`"))),
                _ => return Err(ScenarioError(format!("{where_}: [[{group}]] needs `name` only"))),
            };
            let (subjects, kind) = expand_subject(&where_, &subject)?;
            check_knobs(&where_, &r.knobs, &kind.defaults(), kind)?;
            out.push((subjects, r.knobs.clone()));
        }
    }
    Ok(out)
}

/// The `[[change]]` entries, checked.
fn timed_changes(label: &str, text: &str, raw: &Raw) -> Result<Vec<Change>, ScenarioError> {
    let mut changes = Vec::new();
    for sp in &raw.change {
        let where_ = at_pos(label, text, sp.span().start);
        let r = sp.get_ref();
        let (subjects, kind) = expand_subject(&where_, &r.subject)?;
        check_knobs(&where_, &r.set, &kind.defaults(), kind)?;
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
    Ok(changes)
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
        let entries = entries(label, text, &raw)?;
        let mut changes = timed_changes(label, text, &raw)?;
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
            entries,
            changes,
            universe: Universe::default(),
            interfaces: BTreeSet::new(),
        }
        .with_universe(Universe::demo()))
    }

    /// A built-in scenario by name.
    pub fn builtin(name: &str) -> Option<Scenario> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        // the shipped files parse (a test loads every one of them)
        Scenario::parse(&format!("built-in scenario {name}"), text).ok()
    }

    /// `NAME|FILE`: a file when one exists at that path, else a built-in name.
    pub fn resolve(arg: &str) -> Result<Scenario, ScenarioError> {
        let path = std::path::Path::new(arg);
        if path.exists() {
            return Scenario::load(path);
        }
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == arg) {
            return Scenario::parse(&format!("built-in scenario {arg}"), text);
        }
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        Err(ScenarioError(format!(
            "scenario {}: no such file, and not a built-in scenario ({})",
            crate::core::sanitize::inert(arg),
            names.join(", ")
        )))
    }

    /// Serves `universe` (plus every subject the scenario names without a
    /// wildcard): the demo's by default, a config's in a rehearsal.
    pub fn with_universe(mut self, mut universe: Universe) -> Scenario {
        let mut interfaces: BTreeSet<String> = ["adt".to_string()].into();
        let named = self
            .entries
            .iter()
            .flat_map(|(s, _)| s.iter())
            .chain(self.changes.iter().flat_map(|c| c.subjects.iter()));
        for subject in named.filter(|s| !s.contains('*')) {
            match subject.split_once('.') {
                Some(("dataset", d)) => {
                    universe.datasets.insert(d.to_string());
                }
                Some(("interface", i)) => {
                    interfaces.insert(i.to_string());
                }
                Some((_, sys)) => {
                    universe.systems.insert(sys.to_string());
                }
                None => {}
            }
        }
        self.universe = universe;
        self.interfaces = interfaces;
        self
    }

    /// What this scenario serves.
    pub fn universe(&self) -> &Universe {
        &self.universe
    }

    /// Every subject served, with its kind's default knobs.
    fn base(&self) -> BTreeMap<String, Knobs> {
        let mut base = BTreeMap::new();
        for side in ["source", "target"] {
            for s in &self.universe.systems {
                base.insert(format!("{side}.{s}"), system_defaults());
            }
        }
        for d in &self.universe.datasets {
            base.insert(format!("dataset.{d}"), dataset_defaults());
        }
        for i in &self.interfaces {
            base.insert(format!("interface.{i}"), interface_defaults());
        }
        for (patterns, knobs) in &self.entries {
            for (subject, k) in base.iter_mut() {
                if patterns.iter().any(|p| glob(p, subject)) {
                    k.extend(knobs.clone());
                }
            }
        }
        base
    }

    /// Every subject's knobs at scenario time `t`.
    pub fn state_at(&self, t: Dur) -> BTreeMap<String, Knobs> {
        let mut state = self.base();
        for c in &self.changes {
            if t < c.at || c.until.is_some_and(|u| t >= u) {
                continue;
            }
            let progress = match c.ramp {
                Some(r) if r.0 > 0 => ((t - c.at).0 as f64 / r.0 as f64).min(1.0),
                _ => 1.0,
            };
            for (subject, knobs) in state.iter_mut() {
                if !c.subjects.iter().any(|p| glob(p, subject)) {
                    continue;
                }
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
    fn every_builtin_scenario_parses_and_resolves_by_name() {
        for (name, _) in BUILTIN {
            let s = Scenario::builtin(name).unwrap_or_else(|| panic!("{name} parses"));
            assert_eq!(s.name, name);
            assert_eq!(
                Scenario::resolve(name).map(|s| s.name),
                Ok(name.to_string())
            );
        }
        let e = Scenario::resolve("no-such-scenario").unwrap_err();
        assert!(
            e.0.contains("not a built-in scenario (steady, latency-spike"),
            "{e}"
        );
    }

    #[test]
    fn wildcards_and_config_names_with_healthy_defaults() {
        let text = r#"
[scenario]
name = "w"

[[system]]
side = "target"
system = "*"
latency_ms = 300

[[change]]
at = "1m"
subject = "dataset.lab-*"
set = { target_count_delta = -2 }

[[change]]
at = "2m"
subject = "both.lis"
set = { queue_depth = 40 }
"#;
        let u = Universe {
            systems: ["lis", "mpi"].iter().map(|s| s.to_string()).collect(),
            datasets: ["lab-results", "mpi-persons"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ..Universe::default()
        };
        let s = Scenario::parse("w.toml", text).unwrap().with_universe(u);
        let at = |t: &str| s.state_at(parse_duration(t).unwrap());
        let now = at("3m");
        assert_eq!(now["target.mpi"]["latency_ms"], Knob::Num(300.0));
        assert_eq!(now["source.mpi"]["latency_ms"], Knob::Num(40.0));
        assert_eq!(
            now["dataset.lab-results"]["target_count_delta"],
            Knob::Num(-2.0)
        );
        assert_eq!(
            now["dataset.mpi-persons"]["target_count_delta"],
            Knob::Num(0.0)
        );
        assert_eq!(now["source.lis"]["queue_depth"], Knob::Num(40.0));
        assert!(!at("1m")["source.lis"].contains_key("queue_depth"));
        // the demo's systems are not served unless named
        assert!(!now.contains_key("target.pacs"));
        assert!(glob("lab-*", "lab-results") && !glob("lab-*", "mpi-lab") && glob("*", ""));
    }

    #[test]
    fn errors_say_where_and_what_would_be_right() {
        let e = Scenario::parse(
            "s.toml",
            "[scenario]\nname = \"x\"\n[[change]]\nat = \"1m\"\nsubject = \"tgt.mri\"\nset = {}\n",
        )
        .unwrap_err();
        assert!(
            e.0.starts_with("s.toml:3:1: unknown subject \"tgt.mri\""),
            "{e}"
        );
        let e = Scenario::parse("s.toml", "[scenario]\nname = \"x\"\n[[system]]\nside = \"target\"\nsystem = \"pacs\"\nlatncy_ms = 5\n").unwrap_err();
        assert!(e.0.contains("unknown knob `latncy_ms`"), "{e}");
        let e = Scenario::parse("s.toml", "[scenario]\nname = \"x\"\n[[system]]\nside = \"target\"\nsystem = \"pacs\"\nlatency = 5\n").unwrap_err();
        assert!(e.0.contains("unknown knob `latency`"), "{e}");
        let e = Scenario::parse("s.toml", "[scenario]\nname = \"x\"\n[[system]]\nside = \"target\"\nsystem = \"pacs\"\noutage = 5\n").unwrap_err();
        assert!(e.0.contains("wrong type"), "{e}");
        let e = Scenario::parse("s.toml", "[scenario]\nname = 3\n").unwrap_err();
        assert!(e.0.starts_with("s.toml:2:8:"), "{e}");
    }
}
