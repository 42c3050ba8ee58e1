//! The evidence pack as one self-contained HTML file: inline CSS, inline
//! SVG, no script, no external resource (a CSP meta tag forbids fetches).
//! Every piece of outside text goes through `text::html` (inert + escaped).

mod sections;

use super::evidence::Evidence;
use super::header::{self, Dialect};
use super::svg;
use super::text::{dur, dur_opt, html as h, variance, when, when_opt};
use sections::{decisions, episodes, gates, holds, rehearsals, steps, waivers};
use std::fmt::Write;

const CSS: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2430;max-width:1000px;margin:24px auto;padding:0 16px}\
h1{font-size:22px;margin:8px 0 4px}h3{font-size:14px;margin:14px 0 2px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d5dae1;padding-bottom:4px}\
table{border-collapse:collapse;width:100%;margin:6px 0;font-size:13px}th,td{border:1px solid #d5dae1;padding:3px 6px;text-align:left;vertical-align:top}\
th{background:#f1f4f8}code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f1f4f8;padding:0 3px;border-radius:3px;overflow-wrap:break-word}\
.banner{padding:10px 14px;border-radius:6px;margin:8px 0;font-weight:600}.bad{background:#fdecea;border:2px solid #c62828;color:#8e1b1b}\
.good{background:#e8f5e9;border:1px solid #1b7f3b;color:#145c2c}.yes{color:#c62828;font-weight:700}\
.decision{border-left:4px solid #9bb8e0;padding:2px 10px;margin:10px 0}.decision h3{font-size:14px;margin:4px 0}\
.snap{font-size:12px;color:#444}.pass,.ok{color:#1b7f3b}.fail,.breached{color:#c62828}.watch,.holding,.waived{color:#b26a00}\
svg{width:100%;height:auto;display:block;margin:4px 0 12px}svg text{font:11px system-ui,sans-serif}.tick{fill:#6b7280}\
.row{fill:#374151}.bar{fill:#1d2430;font-size:10px}.mark{font-weight:700}.limit{fill:#b26a00}.empty{fill:#9ca3af}.legend span{margin-right:12px}\
.muted{color:#6b7280}";

/// Renders the whole evidence pack as a single HTML document.
pub fn html(e: &Evidence) -> String {
    let name = e.plan.name.as_deref().unwrap_or("(runbook name unknown)");
    let damaged = header::damage(e, &HTML);
    let rehearsal = if e.identity.rehearsal {
        "REHEARSAL "
    } else {
        ""
    };
    let mut o = String::from("<!DOCTYPE html>\n");
    if let Some(d) = &damaged {
        let _ = writeln!(
            o,
            "<!-- WARNING: THIS LOG DOES NOT VERIFY ({}). Report forced. -->",
            d.replace("--", "- -")
        );
    }
    let _ = write!(o, "<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}{rehearsal}Evidence pack: {}</title><style>{CSS}</style></head><body>",
        if damaged.is_some() { "UNVERIFIED " } else { "" }, h(name));
    o.push('\n');
    if let Some(d) = &damaged {
        let _ = writeln!(
            o,
            "<div class=\"banner bad\">WARNING: THIS LOG DOES NOT VERIFY ({d}). {}</div>",
            header::FORCED
        );
    }
    let _ = writeln!(o, "<h1>{rehearsal}Evidence pack: {}</h1>", h(name));
    identity(&mut o, e);
    verification(&mut o, e);
    timeline(&mut o, e);
    decisions(&mut o, e);
    signatures(&mut o, e);
    holds(&mut o, e);
    episodes(&mut o, e);
    waivers(&mut o, e);
    steps(&mut o, e);
    rehearsals(&mut o, e);
    gates(&mut o, e);
    charts(&mut o, e);
    reconciliations(&mut o, e);
    o.push_str("</body></html>\n");
    o
}

pub(super) fn code(s: &str) -> String {
    if s.is_empty() {
        "–".into()
    } else {
        format!("<code>{}</code>", h(s))
    }
}

pub(super) fn opt(s: &Option<String>, f: fn(&str) -> String) -> String {
    s.as_deref().map_or("–".into(), f)
}

pub(super) fn table(o: &mut String, head: &[&str], rows: Vec<Vec<String>>) {
    o.push_str("<table><thead><tr>");
    for c in head {
        let _ = write!(o, "<th>{c}</th>");
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        o.push_str("<tr>");
        for c in r {
            let _ = write!(o, "<td>{c}</td>");
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table>\n");
}

/// Signed records, who signed what, missing signatures, amendments, reviews
/// (only when the log has any of them).
fn signatures(o: &mut String, e: &Evidence) {
    let s = &e.signatures;
    if s.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<h2 id=\"signatures\">Electronic signatures</h2><p>{}</p>",
        h(&s.intro())
    );
    for (title, head, rows) in s.tables() {
        let _ = write!(o, "<h3>{}</h3>", h(&title));
        if rows.is_empty() {
            o.push_str("<p>None.</p>");
            continue;
        }
        let rows = rows
            .into_iter()
            .map(|r| r.iter().map(|c| h(c)).collect())
            .collect();
        table(o, &head, rows);
    }
}

/// html escaping for the shared header rows.
const HTML: Dialect = Dialect { text: h, code };

fn identity(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Runbook and session</h2>");
    let rows = header::identity_rows(e, &HTML)
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect();
    table(o, &["Item", "Value"], rows);
    for note in header::identity_notes(e, &HTML) {
        let _ = writeln!(o, "<p class=\"muted\">{note}</p>");
    }
}

fn verification(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Chain verification</h2>");
    if e.verification.ok {
        o.push_str("<div class=\"banner good\">Intact: every record links to the one before and its hash matches.</div>");
    } else {
        let _ = write!(
            o,
            "<div class=\"banner bad\">{}</div>",
            header::result(e, &HTML)
        );
    }
    let rows = header::verification_rows(e, &HTML)
        .into_iter()
        .map(|(k, v)| vec![k, v])
        .collect();
    table(o, &["Item", "Value"], rows);
}

fn timeline(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Timeline of phases</h2>");
    o.push_str(&svg::timeline(e));
    legend(o);
    let rows = e
        .phases
        .iter()
        .map(|v| {
            vec![
                format!("{} {}", h(e.plan.phase_name(&v.phase)), code(&v.phase)),
                when(v.entered),
                when_opt(v.left),
                h(&v.outcome),
                dur_opt(v.planned),
                dur(v.actual),
                variance(v.planned, Some(v.actual)),
            ]
        })
        .collect();
    table(
        o,
        &[
            "Phase", "Entered", "Left", "Outcome", "Planned", "Actual", "Variance",
        ],
        rows,
    );
    o.push_str(
        "<p class=\"muted\">Planned = sum of the phase's step <code>expected</code> durations.</p>",
    );
}

pub(super) fn legend(o: &mut String) {
    o.push_str("<p class=\"legend muted\">Decision markers: ");
    for k in [
        "go", "hold", "resume", "rollback", "waive", "decide", "signoff", "note",
    ] {
        let (color, c) = svg::decision_style(k);
        let _ = write!(o, "<span><b style=\"color:{color}\">{c}</b> {k}</span>");
    }
    o.push_str("(others ·). Shaded red: line on hold.</p>");
}

fn charts(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Metrics read by gates and thresholds</h2>");
    legend(o);
    for s in &e.series {
        let used: Vec<String> = s.used_by.iter().map(|u| code(u)).collect();
        let _ = write!(
            o,
            "<h3>{} <span class=\"muted\">used by {} · {} samples</span></h3>",
            code(&s.metric),
            used.join(", "),
            s.points.len()
        );
        o.push_str(&svg::chart(e, s));
    }
}

/// Each dataset's final reconciliation and its differences (pseudonymised as logged).
fn reconciliations(o: &mut String, e: &Evidence) {
    if e.reconciliations.is_empty() {
        return;
    }
    o.push_str("<h2>Data reconciliation: final result per dataset</h2>");
    o.push_str(
        "<p>Keys and Study Instance UIDs are pseudonymised (keyed hash) as the cockpit logged them.</p>",
    );
    let rows = e
        .reconciliations
        .iter()
        .map(|r| {
            let result = match (r.at, r.matched) {
                (None, _) => "no successful comparison".to_string(),
                (_, Some(true)) => "match".to_string(),
                (_, Some(false)) => "<span class=\"yes\">DIFFERS</span>".to_string(),
                (_, None) => "unknown".to_string(),
            };
            let counts: Vec<String> = r
                .tallies
                .iter()
                .filter(|(k, _)| k.as_str() != "duration_s")
                .map(|(k, v)| format!("{k} {}", super::text::num(*v)))
                .collect();
            let mut notes = Vec::new();
            if let Some(d) = r
                .differences
                .as_deref()
                .filter(|_| r.matched == Some(false))
            {
                notes.push(h(d));
            }
            if let Some(why) = &r.failed_since {
                notes.push(format!("last attempt failed after it: {}", h(why)));
            }
            vec![
                code(&r.dataset),
                code(&r.kind),
                result,
                r.at.map(when).unwrap_or_else(|| "–".into()),
                h(&counts.join(", ")),
                if notes.is_empty() {
                    "–".into()
                } else {
                    notes.join("<br>")
                },
            ]
        })
        .collect();
    table(
        o,
        &[
            "Dataset",
            "Probe",
            "Result",
            "Taken at",
            "Counts",
            "Differences",
        ],
        rows,
    );
}

#[cfg(test)]
mod tests;
