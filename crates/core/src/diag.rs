//! Diagnostics: one problem in a runbook or config, with FILE:LINE:COL, and
//! its two renderings (rustc-like text with the source line and a caret, and
//! JSON for tools).

use crate::sanitize::inert;
use crate::span::Pos;
use serde::Serialize;

/// How bad a problem is: errors make a file invalid, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file is refused.
    Error,
    /// Worth fixing; the file is still accepted.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file as the user named it (command-line spelling).
    pub file: String,
    /// Where the problem is (1-based line, column in characters).
    #[serde(flatten)]
    pub pos: Pos,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What would be right, when we can say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `pos` in `file`.
    pub fn error(file: &str, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            pos,
            severity: Severity::Error,
            message: message.into(),
            help: None,
        }
    }

    /// A warning at `pos` in `file`.
    pub fn warning(file: &str, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, pos, message)
        }
    }

    /// The same diagnostic with a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic refuses the file.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The first line: `FILE:LINE:COL: error|warning: MESSAGE`.
    pub fn headline(&self) -> String {
        inert(&format!(
            "{}:{}:{}: {}: {}",
            self.file,
            self.pos.line,
            self.pos.col,
            self.severity.as_str(),
            self.message
        ))
    }

    /// rustc-like rendering: the headline, the source line, a caret under the
    /// column, and the help (if any). `src` is the file's text.
    pub fn render(&self, src: &str) -> String {
        let mut out = self.headline();
        out.push('\n');
        let line_no = self.pos.line.to_string();
        let gutter = " ".repeat(line_no.len());
        if let Some(line) = src.lines().nth(self.pos.line.saturating_sub(1) as usize) {
            let line = line.strip_suffix('\r').unwrap_or(line);
            // the caret is placed under the inert rendering of the text before the column
            let before: String = line
                .chars()
                .take(self.pos.col.saturating_sub(1) as usize)
                .collect();
            let indent = inert(&before).chars().count();
            out.push_str(&format!("{gutter} |\n"));
            out.push_str(&format!("{line_no} | {}\n", inert(line)));
            out.push_str(&format!("{gutter} | {}^\n", " ".repeat(indent)));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{gutter} = help: {}\n", inert(help)));
        }
        out
    }
}

/// Puts a "did you mean `x`?" suggestion into the message itself (so the
/// one-line `FILE:LINE:COL: error: ...` form carries it, as in "unknown key
/// `ownr`, did you mean `owner`?"); any other help stays a help line.
pub fn fold_suggestion(message: String, help: Option<String>) -> (String, Option<String>) {
    match help {
        Some(h) if h.starts_with("did you mean ") => (format!("{message}, {h}"), None),
        other => (message, other),
    }
}

/// Sorts diagnostics: errors first, each group by file then position.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.severity, &a.file, a.pos, &a.message).cmp(&(b.severity, &b.file, b.pos, &b.message))
    });
}

/// Counts (errors, warnings).
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the closest candidate, if any.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    suggest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc_with_a_caret_under_the_column() {
        let src = "[runbook]\n  owner = \"sma\"\n";
        let d = Diagnostic::error("rb.toml", Pos::new(2, 11), "unknown owner `sma`")
            .with_help("did you mean `sam`?");
        let text = d.render(src);
        assert_eq!(
            text,
            "rb.toml:2:11: error: unknown owner `sma`\n  |\n2 |   owner = \"sma\"\n  |           ^\n  = help: did you mean `sam`?\n"
        );
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let src = "id = \"a\u{1b}[2Jb\"\n";
        let d = Diagnostic::error("f\u{1b}.toml", Pos::new(1, 6), "bad id `a\u{1b}[2Jb`");
        let text = d.render(src);
        assert!(!text.contains('\u{1b}'), "{text}");
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(suggest("ownr", ["owner", "name", "role"]), Some("owner"));
        assert_eq!(suggest("zzzzzz", ["owner", "name"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn errors_sort_before_warnings_and_by_position() {
        let mut v = vec![
            Diagnostic::warning("a", Pos::new(1, 1), "w"),
            Diagnostic::error("a", Pos::new(9, 1), "late"),
            Diagnostic::error("a", Pos::new(2, 5), "early"),
        ];
        sort(&mut v);
        let order: Vec<&str> = v.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["early", "late", "w"]);
        assert_eq!(counts(&v), (2, 1));
    }
}
