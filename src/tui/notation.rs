//! One notation for every comparison, gate or threshold, that reads as a
//! sentence: the value with its unit, then what it needs (a gate's pass
//! condition) or what would breach it (a threshold's trigger):
//! `p95 1,121 ms · needs below 800 ms`, `171 ms · breach above 800 ms`.
//! Units come from the metric's suffix (`_ms`, `_min`, `_s`, `_days`).

use crate::core::sanitize::inert;
use crate::tui::view::ComparisonView;

/// Whether a comparison is a gate's pass condition or a threshold's breach condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// A gate: the comparison says what must be true to pass.
    Needs,
    /// A threshold: the comparison says what would breach it.
    Breach,
}

/// The unit a metric name implies, `""` for counts and ratios.
pub fn unit_of(metric: &str) -> &'static str {
    let last = metric.rsplit('.').next().unwrap_or(metric);
    let last = last.strip_suffix("_left").unwrap_or(last);
    if last.ends_with("_ms") {
        "ms"
    } else if last.ends_with("_min") {
        "min"
    } else if last.ends_with("_days") {
        "days"
    } else if last.ends_with("_s") {
        "s"
    } else {
        ""
    }
}

/// The parts of a comparison's left side: the window function (if any),
/// the metric it reads, and the unit of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftSide {
    /// `p95`, `avg`, `age`..., empty for a bare metric or an expression.
    pub func: String,
    /// The metric read (the last one named, for an expression).
    pub metric: String,
    /// The window as written (`5m`), empty without one.
    pub window: String,
    pub unit: &'static str,
}

/// Reads `p95(target.pacs.latency_ms, 5m)`, `age(x)`, `target.pacs.up` or
/// any other expression text.
pub fn left_side(left: &str) -> LeftSide {
    let t = left.trim();
    if let Some((func, rest)) = t.split_once('(') {
        let simple = func.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if simple && rest.ends_with(')') && !rest[..rest.len() - 1].contains('(') {
            let inner = &rest[..rest.len() - 1];
            let mut parts = inner.split(',').map(str::trim);
            let metric = parts.next().unwrap_or_default().to_string();
            let window = parts.next().unwrap_or_default().to_string();
            let unit = match func {
                "age" => "s",
                "rate" => "",
                _ => unit_of(&metric),
            };
            return LeftSide {
                func: func.to_string(),
                metric,
                window,
                unit,
            };
        }
    }
    // an expression: the unit of the last metric it names, when it is one
    let metric = t
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .rfind(|w| w.contains('.') && w.starts_with(|c: char| c.is_ascii_lowercase()))
        .unwrap_or_default()
        .to_string();
    let bare = metric == t;
    LeftSide {
        func: if bare { String::new() } else { t.to_string() },
        unit: unit_of(&metric),
        metric,
        window: String::new(),
    }
}

