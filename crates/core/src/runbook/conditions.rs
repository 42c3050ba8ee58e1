//! Gates and thresholds: the items with a `when` condition. Their
//! expressions are parsed here, with errors and metric names mapped to the
//! file position inside the `when` string.

use super::model::*;
use super::refs::{text, Limited, NameUse, Refs};
use crate::expr::{parse_condition, Expr};
use crate::time::Dur;
use crate::tomlread::{Reader, Tbl};

const GATE_KEYS: &[&str] = &["id", "title", "when", "for", "kind", "advisory"];
const THRESHOLD_KEYS: &[&str] = &[
    "id", "title", "when", "for", "scope", "severity", "phase", "advisory",
];

/// Parses a `when`, recording its metrics and windows; errors point inside the string.
fn read_when(
    r: &mut Reader<'_>,
    t: Tbl<'_>,
    owner: &str,
    refs: &mut Refs,
) -> Option<(String, Expr)> {
    let when = r.req_str(t, "when")?;
    match parse_condition(&when.value) {
        Ok(expr) => {
            for m in expr.metrics() {
                refs.metrics.push(NameUse {
                    name: m.name.clone(),
                    pos: r.pos_in_string(&when, m.offset),
                });
            }
            let mut windows = Vec::new();
            window_offsets(&expr, &mut windows);
            for (metric_end, w) in windows {
                // the DURATION follows the metric's comma: point at it
                let at = when
                    .value
                    .chars()
                    .enumerate()
                    .skip(metric_end)
                    .skip_while(|(_, c)| *c == ',' || c.is_whitespace())
                    .map(|(i, _)| i)
                    .next()
                    .unwrap_or(metric_end);
                refs.limited.push(Limited {
                    what: format!("the window in `when` of {owner}"),
                    dur: w,
                    pos: r.pos_in_string(&when, at),
                });
            }
            Some((when.value, expr))
        }
        Err(e) => {
            let pos = r.pos_in_string(&when, e.offset);
            r.error(pos, format!("in `when` of {owner}: {}", e.message));
            None
        }
    }
}

/// (character offset just after the metric name, window) of every `FUNC(metric, window)`.
fn window_offsets(e: &Expr, out: &mut Vec<(usize, Dur)>) {
    match e {
        Expr::Window { metric, window, .. } => {
            out.push((metric.offset + metric.name.chars().count(), *window))
        }
        // the window follows the second metric
        Expr::TwoSample { b, window, .. } => out.push((b.offset + b.name.chars().count(), *window)),
        Expr::Neg(x) | Expr::Not(x) => window_offsets(x, out),
        Expr::Arith { lhs, rhs, .. } | Expr::Cmp { lhs, rhs, .. } => {
            window_offsets(lhs, out);
            window_offsets(rhs, out);
        }
        Expr::And(a, b) | Expr::Or(a, b) => {
            window_offsets(a, out);
            window_offsets(b, out);
        }
        Expr::Num(_) | Expr::Bool(_) | Expr::Metric(_) | Expr::Age(_) | Expr::Baseline { .. } => {}
    }
}

/// Stand-in for a `when` that did not parse (already reported), so that the
/// item still exists for the remaining checks; such a runbook is never returned.
fn unparsed() -> (String, Expr) {
    (String::new(), Expr::Bool(false))
}

fn read_for(r: &mut Reader<'_>, t: Tbl<'_>, owner: &str, refs: &mut Refs) -> Option<Dur> {
    let d = r.opt_dur(t, "for")?;
    refs.limited.push(Limited {
        what: format!("`for` of {owner}"),
        dur: d.value,
        pos: d.pos,
    });
    Some(d.value)
}

pub(super) fn read_gate(r: &mut Reader<'_>, t: Tbl<'_>, refs: &mut Refs) -> Gate {
    r.check_keys(t, GATE_KEYS);
    let id = r.req_str(t, "id");
    let pos = id.as_ref().map(|s| s.pos).unwrap_or(t.pos);
    let id = text(id);
    let title = text(r.req_str(t, "title"));
    let label = format!("gate `{id}`");
    let when = read_when(r, t, &label, refs);
    let hold_for = read_for(r, t, &label, refs);
    let kind = match r.opt_str(t, "kind") {
        None => GateKind::Exit,
        Some(k) if k.value == "exit" => GateKind::Exit,
        Some(k) if k.value == "entry" => GateKind::Entry,
        Some(k) => {
            r.error(
                k.pos,
                format!(
                    "gate `kind` must be \"entry\" or \"exit\", found \"{}\"",
                    k.value
                ),
            );
            GateKind::Exit
        }
    };
    let advisory = r.opt_bool(t, "advisory").is_some_and(|b| b.value);
    let (when_src, when) = when.unwrap_or_else(unparsed);
    Gate {
        id,
        title,
        when_src,
        when,
        hold_for,
        kind,
        advisory,
        pos,
    }
}

pub(super) fn read_threshold(r: &mut Reader<'_>, t: Tbl<'_>, refs: &mut Refs) -> Threshold {
    r.check_keys(t, THRESHOLD_KEYS);
    let id = r.req_str(t, "id");
    let pos = id.as_ref().map(|s| s.pos).unwrap_or(t.pos);
    let id = text(id);
    let title = text(r.req_str(t, "title"));
    let label = format!("threshold `{id}`");
    let when = read_when(r, t, &label, refs);
    let hold_for = read_for(r, t, &label, refs);
    let scope = r.opt_str(t, "scope");
    if let Some(s) = &scope {
        refs.scopes.push(NameUse::from(s));
    }
    let severity = match r.req_str(t, "severity") {
        Some(s) if s.value == "rollback" => Some(Severity::Rollback),
        Some(s) if s.value == "hold" => Some(Severity::Hold),
        Some(s) => {
            r.error(
                s.pos,
                format!(
                    "`severity` must be \"rollback\" or \"hold\", found \"{}\"",
                    s.value
                ),
            );
            None
        }
        None => None,
    };
    if severity == Some(Severity::Rollback) && scope.is_none() {
        r.error_help(
            pos,
            format!("threshold `{id}` has severity \"rollback\" but no `scope`"),
            Some("name the rollback plan it triggers: scope = \"<a [[rollback]] scope>\"".into()),
        );
    }
    let phases = r.str_array(t, "phase");
    refs.phases.extend(phases.iter().map(NameUse::from));
    let advisory = r.opt_bool(t, "advisory").is_some_and(|b| b.value);
    let (when_src, when) = when.unwrap_or_else(unparsed);
    Threshold {
        id,
        title,
        when_src,
        when,
        hold_for,
        scope: scope.map(|s| s.value),
        // an invalid severity was reported; "hold" avoids a follow-on scope error
        severity: severity.unwrap_or(Severity::Hold),
        phases: phases.into_iter().map(|p| p.value).collect(),
        advisory,
        pos,
    }
}
