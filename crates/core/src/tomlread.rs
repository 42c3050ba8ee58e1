//! Reading TOML with positions: typed getters over a `toml_edit` document
//! that record a [`Diagnostic`] (with FILE:LINE:COL) for every problem and
//! keep going, so one run reports every mistake.

use crate::diag::{fold_suggestion, suggest, Diagnostic};
use crate::span::{LineIndex, Pos};
use crate::time::{parse_duration, Dur};
use std::collections::HashSet;
use std::ops::Range;
use toml_edit::{Document, Item, TableLike, Value};

/// A value read from the file, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value as read.
    pub value: T,
    /// Position of the value's first character (the opening quote for strings).
    pub pos: Pos,
    /// Byte range of the value's source text.
    pub span: Range<usize>,
}

/// A table (header table, array-of-tables entry or inline table) and its position.
#[derive(Clone, Copy)]
pub struct Tbl<'a> {
    /// The table's keys and values.
    pub table: &'a dyn TableLike,
    /// Position of the header (`[[phase]]`) or of the inline table.
    pub pos: Pos,
    /// How the user would name this table in a message, e.g. "[[phase]]".
    pub what: &'static str,
}

/// Collects diagnostics while reading one file.
pub struct Reader<'s> {
    /// The file name as the user gave it (for diagnostics).
    pub file: &'s str,
    /// The file's text.
    pub src: &'s str,
    /// What was found wrong so far.
    pub diags: Vec<Diagnostic>,
    lines: LineIndex,
    /// (table identity, key) pairs already suggested for a misspelt key, so a
    /// typo is one error, not also "missing key".
    suggested: HashSet<(usize, String)>,
}

/// Identity of a table inside one document (its address), for bookkeeping only.
fn table_id(t: Tbl<'_>) -> usize {
    t.table as *const dyn TableLike as *const () as usize
}

/// Parses `src`; a TOML syntax error becomes one diagnostic at its line:col.
pub fn parse_document<'s>(file: &str, src: &'s str) -> Result<Document<&'s str>, Diagnostic> {
    Document::parse(src).map_err(|e| {
        let pos = Pos::of_offset(src, e.span().map(|r| r.start).unwrap_or(0));
        let msg = e.message().trim().replace('\n', "; ");
        Diagnostic::error(file, pos, format!("invalid TOML: {msg}"))
    })
}

