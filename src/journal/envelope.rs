//! A fast reader for the common case of a record line: checks that the line
//! is well-formed JSON and takes the envelope members verify needs, without
//! building values or converting numbers (parsing every line with serde_json
//! cost verify three times what hashing it does).
//!
//! It only ever says "yes, and here is the envelope" when serde_json would
//! accept the line with the same values; anything unusual (an escape in an
//! envelope string, an exponent, a surrogate, deep nesting, a duplicate or
//! missing member, a kind it does not know) returns `None`, and the caller
//! asks serde_json, which gives the verdict and the error message.

use crate::core::entry::EntryKind;
use serde::de::value::{BorrowedStrDeserializer, Error as ValueError};
use serde::Deserialize;

/// The members verify needs, borrowed from the line.
pub(super) struct Envelope<'a> {
    pub(super) seq: u64,
    pub(super) ts: &'a str,
    pub(super) kind: EntryKind,
    pub(super) actor: &'a str,
    pub(super) prev: &'a str,
}

/// Deeper than this, leave it to serde_json (which has its own limit).
const MAX_DEPTH: usize = 64;

/// The envelope of `line` when it is certainly well-formed, else `None`.
pub(super) fn read(line: &[u8]) -> Option<Envelope<'_>> {
    let text = std::str::from_utf8(line).ok()?;
    let mut s = Scan {
        b: text.as_bytes(),
        i: 0,
    };
    s.ws();
    let env = s.top(text)?;
    s.ws();
    (s.i == s.b.len()).then_some(env)
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

