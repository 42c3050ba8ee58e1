//! Small formatting helpers shared by the renderers: times, durations and
//! escaping of outside text (always made inert first).

use crate::core::sanitize::inert;
use crate::core::time::{Dur, Ts};

/// `2026-11-28 22:41:07Z`: UTC, to the second (the log keeps milliseconds).
pub fn when(ts: Ts) -> String {
    let s = ts.to_rfc3339();
    match (s.get(0..10), s.get(11..19)) {
        (Some(d), Some(t)) => format!("{d} {t}Z"),
        _ => s,
    }
}

/// `when` or a dash.
pub fn when_opt(ts: Option<Ts>) -> String {
    ts.map_or_else(|| "–".into(), when)
}

/// A duration rounded to the second, as DURATION text ("1h5m30s").
pub fn dur(d: Dur) -> String {
    Dur((d.0 + 500).div_euclid(1000) * 1000).to_string()
}

/// `dur` or a dash.
pub fn dur_opt(d: Option<Dur>) -> String {
    d.map_or_else(|| "–".into(), dur)
}

/// Actual minus planned, signed ("+12m", "-3m", "on plan"); a dash when either is missing.
pub fn variance(planned: Option<Dur>, actual: Option<Dur>) -> String {
    match (planned, actual) {
        (Some(p), Some(a)) if p.0 > 0 || a.0 > 0 => {
            let d = a - p;
            if d.0.abs() < 1000 {
                "on plan".into()
            } else if d.0 > 0 {
                format!("+{}", dur(d))
            } else {
                format!("-{}", dur(Dur(-d.0)))
            }
        }
        _ => "–".into(),
    }
}

/// A number without noise: integers plain, others to 3 significant decimals.
pub fn num(v: f64) -> String {
    if v == 0.0 {
        return "0".into(); // not "-0"
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Outside text for HTML body or attribute: inert, then entity-escaped.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in inert(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Outside text for Markdown prose or a table cell: inert, and the
/// characters that would start HTML, links, code or break a table are
/// backslash-escaped. `*` and `_` are left alone: at worst they emphasise,
/// and ids like `dual_write` stay readable as plain text.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in inert(s).chars() {
        if matches!(c, '\\' | '|' | '<' | '>' | '[' | ']' | '`' | '#' | '!') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Outside text as inline code (ids, metric names, hashes): inert, and
/// backticks and pipes replaced since code spans cannot escape them.
pub fn md_code(s: &str) -> String {
    if s.is_empty() {
        return "–".into();
    }
    format!("`{}`", inert(s).replace('`', "'").replace('|', "¦"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_cannot_inject_markup() {
        assert_eq!(
            html("<script>\u{1b}[2J&\"'"),
            "&lt;script&gt;\\u{1b}[2J&amp;&quot;&#39;"
        );
        assert_eq!(
            md("a|b <img> [x](y) `c`"),
            "a\\|b \\<img\\> \\[x\\](y) \\`c\\`"
        );
        assert_eq!(md_code("a`b|c"), "`a'b¦c`");
    }

    #[test]
    fn durations_and_variances_read_naturally() {
        assert_eq!(dur(Dur(3_930_400)), "1h5m30s");
        assert_eq!(
            variance(Some(Dur::from_mins(20)), Some(Dur::from_mins(32))),
            "+12m"
        );
        assert_eq!(
            variance(Some(Dur::from_mins(20)), Some(Dur::from_mins(17))),
            "-3m"
        );
        assert_eq!(variance(None, Some(Dur::from_mins(17))), "–");
        assert_eq!(when(Ts(1_795_903_201_500)), "2026-11-28 22:00:01Z");
        assert_eq!(num(812.0), "812");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(0.12345), "0.123");
    }
}
