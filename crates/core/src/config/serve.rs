//! `[serve]` and `[[token]]` (docs/probes.md): where the cockpit
//! serves its state to the team, and the SHA-256 hashes of the per-owner
//! tokens that may read and act. The tokens themselves are never in the
//! config; `cutover token OWNER` mints one and prints its `[[token]]` block.

use crate::span::Pos;
use crate::tomlread::{Reader, Tbl};

/// Default `[serve] listen`: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7878";
/// Default `[serve] rate_per_min`, per token.
pub const DEFAULT_RATE_PER_MIN: u32 = 120;
/// Default `[serve] max_body_bytes`.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16_384;

const SERVE_KEYS: &[&str] = &[
    "listen",
    "tls_cert",
    "tls_key",
    "rate_per_min",
    "max_body_bytes",
];
const TOKEN_KEYS: &[&str] = &["owner", "sha256"];

/// `[serve]`: how `--serve` listens and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serve {
    /// `host:port`; `--serve ADDR` overrides it.
    pub listen: String,
    /// PEM certificate chain and key paths; both or neither.
    pub tls_cert: Option<String>,
    /// `tls_key`: PEM private key path for `tls_cert`; `None` (with no cert) = plain HTTP.
    pub tls_key: Option<String>,
    /// Requests per minute and token before 429.
    pub rate_per_min: u32,
    /// Larger request bodies get 413.
    pub max_body_bytes: usize,
}

