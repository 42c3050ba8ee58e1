//! The exact bytes that are hashed (docs/log-format.md, "Canonical bytes").
//!
//! A record line is `CANON` with the `hash` member spliced in before the final
//! `}`: `CANON[..len-1] + ,"hash":"<64 hex>"}`. The hash covers
//! `prev_hex || "\n" || CANON`, so a verifier needs no JSON re-serialisation:
//! it cuts the fixed-length `hash` member off the line and hashes what is left.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `,"hash":"` + 64 hex digits + `"}`: the fixed tail of every record line.
pub const HASH_TAIL_LEN: usize = 9 + 64 + 2;

/// The `prev` of record 0.
pub const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Which hash links the chain; named in the `open` record's body as `chain`.
#[derive(Clone)]
pub enum Chain {
    /// Plain SHA-256: proves internal consistency, not authorship.
    Sha256,
    /// HMAC-SHA-256 keyed by `CUTOVER_LOG_KEY`.
    Hmac(Vec<u8>),
}

impl std::fmt::Debug for Chain {
    // never print the key
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Chain {
    /// `Hmac` when a key is given, else `Sha256`.
    pub fn from_key(key: Option<Vec<u8>>) -> Chain {
        key.map_or(Chain::Sha256, Chain::Hmac)
    }

    /// The name the `open` record carries: `sha256` or `hmac-sha256`.
    pub fn name(&self) -> &'static str {
        match self {
            Chain::Sha256 => "sha256",
            Chain::Hmac(_) => "hmac-sha256",
        }
    }

    /// Lowercase hex of the hash over `prev || "\n" || canon`.
    pub fn hash(&self, prev: &str, canon: &[u8]) -> String {
        let hex = hex64(&self.digest(prev, &[canon]));
        String::from_utf8_lossy(&hex).into_owned()
    }

    /// The raw hash over `prev || "\n" || parts...` (parts concatenated).
    pub fn digest(&self, prev: &str, parts: &[&[u8]]) -> [u8; 32] {
        match self {
            Chain::Sha256 => {
                let mut h = Sha256::new();
                h.update(prev.as_bytes());
                h.update(b"\n");
                parts.iter().for_each(|p| h.update(p));
                h.finalize().into()
            }
            Chain::Hmac(key) => {
                // HMAC accepts keys of any length, so this cannot fail.
                let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
                    return [0; 32];
                };
                m.update(prev.as_bytes());
                m.update(b"\n");
                parts.iter().for_each(|p| m.update(p));
                m.finalize().into_bytes().into()
            }
        }
    }
}

/// A [`Chain`] ready to hash many records: for HMAC the key's inner and
/// outer blocks are hashed once here, not once per record (two of the
/// seven or so SHA-256 blocks a typical record costs).
#[derive(Clone)]
pub enum Hasher {
    Sha256,
    Hmac(Hmac<Sha256>),
}

impl Hasher {
    pub fn new(chain: &Chain) -> Hasher {
        match chain {
            Chain::Sha256 => Hasher::Sha256,
            // HMAC accepts keys of any length; the fallback is never taken
            Chain::Hmac(key) => {
                Hmac::<Sha256>::new_from_slice(key).map_or(Hasher::Sha256, Hasher::Hmac)
            }
        }
    }

    /// The same bytes as [`Chain::digest`] over `prev || "\n" || parts...`.
    pub fn digest(&self, prev: &str, parts: &[&[u8]]) -> [u8; 32] {
        match self {
            Hasher::Sha256 => Chain::Sha256.digest(prev, parts),
            Hasher::Hmac(keyed) => {
                let mut m = keyed.clone();
                m.update(prev.as_bytes());
                m.update(b"\n");
                parts.iter().for_each(|p| m.update(p));
                m.finalize().into_bytes().into()
            }
        }
    }
}

/// Lowercase hex of a 32-byte hash, without allocating (verify's hot path).
pub fn hex64(bytes: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 0x0f)];
    }
    out
}

