//! Cross-reference checks on a parsed runbook: duplicates, unknown owners,
//! scopes and phases, `after` cycles, gates, durations against the window,
//! metric names. Every problem is reported; none stops the others.

use super::metrics::MetricRules;
use super::model::*;
use super::parse::{NameUse, Parsed, StepGroup};
use crate::config::Config;
use crate::diag::{did_you_mean, fold_suggestion, Diagnostic};
use crate::span::Pos;
use std::collections::{HashMap, HashSet};

/// Collects the diagnostics of one runbook file.
struct Check<'a> {
    file: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

impl Check<'_> {
    fn error(&mut self, pos: Pos, msg: String, help: Option<String>) {
        let (msg, help) = fold_suggestion(msg, help);
        let mut d = Diagnostic::error(self.file, pos, msg);
        d.help = help;
        self.diags.push(d);
    }
    fn warn(&mut self, pos: Pos, msg: String, help: Option<String>) {
        let (msg, help) = fold_suggestion(msg, help);
        let mut d = Diagnostic::warning(self.file, pos, msg);
        d.help = help;
        self.diags.push(d);
    }

    /// A duplicate is reported at its second occurrence, naming the first.
    fn duplicates<'i>(&mut self, kind: &str, items: impl IntoIterator<Item = (&'i str, Pos)>) {
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for (id, pos) in items {
            if id.is_empty() {
                continue;
            }
            match seen.get(id) {
                Some(first) => self.error(
                    pos,
                    format!("duplicate {kind} `{id}` (first defined at {first})"),
                    Some(format!("each {kind} needs its own id")),
                ),
                None => {
                    seen.insert(id, pos);
                }
            }
        }
    }

    /// Each use must name something in `known`.
    fn known(&mut self, kind: &str, uses: &[NameUse], known: &HashSet<&str>) {
        for u in uses {
            if known.contains(u.name.as_str()) {
                continue;
            }
            let help = did_you_mean(&u.name, known.iter().copied());
            self.error(u.pos, format!("unknown {kind} `{}`", u.name), help);
        }
    }
}

/// Validates a parsed runbook; diagnostics are appended to `diags`.
pub fn validate(
    file: &str,
    parsed: &Parsed,
    config: Option<(&str, &Config)>,
    diags: &mut Vec<Diagnostic>,
) {
    let rb = &parsed.runbook;
    let refs = &parsed.refs;
    let mut c = Check { file, diags };
    check_duplicates(&mut c, rb);
    let owners: HashSet<&str> = rb.owners.iter().map(|o| o.id.as_str()).collect();
    if let Some(cmd) = &refs.commander {
        c.known("owner (commander)", std::slice::from_ref(cmd), &owners);
    }
    c.known("owner", &refs.owners, &owners);
    let scopes: HashSet<&str> = rb.rollbacks.iter().map(|r| r.scope.as_str()).collect();
    for s in &refs.scopes {
        if !scopes.contains(s.name.as_str()) {
            let help = did_you_mean(&s.name, scopes.iter().copied())
                .or_else(|| Some("add a [[rollback]] plan with this scope".into()));
            c.error(
                s.pos,
                format!("scope `{}` has no [[rollback]] plan", s.name),
                help,
            );
        }
    }
    let phases: HashSet<&str> = rb.phases.iter().map(|p| p.id.as_str()).collect();
    c.known("phase", &refs.phases, &phases);
    if rb.phases.is_empty() {
        c.error(
            refs.runbook_pos,
            "the runbook has no [[phase]]".into(),
            None,
        );
    }
    check_phases_can_exit(&mut c, rb);
    check_scope_ids(&mut c, rb);
    check_after(&mut c, parsed);
    if refs.has_max_duration {
        check_limits(&mut c, parsed);
    }
    let rules = MetricRules { scopes, config };
    for m in &refs.metrics {
        if let Err(p) = rules.check(&m.name) {
            c.error(m.pos, p.message, p.help);
        }
    }
    warn_unused_owners(&mut c, parsed);
    if let Some((config_file, cfg)) = config {
        let owners = check_token_owners(config_file, &cfg.tokens, rb);
        c.diags.extend(owners);
    }
}

