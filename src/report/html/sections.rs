//! The html sections that list what happened: decisions, holds, threshold
//! episodes, the exception register, steps and gate changes.

use super::{code, h, opt, table};
use crate::report::evidence::{Decision, Evidence};
use crate::report::signatures::SignedRow;
use crate::report::svg;
use crate::report::text::{dur, dur_opt, num, variance, when, when_opt};
use std::fmt::Write;

pub(super) fn decisions(o: &mut String, e: &Evidence) {
    let _ = write!(o, "<h2>Decisions ({})</h2>", e.decisions.len());
    if e.decisions.is_empty() {
        o.push_str("<p>No decision was recorded.</p>");
    }
    for d in &e.decisions {
        decision(o, d, e.signatures.of_seq(d.seq));
    }
}

fn decision(o: &mut String, d: &Decision, sig: Option<&SignedRow>) {
    let (color, _) = svg::decision_style(&d.kind);
    let seq = d.seq.map_or(String::new(), |s| {
        format!(" <span class=\"muted\">(record {s})</span>")
    });
    let _ = write!(
        o,
        "<div class=\"decision\" style=\"border-color:{color}\"><h3>{} {} by {}{seq}</h3>",
        when(d.ts),
        h(&d.kind.to_uppercase()),
        code(&d.actor)
    );
    if let Some(p) = &d.phase {
        let _ = write!(o, "<div>Phase: {}</div>", code(p));
    }
    if let Some(a) = &d.authority {
        let _ = write!(o, "<div>Authority: {}</div>", h(a));
    }
    if !d.detail.is_empty() {
        let _ = write!(o, "<div>What: {}</div>", h(&d.detail));
    }
    let _ = write!(
        o,
        "<div>Why: {}</div>",
        d.rationale
            .as_deref()
            .map_or("<i>no rationale recorded</i>".into(), h)
    );
    if let Some(s) = sig {
        let class = if s.verified { "ok" } else { "fail" };
        let _ = write!(
            o,
            "<div class=\"signature {class}\">Signature: {}</div>",
            h(&s.manifestation())
        );
    }
    let snap: Vec<String> = d
        .snapshot
        .iter()
        .map(|s| {
            let vs = match (&s.value, &s.limit) {
                (Some(v), Some(l)) => format!(" ({} vs limit {})", h(v), h(l)),
                (Some(v), None) => format!(" (value {})", h(v)),
                _ => String::new(),
            };
            format!(
                "{} {}: <span class=\"{}\">{}</span>{vs}",
                s.what,
                code(&s.id),
                h(&s.state),
                h(&s.state)
            )
        })
        .collect();
    let shown = if snap.is_empty() {
        "not recorded".into()
    } else {
        snap.join("; ")
    };
    let _ = writeln!(o, "<div class=\"snap\">At that moment: {shown}</div></div>");
}

pub(super) fn holds(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Holds (line stopped)</h2>");
    if e.holds.is_empty() {
        o.push_str("<p>The line was never stopped.</p>");
        return;
    }
    let rows = e
        .holds
        .iter()
        .map(|x| {
            vec![
                when(x.start),
                code(&x.by),
                opt(&x.reason, h),
                x.end.map_or("never (open at end of log)".into(), when),
                opt(&x.resumed_by, code),
                format!(
                    "{}{}",
                    dur(x.duration),
                    if x.end.is_none() { " so far" } else { "" }
                ),
            ]
        })
        .collect();
    table(
        o,
        &["Stopped", "By", "Reason", "Resumed", "By", "Duration"],
        rows,
    );
    let total = e
        .holds
        .iter()
        .fold(crate::core::time::Dur::ZERO, |a, x| a + x.duration);
    let _ = write!(o, "<p>Total time on hold: {}</p>", dur(total));
}

pub(super) fn episodes(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Threshold episodes</h2>");
    if e.episodes.is_empty() {
        o.push_str("<p>No threshold left <code>ok</code>.</p>");
        return;
    }
    let rows = e
        .episodes
        .iter()
        .map(|ep| {
            vec![
                advisory_tag(code(&ep.threshold), ep.advisory),
                when(ep.start),
                when_opt(ep.breached_at),
                when_opt(ep.end),
                format!(
                    "{} (limit {})",
                    ep.peak.map_or("–".into(), num),
                    ep.limit.map_or("–".into(), num)
                ),
                h(&ep.end_state),
                ep.answer_lines()
                    .iter()
                    .map(|s| h(s))
                    .collect::<Vec<_>>()
                    .join("<br>"),
            ]
        })
        .collect();
    table(
        o,
        &[
            "Threshold",
            "Started",
            "Breached",
            "Ended",
            "Peak",
            "Ended as",
            "Decision taken",
        ],
        rows,
    );
}

pub(super) fn waivers(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Exception register (waivers)</h2>");
    if e.waivers.is_empty() {
        o.push_str("<p>No gate was waived.</p>");
        return;
    }
    let rows = e
        .waivers
        .iter()
        .map(|w| {
            vec![
                code(&w.gate),
                code(&w.owner),
                opt(&w.reason, h),
                when(w.granted),
                code(&w.granted_by),
                when_opt(w.expires),
                when_opt(w.in_use_until),
                if w.expired_in_use {
                    "<span class=\"yes\">YES</span>".into()
                } else {
                    "no".into()
                },
            ]
        })
        .collect();
    table(
        o,
        &[
            "Gate",
            "Accountable owner",
            "Reason",
            "Granted",
            "By",
            "Expires",
            "In use until",
            "Expired while in use",
        ],
        rows,
    );
}

pub(super) fn steps(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Steps: planned vs actual</h2>");
    let rows = e
        .steps
        .iter()
        .map(|s| {
            vec![
                code(&s.phase),
                format!("{} {}", code(&s.id), h(&s.title)),
                code(&s.owner),
                match &s.reason {
                    Some(r) => format!("{} (noted: {})", h(&s.outcome), h(r)),
                    None => h(&s.outcome),
                },
                when_opt(s.started),
                when_opt(s.ended),
                dur_opt(s.planned),
                dur_opt(s.actual),
                variance(s.planned, s.actual),
                opt(&s.by, code),
            ]
        })
        .collect();
    table(
        o,
        &[
            "Phase",
            "Step",
            "Owner",
            "Outcome",
            "Started",
            "Ended",
            "Planned",
            "Actual",
            "Variance",
            "Last recorded by",
        ],
        rows,
    );
}

pub(super) fn gates(o: &mut String, e: &Evidence) {
    o.push_str("<h2>Gate state changes</h2>");
    let rows = e
        .gate_changes
        .iter()
        .map(|t| {
            vec![
                when(t.ts),
                advisory_tag(code(&t.id), t.advisory),
                opt(&t.from, h),
                format!("<span class=\"{0}\">{0}</span>", h(&t.to)),
                t.value.map_or("–".into(), num),
                t.limit.map_or("–".into(), num),
            ]
        })
        .collect();
    table(o, &["Time", "Gate", "From", "To", "Value", "Limit"], rows);
}

/// An advisory gate or threshold never blocked go and never recommended: say so beside its id.
fn advisory_tag(id: String, advisory: bool) -> String {
    if advisory {
        format!("{id} (advisory)")
    } else {
        id
    }
}
