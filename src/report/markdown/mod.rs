//! The evidence pack as Markdown that also reads well as plain text in a
//! change ticket: short lines, simple pipe tables, no HTML.

mod sections;

use super::evidence::{Evidence, Series};
use super::header::{self, Dialect};
use super::text::{dur, dur_opt, md, md_code, num, variance, when, when_opt};
use sections::{decisions, episodes, gates, holds, rehearsals, steps, waivers};
use std::fmt::Write;

/// Renders the whole evidence pack. When the log does not verify, the
/// first line says so.
pub fn markdown(e: &Evidence) -> String {
    let mut o = String::new();
    if let Some(d) = header::damage(e, &MD) {
        let _ = writeln!(
            o,
            "**WARNING: THIS LOG DOES NOT VERIFY ({d}).** {}\n",
            header::FORCED
        );
    }
    let name = e.plan.name.as_deref().unwrap_or("(runbook name unknown)");
    let rehearsal = if e.identity.rehearsal {
        "REHEARSAL "
    } else {
        ""
    };
    let _ = writeln!(o, "# {rehearsal}Evidence pack: {}\n", md(name));
    identity(&mut o, e);
    verification(&mut o, e);
    phases(&mut o, e);
    decisions(&mut o, e);
    signatures(&mut o, e);
    holds(&mut o, e);
    episodes(&mut o, e);
    waivers(&mut o, e);
    steps(&mut o, e);
    rehearsals(&mut o, e);
    gates(&mut o, e);
    metrics(&mut o, e);
    reconciliations(&mut o, e);
    o
}

/// Each dataset's final reconciliation and its differences (keys as the
/// probe logged them: pseudonymised).
fn reconciliations(o: &mut String, e: &Evidence) {
    if e.reconciliations.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "## Data reconciliation: final result per dataset
"
    );
    let _ = writeln!(
        o,
        "Keys and Study Instance UIDs are pseudonymised (keyed hash) as the cockpit logged them.\n"
    );
    let _ = writeln!(o, "| dataset | probe | result | taken at | counts |");
    let _ = writeln!(o, "|---|---|---|---|---|");
    for r in &e.reconciliations {
        let result = match (r.at, r.matched) {
            (None, _) => "no successful comparison".to_string(),
            (_, Some(true)) => "match".to_string(),
            (_, Some(false)) => "DIFFERS".to_string(),
            (_, None) => "unknown".to_string(),
        };
        let counts: Vec<String> = r
            .tallies
            .iter()
            .filter(|(k, _)| k.as_str() != "duration_s")
            .map(|(k, v)| format!("{k} {}", num(*v)))
            .collect();
        let _ = writeln!(
            o,
            "| {} | {} | {result} | {} | {} |",
            md(&r.dataset),
            md(&r.kind),
            r.at.map(when).unwrap_or_else(|| "-".into()),
            md(&counts.join(", "))
        );
    }
    o.push('\n');
    let mut notes = String::new();
    for r in &e.reconciliations {
        if let Some(d) = r
            .differences
            .as_deref()
            .filter(|_| r.matched == Some(false))
        {
            let _ = writeln!(notes, "- **{}** differences: {}", md(&r.dataset), md(d));
        }
        if let Some(why) = &r.failed_since {
            let _ = writeln!(
                notes,
                "- **{}**: the last attempt failed after this result: {}",
                md(&r.dataset),
                md(why)
            );
        }
    }
    if !notes.is_empty() {
        o.push_str(&notes);
        o.push('\n');
    }
}

/// Markdown escaping for the shared header rows.
const MD: Dialect = Dialect {
    text: md,
    code: md_code,
};

/// Signed records, who signed what, missing signatures, amendments, reviews
/// (only when the log has any of them).
fn signatures(o: &mut String, e: &Evidence) {
    let s = &e.signatures;
    if s.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Electronic signatures\n\n{}\n", md(&s.intro()));
    for (title, head, rows) in s.tables() {
        let _ = writeln!(o, "### {}\n", md(&title));
        if rows.is_empty() {
            let _ = writeln!(o, "None.\n");
            continue;
        }
        let _ = writeln!(
            o,
            "| {} |\n|{}",
            head.join(" | "),
            "---|".repeat(head.len())
        );
        for r in rows {
            let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
            let _ = writeln!(o, "| {} |", cells.join(" | "));
        }
        o.push('\n');
    }
}

fn identity(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Runbook and session\n");
    let _ = writeln!(o, "| Item | Value |\n|---|---|");
    for (k, v) in header::identity_rows(e, &MD) {
        let _ = writeln!(o, "| {k} | {v} |");
    }
    for note in header::identity_notes(e, &MD) {
        let _ = writeln!(o, "\n{note}");
    }
    o.push('\n');
}

