//! Tokens of the expression language, each with its character offset.

use crate::time::{parse_duration, Dur};

/// One token of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A number literal.
    Num(f64),
    /// A duration literal (`5m`, `30s`).
    Dur(Dur),
    /// A dot-separated name: metric, keyword or function name.
    Name(String),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
}

/// A token and the character offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Character offset where it starts in the expression.
    pub offset: usize,
}

/// A lexing or parsing error at a character offset inside the expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// Character offset of the problem in the expression.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl ExprError {
    /// An error at `offset` saying `message`.
    pub fn new(offset: usize, message: impl Into<String>) -> ExprError {
        ExprError {
            offset,
            message: message.into(),
        }
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}
fn is_name_char(c: char) -> bool {
    is_name_start(c) || c == '-'
}

/// Splits an expression into tokens.
pub fn lex(src: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let two = |a: char, b: char| c == a && chars.get(i + 1) == Some(&b);
        let (tok, len) = if c.is_whitespace() {
            i += 1;
            continue;
        } else if two('<', '=') {
            (Tok::Le, 2)
        } else if two('>', '=') {
            (Tok::Ge, 2)
        } else if two('=', '=') {
            (Tok::EqEq, 2)
        } else if two('!', '=') {
            (Tok::Ne, 2)
        } else {
            match c {
                '(' => (Tok::LParen, 1),
                ')' => (Tok::RParen, 1),
                ',' => (Tok::Comma, 1),
                '+' => (Tok::Plus, 1),
                '-' => (Tok::Minus, 1),
                '*' => (Tok::Star, 1),
                '/' => (Tok::Slash, 1),
                '<' => (Tok::Lt, 1),
                '>' => (Tok::Gt, 1),
                '=' => {
                    return Err(ExprError::new(
                        i,
                        "`=` is not an operator; use `==` to compare",
                    ))
                }
                '!' => {
                    return Err(ExprError::new(
                        i,
                        "`!` is not an operator; use `not` or `!=`",
                    ))
                }
                c if c.is_ascii_uppercase() => {
                    return Err(ExprError::new(
                        i,
                        format!(
                            "unexpected `{c}`: names are lowercase (`{}`)",
                            c.to_ascii_lowercase()
                        ),
                    ))
                }
                c if is_name_start(c) => {
                    let word = scan_word(&chars, i);
                    let len = word.chars().count();
                    (classify_word(&word, i)?, len)
                }
                c if c.is_control() => {
                    return Err(ExprError::new(
                        i,
                        format!("unexpected control character U+{:04X}", c as u32),
                    ))
                }
                c => return Err(ExprError::new(i, format!("unexpected character `{c}`"))),
            }
        };
        out.push(Token { tok, offset: start });
        i += len;
    }
    Ok(out)
}

/// A word is a run of name characters and dots (plus a decimal/exponent part for numbers).
fn scan_word(chars: &[char], start: usize) -> String {
    let mut j = start;
    // numbers like 1.5e-3: allow `e-`/`e+` only when the word so far is numeric
    while j < chars.len() {
        let c = chars[j];
        if is_name_char(c) || c == '.' {
            j += 1;
        } else if (c == '+') && j > start && matches!(chars[j - 1], 'e' | 'E') {
            let so_far: String = chars[start..j - 1].iter().collect();
            if so_far.parse::<f64>().is_ok() {
                j += 1;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    chars[start..j].iter().collect()
}

fn classify_word(word: &str, offset: usize) -> Result<Tok, ExprError> {
    let first = word.chars().next().unwrap_or('_');
    if first.is_ascii_digit() {
        if is_number(word) {
            return word
                .parse::<f64>()
                .map(Tok::Num)
                .map_err(|_| ExprError::new(offset, format!("bad number `{word}`")));
        }
        if word.chars().all(|c| c.is_ascii_alphanumeric()) {
            return parse_duration(word)
                .map(Tok::Dur)
                .map_err(|e| ExprError::new(offset + e.offset, e.message));
        }
    }
    // a metric name: dot-separated segments `[a-z0-9_][a-z0-9_-]*`
    for (k, seg) in word.split('.').enumerate() {
        let seg_off = offset
            + word
                .split('.')
                .take(k)
                .map(|s| s.chars().count() + 1)
                .sum::<usize>();
        match seg.chars().next() {
            None => {
                return Err(ExprError::new(
                    seg_off,
                    format!("empty segment in name `{word}`"),
                ))
            }
            Some('-') => {
                return Err(ExprError::new(
                    seg_off,
                    format!("a name segment cannot start with `-` in `{word}`"),
                ))
            }
            _ => {}
        }
    }
    Ok(Tok::Name(word.to_string()))
}

fn is_number(w: &str) -> bool {
    let mut s = w;
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let n = digits(s);
    if n == 0 {
        return false;
    }
    s = &s[n..];
    if let Some(rest) = s.strip_prefix('.') {
        let n = digits(rest);
        if n == 0 {
            return false;
        }
        s = &rest[n..];
    }
    if let Some(rest) = s.strip_prefix(['e', 'E']) {
        let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
        let n = digits(rest);
        if n == 0 {
            return false;
        }
        s = &rest[n..];
    }
    s.is_empty()
}