impl<'s> Reader<'s> {
    /// A reader of `src`, read from `file`, with no diagnostics yet.
    pub fn new(file: &'s str, src: &'s str) -> Reader<'s> {
        Reader {
            file,
            src,
            diags: Vec::new(),
            lines: LineIndex::new(src),
            suggested: HashSet::new(),
        }
    }

    /// Where a table-level problem points: its `id` (or `scope`) value, else its header.
    pub fn anchor(&self, t: Tbl<'_>) -> Pos {
        ["id", "scope"]
            .iter()
            .filter_map(|k| t.table.get_key_value(k))
            .find_map(|(_, item)| item.span())
            .map(|r| self.pos(r.start))
            .unwrap_or(t.pos)
    }

    /// Position of a byte offset.
    pub fn pos(&self, offset: usize) -> Pos {
        self.lines.pos(self.src, offset)
    }

    fn span_pos(&self, span: Option<Range<usize>>, fallback: Pos) -> Pos {
        span.map(|r| self.pos(r.start)).unwrap_or(fallback)
    }

    /// Records an error.
    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(self.file, pos, message));
    }

    /// Records an error with a help line.
    pub fn error_help(&mut self, pos: Pos, message: impl Into<String>, help: Option<String>) {
        let (message, help) = fold_suggestion(message.into(), help);
        let mut d = Diagnostic::error(self.file, pos, message);
        d.help = help;
        self.diags.push(d);
    }

    /// Records a warning.
    pub fn warn(&mut self, pos: Pos, message: impl Into<String>, help: Option<String>) {
        let (message, help) = fold_suggestion(message.into(), help);
        let mut d = Diagnostic::warning(self.file, pos, message);
        d.help = help;
        self.diags.push(d);
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    /// The root table of a document.
    pub fn root<'a>(&self, doc: &'a Document<&'s str>) -> Tbl<'a> {
        Tbl {
            table: doc.as_table(),
            pos: Pos::new(1, 1),
            what: "the top level",
        }
    }

    /// Every key of `t` not in `allowed` is an error at the key, with a suggestion.
    pub fn check_keys(&mut self, t: Tbl<'_>, allowed: &[&str]) {
        let keys: Vec<String> = t.table.iter().map(|(k, _)| k.to_string()).collect();
        for k in keys {
            if allowed.contains(&k.as_str()) {
                continue;
            }
            let span = t.table.get_key_value(&k).and_then(|(key, _)| key.span());
            let pos = self.span_pos(span, t.pos);
            let allowed_list = format!("keys allowed in {}: {}", t.what, allowed.join(", "));
            match suggest(&k, allowed.iter().copied()) {
                Some(near) => {
                    self.suggested.insert((table_id(t), near.to_string()));
                    let msg = format!("unknown key `{k}`, did you mean `{near}`?");
                    self.error_help(pos, msg, Some(allowed_list));
                }
                None => {
                    let msg = format!("unknown key `{k}` in {}", t.what);
                    self.error_help(pos, msg, Some(allowed_list));
                }
            }
        }
    }

    fn item<'a>(&self, t: Tbl<'a>, key: &str) -> Option<(&'a Item, Pos)> {
        let (_, item) = t.table.get_key_value(key)?;
        Some((item, self.span_pos(item.span(), t.pos)))
    }

    /// A required string; missing is an error at the table.
    pub fn req_str(&mut self, t: Tbl<'_>, key: &str) -> Option<Spanned<String>> {
        if t.table.get_key_value(key).is_none() {
            if !self.suggested.contains(&(table_id(t), key.to_string())) {
                let pos = self.anchor(t);
                self.error(pos, format!("missing key `{key}` in {}", t.what));
            }
            return None;
        }
        self.opt_str(t, key)
    }

    /// An optional string; a value of another type is an error at the value.
    pub fn opt_str(&mut self, t: Tbl<'_>, key: &str) -> Option<Spanned<String>> {
        let (item, pos) = self.item(t, key)?;
        match item.as_str() {
            Some(s) => Some(Spanned {
                value: s.to_string(),
                pos,
                span: item.span().unwrap_or(0..0),
            }),
            None => {
                self.error(
                    pos,
                    format!("`{key}` must be a string, found {}", item.type_name()),
                );
                None
            }
        }
    }

    /// An optional boolean; a value of another type is an error at the value.
    pub fn opt_bool(&mut self, t: Tbl<'_>, key: &str) -> Option<Spanned<bool>> {
        let (item, pos) = self.item(t, key)?;
        match item.as_bool() {
            Some(b) => Some(Spanned {
                value: b,
                pos,
                span: item.span().unwrap_or(0..0),
            }),
            None => {
                self.error(
                    pos,
                    format!("`{key}` must be true or false, found {}", item.type_name()),
                );
                None
            }
        }
    }

    /// An optional DURATION string; errors point inside the string.
    pub fn opt_dur(&mut self, t: Tbl<'_>, key: &str) -> Option<Spanned<Dur>> {
        let s = self.opt_str(t, key)?;
        self.dur_of(&s, key)
    }

    /// A required DURATION string.
    pub fn req_dur(&mut self, t: Tbl<'_>, key: &str) -> Option<Spanned<Dur>> {
        let s = self.req_str(t, key)?;
        self.dur_of(&s, key)
    }

    fn dur_of(&mut self, s: &Spanned<String>, key: &str) -> Option<Spanned<Dur>> {
        match parse_duration(&s.value) {
            Ok(d) => Some(Spanned {
                value: d,
                pos: s.pos,
                span: s.span.clone(),
            }),
            Err(e) => {
                let pos = self.pos_in_string(s, e.offset);
                self.error_help(
                    pos,
                    format!("bad duration for `{key}`: {}", e.message),
                    Some("a DURATION is one or more INT(ms|s|m|h) parts, e.g. \"1h30m\"".into()),
                );
                None
            }
        }
    }

    /// An optional array of strings (absent = empty).
    pub fn str_array(&mut self, t: Tbl<'_>, key: &str) -> Vec<Spanned<String>> {
        self.array_of(t, key, "strings", |v| v.as_str().map(str::to_string))
    }

    /// An optional array of integers (absent = empty).
    pub fn int_array(&mut self, t: Tbl<'_>, key: &str) -> Vec<Spanned<i64>> {
        self.array_of(t, key, "integers", Value::as_integer)
    }

    /// An optional array whose items `get` reads (absent = empty); `what`
    /// names the item type in the errors ("strings").
    fn array_of<T>(
        &mut self,
        t: Tbl<'_>,
        key: &str,
        what: &str,
        get: impl Fn(&Value) -> Option<T>,
    ) -> Vec<Spanned<T>> {
        let Some((item, pos)) = self.item(t, key) else {
            return Vec::new();
        };
        let Some(arr) = item.as_array() else {
            self.error(
                pos,
                format!(
                    "`{key}` must be an array of {what}, found {}",
                    item.type_name()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for v in arr.iter() {
            let vpos = self.span_pos(v.span(), pos);
            match get(v) {
                Some(value) => out.push(Spanned {
                    value,
                    pos: vpos,
                    span: v.span().unwrap_or(0..0),
                }),
                None => self.error(
                    vpos,
                    format!("`{key}` must hold {what}, found {}", v.type_name()),
                ),
            }
        }
        out
    }

    /// A sub-table (`[runbook]`, or an inline table like `fields = {..}`).
    pub fn table<'a>(&mut self, t: Tbl<'a>, key: &str, what: &'static str) -> Option<Tbl<'a>> {
        let (item, pos) = self.item(t, key)?;
        match item.as_table_like() {
            Some(table) => Some(Tbl { table, pos, what }),
            None => {
                self.error(
                    pos,
                    format!("`{key}` must be a table, found {}", item.type_name()),
                );
                None
            }
        }
    }

    /// An array of tables (`[[phase]]`, or an array of inline tables); absent = empty.
    pub fn tables<'a>(&mut self, t: Tbl<'a>, key: &str, what: &'static str) -> Vec<Tbl<'a>> {
        let Some((item, pos)) = self.item(t, key) else {
            return Vec::new();
        };
        if let Some(aot) = item.as_array_of_tables() {
            return aot
                .iter()
                .map(|table| Tbl {
                    table,
                    pos: self.span_pos(table.span(), pos),
                    what,
                })
                .collect();
        }
        if let Some(arr) = item.as_array() {
            let mut out = Vec::new();
            for v in arr.iter() {
                let vpos = self.span_pos(v.span(), pos);
                match v {
                    Value::InlineTable(table) => out.push(Tbl {
                        table,
                        pos: vpos,
                        what,
                    }),
                    other => self.error(
                        vpos,
                        format!("`{key}` must hold tables, found {}", other.type_name()),
                    ),
                }
            }
            return out;
        }
        self.error(
            pos,
            format!(
                "`{key}` must be an array of tables (write it as {what}), found {}",
                item.type_name()
            ),
        );
        Vec::new()
    }

    /// The position of character `char_offset` inside a string value's text.
    /// Exact for literal strings and for basic strings without escapes; with
    /// escapes the column is counted as if each escape were one character.
    pub fn pos_in_string(&self, s: &Spanned<String>, char_offset: usize) -> Pos {
        let raw = self.src.get(s.span.clone()).unwrap_or("");
        let quote_len = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        let mut body_start = s.span.start + quote_len.min(raw.len());
        if quote_len == 3 {
            // TOML trims a newline right after the opening delimiter
            let rest = self.src.get(body_start..).unwrap_or("");
            if rest.starts_with("\r\n") {
                body_start += 2;
            } else if rest.starts_with('\n') {
                body_start += 1;
            }
        }
        let escapes = raw.starts_with('"') && raw.contains('\\');
        if !escapes {
            let byte = s
                .value
                .char_indices()
                .nth(char_offset)
                .map(|(b, _)| b)
                .unwrap_or(s.value.len());
            return self.pos(body_start + byte);
        }
        self.pos(body_start).shifted(char_offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_inside_strings_are_exact_without_escapes() {
        let src = "a = \"xy z\"\nb = '''\nline1\nline2'''\n";
        let doc = parse_document("f", src).unwrap();
        let mut r = Reader::new("f", src);
        let root = r.root(&doc);
        let a = r.req_str(root, "a").unwrap();
        assert_eq!(a.pos, Pos::new(1, 5));
        assert_eq!(r.pos_in_string(&a, 3), Pos::new(1, 9));
        let b = r.req_str(root, "b").unwrap();
        // the newline after the opening delimiter is trimmed: offset 7 is the `i` of line2
        assert_eq!(r.pos_in_string(&b, 7), Pos::new(4, 2));
    }

    #[test]
    fn unknown_keys_suggest_the_nearest_allowed_key() {
        let src = "ownr = \"x\"\n";
        let doc = parse_document("f", src).unwrap();
        let mut r = Reader::new("f", src);
        let root = r.root(&doc);
        r.check_keys(root, &["owner", "id"]);
        assert_eq!(r.diags.len(), 1);
        assert_eq!(r.diags[0].pos, Pos::new(1, 1));
        assert_eq!(
            r.diags[0].message,
            "unknown key `ownr`, did you mean `owner`?"
        );
    }

    #[test]
    fn syntax_errors_point_at_line_and_column() {
        let err = parse_document("f", "a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(err.pos.line, 2);
    }
}
