//! Pseudonyms for identifiers from real systems (row keys, Study Instance
//! UIDs): a keyed hash, so the same key shows as the same pseudonym all
//! session long (and across sessions sharing `CUTOVER_PSEUDO_KEY`), while
//! the screen and the log never hold the identifier itself.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::OnceLock;

/// The variable holding the pseudonymisation key (any text; random per process when unset).
pub const KEY_ENV: &str = "CUTOVER_PSEUDO_KEY";

fn key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| match std::env::var(KEY_ENV) {
        Ok(k) if !k.is_empty() => k.into_bytes(),
        _ => {
            let mut k = vec![0u8; 32];
            if getrandom::getrandom(&mut k).is_err() {
                // no OS randomness: the time still makes the key unguessable offline
                let t = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                k = format!("{t}-{}", std::process::id()).into_bytes();
            }
            k
        }
    })
}

/// `#` and 10 hex digits of HMAC-SHA256(key, scope NUL identifier).
pub fn pseudonym(scope: &str, identifier: &str) -> String {
    pseudonym_with(key(), scope, identifier)
}

/// As [`pseudonym`] with an explicit key (tests, and tools that re-derive it).
pub fn pseudonym_with(key: &[u8], scope: &str, identifier: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return "#??????????".into();
    };
    mac.update(scope.as_bytes());
    mac.update(&[0]);
    mac.update(identifier.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("#{}", &hex::encode(tag)[..10])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_opaque() {
        let a = pseudonym_with(b"k1", "adt", "100042");
        assert_eq!(a, pseudonym_with(b"k1", "adt", "100042"));
        assert_ne!(a, pseudonym_with(b"k2", "adt", "100042"));
        assert_ne!(a, pseudonym_with(b"k1", "lab", "100042"));
        assert_eq!(a.len(), 11);
        assert!(!a.contains("100042"));
        assert_eq!(pseudonym("x", "1"), pseudonym("x", "1"));
    }
}