impl Default for Serve {
    fn default() -> Serve {
        Serve {
            listen: DEFAULT_LISTEN.to_string(),
            tls_cert: None,
            tls_key: None,
            rate_per_min: DEFAULT_RATE_PER_MIN,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// `[[token]]`: one owner's token, as the hex SHA-256 of the token text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash {
    /// `owner`: the `[[owner]]` id of the runbook this token acts as.
    pub owner: String,
    /// 32 bytes, decoded from the 64 hex digits in the config.
    pub sha256: [u8; 32],
    /// Where `owner` is written (for the roster check).
    pub owner_pos: Pos,
}

/// Reads `[serve]` (absent = defaults).
pub fn read_serve(r: &mut Reader<'_>, root: Tbl<'_>) -> Serve {
    let mut s = Serve::default();
    let Some(t) = r.table(root, "serve", "[serve]") else {
        return s;
    };
    r.check_keys(t, SERVE_KEYS);
    if let Some(l) = r.opt_str(t, "listen") {
        if l.value.parse::<std::net::SocketAddr>().is_err() {
            r.error_help(
                l.pos,
                format!("`listen` \"{}\" is not an IP address and port", l.value),
                Some("e.g. \"127.0.0.1:7878\"".into()),
            );
        }
        s.listen = l.value;
    }
    let cert = r.opt_str(t, "tls_cert");
    let key = r.opt_str(t, "tls_key");
    match (&cert, &key) {
        (Some(c), None) => r.error(c.pos, "`tls_cert` needs `tls_key` (the PEM private key)"),
        (None, Some(k)) => r.error(k.pos, "`tls_key` needs `tls_cert` (the PEM certificate)"),
        _ => {}
    }
    s.tls_cert = cert.map(|c| c.value);
    s.tls_key = key.map(|k| k.value);
    if let Some(n) = read_positive(r, t, "rate_per_min") {
        s.rate_per_min = u32::try_from(n).unwrap_or(u32::MAX);
    }
    if let Some(n) = read_positive(r, t, "max_body_bytes") {
        s.max_body_bytes = usize::try_from(n).unwrap_or(usize::MAX);
    }
    s
}

fn read_positive(r: &mut Reader<'_>, t: Tbl<'_>, key: &str) -> Option<i64> {
    let (_, item) = t.table.get_key_value(key)?;
    let pos = item.span().map(|s| r.pos(s.start)).unwrap_or(t.pos);
    match item.as_integer() {
        Some(n) if n > 0 => Some(n),
        Some(n) => {
            r.error(pos, format!("`{key}` must be at least 1, found {n}"));
            None
        }
        None => {
            let found = item.type_name();
            r.error(pos, format!("`{key}` must be an integer, found {found}"));
            None
        }
    }
}

/// Reads every `[[token]]`; a hash that is not 64 hex digits is an error.
pub fn read_tokens(r: &mut Reader<'_>, root: Tbl<'_>) -> Vec<TokenHash> {
    let mut out: Vec<TokenHash> = Vec::new();
    for t in r.tables(root, "token", "[[token]]") {
        r.check_keys(t, TOKEN_KEYS);
        let owner = r.req_str(t, "owner");
        let hash = r.req_str(t, "sha256");
        let (Some(owner), Some(hash)) = (owner, hash) else {
            continue;
        };
        let Some(sha256) = decode_hash(&hash.value) else {
            // not echoed: someone may have pasted the token itself here
            r.error_help(
                hash.pos,
                "`sha256` must be 64 hex digits (the SHA-256 of the token, not the token)",
                Some("`cutover token OWNER` prints the [[token]] block to paste".into()),
            );
            continue;
        };
        if out.iter().any(|o| o.sha256 == sha256) {
            r.error(hash.pos, "this token hash is already given to an owner");
            continue;
        }
        out.push(TokenHash {
            owner: owner.value,
            sha256,
            owner_pos: owner.pos,
        });
    }
    out
}

fn decode_hash(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text.trim()).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use crate::config::load;
    use crate::span::Pos;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn defaults_without_a_serve_section() {
        let c = load("c.toml", "[[probe]]\nkind = \"checksum\"\ndataset = \"d\"\nsource_url = \"http://a/\"\ntarget_url = \"http://b/\"\n").unwrap();
        assert_eq!(c.serve.listen, "127.0.0.1:7878");
        assert_eq!(c.serve.rate_per_min, 120);
        assert_eq!(c.serve.max_body_bytes, 16384);
        assert!(c.tokens.is_empty());
    }

    #[test]
    fn reads_serve_and_tokens() {
        let src = format!("[serve]\nlisten = \"0.0.0.0:9000\"\nrate_per_min = 30\nmax_body_bytes = 1024\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n\n[[token]]\nowner = \"dana\"\nsha256 = \"{HASH}\"\n");
        let c = load("c.toml", &src).unwrap();
        assert_eq!(c.serve.listen, "0.0.0.0:9000");
        assert_eq!(c.serve.rate_per_min, 30);
        assert_eq!(c.serve.max_body_bytes, 1024);
        assert_eq!(c.serve.tls_key.as_deref(), Some("k.pem"));
        assert_eq!(c.tokens.len(), 1);
        assert_eq!(c.tokens[0].owner, "dana");
        assert_eq!(hex::encode(c.tokens[0].sha256), HASH);
        assert_eq!(c.tokens[0].owner_pos, Pos::new(9, 9));
    }

    #[test]
    fn a_pasted_token_is_refused_without_echoing_it() {
        let src = "[[token]]\nowner = \"dana\"\nsha256 = \"cct_secretsecret\"\n";
        let errs = load("c.toml", src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].pos, Pos::new(3, 10));
        assert!(!errs[0].message.contains("secret"), "{}", errs[0].message);
    }

    #[test]
    fn unknown_keys_bad_numbers_and_half_tls_are_errors() {
        let src = "[serve]\nlisten = \"localhost\"\nrate_per_mn = 5\nmax_body_bytes = 0\ntls_cert = \"c.pem\"\n";
        let errs = load("c.toml", src).unwrap_err();
        let msgs: Vec<String> = errs
            .iter()
            .map(|e| format!("{}: {}", e.pos, e.message))
            .collect();
        assert!(
            msgs.iter().any(|m| m.starts_with("2:10: `listen`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m
                    .starts_with("3:1: unknown key `rate_per_mn`, did you mean `rate_per_min`?")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("4:18: `max_body_bytes` must be at least 1")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("5:12: `tls_cert` needs `tls_key`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn the_same_hash_twice_is_an_error() {
        let src = format!("[[token]]\nowner = \"a\"\nsha256 = \"{HASH}\"\n[[token]]\nowner = \"b\"\nsha256 = \"{HASH}\"\n");
        let errs = load("c.toml", &src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].pos, Pos::new(6, 10));
    }
}
