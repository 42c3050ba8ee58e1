//! A small parser for the Prometheus text exposition format, and selectors
//! `name{label="value",...}` to pick one series out of it.

use std::collections::BTreeMap;

/// One series line: `name{labels} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A selector from the config: metric name plus label matchers (`=` or `!=`).
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub name: String,
    pub matchers: Vec<(String, bool, String)>,
}

/// Why a selector or exposition line could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PromError(pub String);

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// A cursor over one line.
struct Cur<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.i += 1;
        }
    }
    fn name(&mut self, what: &str) -> Result<&'a str, PromError> {
        let start = self.i;
        match self.peek() {
            Some(c) if is_name_start(c) => self.i += 1,
            _ => {
                return Err(PromError(format!(
                    "expected a {what} at column {}",
                    start + 1
                )))
            }
        }
        while self.peek().is_some_and(is_name_char) {
            self.i += 1;
        }
        Ok(&self.s[start..self.i])
    }
    fn expect(&mut self, c: char) -> Result<(), PromError> {
        match self.bump() {
            Some(got) if got == c => Ok(()),
            _ => Err(PromError(format!("expected `{c}` at column {}", self.i))),
        }
    }
    /// A double-quoted label value with `\\`, `\"`, `\n` escapes.
    fn quoted(&mut self) -> Result<String, PromError> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(PromError("unterminated label value".into())),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some(c) => out.push(c),
                    None => return Err(PromError("unterminated label value".into())),
                },
                Some(c) => out.push(c),
            }
        }
    }
    /// `{a="x",b!="y"}`; the bool is true for `=`.
    fn labels(&mut self, allow_neq: bool) -> Result<Vec<(String, bool, String)>, PromError> {
        let mut out = Vec::new();
        if self.peek() != Some('{') {
            return Ok(out);
        }
        self.i += 1;
        loop {
            self.skip_ws();
            if self.peek() == Some('}') {
                self.i += 1;
                return Ok(out);
            }
            let label = self.name("label name")?.to_string();
            self.skip_ws();
            let eq = if allow_neq && self.s[self.i..].starts_with("!=") {
                self.i += 2;
                false
            } else {
                self.expect('=')?;
                true
            };
            self.skip_ws();
            out.push((label, eq, self.quoted()?));
            self.skip_ws();
            match self.bump() {
                Some(',') => {}
                Some('}') => return Ok(out),
                _ => return Err(PromError("expected `,` or `}` in labels".into())),
            }
        }
    }
}

impl Selector {
    /// Parses `name` or `name{label="v",other!="w"}`.
    pub fn parse(text: &str) -> Result<Selector, PromError> {
        let mut c = Cur {
            s: text.trim(),
            i: 0,
        };
        let name = c.name("metric name")?.to_string();
        let matchers = c.labels(true)?;
        c.skip_ws();
        if c.peek().is_some() {
            return Err(PromError(format!(
                "unexpected text after selector at column {}",
                c.i + 1
            )));
        }
        Ok(Selector { name, matchers })
    }

    /// Whether `s` has this name and satisfies every matcher (a missing label is "").
    pub fn matches(&self, s: &Series) -> bool {
        s.name == self.name
            && self.matchers.iter().all(|(k, eq, v)| {
                let have = s.labels.get(k).map(String::as_str).unwrap_or("");
                (have == v) == *eq
            })
    }
}

fn parse_value(v: &str) -> Option<f64> {
    match v {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => v.parse().ok(),
    }
}

/// Parses one non-comment line.
fn parse_line(line: &str) -> Result<Series, PromError> {
    let mut c = Cur { s: line, i: 0 };
    let name = c.name("metric name")?.to_string();
    let labels = c
        .labels(false)?
        .into_iter()
        .map(|(k, _, v)| (k, v))
        .collect();
    c.skip_ws();
    let rest = &line[c.i..];
    let value_text = rest.split_whitespace().next().unwrap_or("");
    let value = parse_value(value_text)
        .ok_or_else(|| PromError(format!("`{name}` has no number value")))?;
    Ok(Series {
        name,
        labels,
        value,
    })
}

/// Every series in an exposition text; unreadable lines are skipped (one bad
/// line must not hide the series a probe asked for) and counted.
pub fn parse_exposition(text: &str) -> (Vec<Series>, usize) {
    let mut out = Vec::new();
    let mut bad = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line) {
            Ok(s) => out.push(s),
            Err(_) => bad += 1,
        }
    }
    (out, bad)
}

/// The value of the first series the selector matches.
pub fn select(series: &[Series], sel: &Selector) -> Option<f64> {
    series.iter().find(|s| sel.matches(s)).map(|s| s.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# HELP replication_lag_seconds Lag.\n\
        # TYPE replication_lag_seconds gauge\n\
        replication_lag_seconds{system=\"pacs\"} 12.5\n\
        replication_lag_seconds{system=\"ehr\",db=\"a\\\"b\"} 3 1700000000000\n\
        interface_queue_delay_seconds{interface=\"adt\"} +Inf\n\
        this is not a metric line\n\
        up 1\n";

    #[test]
    fn selects_by_name_and_labels() {
        let (series, bad) = parse_exposition(TEXT);
        assert_eq!(bad, 1);
        let pick = |s: &str| select(&series, &Selector::parse(s).unwrap());
        assert_eq!(
            pick(r#"replication_lag_seconds{system="pacs"}"#),
            Some(12.5)
        );
        assert_eq!(
            pick(r#"replication_lag_seconds{system="ehr", db="a\"b"}"#),
            Some(3.0)
        );
        assert_eq!(
            pick(r#"replication_lag_seconds{system!="pacs"}"#),
            Some(3.0)
        );
        assert_eq!(pick("up"), Some(1.0));
        assert_eq!(pick(r#"replication_lag_seconds{system="ris"}"#), None);
        assert_eq!(
            pick(r#"interface_queue_delay_seconds{interface="adt"}"#),
            Some(f64::INFINITY)
        );
    }

    #[test]
    fn bad_selectors_say_where() {
        assert!(Selector::parse("9lives").is_err());
        assert!(Selector::parse(r#"x{a="b""#).is_err());
        assert!(Selector::parse(r#"x{a="b"} junk"#).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panic(text in "\\PC{0,200}") {
            let _ = parse_exposition(&text);
            let _ = Selector::parse(&text);
        }

        #[test]
        fn printed_series_read_back(value in -1e9f64..1e9, label in "[a-z0-9 \"\\\\]{0,12}") {
            let escaped = label.replace('\\', "\\\\").replace('"', "\\\"");
            let text = format!("m{{l=\"{escaped}\"}} {value}\n");
            let (series, bad) = parse_exposition(&text);
            proptest::prop_assert_eq!(bad, 0);
            proptest::prop_assert_eq!(&series[0].labels["l"], &label);
            proptest::prop_assert_eq!(series[0].value, value);
        }
    }
}
