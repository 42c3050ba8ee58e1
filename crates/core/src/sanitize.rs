//! Makes text from outside (endpoints, runbooks, team members) inert before it
//! is shown: control characters, escape sequences and bidi overrides become
//! visible placeholders instead of acting on the terminal.

/// Bidi controls that can reorder what a reader sees (Trojan Source).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether `c` must never reach a terminal raw.
pub fn is_dangerous(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Replaces every control character (C0, C1, DEL) and bidi override with a
/// visible `\u{..}`-style escape; tabs and newlines become a single space so
/// one value stays on one line.
pub fn inert(s: &str) -> String {
    if !s.chars().any(is_dangerous) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_dangerous(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `inert`, then cut to at most `max` characters (with an ellipsis) for one-line reasons.
pub fn inert_short(s: &str, max: usize) -> String {
    let clean = inert(s);
    if clean.chars().count() <= max {
        return clean;
    }
    let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_become_visible() {
        let s = inert("ok\u{1b}[2J\u{9b}x\u{202e}gnp.exe");
        assert!(!s.chars().any(is_dangerous), "{s}");
        assert_eq!(s, "ok\\u{1b}[2J\\u{9b}x\\u{202e}gnp.exe");
    }

    #[test]
    fn plain_text_is_untouched_and_cut_politely() {
        assert_eq!(inert("status 503"), "status 503");
        assert_eq!(inert_short("abcdef", 4), "abc…");
    }
}
