//! Runbook TOML -> [`Runbook`], keeping the position of every reference so
//! that validation can point at it. Structural problems (unknown keys, wrong
//! types, bad durations, expressions that do not parse) are found here.

use super::conditions::{read_gate, read_threshold};
use super::model::*;
use super::refs::text;
pub use super::refs::{AfterUse, Limited, NameUse, Refs, StepGroup};
use super::template::read_template;
use crate::diag::Diagnostic;
use crate::span::Pos;
use crate::time::{Dur, Ts};
use crate::tomlread::{parse_document, Reader, Tbl};

/// A parsed runbook with its references; `reader.diags` holds the problems.
pub struct Parsed {
    /// The runbook as read (not yet validated).
    pub runbook: Runbook,
    /// Where every reference in it was written.
    pub refs: Refs,
}

const TOP_KEYS: &[&str] = &[
    "runbook",
    "owner",
    "phase",
    "threshold",
    "rollback",
    "template",
];
const RUNBOOK_KEYS: &[&str] = &[
    "name",
    "version",
    "commander",
    "max_duration",
    "update_every",
    "window_start",
    "overrun_scope",
    "require_signature",
];
const OWNER_KEYS: &[&str] = &["id", "name", "role", "contact", "signing_key"];
/// Decision types `require_signature` may name.
pub const SIGNABLE: &[&str] = &[
    "go", "hold", "resume", "rollback", "waive", "signoff", "handover", "issue", "note", "decide",
];
const PHASE_KEYS: &[&str] = &["id", "name", "owner", "step", "gate", "signoff"];
const STEP_KEYS: &[&str] = &["id", "title", "owner", "expected", "after"];
const SIGNOFF_KEYS: &[&str] = &["role", "owner"];
const ROLLBACK_KEYS: &[&str] = &["scope", "title", "step"];