/// A `[[token]]` owner who is not on the runbook's roster is an error in the config file.
fn check_token_owners(
    config_file: &str,
    tokens: &[crate::config::serve::TokenHash],
    rb: &Runbook,
) -> Vec<Diagnostic> {
    let ids: Vec<&str> = rb.owners.iter().map(|o| o.id.as_str()).collect();
    tokens
        .iter()
        .filter(|t| !ids.contains(&t.owner.as_str()))
        .map(|t| {
            let mut d = Diagnostic::error(
                config_file,
                t.owner_pos,
                format!(
                    "[[token]] owner `{}` is not on the runbook's roster",
                    t.owner
                ),
            );
            d.help = did_you_mean(&t.owner, ids.iter().copied())
                .or_else(|| Some(format!("owners: {}", ids.join(", "))));
            d
        })
        .collect()
}

fn check_duplicates(c: &mut Check<'_>, rb: &Runbook) {
    c.duplicates("owner", rb.owners.iter().map(|o| (o.id.as_str(), o.pos)));
    c.duplicates("phase", rb.phases.iter().map(|p| (p.id.as_str(), p.pos)));
    let steps = rb.phases.iter().flat_map(|p| &p.steps);
    c.duplicates("step", steps.map(|s| (s.id.as_str(), s.pos)));
    let rsteps = rb.rollbacks.iter().flat_map(|r| &r.steps);
    c.duplicates("rollback step", rsteps.map(|s| (s.id.as_str(), s.pos)));
    c.duplicates("gate", rb.gates().map(|(_, g)| (g.id.as_str(), g.pos)));
    c.duplicates(
        "threshold",
        rb.thresholds.iter().map(|t| (t.id.as_str(), t.pos)),
    );
    c.duplicates(
        "rollback scope",
        rb.rollbacks.iter().map(|r| (r.scope.as_str(), r.pos)),
    );
    c.duplicates(
        "template",
        rb.templates.iter().map(|t| (t.id.as_str(), t.pos)),
    );
}

/// A phase must be leavable on evidence: an exit gate or a sign-off.
fn check_phases_can_exit(c: &mut Check<'_>, rb: &Runbook) {
    for p in &rb.phases {
        let exit_gate = p.gates.iter().any(|g| g.kind == GateKind::Exit);
        let deciding = p
            .gates
            .iter()
            .any(|g| g.kind == GateKind::Exit && !g.advisory);
        if exit_gate && !deciding && p.signoffs.is_empty() {
            // advisory gates never block go: nothing stands between this phase and the next
            c.warn(
                p.pos,
                format!(
                    "phase `{}` has only advisory exit gates and no sign-off: go can leave it on no evidence",
                    p.id
                ),
                Some("make one exit gate decide (drop `advisory`) or add a [[phase.signoff]]".into()),
            );
        }
        if !exit_gate && p.signoffs.is_empty() {
            c.error(
                p.pos,
                format!("phase `{}` has no exit gate and no sign-off", p.id),
                Some(
                    "add a [[phase.gate]] (kind \"exit\" is the default) or a [[phase.signoff]]"
                        .into(),
                ),
            );
        }
    }
}

/// Scopes appear in metric names (`rollback.<scope>.slack_min`), so they must be one segment.
fn check_scope_ids(c: &mut Check<'_>, rb: &Runbook) {
    for r in &rb.rollbacks {
        let ok = r
            .scope
            .chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            && r.scope
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '-');
        if !ok {
            c.error(
                r.pos,
                format!(
                    "rollback scope `{}` must be lowercase letters, digits, `_` and `-`",
                    r.scope
                ),
                Some("it is used in metric names like rollback.<scope>.slack_min".into()),
            );
        }
    }
}

/// The steps of one group (a phase or a rollback plan).
fn group_steps(rb: &Runbook, g: StepGroup) -> &[Step] {
    let steps = match g {
        StepGroup::Phase(i) => rb.phases.get(i).map(|p| p.steps.as_slice()),
        StepGroup::Rollback(i) => rb.rollbacks.get(i).map(|r| r.steps.as_slice()),
    };
    steps.unwrap_or(&[])
}

