//! The metrics that gates and thresholds read, over time, from `observe` records.

use super::facts::Series;
use super::plan::Plan;
use super::records::Rec;
use crate::core::records::RecordBody;
use crate::core::time::Ts;

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
    for r in recs {
        let RecordBody::Observe(o) = &r.body else {
            continue;
        };
        for report in &o.reports {
            // every sample of a report was taken at its `at`
            if let Some(ts) = report.at().or(r.ts) {
                for (name, v) in &report.samples {
                    push(&mut out, name, *v, ts);
                }
            }
        }
    }
    for s in &mut out {
        s.points.sort_by_key(|p| p.0);
    }
    out
}

/// Adds a finite sample to its series, if a gate or threshold reads it.
fn push(out: &mut [Series], name: &str, value: f64, ts: Ts) {
    if let Some(series) = out.iter_mut().find(|x| x.metric == name) {
        if value.is_finite() {
            series.points.push((ts, value));
        }
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
        // two one-report bodies (logs written before batching), out of order
        let vals = [
            json!({"kind":"observe","ts":"2026-11-28T22:02:00.000Z","body":{"probe":"target.pacs.latency",
            "ok":true,"at":"2026-11-28T22:02:00.000Z","reason":null,
            "samples":{"target.pacs.latency_ms":420.0,"other.metric":1.0}}}),
            json!({"kind":"observe","ts":"2026-11-28T22:00:00.000Z","body":{"probe":"target.pacs.latency",
            "ok":true,"at":"2026-11-28T22:00:00.000Z","reason":null,
            "samples":{"target.pacs.latency_ms":400.0}}}),
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