/// Parses runbook text; returns `None` only for a TOML syntax error (reported in `diags`).
pub fn parse(file: &str, src: &str, diags: &mut Vec<Diagnostic>) -> Option<Parsed> {
    let doc = match parse_document(file, src) {
        Ok(d) => d,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let mut r = Reader::new(file, src);
    let mut refs = Refs {
        runbook_pos: Pos::new(1, 1),
        ..Refs::default()
    };
    let root = r.root(&doc);
    r.check_keys(root, TOP_KEYS);
    let mut rb = read_header(&mut r, root, &mut refs);
    rb.owners = r
        .tables(root, "owner", "[[owner]]")
        .into_iter()
        .map(|t| read_owner(&mut r, t))
        .collect();
    let phase_tables = r.tables(root, "phase", "[[phase]]");
    for (i, t) in phase_tables.into_iter().enumerate() {
        let phase = read_phase(&mut r, t, i, &mut refs);
        rb.phases.push(phase);
    }
    for t in r.tables(root, "threshold", "[[threshold]]") {
        let th = read_threshold(&mut r, t, &mut refs);
        rb.thresholds.push(th);
    }
    for (i, t) in r
        .tables(root, "rollback", "[[rollback]]")
        .into_iter()
        .enumerate()
    {
        let plan = read_rollback(&mut r, t, i, &mut refs);
        rb.rollbacks.push(plan);
    }
    rb.templates = r
        .tables(root, "template", "[[template]]")
        .into_iter()
        .map(|t| read_template(&mut r, t))
        .collect();
    diags.append(&mut r.diags);
    Some(Parsed { runbook: rb, refs })
}

fn read_header(r: &mut Reader<'_>, root: Tbl<'_>, refs: &mut Refs) -> Runbook {
    let mut rb = Runbook {
        name: String::new(),
        version: String::new(),
        commander: String::new(),
        max_duration: Dur::ZERO,
        update_every: Dur::from_mins(30),
        window_start: None,
        overrun_scope: None,
        owners: Vec::new(),
        phases: Vec::new(),
        thresholds: Vec::new(),
        rollbacks: Vec::new(),
        templates: Vec::new(),
        require_signature: Vec::new(),
    };
    let Some(t) = r.table(root, "runbook", "[runbook]") else {
        if root.table.get_key_value("runbook").is_none() {
            r.error(
                Pos::new(1, 1),
                "missing table [runbook] (name, version, commander, max_duration)",
            );
        }
        return rb;
    };
    refs.runbook_pos = t.pos;
    r.check_keys(t, RUNBOOK_KEYS);
    rb.name = text(r.req_str(t, "name"));
    rb.version = text(r.req_str(t, "version"));
    if let Some(c) = r.req_str(t, "commander") {
        rb.commander = c.value.clone();
        refs.commander = Some(NameUse::from(&c));
    }
    if let Some(d) = r.req_dur(t, "max_duration") {
        rb.max_duration = d.value;
        refs.has_max_duration = true;
    }
    if let Some(d) = r.opt_dur(t, "update_every") {
        rb.update_every = d.value;
    }
    rb.window_start = read_window_start(r, t);
    if let Some(s) = r.opt_str(t, "overrun_scope") {
        // checked like a threshold's scope: it needs a [[rollback]] plan
        refs.scopes.push(NameUse::from(&s));
        rb.overrun_scope = Some(s.value);
    }
    for a in r.str_array(t, "require_signature") {
        if !SIGNABLE.contains(&a.value.as_str()) {
            r.error_help(
                a.pos,
                format!(
                    "`require_signature` names {:?}, which is not an action that can be signed",
                    a.value
                ),
                Some(format!("one of: {}", SIGNABLE.join(", "))),
            );
        } else if rb.require_signature.contains(&a.value) {
            r.warn(
                a.pos,
                format!("`require_signature` names {:?} twice", a.value),
                None,
            );
        } else {
            rb.require_signature.push(a.value);
        }
    }
    rb
}

/// Checks the form of a roster public key: `ed25519:` and base64 of 32 bytes.
fn signing_key_problem(key: &str) -> Option<&'static str> {
    let Some(b64) = key.strip_prefix("ed25519:") else {
        return Some("a signing key starts with \"ed25519:\" (the line `cutover keygen` prints)");
    };
    let alphabet = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
    let b = b64.as_bytes();
    // 32 bytes in standard base64 are 43 characters and one `=`
    let ok = b.len() == 44 && b[43] == b'=' && b[..43].iter().all(|&c| alphabet(c));
    (!ok).then_some("an Ed25519 public key is 32 bytes: 44 characters of base64 after \"ed25519:\"")
}

/// `window_start` as a quoted RFC 3339 string, or a bare TOML datetime.
fn read_window_start(r: &mut Reader<'_>, t: Tbl<'_>) -> Option<Ts> {
    let (_, item) = t.table.get_key_value("window_start")?;
    let pos = item.span().map(|s| r.pos(s.start)).unwrap_or(t.pos);
    let text = match (item.as_str(), item.as_value()) {
        (Some(s), _) => s.to_string(),
        (None, Some(toml_edit::Value::Datetime(d))) => d.value().to_string(),
        _ => {
            r.error(
                pos,
                format!(
                    "`window_start` must be an RFC 3339 time, found {}",
                    item.type_name()
                ),
            );
            return None;
        }
    };
    let ts = Ts::parse_rfc3339(&text);
    if ts.is_none() {
        r.error_help(
            pos,
            format!("`window_start` \"{text}\" is not an RFC 3339 time with an offset"),
            Some("write it like \"2026-11-28T22:00:00Z\"".into()),
        );
    }
    ts
}

fn read_owner(r: &mut Reader<'_>, t: Tbl<'_>) -> Owner {
    r.check_keys(t, OWNER_KEYS);
    let id = r.req_str(t, "id");
    Owner {
        pos: id.as_ref().map(|s| s.pos).unwrap_or(t.pos),
        id: text(id),
        name: text(r.req_str(t, "name")),
        role: text(r.req_str(t, "role")),
        contact: r.opt_str(t, "contact").map(|s| s.value),
        signing_key: r.opt_str(t, "signing_key").and_then(|k| {
            match signing_key_problem(&k.value) {
                None => Some(k.value),
                Some(why) => {
                    r.error_help(
                        k.pos,
                        format!("bad `signing_key`: {why}"),
                        Some("paste the line printed by `cutover keygen OWNER`".into()),
                    );
                    None
                }
            }
        }),
    }
}

