//! The metrics that gates and thresholds read, over time, from `observe` records.

use super::evidence::Series;
use super::plan::Plan;
use super::records::{self as f, Rec};
use crate::core::time::Ts;
use serde_json::Value;

/// One series per metric any gate or threshold reads (plan order), with
/// every finite sample the log holds for it. Metrics with no samples are
/// kept (empty), so the report can say so.
pub fn series(recs: &[Rec], plan: &Plan) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for c in plan.conditions() {
        for m in &c.metrics {
            match out.iter_mut().find(|s| &s.metric == m) {
                Some(s) if !s.used_by.contains(&c.id) => s.used_by.push(c.id.clone()),
                Some(_) => {}
                None => out.push(Series {
                    metric: m.clone(),
                    used_by: vec![c.id.clone()],
                    points: Vec::new(),
                }),
            }
        }
    }
    for r in recs
        .iter()
        .filter(|r| r.kind == "observe")
        .flat_map(reports)
    {
        match r.value(f::SAMPLES) {
            // the cockpit's form: `{name: value}`, all taken at `at`
            Some(Value::Object(map)) => {
                if let Some(ts) = r.time(f::SAMPLES_AT).or(r.ts) {
                    for (name, v) in map {
                        push(&mut out, name, v.as_f64(), ts);
                    }
                }
            }
            Some(Value::Array(list)) => {
                for s in list {
                    let name = f::SAMPLE_NAME.iter().find_map(|k| s.get(*k)?.as_str());
                    let value = f::SAMPLE_VALUE.iter().find_map(|k| s.get(*k)?.as_f64());
                    let ts = f::SAMPLE_TS.iter().find_map(|k| sample_ts(s.get(*k)?));
                    if let (Some(name), Some(ts)) = (name, ts.or(r.ts)) {
                        push(&mut out, name, value, ts);
                    }
                }
            }
            _ => {}
        }
    }
    for s in &mut out {
        s.points.sort_by_key(|p| p.0);
    }
    out
}

/// The probe reports of an `observe` record: each of a batch's `reports`
/// (read like a record of its own), or the record itself (older logs).
fn reports<'a>(r: &Rec<'a>) -> Vec<Rec<'a>> {
    match r.value(f::REPORTS).and_then(Value::as_array) {
        Some(list) => list.iter().map(|body| Rec { body, ..r.clone() }).collect(),
        None => vec![r.clone()],
    }
}

/// Adds a finite sample to its series, if a gate or threshold reads it.
fn push(out: &mut [Series], name: &str, value: Option<f64>, ts: Ts) {
    if let (Some(series), Some(v)) = (out.iter_mut().find(|x| x.metric == name), value) {
        if v.is_finite() {
            series.points.push((ts, v));
        }
    }
}

/// A sample time: RFC 3339 text, or UTC milliseconds (how `Sample.ts` serialises).
fn sample_ts(v: &Value) -> Option<Ts> {
    match v {
        Value::String(s) => Ts::parse_rfc3339(s),
        Value::Number(n) => n.as_i64().map(Ts),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_metrics_used_by_conditions_are_kept_in_time_order() {
        let plan = Plan::from_toml(Some(
            "[[threshold]]\nid='t'\nwhen='target.pacs.latency_ms > 800'\n[[phase]]\nid='p'\n[[phase.gate]]\nid='g'\nwhen='target.pacs.latency_ms < 500 and recon.a.match == 1'\n",
        ));
        let vals = [
            json!({"kind":"observe","ts":"2026-11-28T22:01:00.000Z","body":{"samples":[
            {"name":"target.pacs.latency_ms","ts":1795903320000_i64,"value":420.0},
            {"name":"target.pacs.latency_ms","ts":"2026-11-28T22:00:00.000Z","value":400.0},
            {"name":"other.metric","value":1.0}]}}),
        ];
        let recs: Vec<Rec> = vals.iter().filter_map(Rec::of).collect();
        let s = series(&recs, &plan);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].used_by, vec!["g".to_string(), "t".into()]);
        assert_eq!(
            s[0].points,
            vec![
                (Ts(1_795_903_200_000), 400.0),
                (Ts(1_795_903_320_000), 420.0)
            ]
        );
        assert!(s[1].points.is_empty());
    }

    #[test]
    fn a_batched_observe_record_gives_each_report_its_own_time() {
        let plan = Plan::from_toml(Some(
            "[[threshold]]\nid='t'\nwhen='target.pacs.latency_ms > 800'\n",
        ));
        let vals = [
            json!({"kind":"observe","ts":"2026-11-28T22:00:05.000Z","body":{"reports":[
            {"probe":"target.pacs.latency","ok":true,"at":"2026-11-28T22:00:01.000Z",
             "samples":{"target.pacs.latency_ms":300.0}},
            {"probe":"target.pacs.latency","ok":true,"at":"2026-11-28T22:00:04.000Z",
             "samples":{"target.pacs.latency_ms":310.0}}]}}),
        ];
        let recs: Vec<Rec> = vals.iter().filter_map(Rec::of).collect();
        let s = series(&recs, &plan);
        assert_eq!(
            s[0].points,
            vec![
                (Ts(1_795_903_201_000), 300.0),
                (Ts(1_795_903_204_000), 310.0)
            ]
        );
    }
}