#[derive(Default)]
struct Found<'a> {
    seq: Option<u64>,
    ts: Option<&'a str>,
    kind: Option<EntryKind>,
    actor: Option<&'a str>,
    prev: Option<&'a str>,
    body: bool,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// The top-level object: every member checked, the envelope's taken.
    fn top(&mut self, text: &'a str) -> Option<Envelope<'a>> {
        self.eat(b'{')?;
        let mut f = Found::default();
        // no allocation per line: more members than this go to serde_json
        let mut keys: [&[u8]; 16] = [&[]; 16];
        let mut n_keys = 0;
        self.ws();
        if self.eat(b'}').is_some() {
            return None; // no members: serde_json names what is missing
        }
        loop {
            self.ws();
            let (k0, k1, escaped) = self.string()?;
            let key = &self.b[k0..k1];
            // length and first byte first: most members differ there
            let seen = keys[..n_keys]
                .iter()
                .any(|k| k.len() == key.len() && k.first() == key.first() && *k == key);
            if escaped || n_keys == keys.len() || seen {
                return None;
            }
            keys[n_keys] = key;
            n_keys += 1;
            self.ws();
            self.eat(b':')?;
            self.ws();
            match key {
                b"seq" => f.seq = Some(self.integer()?),
                b"ts" => f.ts = Some(self.plain_string(text)?),
                b"actor" => f.actor = Some(self.plain_string(text)?),
                b"prev" => f.prev = Some(self.plain_string(text)?),
                b"kind" => {
                    let name = self.plain_string(text)?;
                    let de = BorrowedStrDeserializer::<ValueError>::new(name);
                    f.kind = Some(EntryKind::deserialize(de).ok()?);
                }
                b"phase" => {
                    if self.peek()? == b'"' {
                        self.string()?;
                    } else {
                        self.literal(b"null")?;
                    }
                }
                b"body" => {
                    self.value(0)?;
                    f.body = true;
                }
                _ => self.value(0)?,
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        if !f.body {
            return None;
        }
        Some(Envelope {
            seq: f.seq?,
            ts: f.ts?,
            kind: f.kind?,
            actor: f.actor?,
            prev: f.prev?,
        })
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => {
                self.i += 1;
                self.ws();
                if self.eat(b'}').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(|_| ()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// A string: (start, end) of its contents and whether it had escapes.
    /// Raw control characters and `\u` surrogates are left to serde_json.
    #[inline]
    fn string(&mut self) -> Option<(usize, usize, bool)> {
        self.eat(b'"')?;
        let start = self.i;
        let mut escaped = false;
        loop {
            // plain bytes in one tight loop; stop at a quote, an escape or a
            // control character
            self.i += special(self.b.get(self.i..)?)?;
            let c = self.peek()?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Some((start, self.i - 1, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.i += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                        b'u' => {
                            let hex = self.b.get(self.i + 1..self.i + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit)
                                || matches!(hex[0], b'd' | b'D')
                            {
                                return None; // not hex, or a surrogate half
                            }
                            self.i += 5;
                        }
                        _ => return None,
                    }
                }
                0x00..=0x1f => return None,
                _ => self.i += 1,
            }
        }
    }

    /// A string without escapes, as text (an envelope member).
    fn plain_string(&mut self, text: &'a str) -> Option<&'a str> {
        let (a, b, escaped) = self.string()?;
        if escaped {
            return None;
        }
        // the bytes between two quotes of valid UTF-8 text are whole chars
        text.get(a..b)
    }

    /// A JSON number without an exponent (with one: serde_json decides).
    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        self.digits()?;
        if self.eat(b'.').is_some() {
            let start = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            if self.i == start {
                return None;
            }
        }
        match self.peek() {
            Some(b'e' | b'E') => None,
            _ => Some(()),
        }
    }

    /// An integer part: `0` or a digit run not starting with 0.
    fn digits(&mut self) -> Option<()> {
        match self.peek()? {
            b'0' => {
                self.i += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return None;
                }
                Some(())
            }
            b'1'..=b'9' => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
                Some(())
            }
            _ => None,
        }
    }

    /// A non-negative integer that fits in u64, followed by no fraction.
    fn integer(&mut self) -> Option<u64> {
        let start = self.i;
        self.digits()?;
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
}

/// The first quote, backslash or control character in `b`, eight bytes at
/// a time (strings are most of a line; a byte-by-byte loop was verify's
/// largest cost after hashing).
#[inline]
fn special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES * 0x80;
    // nonzero when some byte of `v` is zero (exact for the word as a whole)
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = 0;
    while let Some(word) = b.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        if zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\'))) | below_space
            != 0
        {
            break;
        }
        i += 8;
    }
    let at = b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
    Some(i + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json makes of the same line, for the members compared.
    fn serde(line: &str) -> Option<(u64, String, EntryKind, String, String)> {
        #[derive(Deserialize)]
        struct L {
            seq: u64,
            ts: String,
            kind: EntryKind,
            actor: String,
            #[serde(default)]
            #[allow(dead_code)]
            phase: Option<String>,
            #[allow(dead_code)]
            body: serde::de::IgnoredAny,
            prev: String,
        }
        let l: L = serde_json::from_str(line).ok()?;
        Some((l.seq, l.ts, l.kind, l.actor, l.prev))
    }

    fn fast(line: &str) -> Option<(u64, String, EntryKind, String, String)> {
        let e = read(line.as_bytes())?;
        Some((e.seq, e.ts.into(), e.kind, e.actor.into(), e.prev.into()))
    }

    const GOOD: &str = r#"{"seq":7,"ts":"2026-11-28T22:00:00.000Z","kind":"observe","actor":"probe","phase":"pilot","body":{"samples":{"a":1.5,"b":-0,"c":[true,false,null,"x\"y\u00e9"]}},"prev":"ab","hash":"cd"}"#;

    #[test]
    fn a_usual_line_reads_as_serde_reads_it() {
        assert!(fast(GOOD).is_some());
        assert_eq!(fast(GOOD), serde(GOOD));
    }

    /// Whenever the fast reader answers, serde_json agrees; where the two
    /// might differ it does not answer.
    #[test]
    fn it_never_accepts_what_serde_refuses() {
        let cases = [
            GOOD.replace("\"seq\":7", "\"seq\":7.0"),
            GOOD.replace("\"seq\":7", "\"seq\":-7"),
            GOOD.replace("\"seq\":7", "\"seq\":07"),
            GOOD.replace("\"seq\":7", "\"seq\":99999999999999999999"),
            GOOD.replace("\"kind\":\"observe\"", "\"kind\":\"verdict\""),
            GOOD.replace("\"phase\":\"pilot\"", "\"phase\":3"),
            GOOD.replace("\"phase\":\"pilot\",", ""),
            GOOD.replace("\"actor\":\"probe\"", "\"actor\":\"pr\\u00f6be\""),
            GOOD.replace("1.5", "1e400"),
            GOOD.replace("1.5", "1."),
            GOOD.replace("1.5", "NaN"),
            GOOD.replace("\\u00e9", "\\ud800"),
            GOOD.replace("x\\\"y", "x\ty"),
            GOOD.replace(",\"prev\"", ",\"seq\":8,\"prev\""),
            GOOD.replace(",\"body\":", ",\"extra\":1,\"extra\":2,\"body\":"),
            GOOD.replace("\"body\":", "\"bodi\":"),
            format!("{GOOD} x"),
            format!("[{GOOD}]"),
            GOOD.replace('}', "},"),
            format!("{}{}", "[".repeat(100), "]".repeat(100)),
        ];
        for line in &cases {
            if let Some(got) = fast(line) {
                assert_eq!(Some(got), serde(line), "{line}");
            }
        }
        // phase absent is fine for both; whitespace between tokens too
        let spaced = GOOD.replace(",\"", " ,\n\"").replace(':', " : ");
        assert_eq!(fast(&spaced), serde(&spaced));
        assert!(fast(&spaced).is_some());
    }

    #[test]
    fn special_finds_the_first_quote_backslash_or_control_anywhere() {
        for len in 0..40 {
            for (at, c) in [(b'"', 0), (b'\\', 0), (0x1f, 0), (0x00, 0)]
                .iter()
                .flat_map(|&(c, _)| (0..len).map(move |at| (at, c)))
            {
                let mut b = vec![b'a'; len];
                b[at] = c;
                // bytes >= 0x80 (UTF-8) never count
                if at > 0 {
                    b[at - 1] = 0xc3;
                }
                assert_eq!(special(&b), Some(at), "{b:?}");
            }
            assert_eq!(special(&vec![0xe9u8; len]), None);
        }
    }

    #[test]
    fn bad_utf8_is_left_to_serde() {
        let mut bytes = GOOD.as_bytes().to_vec();
        let at = GOOD.find("probe").unwrap_or(0);
        bytes[at] = 0xff;
        assert!(read(&bytes).is_none());
    }

    proptest::proptest! {
        /// Random edits of a good line: whenever the fast reader answers,
        /// serde_json gives the same envelope.
        #[test]
        fn random_edits_never_make_the_two_disagree(
            edits in proptest::collection::vec(
                (0usize..400, proptest::sample::select(b"\"\\{}[],:0-.eEu \t\x01a9".to_vec())),
                1..4,
            )
        ) {
            let mut bytes = GOOD.as_bytes().to_vec();
            for (at, b) in edits {
                let at = at % bytes.len();
                bytes[at] = b;
            }
            if let Some(e) = read(&bytes) {
                let line = std::str::from_utf8(&bytes).unwrap_or_default();
                let got = Some((e.seq, e.ts.to_string(), e.kind, e.actor.to_string(), e.prev.to_string()));
                proptest::prop_assert_eq!(got, serde(line));
            }
        }
    }
}