/// Characters that serde_json leaves raw but the log must never hold raw:
/// DEL, C1 controls, bidi controls, and the Unicode line/paragraph separators.
pub fn needs_extra_escape(c: char) -> bool {
    matches!(c,
        '\u{7f}'..='\u{9f}'
        | '\u{061c}' | '\u{200e}' | '\u{200f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// Escapes, in serde_json output, every [`needs_extra_escape`] char as `\uXXXX`
/// (lowercase hex, like serde_json's own C0 escapes).
///
/// Sound on whole serde_json output: outside strings it only emits ASCII
/// punctuation, digits and literals, so every such char sits inside a string.
pub fn escape_extra(json: String) -> String {
    if !json.chars().any(needs_extra_escape) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_extra_escape(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a record line (without its newline) into `(line without the hash
/// tail, hash)`; CANON is the first part followed by `}`.
///
/// `None` when the line does not end in the fixed `,"hash":"<64 hex>"}` tail.
pub fn split_line(line: &[u8]) -> Option<(&[u8], &str)> {
    let cut = line.len().checked_sub(HASH_TAIL_LEN)?;
    let tail = &line[cut..];
    if !tail.starts_with(b",\"hash\":\"") || !tail.ends_with(b"\"}") {
        return None;
    }
    let hex = &tail[9..9 + 64];
    if !hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let hex = std::str::from_utf8(hex).ok()?;
    Some((&line[..cut], hex))
}

/// Whether `hash` (64 lowercase hex) is the hash of `prev || "\n" || head || "}"`.
pub fn hash_matches(hasher: &Hasher, prev: &str, head: &[u8], hash: &str) -> bool {
    hex64(&hasher.digest(prev, &[head, b"}"])) == hash.as_bytes()
}

/// Builds the line (with `\n`) from `CANON` and its hash.
pub fn join_line(canon: &str, hash: &str) -> String {
    let body = canon.strip_suffix('}').unwrap_or(canon);
    format!("{body},\"hash\":\"{hash}\"}}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_bidi_and_separators_are_escaped_but_text_is_kept() {
        let raw = serde_json::to_string(&serde_json::json!({
            "r": "a\u{9b}b\u{202e}c\u{2066}d\u{7f}é\u{1b}"
        }))
        .unwrap();
        let out = escape_extra(raw);
        assert_eq!(out, r#"{"r":"a\u009bb\u202ec\u2066d\u007fé\u001b"}"#);
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["r"], "a\u{9b}b\u{202e}c\u{2066}d\u{7f}é\u{1b}");
    }

    #[test]
    fn a_line_splits_back_into_its_hashed_bytes() {
        let canon = r#"{"seq":0,"prev":"00"}"#;
        let h = Chain::Sha256.hash(ZERO_HASH, canon.as_bytes());
        let line = join_line(canon, &h);
        let (head, got) = split_line(line.trim_end().as_bytes()).unwrap();
        assert_eq!([head, b"}"].concat(), canon.as_bytes());
        assert_eq!(got, h);
        assert!(hash_matches(&Hasher::Sha256, ZERO_HASH, head, &h));
        assert_eq!(
            h,
            hex::encode(Chain::Sha256.digest(ZERO_HASH, &[canon.as_bytes()]))
        );
        assert!(split_line(b"{\"seq\":0}").is_none());
    }

    #[test]
    fn hmac_differs_from_plain_and_depends_on_the_key() {
        let a = Chain::Sha256.hash(ZERO_HASH, b"{}");
        let b = Chain::Hmac(b"k1".to_vec()).hash(ZERO_HASH, b"{}");
        let c = Chain::Hmac(b"k2".to_vec()).hash(ZERO_HASH, b"{}");
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(b, c);
        // the prepared key hashes exactly as the key does each time
        let keyed = Hasher::new(&Chain::Hmac(b"k1".to_vec()));
        assert_eq!(hex::encode(keyed.digest(ZERO_HASH, &[b"{}"])), b);
        assert_eq!(
            format!("{:?}", Chain::Hmac(b"secret".to_vec())),
            "hmac-sha256"
        );
    }
}