fn verification(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Chain verification\n");
    let _ = writeln!(o, "- Result: {}", header::result(e, &MD));
    for (k, v) in header::verification_rows(e, &MD) {
        let _ = writeln!(o, "- {k}: {v}");
    }
    o.push('\n');
}

fn phases(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Timeline of phases\n");
    if e.phases.is_empty() {
        let _ = writeln!(o, "No phase was entered.\n");
        return;
    }
    let _ = writeln!(o, "| Phase | Entered | Left | Outcome | Planned | Actual | Variance |\n|---|---|---|---|---|---|---|");
    for v in &e.phases {
        let _ = writeln!(
            o,
            "| {} ({}) | {} | {} | {} | {} | {} | {} |",
            md(e.plan.phase_name(&v.phase)),
            md_code(&v.phase),
            when(v.entered),
            when_opt(v.left),
            md(&v.outcome),
            dur_opt(v.planned),
            dur(v.actual),
            variance(v.planned, Some(v.actual))
        );
    }
    let _ = writeln!(
        o,
        "\nPlanned = sum of the phase's step `expected` durations.\n"
    );
}

fn metrics(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Metrics read by gates and thresholds\n");
    if e.series.is_empty() {
        let _ = writeln!(
            o,
            "No gate or threshold metrics are known (runbook unreadable?).\n"
        );
    }
    for s in &e.series {
        let used: Vec<String> = s.used_by.iter().map(|u| md_code(u)).collect();
        let _ = writeln!(
            o,
            "- {} (used by {}): {}",
            md_code(&s.metric),
            used.join(", "),
            summary(s)
        );
    }
    o.push('\n');
}

/// "42 samples, min 1, max 9, last 3 at ..., trend ▁▂▅█▃".
fn summary(s: &Series) -> String {
    let Some(last) = s.points.last() else {
        return "no samples recorded".into();
    };
    let (lo, hi) = s
        .points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
            (l.min(p.1), h.max(p.1))
        });
    format!(
        "{} samples, min {}, max {}, last {} at {}, trend {}",
        s.points.len(),
        num(lo),
        num(hi),
        num(last.1),
        when(last.0),
        sparkline(s, lo, hi)
    )
}

/// Up to 40 block characters, each the mean of its share of the samples.
fn sparkline(s: &Series, lo: f64, hi: f64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let n = s.points.len();
    let cells = n.min(40);
    (0..cells)
        .map(|c| {
            let chunk = &s.points[c * n / cells..((c + 1) * n / cells).max(c * n / cells + 1)];
            let mean = chunk.iter().map(|p| p.1).sum::<f64>() / chunk.len() as f64;
            let frac = if hi > lo {
                (mean - lo) / (hi - lo)
            } else {
                0.5
            };
            BARS[((frac * 7.0).round() as usize).min(7)]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::VerificationSummary;
    use serde_json::json;

    #[test]
    fn a_damaged_log_is_announced_on_the_first_line() {
        let v = VerificationSummary {
            ok: false,
            damage: Some("line 7: torn last line".into()),
            ..Default::default()
        };
        let md = markdown(&Evidence::from_records(&[], v));
        assert!(md
            .lines()
            .next()
            .unwrap()
            .starts_with("**WARNING: THIS LOG DOES NOT VERIFY (line 7: torn last line).**"));
    }

    #[test]
    fn series_summary_gives_range_and_trend() {
        let rb = "[[threshold]]\nid = 't'\nwhen = 'x.y.z > 5'\n";
        let mut recs = vec![
            json!({"seq":0,"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"d","body":{"runbook":rb}}),
        ];
        for (i, v) in [1.0, 2.0, 9.0, 3.0].iter().enumerate() {
            recs.push(json!({"seq":i+1,"ts":format!("2026-11-28T22:0{i}:30.000Z"),"kind":"observe","actor":"d","body":{"reports":[{"probe":"x.y","ok":true,"at":format!("2026-11-28T22:0{i}:30.000Z"),"samples":{"x.y.z":v}}]}}));
        }
        let ok = VerificationSummary {
            ok: true,
            ..Default::default()
        };
        let md = markdown(&Evidence::from_records(&recs, ok));
        assert!(md.contains("- `x.y.z` (used by `t`): 4 samples, min 1, max 9, last 3 at 2026-11-28 22:03:30Z, trend ▁▂█▃"), "{md}");
        assert!(!md.starts_with("**WARNING"));
    }

    #[test]
    fn a_window_without_start_says_where_it_is_counted_from() {
        let rb = "[runbook]\nmax_duration = '6h'\n";
        let recs = [
            json!({"seq":0,"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":"d","body":{"runbook":rb}}),
        ];
        let md = markdown(&Evidence::from_records(
            &recs,
            VerificationSummary::default(),
        ));
        assert!(
            md.contains(
                "| Approved window | 6h from log start (the runbook sets no window_start) |"
            ),
            "{md}"
        );
    }
}