fn group_name(rb: &Runbook, g: StepGroup) -> String {
    match g {
        StepGroup::Phase(i) => format!(
            "phase `{}`",
            rb.phases.get(i).map(|p| p.id.as_str()).unwrap_or("?")
        ),
        StepGroup::Rollback(i) => format!(
            "rollback plan `{}`",
            rb.rollbacks.get(i).map(|r| r.scope.as_str()).unwrap_or("?")
        ),
    }
}

/// `after` names steps of the same phase (or plan), and never forms a cycle.
fn check_after(c: &mut Check<'_>, parsed: &Parsed) {
    let rb = &parsed.runbook;
    let mut groups: Vec<StepGroup> = Vec::new();
    for a in &parsed.refs.after {
        let steps = group_steps(rb, a.group);
        if a.target.name == a.step {
            c.error(
                a.target.pos,
                format!("step `{}` cannot come after itself", a.step),
                None,
            );
        } else if !steps.iter().any(|s| s.id == a.target.name) {
            let help = did_you_mean(&a.target.name, steps.iter().map(|s| s.id.as_str()))
                .or_else(|| Some("`after` names steps of the same phase".into()));
            let msg = format!(
                "`after` names unknown step `{}` in {}",
                a.target.name,
                group_name(rb, a.group)
            );
            c.error(a.target.pos, msg, help);
        }
        if !groups.contains(&a.group) {
            groups.push(a.group);
        }
    }
    for g in groups {
        for cycle in find_cycles(group_steps(rb, g)) {
            let first = &group_steps(rb, g)[cycle[0]];
            let mut names: Vec<&str> = cycle
                .iter()
                .map(|&i| group_steps(rb, g)[i].id.as_str())
                .collect();
            names.push(first.id.as_str());
            c.error(
                first.pos,
                format!(
                    "`after` cycle in {}: {}",
                    group_name(rb, g),
                    names.join(" -> ")
                ),
                Some("a step cannot (indirectly) wait for itself; remove one `after` entry".into()),
            );
        }
    }
}

/// Every cycle of the "comes after" graph, each once, starting at its
/// earliest step in file order. Iterative, so long chains cannot overflow.
pub fn find_cycles(steps: &[Step]) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = steps
        .iter()
        .map(|s| {
            s.after
                .iter()
                .filter(|a| **a != s.id)
                .filter_map(|a| index.get(a.as_str()).copied())
                .collect()
        })
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = done
    let mut state = vec![0u8; steps.len()];
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    for start in 0..steps.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        path.push((to, 0));
                    }
                    1 => {
                        let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        let mut cycle: Vec<usize> = path[from..].iter().map(|(n, _)| *n).collect();
                        let min_at = cycle
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, n)| **n)
                            .map(|(i, _)| i)
                            .unwrap_or(0);
                        cycle.rotate_left(min_at);
                        if !cycles.contains(&cycle) {
                            cycles.push(cycle);
                        }
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                path.pop();
            }
        }
    }
    cycles
}

/// `for`, windows and `expected` must fit in the approved window.
fn check_limits(c: &mut Check<'_>, parsed: &Parsed) {
    let max = parsed.runbook.max_duration;
    for l in &parsed.refs.limited {
        if l.dur > max {
            c.error(
                l.pos,
                format!("{} ({}) is longer than max_duration ({max})", l.what, l.dur),
                Some("it could never complete inside the approved window".into()),
            );
        }
    }
}

/// An owner nobody refers to is probably a typo elsewhere.
fn warn_unused_owners(c: &mut Check<'_>, parsed: &Parsed) {
    let refs = &parsed.refs;
    let used: HashSet<&str> = refs
        .owners
        .iter()
        .chain(refs.commander.iter())
        .map(|u| u.name.as_str())
        .collect();
    for o in &parsed.runbook.owners {
        if !o.id.is_empty() && !used.contains(o.id.as_str()) {
            c.warn(
                o.pos,
                format!(
                    "owner `{}` is never used (not commander, phase, step or sign-off owner)",
                    o.id
                ),
                None,
            );
        }
    }
}