/// A number for people: thousands separated, no noise (`1,121`, `0.95`, `12.5`).
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "?".into();
    }
    let abs = v.abs();
    let text = if abs >= 100.0 || v.fract() == 0.0 {
        group(v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if text == "-0" {
        "0".into()
    } else {
        text
    }
}

fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// `1,121 ms`, `3 days`, `0.95`.
pub fn with_unit(v: Option<f64>, unit: &str) -> String {
    match v {
        Some(x) if x.is_finite() => {
            if unit.is_empty() {
                number(x)
            } else {
                format!("{} {unit}", number(x))
            }
        }
        _ => "?".into(),
    }
}

/// What the operator and limit say, as words: `below 800 ms`, `at least 1`.
pub fn condition(op: &str, limit: Option<f64>, unit: &str, meaning: Meaning) -> String {
    let l = with_unit(limit, unit);
    let words = match (meaning, op) {
        (Meaning::Needs, "<") => "below",
        (Meaning::Needs, "<=") => "at most",
        (Meaning::Needs, ">") => "above",
        (Meaning::Needs, ">=") => "at least",
        (Meaning::Needs, "==") => "exactly",
        (Meaning::Needs, "!=") => "other than",
        (Meaning::Breach, "<") => "below",
        (Meaning::Breach, "<=") => "at or below",
        (Meaning::Breach, ">") => "above",
        (Meaning::Breach, ">=") => "at or above",
        (Meaning::Breach, "==") => "at",
        (Meaning::Breach, "!=") => "at anything but",
        _ => op,
    };
    let lead = match meaning {
        Meaning::Needs => "needs",
        Meaning::Breach => "breach",
    };
    format!("{lead} {words} {l}")
}

/// The value part: `p95 1,121 ms`, `171 ms`, `? (stale: no sample for 30s)`.
pub fn value_part(c: &ComparisonView, label: bool) -> String {
    let name = label
        .then(|| short_name(&left_side(&c.left).metric))
        .flatten();
    value_labelled(c, name)
}

fn value_labelled(c: &ComparisonView, label: Option<String>) -> String {
    let side = left_side(&c.left);
    let mut parts: Vec<String> = Vec::new();
    if let Some(name) = label {
        parts.push(name);
    }
    if !side.func.is_empty() && side.func.len() <= 6 {
        parts.push(side.func.clone());
    } else if !side.func.is_empty() && side.metric.is_empty() {
        parts.push(inert(&side.func));
    }
    match (c.value, &c.reason) {
        (Some(v), _) if v.is_finite() => parts.push(with_unit(Some(v), side.unit)),
        (_, Some(r)) => parts.push(format!("? ({})", inert(r))),
        _ => parts.push("?".into()),
    }
    parts.join(" ")
}

/// The metric's last segment without its unit suffix (`latency`, `match`).
fn short_name(metric: &str) -> Option<String> {
    let last = metric.rsplit('.').next().filter(|s| !s.is_empty())?;
    let trimmed = ["_ms", "_min", "_days_left", "_days", "_s"]
        .iter()
        .find_map(|suf| last.strip_suffix(suf))
        .unwrap_or(last);
    Some(trimmed.to_string())
}

/// One comparison as a sentence: `p95 1,121 ms · needs below 800 ms`.
/// `label` prefixes the metric's short name (several comparisons in a row).
pub fn sentence(c: &ComparisonView, meaning: Meaning, label: bool) -> String {
    let unit = left_side(&c.left).unit;
    format!(
        "{} · {}",
        value_part(c, label),
        condition(&c.op, c.limit, unit, meaning)
    )
}

/// Every comparison, `; ` between them, labelled when there are several:
/// by the metric's short name, or its whole name when short names collide
/// (`source.pacs.up` and `target.pacs.up`).
pub fn sentences(cs: &[ComparisonView], meaning: Meaning) -> String {
    if cs.len() < 2 {
        return cs
            .iter()
            .map(|c| sentence(c, meaning, false))
            .collect::<Vec<_>>()
            .join("; ");
    }
    let metrics: Vec<String> = cs.iter().map(|c| left_side(&c.left).metric).collect();
    let short: Vec<Option<String>> = metrics.iter().map(|m| short_name(m)).collect();
    let collide = (0..short.len()).any(|i| short[i + 1..].contains(&short[i]));
    cs.iter()
        .zip(metrics.iter().zip(short))
        .map(|(c, (m, s))| {
            let label = if collide && !m.is_empty() {
                Some(inert(m))
            } else {
                s
            };
            let unit = left_side(&c.left).unit;
            format!(
                "{} · {}",
                value_labelled(c, label),
                condition(&c.op, c.limit, unit, meaning)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(left: &str, v: Option<f64>, op: &str, l: f64) -> ComparisonView {
        ComparisonView {
            left: left.into(),
            op: op.into(),
            value: v,
            limit: Some(l),
            reason: v.is_none().then(|| "no sample".into()),
            ..ComparisonView::default()
        }
    }

    #[test]
    fn units_come_from_metric_suffixes() {
        assert_eq!(unit_of("target.pacs.latency_ms"), "ms");
        assert_eq!(unit_of("cutover.remaining_min"), "min");
        assert_eq!(unit_of("target.pacs.replication_lag_s"), "s");
        assert_eq!(unit_of("target.pacs.cert_days_left"), "days");
        assert_eq!(unit_of("issues.open_critical"), "");
        assert_eq!(unit_of("recon.pacs-pilot.match"), "");
        assert_eq!(left_side("age(target.pacs.up)").unit, "s");
    }

    #[test]
    fn numbers_are_grouped_and_quiet() {
        assert_eq!(number(1120.64), "1,121");
        assert_eq!(number(171.0), "171");
        assert_eq!(number(0.954), "0.95");
        assert_eq!(number(-1234567.0), "-1,234,567");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(f64::NAN), "?");
    }

    #[test]
    fn gates_say_what_they_need_thresholds_what_breaches() {
        let p95 = cmp("p95(target.pacs.latency_ms, 1m)", Some(1120.64), "<", 800.0);
        assert_eq!(
            sentence(&p95, Meaning::Needs, false),
            "p95 1,121 ms · needs below 800 ms"
        );
        let lat = cmp("target.pacs.latency_ms", Some(171.0), ">", 800.0);
        assert_eq!(
            sentence(&lat, Meaning::Breach, false),
            "171 ms · breach above 800 ms"
        );
        let slack = cmp("cutover.remaining_min", Some(359.97), "<", 0.0);
        assert_eq!(
            sentence(&slack, Meaning::Breach, false),
            "360 min · breach below 0 min"
        );
    }

    #[test]
    fn colliding_short_names_use_the_whole_metric() {
        let cs = [
            cmp("source.pacs.up", Some(1.0), "==", 1.0),
            cmp("target.pacs.up", Some(0.0), "==", 1.0),
        ];
        assert_eq!(
            sentences(&cs, Meaning::Needs),
            "source.pacs.up 1 · needs exactly 1; target.pacs.up 0 · needs exactly 1"
        );
    }

    #[test]
    fn several_comparisons_are_labelled_and_unknown_says_why() {
        let cs = [
            cmp("recon.pacs-pilot.match", Some(1.0), "==", 1.0),
            cmp("recon.pacs-pilot.count_delta", None, "==", 0.0),
        ];
        assert_eq!(
            sentences(&cs, Meaning::Needs),
            "match 1 · needs exactly 1; count_delta ? (no sample) · needs exactly 0"
        );
    }
}
