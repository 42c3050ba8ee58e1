//! Per-person signatures (Ed25519): keys, key files, and what a signature
//! means. The record format (where a signature sits in a log line and what
//! bytes it covers) is in [`crate::journal::signed`].
//!
//! Each layer proves something different: the hash chain proves the log was
//! not edited after the fact (by someone without the HMAC key), a signature
//! proves that the person holding that private key approved that exact
//! record at that place in the chain.

pub mod append;
pub mod holder;
pub mod keyfile;
pub mod passphrase;

/// A signature member as written in a record (its format is the journal's).
pub use crate::journal::signed::SigMember;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The prefix of a public key in the roster: `signing_key = "ed25519:<base64>"`.
pub const PUBLIC_PREFIX: &str = "ed25519:";

/// What a signature means (21 CFR 11.50(a)(3)): shown with every signed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    Approval,
    Review,
    Responsibility,
    Authorship,
}

impl Meaning {
    pub fn as_str(self) -> &'static str {
        match self {
            Meaning::Approval => "approval",
            Meaning::Review => "review",
            Meaning::Responsibility => "responsibility",
            Meaning::Authorship => "authorship",
        }
    }

    pub fn parse(s: &str) -> Option<Meaning> {
        [
            Meaning::Approval,
            Meaning::Review,
            Meaning::Responsibility,
            Meaning::Authorship,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    /// The meaning of signing a decision of this `type` (sign-offs approve;
    /// decisions with authority take responsibility; notes and issues are authored).
    pub fn of_decision(kind: &str) -> Meaning {
        match kind {
            "signoff" => Meaning::Approval,
            "note" | "issue" => Meaning::Authorship,
            _ => Meaning::Responsibility,
        }
    }
}

/// The public key as the roster writes it: `ed25519:<base64 of 32 bytes>`.
pub fn public_text(key: &VerifyingKey) -> String {
    format!("{PUBLIC_PREFIX}{}", STANDARD.encode(key.as_bytes()))
}

/// Parses a roster public key (`ed25519:<base64>`), checking it is a curve point.
pub fn parse_public(text: &str) -> Result<VerifyingKey, String> {
    let b64 = text
        .strip_prefix(PUBLIC_PREFIX)
        .ok_or_else(|| format!("a signing key starts with {PUBLIC_PREFIX:?}"))?;
    let bytes = STANDARD
        .decode(b64)
        .map_err(|_| "the signing key is not valid base64".to_string())?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "an Ed25519 public key is 32 bytes".to_string())?;
    VerifyingKey::from_bytes(&arr).map_err(|_| "not a valid Ed25519 public key".to_string())
}

/// A key's fingerprint: the first 16 bytes of SHA-256 over the 32 raw public
/// key bytes, as 32 lowercase hex digits. Records name their key by it.
pub fn fingerprint(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..16])
}

/// An unlocked private key: signs, and says whose it is.
pub struct Unlocked {
    owner: String,
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for Unlocked {
    // never print key material
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Unlocked({}, {})", self.owner, self.fingerprint())
    }
}

impl Unlocked {
    /// A key from its 32-byte seed (key files, throw-away demo keys, tests).
    pub fn from_seed(owner: &str, seed: &Zeroizing<[u8; 32]>) -> Unlocked {
        Unlocked {
            owner: owner.to_string(),
            key: ed25519_dalek::SigningKey::from_bytes(seed),
        }
    }

    /// A new random key for `owner` (from the OS RNG).
    pub fn generate(owner: &str) -> Result<Unlocked, String> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(seed.as_mut())
            .map_err(|e| format!("the OS random number generator failed: {e}"))?;
        Ok(Unlocked::from_seed(owner, &seed))
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn public(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public())
    }

    /// The 64-byte Ed25519 signature over `msg`, base64.
    pub fn sign_b64(&self, msg: &[u8]) -> String {
        STANDARD.encode(self.key.sign(msg).to_bytes())
    }

    pub(crate) fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.key.to_bytes())
    }
}

/// Demo only: a new throw-away key for every owner on the roster, their
/// public halves set as the owners' `signing_key` (so the log pins them).
/// The private halves live in memory for one demo and are never written.
pub fn throw_away_keys(rb: &mut crate::core::runbook::Runbook) -> Result<Vec<Unlocked>, String> {
    let mut keys = Vec::with_capacity(rb.owners.len());
    for o in &mut rb.owners {
        let k = Unlocked::generate(&o.id)?;
        o.signing_key = Some(public_text(&k.public()));
        keys.push(k);
    }
    Ok(keys)
}

/// Checks a base64 Ed25519 signature over `msg` (strict: no malleable forms).
pub fn verify_b64(key: &VerifyingKey, msg: &[u8], value_b64: &str) -> bool {
    let Ok(bytes) = STANDARD.decode(value_b64) else {
        return false;
    };
    let Ok(arr) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    let sig = ed25519_dalek::Signature::from_bytes(&arr);
    key.verify_strict(msg, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_message_and_key() {
        let a = Unlocked::generate("dana").unwrap();
        let b = Unlocked::generate("sam").unwrap();
        let sig = a.sign_b64(b"record 1");
        assert!(verify_b64(&a.public(), b"record 1", &sig));
        assert!(!verify_b64(&a.public(), b"record 2", &sig));
        assert!(!verify_b64(&b.public(), b"record 1", &sig));
        assert!(!verify_b64(&a.public(), b"record 1", "not base64!"));
    }

    #[test]
    fn public_text_round_trips_and_bad_keys_are_named() {
        let a = Unlocked::generate("dana").unwrap();
        let t = public_text(&a.public());
        assert!(t.starts_with("ed25519:"));
        assert_eq!(parse_public(&t).unwrap(), a.public());
        assert_eq!(fingerprint(&a.public()).len(), 32);
        assert!(parse_public("rsa:AAAA").unwrap_err().contains("ed25519:"));
        assert!(parse_public("ed25519:AAAA")
            .unwrap_err()
            .contains("32 bytes"));
        assert!(parse_public("ed25519:***").unwrap_err().contains("base64"));
    }

    #[test]
    fn meanings_follow_the_kind_of_decision() {
        assert_eq!(Meaning::of_decision("signoff"), Meaning::Approval);
        assert_eq!(Meaning::of_decision("go"), Meaning::Responsibility);
        assert_eq!(Meaning::of_decision("decide"), Meaning::Responsibility);
        assert_eq!(Meaning::of_decision("note"), Meaning::Authorship);
        assert_eq!(Meaning::of_decision("issue"), Meaning::Authorship);
        assert_eq!(Meaning::parse("review"), Some(Meaning::Review));
        assert_eq!(Meaning::parse("blessing"), None);
    }
}
