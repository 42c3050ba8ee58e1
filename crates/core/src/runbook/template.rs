//! Communication templates and their `{placeholders}`.

use super::model::Template;
use super::refs::text;
use crate::tomlread::{Reader, Spanned, Tbl};

const TEMPLATE_KEYS: &[&str] = &["id", "title", "text"];

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "time",
    "phase",
    "actor",
    "reason",
    "next_update",
    "scope",
    "threshold",
    "value",
];

pub(super) fn read_template(r: &mut Reader<'_>, t: Tbl<'_>) -> Template {
    r.check_keys(t, TEMPLATE_KEYS);
    let id = r.req_str(t, "id");
    let pos = id.as_ref().map(|s| s.pos).unwrap_or(t.pos);
    let title = text(r.req_str(t, "title"));
    let body = r.req_str(t, "text");
    if let Some(b) = &body {
        check_placeholders(r, b);
    }
    Template {
        id: text(id),
        title,
        text: text(body),
        pos,
    }
}

/// Every `{name}` must be a known placeholder; a lone brace is an error too.
fn check_placeholders(r: &mut Reader<'_>, body: &Spanned<String>) {
    let chars: Vec<char> = body.value.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '{' {
            let close = chars[i + 1..].iter().position(|c| *c == '}' || *c == '{');
            match close.map(|n| i + 1 + n) {
                Some(end) if chars[end] == '}' => {
                    let name: String = chars[i + 1..end].iter().collect();
                    if !PLACEHOLDERS.contains(&name.as_str()) {
                        let help = crate::diag::suggest(&name, PLACEHOLDERS.iter().copied())
                            .map(|c| format!("did you mean `{{{c}}}`?"))
                            .or_else(|| {
                                Some(format!("placeholders: {{{}}}", PLACEHOLDERS.join("} {")))
                            });
                        r.error_help(
                            r.pos_in_string(body, i),
                            format!("unknown placeholder `{{{name}}}` in template"),
                            help,
                        );
                    }
                    i = end + 1;
                    continue;
                }
                _ => r.error(r.pos_in_string(body, i), "unclosed `{` in template text"),
            }
        }
        i += 1;
    }
}
