//! The report's opening facts, shared by the Markdown and html renderers:
//! the damage warning, the "Runbook and session" rows and the "Chain
//! verification" rows. Each renderer passes its own escaping ([`Dialect`])
//! and lays the rows out its way (table or list).

use super::evidence::Evidence;
use super::text::{dur_opt, when, when_opt};

/// How a renderer escapes outside text and shows identifiers.
pub struct Dialect {
    /// Outside text, escaped for the format.
    pub text: fn(&str) -> String,
    /// Ids, hashes, paths: a code span (or "–" when empty, html).
    pub code: fn(&str) -> String,
}

impl Dialect {
    fn opt(&self, s: &Option<String>) -> String {
        s.as_deref().map_or("–".into(), self.text)
    }
    fn opt_code(&self, s: &Option<String>) -> String {
        s.as_deref().map_or("–".into(), self.code)
    }
}

/// What the first-line warning of a forced report adds after the damage.
pub const FORCED: &str =
    "This report was forced; records after the damage are not proven authentic.";

/// The damage, escaped, when the log does not verify (the first line's warning).
pub fn damage(e: &Evidence, d: &Dialect) -> Option<String> {
    (!e.verification.ok).then(|| {
        (d.text)(
            e.verification
                .damage
                .as_deref()
                .unwrap_or("damage not described"),
        )
    })
}

/// "Runbook and session": who ran which runbook, when, from the open/close records.
pub fn identity_rows(e: &Evidence, d: &Dialect) -> Vec<(&'static str, String)> {
    let (i, p) = (&e.identity, &e.plan);
    vec![
        (
            "Runbook",
            format!("{} (version {})", d.opt(&p.name), d.opt(&p.version)),
        ),
        ("Runbook file", d.opt_code(&i.runbook_path)),
        ("Runbook SHA-256", d.opt_code(&i.runbook_digest)),
        ("Config file", d.opt_code(&i.config_path)),
        ("Config SHA-256", d.opt_code(&i.config_digest)),
        ("Commander at start", d.opt_code(&p.commander)),
        (
            "Approved window",
            match &p.window_start {
                Some(start) => format!("{} from {}", dur_opt(p.max_duration), (d.text)(start)),
                // the cockpit then counts the window from the log start
                None => format!(
                    "{} from log start (the runbook sets no window_start)",
                    dur_opt(p.max_duration)
                ),
            },
        ),
        (
            "Operator / host",
            format!("{} on {}", d.opt_code(&i.operator), d.opt_code(&i.host)),
        ),
        ("Program version", d.opt_code(&i.program_version)),
        ("Log opened", when_opt(i.opened)),
        (
            "Log closed",
            i.closed.map_or(
                format!("not closed (session ended without {})", (d.code)("close")),
                when,
            ),
        ),
    ]
}

/// The notes under the identity table (config not logged, runbook unreadable).
pub fn identity_notes(e: &Evidence, d: &Dialect) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(note) = &e.identity.config_note {
        out.push(format!("Config not logged: {}", (d.text)(note)));
    }
    if let Some(why) = &e.plan.unreadable {
        out.push(format!(
            "Note: {}; planned durations and charts are unavailable.",
            (d.text)(why)
        ));
    }
    out
}

/// The verification result in words (after "Result:" / in the banner).
pub fn result(e: &Evidence, d: &Dialect) -> String {
    let v = &e.verification;
    if v.ok {
        "intact: every record links to the one before and its hash matches".into()
    } else {
        format!("DAMAGED: {}", (d.text)(v.damage.as_deref().unwrap_or("?")))
    }
}

/// "Chain verification" rows after the result: counts, head, checkpoints,
/// keying, the close record's head, restarts.
pub fn verification_rows(e: &Evidence, d: &Dialect) -> Vec<(String, String)> {
    let v = &e.verification;
    let keyed = match e.identity.hmac {
        Some(true) => "yes (HMAC-SHA-256)",
        Some(false) => "no (SHA-256)",
        None => "not stated",
    };
    let mut rows = vec![
        ("Records read".to_string(), v.records.to_string()),
        (
            "Head hash (last verified record)".into(),
            (d.code)(&v.head_hash),
        ),
        (
            "Checkpoint to keep elsewhere (SEQ:HASH)".into(),
            d.opt_code(&v.last_checkpoint),
        ),
        (
            "Last checkpoint the cockpit published".into(),
            v.published_checkpoint
                .as_deref()
                .map_or("none found next to the log".into(), d.text),
        ),
        ("Keyed log".into(), keyed.into()),
    ];
    if let Some(h) = &e.identity.close_head {
        rows.push((
            format!(
                "Head before close, as the {} record states it",
                (d.code)("close")
            ),
            (d.code)(h),
        ));
    }
    for (ts, what) in &e.resumes {
        rows.push((format!("Restart at {}", when(*ts)), (d.text)(what)));
    }
    rows
}
