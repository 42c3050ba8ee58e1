//! The view model's additions for the header's times, the issues panel, the
//! detail view (window inputs, recent values, probe attempts, phase timings)
//! and datasets. Pure, like the rest of the view model.

use crate::core::cockpit::{Cockpit, EndpointStatus};
use crate::core::derived;
use crate::core::metrics::MetricStore;
use crate::core::time::{parse_duration, Dur, Ts};
use crate::tui::view::*;

/// Recent values a comparison's sparkline gets.
pub const VALUE_HISTORY: usize = 40;
/// Attempts the endpoint detail lists per probe.
pub const ATTEMPTS: usize = 6;

/// The window's edges and the forecast finish.
pub fn window_times(c: &Cockpit, now: Ts) -> WindowTimes {
    let w = c.window();
    let forecast_end = c
        .store()
        .latest(derived::FORECAST_OVERRUN_MIN, now)
        .ok()
        .map(|m| w.end + Dur((m * 60_000.0).round() as i64));
    WindowTimes {
        start: w.origin,
        end: w.end,
        forecast_end,
        forecast_p90_end: forecast_end.and_then(|_| c.forecast_p90_end(now)),
    }
}

/// The rollback scope with the least slack (its point of no return is nearest).
pub fn pnr(c: &Cockpit, now: Ts) -> Option<PnrView> {
    c.runbook()
        .rollbacks
        .iter()
        .filter_map(|r| {
            let m = c
                .store()
                .latest_raw(&derived::rollback_slack(&r.scope), now)?
                .1;
            Some(PnrView {
                scope: r.scope.clone(),
                slack: Dur((m * 60_000.0).round() as i64),
            })
        })
        .min_by_key(|p| p.slack)
}

/// Open issues, most severe first, then oldest first.
pub fn issues(c: &Cockpit) -> Vec<IssueView> {
    let mut open: Vec<IssueView> = c
        .issues()
        .iter()
        .filter(|i| i.closed.is_none())
        .map(|i| IssueView {
            id: i.id.clone(),
            severity: severity_word(&i.severity),
            title: i.title.clone(),
            owner: i.owner.clone(),
            opened_at: i.opened_at,
        })
        .collect();
    let rank = |s: &str| match s {
        "critical" => 0,
        "major" => 1,
        _ => 2,
    };
    open.sort_by_key(|i| (rank(&i.severity), i.opened_at));
    open
}

fn severity_word<T: serde::Serialize>(s: &T) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Sample count in the window and age of the newest, plus recent values,
/// for the metric a comparison reads.
pub fn enrich(c: &Cockpit, cmp: &mut ComparisonView, now: Ts) {
    let side = crate::tui::notation::left_side(&cmp.left);
    if side.metric.is_empty() {
        return;
    }
    let Some(series) = c.store().series(&side.metric) else {
        cmp.inputs = Some(WindowInputs {
            window: side.window,
            samples: 0,
            age: None,
        });
        return;
    };
    let window = parse_duration(&side.window).ok();
    let samples = match window {
        Some(w) => series
            .iter()
            .rev()
            .take_while(|(t, _)| *t >= now - w)
            .count(),
        None => usize::from(!series.is_empty()),
    };
    let age = series.iter().next_back().map(|(t, _)| now - t);
    cmp.inputs = Some(WindowInputs {
        window: side.window,
        samples,
        age,
    });
    let mut hist: Vec<f64> = series
        .iter()
        .rev()
        .take(VALUE_HISTORY)
        .map(|(_, v)| v)
        .filter(|v| v.is_finite())
        .collect();
    hist.reverse();
    cmp.history = hist;
}

/// The last attempts of the probes of one endpoint side, oldest first, from
/// their `<kind>_ok` samples; the latest failure of each carries its reason,
/// and each HTTP attempt the phases it measured.
pub fn attempts(c: &Cockpit, probes: &[(&String, &EndpointStatus)], _now: Ts) -> Vec<AttemptView> {
    let mut out: Vec<AttemptView> = Vec::new();
    let store = c.store();
    for (label, p) in probes {
        let kind = label.rsplit('.').next().unwrap_or_default().to_string();
        let Some(series) = store.series(&format!("{label}_ok")) else {
            continue;
        };
        let mut mine: Vec<AttemptView> = series
            .iter()
            .rev()
            .take(ATTEMPTS)
            .map(|(at, v)| AttemptView {
                probe: kind.clone(),
                at,
                ok: v >= 1.0,
                reason: p
                    .last_failure
                    .as_ref()
                    .filter(|(t, _)| *t == at && v < 1.0)
                    .map(|(_, why)| why.clone()),
                phases: phases_at(store, label, at),
            })
            .collect();
        mine.reverse();
        out.extend(mine);
    }
    out.sort_by_key(|a| a.at);
    let keep = out.len().saturating_sub(ATTEMPTS * 2);
    out.split_off(keep)
}

/// The phases one attempt of probe `label` measured: the `<label>_<phase>_ms`
/// samples stamped with the attempt's time (a probe writes them with its
/// `<kind>_ok`, and only those it measured), in [`PHASES`] order.
pub fn phases_at(store: &MetricStore, label: &str, at: Ts) -> Vec<(String, f64)> {
    PHASES
        .iter()
        .filter_map(|phase| {
            let series = store.series(&format!("{label}_{phase}_ms"))?;
            let v = series
                .iter()
                .rev()
                .take_while(|(t, _)| *t >= at)
                .find(|(t, _)| *t == at)?
                .1;
            Some((phase.to_string(), v))
        })
        .collect()
}

