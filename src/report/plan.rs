//! The plan as the report needs it, read leniently from the runbook text
//! stored in the log's `open` record.
//!
//! The report must work on any log, even one whose runbook the current
//! validator would refuse (older version, hand-edited), so this reads the
//! TOML as plain values and keeps whatever it finds; it never rejects.

use crate::core::expr::parse_condition;
use crate::core::time::{parse_duration, Dur};
use toml::Value;

/// What the report knows of the runbook.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub name: Option<String>,
    pub version: Option<String>,
    pub commander: Option<String>,
    pub max_duration: Option<Dur>,
    pub window_start: Option<String>,
    /// `None` when the text was missing or not TOML; the reason is kept.
    pub unreadable: Option<String>,
    pub owners: Vec<PlanOwner>,
    pub phases: Vec<PlanPhase>,
    pub thresholds: Vec<PlanCondition>,
    /// Rollback plans as pseudo-phases: `id` = scope, `name` = title, their steps.
    pub rollbacks: Vec<PlanPhase>,
}

/// A roster entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOwner {
    pub id: String,
    pub name: String,
    pub role: String,
}

/// A phase with its planned steps and gates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanPhase {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub steps: Vec<PlanStep>,
    pub gates: Vec<PlanCondition>,
}

/// A planned step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanStep {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub expected: Option<Dur>,
}

/// A gate or a threshold: id, title, condition text and the metrics it reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanCondition {
    pub id: String,
    pub title: String,
    pub when: String,
    /// Metric names read by `when`, deduplicated, in source order.
    pub metrics: Vec<String>,
}

impl Plan {
    /// Reads a runbook's TOML text; never fails (see `unreadable`).
    pub fn from_toml(text: Option<&str>) -> Plan {
        let Some(text) = text else {
            return Plan {
                unreadable: Some("the open record holds no runbook text".into()),
                ..Plan::default()
            };
        };
        let doc: Value = match toml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                return Plan {
                    unreadable: Some(format!("runbook text is not valid TOML: {}", e.message())),
                    ..Plan::default()
                }
            }
        };
        let rb = doc.get("runbook");
        let s = |k: &str| {
            rb.and_then(|t| t.get(k))
                .and_then(Value::as_str)
                .map(String::from)
        };
        Plan {
            name: s("name"),
            version: s("version"),
            commander: s("commander"),
            max_duration: s("max_duration").and_then(|d| parse_duration(&d).ok()),
            window_start: s("window_start"),
            unreadable: None,
            owners: tables(&doc, "owner").map(owner).collect(),
            phases: tables(&doc, "phase").map(phase).collect(),
            thresholds: tables(&doc, "threshold").map(condition).collect(),
            rollbacks: tables(&doc, "rollback").map(rollback).collect(),
        }
    }

    /// Planned duration of a phase: the sum of its steps' `expected`.
    pub fn planned(&self, phase: &str) -> Option<Dur> {
        let p = self.phases.iter().find(|p| p.id == phase)?;
        let sum = p
            .steps
            .iter()
            .filter_map(|s| s.expected)
            .fold(Dur::ZERO, |a, b| a + b);
        Some(sum)
    }

    /// The planned step `id` (searched in every phase) and its phase id.
    pub fn step(&self, id: &str) -> Option<(&PlanPhase, &PlanStep)> {
        self.phases
            .iter()
            .find_map(|p| p.steps.iter().find(|s| s.id == id).map(|s| (p, s)))
    }

    /// Display name of a phase, falling back to its id.
    pub fn phase_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.phases
            .iter()
            .find(|p| p.id == id)
            .map_or(id, |p| p.name.as_str())
    }

    /// Every gate and threshold, with the metrics it reads.
    pub fn conditions(&self) -> impl Iterator<Item = &PlanCondition> {
        self.phases
            .iter()
            .flat_map(|p| p.gates.iter())
            .chain(self.thresholds.iter())
    }
}

fn tables<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.as_slice())
        .unwrap_or(&[])
        .iter()
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn owner(v: &Value) -> PlanOwner {
    PlanOwner {
        id: str_of(v, "id"),
        name: str_of(v, "name"),
        role: str_of(v, "role"),
    }
}

fn phase(v: &Value) -> PlanPhase {
    PlanPhase {
        id: str_of(v, "id"),
        name: str_of(v, "name"),
        owner: str_of(v, "owner"),
        steps: tables(v, "step").map(step).collect(),
        gates: tables(v, "gate").map(condition).collect(),
    }
}

fn rollback(v: &Value) -> PlanPhase {
    PlanPhase {
        id: str_of(v, "scope"),
        name: str_of(v, "title"),
        owner: String::new(),
        steps: tables(v, "step").map(step).collect(),
        gates: Vec::new(),
    }
}

fn step(v: &Value) -> PlanStep {
    PlanStep {
        id: str_of(v, "id"),
        title: str_of(v, "title"),
        owner: str_of(v, "owner"),
        expected: v
            .get("expected")
            .and_then(Value::as_str)
            .and_then(|d| parse_duration(d).ok()),
    }
}

fn condition(v: &Value) -> PlanCondition {
    let when = str_of(v, "when");
    let mut metrics: Vec<String> = Vec::new();
    if let Ok(e) = parse_condition(&when) {
        for m in e.metrics() {
            if !metrics.contains(&m.name) {
                metrics.push(m.name.clone());
            }
        }
    }
    PlanCondition {
        id: str_of(v, "id"),
        title: str_of(v, "title"),
        when,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RB: &str = r#"
[runbook]
name = "PACS cutover"
version = "r3"
commander = "dana"
max_duration = "6h"
[[phase]]
id = "p1"
name = "Phase 1"
owner = "dana"
  [[phase.step]]
  id = "a"
  title = "A"
  owner = "sam"
  expected = "20m"
  [[phase.step]]
  id = "b"
  title = "B"
  owner = "sam"
  expected = "1h"
  [[phase.gate]]
  id = "g"
  title = "G"
  when = "recon.x.match == 1 and p95(target.pacs.latency_ms, 5m) < 800 and recon.x.match >= 0"
[[threshold]]
id = "t"
title = "T"
when = "source.ehr.replication_lag_s > 300"
"#;

    #[test]
    fn planned_duration_is_the_sum_of_step_expectations() {
        let p = Plan::from_toml(Some(RB));
        assert_eq!(p.name.as_deref(), Some("PACS cutover"));
        assert_eq!(p.max_duration, Some(Dur::from_mins(360)));
        assert_eq!(p.planned("p1"), Some(Dur::from_mins(80)));
        assert_eq!(p.planned("nope"), None);
        assert_eq!(
            p.step("b")
                .map(|(ph, s)| (ph.id.as_str(), s.owner.as_str())),
            Some(("p1", "sam"))
        );
    }

    #[test]
    fn conditions_list_their_metrics_once() {
        let p = Plan::from_toml(Some(RB));
        let all: Vec<_> = p.conditions().map(|c| c.metrics.clone()).collect();
        assert_eq!(
            all,
            vec![
                vec!["recon.x.match".to_string(), "target.pacs.latency_ms".into()],
                vec!["source.ehr.replication_lag_s".to_string()],
            ]
        );
    }

    #[test]
    fn unreadable_text_is_reported_not_fatal() {
        assert!(Plan::from_toml(Some("[runbook\nname="))
            .unreadable
            .is_some());
        assert!(Plan::from_toml(None).unreadable.is_some());
    }
}
