//! Who is asking: per-owner bearer tokens (the config holds only their
//! SHA-256), minted here, and a per-owner rate limit.

use crate::core::config::serve::TokenHash;
use crate::core::time::{Dur, Ts};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// Prefix of every minted token, so a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "cct_";

/// Why a token could not be minted.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the system's random number generator: {0}")]
pub struct MintError(String);

/// A fresh token: `cct_` and 32 random bytes from the OS as 64 hex digits.
pub fn mint() -> Result<String, MintError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| MintError(e.to_string()))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// SHA-256 of the token text as given (prefix included).
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The `[[token]]` block for `owner` and `token`, ready to paste into the config.
pub fn token_block(owner: &str, token: &str) -> String {
    let quoted = toml::Value::String(owner.to_string()).to_string();
    format!(
        "[[token]]\nowner = {quoted}\nsha256 = \"{}\"\n",
        hex::encode(token_hash(token))
    )
}

/// The configured token hashes.
#[derive(Debug, Clone, Default)]
pub struct Tokens(Vec<TokenHash>);

impl Tokens {
    pub fn new(hashes: Vec<TokenHash>) -> Tokens {
        Tokens(hashes)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The owner whose token hashes to the same value as `presented`. Every
    /// configured hash is compared in constant time, so timing tells nothing
    /// about which (or how much of one) matched.
    pub fn owner_of(&self, presented: &str) -> Option<&str> {
        let h = token_hash(presented);
        let mut found = None;
        for t in &self.0 {
            if bool::from(t.sha256.ct_eq(&h)) {
                found = Some(t.owner.as_str());
            }
        }
        found
    }
}

/// `Authorization: Bearer <token>` -> the token, if the header has that form.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let h = header?.trim();
    let (scheme, rest) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(rest.trim()).filter(|t| !t.is_empty())
}

/// A token bucket per owner: `per_min` requests a minute, bursts up to `per_min`.
#[derive(Debug)]
pub struct RateLimiter {
    per_min: u32,
    buckets: HashMap<String, (f64, Ts)>,
}

impl RateLimiter {
    pub fn new(per_min: u32) -> RateLimiter {
        RateLimiter {
            per_min: per_min.max(1),
            buckets: HashMap::new(),
        }
    }

    /// Takes one request for `owner` at `now`; `Err` holds how long to wait.
    pub fn take(&mut self, owner: &str, now: Ts) -> Result<(), Dur> {
        let cap = f64::from(self.per_min);
        let per_ms = cap / 60_000.0;
        let (tokens, at) = self.buckets.entry(owner.to_string()).or_insert((cap, now));
        let elapsed = (now - *at).0.max(0) as f64;
        *tokens = (*tokens + elapsed * per_ms).min(cap);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return Ok(());
        }
        let wait_ms = ((1.0 - *tokens) / per_ms).ceil() as i64;
        Err(Dur(wait_ms.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::span::Pos;

    fn tokens(pairs: &[(&str, &str)]) -> Tokens {
        Tokens::new(
            pairs
                .iter()
                .map(|(o, t)| TokenHash {
                    owner: o.to_string(),
                    sha256: token_hash(t),
                    owner_pos: Pos::new(1, 1),
                })
                .collect(),
        )
    }

    #[test]
    fn minted_tokens_are_long_distinct_and_hash_to_their_block() {
        let a = mint().unwrap();
        let b = mint().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert!(a.starts_with("cct_"));
        let block = token_block("dana", &a);
        assert!(
            !block.contains(&a),
            "the token itself must not be in the block"
        );
        let cfg = crate::core::config::load("c.toml", &block).unwrap();
        assert_eq!(cfg.tokens[0].owner, "dana");
        assert_eq!(cfg.tokens[0].sha256, token_hash(&a));
    }

    #[test]
    fn the_matching_hash_names_the_owner() {
        let t = tokens(&[("dana", "cct_aaa"), ("sam", "cct_bbb")]);
        assert_eq!(t.owner_of("cct_bbb"), Some("sam"));
        assert_eq!(t.owner_of("cct_aaa"), Some("dana"));
        assert_eq!(t.owner_of("cct_aab"), None);
        assert_eq!(t.owner_of("sam"), None);
    }

    #[test]
    fn bearer_header_forms() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }

    #[test]
    fn the_rate_limit_refills_over_time() {
        let mut r = RateLimiter::new(60);
        let t0 = Ts(1_000_000);
        for _ in 0..60 {
            assert!(r.take("sam", t0).is_ok());
        }
        let wait = r.take("sam", t0).unwrap_err();
        assert_eq!(wait, Dur(1000));
        // another owner has their own bucket
        assert!(r.take("dana", t0).is_ok());
        assert!(r.take("sam", t0 + Dur(1000)).is_ok());
        assert!(r.take("sam", t0 + Dur(1000)).is_err());
    }
}