/// The phases an HTTP attempt records, in order.
pub const PHASES: [&str; 4] = ["connect", "tls", "ttfb", "transfer"];

/// A reconciliation's differences line (pseudonymised, as the probe writes
/// it: `SUMMARY; missing #a #b; extra #c; changed #d (+N more)` for rows,
/// `SUMMARY: study #x ...; study #y ...` for studies) as its summary and
/// one `(kind, what)` per row or study.
pub fn split_differences(detail: &str) -> (Option<String>, Vec<(String, String)>) {
    let (body, more) = match detail.rsplit_once(" (+") {
        Some((b, m)) if m.ends_with(" more)") => (b, Some(m.trim_end_matches(')').to_string())),
        _ => (detail, None),
    };
    let mut rows = Vec::new();
    let summary;
    if !body.contains(" rows differ: ") && !body.contains(" studies differ: ") {
        // not a reconciliation's differences (e.g. a field note): as it is
        return (Some(detail.to_string()), Vec::new());
    }
    if let Some((head, studies)) = body.split_once(" studies differ: ") {
        summary = format!("{head} studies differ");
        for s in studies.split("; ") {
            rows.push(("study".to_string(), s.to_string()));
        }
    } else {
        let mut parts = body.split("; ");
        summary = parts.next().unwrap_or_default().to_string();
        for p in parts {
            let mut words = p.split(' ');
            let kind = words.next().unwrap_or_default();
            for key in words {
                if kind == "ranges" {
                    rows.push(("range".to_string(), segment_text(key)));
                } else {
                    rows.push((kind.to_string(), key.to_string()));
                }
            }
        }
    }
    if let Some(m) = more {
        rows.push(("more".to_string(), format!("+{m}")));
    }
    (Some(summary), rows)
}

/// A differing segment's word (`LO-HI%:SOURCE/TARGET/DIFFERING`, as the sql
/// probe writes it) in words; anything else as it is.
fn segment_text(word: &str) -> String {
    let Some((place, counts)) = word.split_once(':') else {
        return word.to_string();
    };
    let c: Vec<&str> = counts.split('/').collect();
    match c.as_slice() {
        [s, t, d] => format!(
            "{} of the key span: {s} rows on source, {t} on target, {d} differ",
            place.replacen('-', "–", 1)
        ),
        _ => word.to_string(),
    }
}

/// One row per dataset a reconciliation probe names (`recon.<dataset>.*`).
pub fn datasets(c: &Cockpit, now: Ts) -> Vec<DatasetView> {
    let mut names: Vec<&str> = c
        .endpoints()
        .keys()
        .filter_map(|l| l.strip_prefix("recon.")?.split('.').next())
        .collect();
    names.dedup();
    let store = c.store();
    let all = store.names();
    names
        .into_iter()
        .map(|ds| {
            let prefix = format!("recon.{ds}.");
            let mut metrics: Vec<(String, Option<f64>)> = all
                .iter()
                .filter(|n| n.starts_with(&prefix))
                .map(|n| (n[prefix.len()..].to_string(), store.latest(n, now).ok()))
                .collect();
            metrics.sort_by(|a, b| a.0.cmp(&b.0));
            let last_error = c
                .endpoints()
                .iter()
                .filter(|(l, s)| l.starts_with(&prefix) && !s.ok)
                .filter_map(|(_, s)| s.last_failure.as_ref().map(|(_, why)| why.clone()))
                .next();
            let last_ok = c
                .endpoints()
                .iter()
                .filter(|(l, _)| l.starts_with(&prefix))
                .filter_map(|(_, s)| s.last_ok.map(|t| (t, s.last_detail.clone())))
                .max_by_key(|(t, _)| *t);
            let (summary, differences) = match last_ok.as_ref().and_then(|(_, d)| d.as_deref()) {
                Some(d) => split_differences(d),
                None => (None, Vec::new()),
            };
            DatasetView {
                dataset: ds.to_string(),
                matched: store
                    .latest(&format!("{prefix}match"), now)
                    .ok()
                    .map(|v| v >= 1.0),
                metrics,
                last_error,
                last_result_at: last_ok.map(|(t, _)| t),
                summary,
                differences,
                // the core knows results, not comparisons in flight (the session adds them)
                running: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sql_result_splits_into_its_ranges_then_its_keys() {
        let (summary, rows) = split_differences(
            "3 rows differ: 1 missing on target, 0 extra on target, 2 changed; \
             ranges 33.3-33.5%:2,000/2,000/2 66.6-66.7%:1,000/999/1; missing #a1; changed #b2 #c3",
        );
        assert_eq!(
            summary.as_deref(),
            Some("3 rows differ: 1 missing on target, 0 extra on target, 2 changed")
        );
        let kinds: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds, ["range", "range", "missing", "changed", "changed"]);
        assert_eq!(
            rows[1].1,
            "66.6–66.7% of the key span: 1,000 rows on source, 999 on target, 1 differ"
        );
        assert_eq!(rows[4].1, "#c3");
    }
}