/// A required owner reference, recorded for validation.
pub(super) fn owner_ref(r: &mut Reader<'_>, t: Tbl<'_>, refs: &mut Refs) -> String {
    let o = r.req_str(t, "owner");
    if let Some(o) = &o {
        refs.owners.push(NameUse::from(o));
    }
    text(o)
}

fn read_phase(r: &mut Reader<'_>, t: Tbl<'_>, index: usize, refs: &mut Refs) -> Phase {
    r.check_keys(t, PHASE_KEYS);
    let id = r.req_str(t, "id");
    let mut phase = Phase {
        pos: id.as_ref().map(|s| s.pos).unwrap_or(t.pos),
        id: text(id),
        name: text(r.req_str(t, "name")),
        owner: owner_ref(r, t, refs),
        steps: Vec::new(),
        gates: Vec::new(),
        signoffs: Vec::new(),
    };
    for st in r.tables(t, "step", "[[phase.step]]") {
        let step = read_step(r, st, StepGroup::Phase(index), refs);
        phase.steps.push(step);
    }
    for gt in r.tables(t, "gate", "[[phase.gate]]") {
        let gate = read_gate(r, gt, refs);
        phase.gates.push(gate);
    }
    for so in r.tables(t, "signoff", "[[phase.signoff]]") {
        r.check_keys(so, SIGNOFF_KEYS);
        let role = r.req_str(so, "role");
        phase.signoffs.push(SignOffReq {
            pos: role.as_ref().map(|s| s.pos).unwrap_or(so.pos),
            role: text(role),
            owner: owner_ref(r, so, refs),
        });
    }
    phase
}

fn read_step(r: &mut Reader<'_>, t: Tbl<'_>, group: StepGroup, refs: &mut Refs) -> Step {
    r.check_keys(t, STEP_KEYS);
    let id = r.req_str(t, "id");
    let pos = id.as_ref().map(|s| s.pos).unwrap_or(t.pos);
    let id = text(id);
    let title = text(r.req_str(t, "title"));
    let owner = owner_ref(r, t, refs);
    let expected = r.opt_dur(t, "expected");
    if let Some(e) = &expected {
        refs.limited.push(Limited {
            what: format!("`expected` of step `{id}`"),
            dur: e.value,
            pos: e.pos,
        });
    } else if t.table.get_key_value("expected").is_none() {
        r.warn(
            pos,
            format!("step `{id}` has no `expected` duration"),
            Some("without it the forecast and overrun display cannot count this step".into()),
        );
    }
    let after = r.str_array(t, "after");
    for a in &after {
        refs.after.push(AfterUse {
            group,
            step: id.clone(),
            target: NameUse::from(a),
        });
    }
    Step {
        id,
        title,
        owner,
        expected: expected.map(|e| e.value),
        after: after.into_iter().map(|a| a.value).collect(),
        pos,
    }
}

fn read_rollback(r: &mut Reader<'_>, t: Tbl<'_>, index: usize, refs: &mut Refs) -> RollbackPlan {
    r.check_keys(t, ROLLBACK_KEYS);
    let scope = r.req_str(t, "scope");
    let pos = scope.as_ref().map(|s| s.pos).unwrap_or(t.pos);
    let scope = text(scope);
    let title = text(r.req_str(t, "title"));
    let steps: Vec<Step> = r
        .tables(t, "step", "[[rollback.step]]")
        .into_iter()
        .map(|st| read_step(r, st, StepGroup::Rollback(index), refs))
        .collect();
    if steps.is_empty() {
        r.warn(
            pos,
            format!("rollback plan `{scope}` has no steps"),
            Some("add [[rollback.step]] entries so the team knows what to do".into()),
        );
    }
    RollbackPlan {
        scope,
        title,
        steps,
        pos,
    }
}
