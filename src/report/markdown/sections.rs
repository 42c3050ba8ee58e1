//! The Markdown sections that list what happened: decisions, holds,
//! threshold episodes, the exception register, steps and gate changes.

use crate::report::evidence::{Decision, Evidence};
use crate::report::signatures::SignedRow;
use crate::report::text::{dur, dur_opt, md, md_code, num, variance, when, when_opt};
use std::fmt::Write;

pub(super) fn decisions(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Decisions ({})\n", e.decisions.len());
    for d in &e.decisions {
        decision(o, d, e.signatures.of_seq(d.seq));
    }
    if e.decisions.is_empty() {
        let _ = writeln!(o, "No decision was recorded.\n");
    }
}

fn decision(o: &mut String, d: &Decision, sig: Option<&SignedRow>) {
    let seq = d.seq.map_or(String::new(), |s| format!(" (record {s})"));
    let _ = writeln!(
        o,
        "### {} {} by {}{}\n",
        when(d.ts),
        d.kind.to_uppercase(),
        md_code(&d.actor),
        seq
    );
    if let Some(p) = &d.phase {
        let _ = writeln!(o, "- Phase: {}", md_code(p));
    }
    if let Some(a) = &d.authority {
        let _ = writeln!(o, "- Authority: {}", md(a));
    }
    if !d.detail.is_empty() {
        let _ = writeln!(o, "- What: {}", md(&d.detail));
    }
    let _ = writeln!(
        o,
        "- Why: {}",
        d.rationale
            .as_deref()
            .map_or("(no rationale recorded)".into(), md)
    );
    if let Some(s) = sig {
        let _ = writeln!(o, "- Signature: {}", md(&s.manifestation()));
    }
    if d.snapshot.is_empty() {
        let _ = writeln!(o, "- Gates and thresholds at that moment: not recorded");
    } else {
        let _ = writeln!(o, "- Gates and thresholds at that moment:");
        for s in &d.snapshot {
            let vs = match (&s.value, &s.limit) {
                (Some(v), Some(l)) => format!(" ({} vs limit {})", md(v), md(l)),
                (Some(v), None) => format!(" (value {})", md(v)),
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "  - {} {}: {}{}",
                s.what,
                md_code(&s.id),
                md(&s.state),
                vs
            );
        }
    }
    o.push('\n');
}

pub(super) fn holds(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Holds (line stopped)\n");
    if e.holds.is_empty() {
        let _ = writeln!(o, "The line was never stopped.\n");
        return;
    }
    let _ = writeln!(
        o,
        "| Stopped | By | Reason | Resumed | By | Duration |\n|---|---|---|---|---|---|"
    );
    for h in &e.holds {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {}{} |",
            when(h.start),
            md_code(&h.by),
            h.reason.as_deref().map_or("–".into(), md),
            h.end.map_or("never (open at end of log)".into(), when),
            h.resumed_by.as_deref().map_or("–".into(), md_code),
            dur(h.duration),
            if h.end.is_none() { " so far" } else { "" }
        );
    }
    let total = e
        .holds
        .iter()
        .fold(crate::core::time::Dur::ZERO, |a, h| a + h.duration);
    let _ = writeln!(o, "\nTotal time on hold: {}\n", dur(total));
}

pub(super) fn episodes(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Threshold episodes\n");
    if e.episodes.is_empty() {
        let _ = writeln!(o, "No threshold left `ok`.\n");
        return;
    }
    let _ = writeln!(o, "| Threshold | Started | Breached | Ended | Peak (limit) | Ended as | Decision taken |\n|---|---|---|---|---|---|---|");
    for ep in &e.episodes {
        let peak = format!(
            "{} ({})",
            ep.peak.map_or("–".into(), num),
            ep.limit.map_or("–".into(), num)
        );
        let answers = ep
            .answer_lines()
            .iter()
            .map(|s| md(s))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            advisory_tag(md_code(&ep.threshold), ep.advisory),
            when(ep.start),
            when_opt(ep.breached_at),
            when_opt(ep.end),
            peak,
            md(&ep.end_state),
            answers
        );
    }
    o.push('\n');
}

pub(super) fn waivers(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Exception register (waivers)\n");
    if e.waivers.is_empty() {
        let _ = writeln!(o, "No gate was waived.\n");
        return;
    }
    let _ = writeln!(o, "| Gate | Accountable owner | Reason | Granted | By | Expires | In use until | Expired while in use |\n|---|---|---|---|---|---|---|---|");
    for w in &e.waivers {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md_code(&w.gate),
            md_code(&w.owner),
            w.reason.as_deref().map_or("–".into(), md),
            when(w.granted),
            md_code(&w.granted_by),
            when_opt(w.expires),
            when_opt(w.in_use_until),
            if w.expired_in_use { "**YES**" } else { "no" }
        );
    }
    o.push('\n');
}

pub(super) fn steps(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Steps: planned vs actual\n");
    let _ = writeln!(o, "| Phase | Step | Owner | Outcome | Started | Ended | Planned | Actual | Variance | Last recorded by |\n|---|---|---|---|---|---|---|---|---|---|");
    for s in &e.steps {
        let outcome = match &s.reason {
            Some(r) => format!("{} (noted: {})", md(&s.outcome), md(r)),
            None => md(&s.outcome),
        };
        let _ = writeln!(
            o,
            "| {} | {} {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md_code(&s.phase),
            md_code(&s.id),
            md(&s.title),
            md_code(&s.owner),
            outcome,
            when_opt(s.started),
            when_opt(s.ended),
            dur_opt(s.planned),
            dur_opt(s.actual),
            variance(s.planned, s.actual),
            s.by.as_deref().map_or("–".into(), md_code)
        );
    }
    o.push('\n');
}

pub(super) fn gates(o: &mut String, e: &Evidence) {
    let _ = writeln!(o, "## Gate state changes\n");
    if e.gate_changes.is_empty() {
        let _ = writeln!(o, "None recorded.\n");
        return;
    }
    let _ = writeln!(
        o,
        "| Time | Gate | From | To | Value | Limit |\n|---|---|---|---|---|---|"
    );
    for t in &e.gate_changes {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            when(t.ts),
            advisory_tag(md_code(&t.id), t.advisory),
            t.from.as_deref().map_or("–".into(), md),
            md(&t.to),
            t.value.map_or("–".into(), num),
            t.limit.map_or("–".into(), num)
        );
    }
    o.push('\n');
}

/// An advisory gate or threshold never blocked go and never recommended: say so beside its id.
fn advisory_tag(id: String, advisory: bool) -> String {
    if advisory {
        format!("{id} (advisory)")
    } else {
        id
    }
}
