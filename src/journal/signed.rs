//! Signed records (docs/log-format.md, "Signatures"): where the signature
//! sits in a line, which bytes it covers, and how a line's signature is checked.
//!
//! The signature member is always the **last member of `body`**, written as
//! `"signature":{"alg":"ed25519","key":"<fingerprint>","meaning":"<m>","value":"<base64>"}`.
//! It signs CANON without that member (and without the comma before it):
//! exactly the canonical bytes the record would have unsigned, `seq`, `ts`,
//! `kind`, `actor`, `phase`, `body` and `prev` included. So a verifier cuts
//! the member out of the line as text, with no JSON re-serialisation, and a
//! signature moved to another record (another seq, body or `prev`) fails.

use crate::sign::{self, Meaning, Unlocked};
use ed25519_dalek::VerifyingKey;
use serde_json::Value;
use std::collections::BTreeMap;

/// `,"prev":"` + 64 hex + `"`: what follows `body` at the end of a line's head.
const PREV_TAIL: usize = 9 + 64 + 1;
/// Where a signature member starts; it can only occur as a key (quotes
/// inside JSON strings are escaped).
const MARK: &[u8] = b"\"signature\":";
const OPEN: &[u8] = b"\"signature\":{\"alg\":\"";

/// A signature as it appears in a record's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigMember {
    pub alg: String,
    /// The key's fingerprint ([`sign::fingerprint`]).
    pub key: String,
    pub meaning: String,
    /// Base64 of the 64-byte Ed25519 signature.
    pub value: String,
}

impl SigMember {
    /// Signs `canon` (the unsigned canonical bytes) with `key`.
    pub fn sign(key: &Unlocked, meaning: Meaning, canon: &[u8]) -> SigMember {
        SigMember {
            alg: "ed25519".into(),
            key: key.fingerprint(),
            meaning: meaning.as_str().into(),
            value: key.sign_b64(canon),
        }
    }

    /// The member's exact text (its fields hold no character JSON escapes).
    fn text(&self) -> String {
        format!(
            "\"signature\":{{\"alg\":\"{}\",\"key\":\"{}\",\"meaning\":\"{}\",\"value\":\"{}\"}}",
            self.alg, self.key, self.meaning, self.value
        )
    }

    /// As a JSON value, for the record's parsed body.
    pub fn json(&self) -> Value {
        serde_json::json!({"alg": self.alg, "key": self.key, "meaning": self.meaning, "value": self.value})
    }
}

/// Inserts `member` as the last member of `body` in unsigned CANON.
/// `None` when CANON does not end in `body` (an object) then `prev`.
pub fn splice(canon: &str, member: &SigMember) -> Option<String> {
    let b = canon.as_bytes();
    // CANON = HEAD + "}", and HEAD ends with `},"prev":"<64 hex>"`
    let close = b.len().checked_sub(1 + PREV_TAIL + 1)?;
    if b[close] != b'}' || !canon[close + 1..].starts_with(",\"prev\":\"") {
        return None;
    }
    let sep = if b.get(close.checked_sub(1)?) == Some(&b'{') {
        ""
    } else {
        ","
    };
    Some(format!(
        "{}{sep}{}{}",
        &canon[..close],
        member.text(),
        &canon[close..]
    ))
}

/// What a line's head (the line without its `,"hash":...}` tail) says about
/// its signature: none, or the member and the unsigned CANON it must sign.
pub enum Found {
    Unsigned,
    Signed {
        member: SigMember,
        message: Vec<u8>,
    },
    /// A `signature` member that is not in the one form this format allows.
    Malformed(String),
}

fn field<'a>(s: &'a [u8], name: &str, last: bool) -> Option<(&'a str, &'a [u8])> {
    let pre = format!("\"{name}\":\"");
    let rest = s.strip_prefix(pre.as_bytes())?;
    let end = rest.iter().position(|&c| c == b'"')?;
    let v = std::str::from_utf8(&rest[..end]).ok()?;
    let ok = v
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='));
    let after = &rest[end + 1..];
    let after = if last {
        after.strip_prefix(b"}")?
    } else {
        after.strip_prefix(b",")?
    };
    ok.then_some((v, after))
}

/// Finds and cuts out the signature member of a line's head.
pub fn find(head: &[u8]) -> Found {
    // built once: building a finder per line cost verify as much as searching
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new(MARK));
    let mut hits = finder.find_iter(head);
    let Some(first) = hits.next() else {
        return Found::Unsigned;
    };
    let malformed = |why: &str| Found::Malformed(why.to_string());
    if hits.next().is_some() {
        return malformed("more than one `signature` member");
    }
    if !head[first..].starts_with(OPEN) {
        return malformed("the `signature` member is not {\"alg\",\"key\",\"meaning\",\"value\"}");
    }
    let Some(close) = head.len().checked_sub(PREV_TAIL + 1) else {
        return malformed("the line is too short");
    };
    if head[close] != b'}' || !head[close + 1..].starts_with(b",\"prev\":\"") {
        return malformed("`body` is not followed by `prev`");
    }
    let inner = &head[first + MARK.len() + 1..close];
    let parsed = field(inner, "alg", false).and_then(|(alg, r)| {
        let (key, r) = field(r, "key", false)?;
        let (meaning, r) = field(r, "meaning", false)?;
        let (value, r) = field(r, "value", true)?;
        r.is_empty().then(|| SigMember {
            alg: alg.into(),
            key: key.into(),
            meaning: meaning.into(),
            value: value.into(),
        })
    });
    let Some(member) = parsed else {
        return malformed(
            "the `signature` member must be the last member of body, exactly {\"alg\",\"key\",\"meaning\",\"value\"}",
        );
    };
    let cut = match head.get(first.wrapping_sub(1)) {
        Some(b',') => first - 1,
        Some(b'{') => first,
        _ => return malformed("`signature` is not a member of body"),
    };
    let mut message = Vec::with_capacity(head.len() + 1 - (close - cut));
    message.extend_from_slice(&head[..cut]);
    message.extend_from_slice(&head[close..]);
    message.push(b'}');
    Found::Signed { member, message }
}

/// One person on a roster: the key the log pins for them.
#[derive(Debug, Clone, PartialEq)]
pub struct Signer {
    pub owner: String,
    pub name: String,
    pub role: String,
    pub public: String,
    pub key: VerifyingKey,
}

/// Public keys by fingerprint: pinned in the open record, or a roster held elsewhere.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roster {
    pub by_fingerprint: BTreeMap<String, Signer>,
}

impl Roster {
    /// Adds `owner`'s key (`ed25519:<base64>`).
    pub fn add(&mut self, owner: &str, name: &str, role: &str, public: &str) -> Result<(), String> {
        let key = sign::parse_public(public).map_err(|e| format!("{owner}: {e}"))?;
        self.by_fingerprint.insert(
            sign::fingerprint(&key),
            Signer {
                owner: owner.into(),
                name: name.into(),
                role: role.into(),
                public: public.into(),
                key,
            },
        );
        Ok(())
    }

    /// The key pinned for `owner`, if any.
    pub fn of_owner(&self, owner: &str) -> Option<&Signer> {
        self.by_fingerprint.values().find(|s| s.owner == owner)
    }

    /// The `signers` member of an open record body (keys that do not parse are skipped:
    /// signatures by them then show as `unknown key`).
    pub fn from_open_body(body: &Value) -> Roster {
        let mut r = Roster::default();
        if let Some(map) = body.get("signers").and_then(Value::as_object) {
            for (owner, s) in map {
                let get = |k| s.get(k).and_then(Value::as_str).unwrap_or("");
                let _ = r.add(owner, get("name"), get("role"), get("key"));
            }
        }
        r
    }

    /// The `signers` member for an open record body: owner -> {key, name, role}.
    pub fn open_body_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for s in self.by_fingerprint.values() {
            m.insert(
                s.owner.clone(),
                serde_json::json!({"key": s.public, "name": s.name, "role": s.role}),
            );
        }
        Value::Object(m)
    }

    /// A roster held elsewhere: any TOML file with `[[owner]]` tables
    /// (`id`, `signing_key`, optional `name`, `role`), such as the runbook itself.
    pub fn from_toml(text: &str) -> Result<Roster, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut r = Roster::default();
        let owners = table
            .get("owner")
            .and_then(toml::Value::as_array)
            .ok_or("no [[owner]] tables")?;
        for o in owners {
            let get = |k| o.get(k).and_then(toml::Value::as_str).unwrap_or("");
            if get("signing_key").is_empty() {
                continue;
            }
            r.add(get("id"), get("name"), get("role"), get("signing_key"))?;
        }
        Ok(r)
    }
}

/// The meaning a signature on this record must state.
pub fn expected_meaning(kind: &str, decision_type: Option<&str>) -> Option<Meaning> {
    match kind {
        "decision" => Some(Meaning::of_decision(decision_type.unwrap_or(""))),
        "amend" | "step" => Some(Meaning::Authorship),
        "review" => Some(Meaning::Review),
        _ => None,
    }
}

/// The verdict on one record's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Verified {
        owner: String,
        key: String,
        meaning: String,
    },
    Bad(String),
    UnknownKey(String),
}

impl Verdict {
    /// The word `cutover verify` prints.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Verified { .. } => "verified",
            Verdict::Bad(_) => "bad signature",
            Verdict::UnknownKey(_) => "unknown key",
        }
    }
}

/// Checks a signed record against the pinned roster (and one held elsewhere).
pub fn check(
    member: &SigMember,
    message: &[u8],
    actor: &str,
    want: Option<Meaning>,
    pinned: &Roster,
    elsewhere: Option<&Roster>,
) -> Verdict {
    if member.alg != "ed25519" {
        return Verdict::Bad(format!("unknown signature algorithm {:?}", member.alg));
    }
    let Some(signer) = pinned.by_fingerprint.get(&member.key) else {
        return Verdict::UnknownKey(format!(
            "key {} is not on the roster pinned in the open record",
            member.key
        ));
    };
    if signer.owner != actor {
        return Verdict::UnknownKey(format!(
            "key {} belongs to {}, but the record's actor is {actor}",
            member.key, signer.owner
        ));
    }
    if let Some(other) = elsewhere {
        match other.by_fingerprint.get(&member.key) {
            Some(s) if s.owner == actor => {}
            _ => {
                return Verdict::UnknownKey(format!(
                    "key {} is not {actor}'s key in the roster given with --keys \
                     (the open record's roster was changed, or the key was replaced)",
                    member.key
                ))
            }
        }
    }
    if let Some(m) = want {
        if member.meaning != m.as_str() {
            return Verdict::Bad(format!(
                "the signature states meaning {:?}; this record's meaning is {:?}",
                member.meaning,
                m.as_str()
            ));
        }
    }
    if !sign::verify_b64(&signer.key, message, &member.value) {
        return Verdict::Bad(format!(
            "{actor}'s signature does not verify over this record (altered, forged, or moved from another record)"
        ));
    }
    Verdict::Verified {
        owner: signer.owner.clone(),
        key: member.key.clone(),
        meaning: member.meaning.clone(),
    }
}

/// Pins the roster's public keys (`signers`: owner -> key, name, role) and
/// `require_signature` in an open record body, so `verify` needs nothing but
/// the log. A body is left as it is when the runbook uses no signatures.
pub fn pin_roster(
    mut body: serde_json::Value,
    rb: &crate::core::runbook::Runbook,
) -> serde_json::Value {
    let mut roster = Roster::default();
    for o in &rb.owners {
        if let Some(k) = &o.signing_key {
            // a key that is not a curve point stays unpinned: its signatures show as unknown
            let _ = roster.add(&o.id, &o.name, &o.role, k);
        }
    }
    if roster.by_fingerprint.is_empty() && rb.require_signature.is_empty() {
        return body;
    }
    if let Some(b) = body.as_object_mut() {
        b.insert("signers".into(), roster.open_body_json());
        b.insert(
            "require_signature".into(),
            serde_json::json!(rb.require_signature),
        );
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(body: &str) -> String {
        format!(
            "{{\"seq\":3,\"ts\":\"2026-11-28T22:00:00.000Z\",\"kind\":\"decision\",\"actor\":\"dana\",\"phase\":null,\"body\":{body},\"prev\":\"{}\"}}",
            "0".repeat(64)
        )
    }

    #[test]
    fn a_spliced_member_is_cut_back_out_to_the_signed_bytes() {
        let key = Unlocked::generate("dana").unwrap();
        for body in [r#"{"rationale":"ok","type":"go"}"#, "{}"] {
            let c = canon(body);
            let m = SigMember::sign(&key, Meaning::Responsibility, c.as_bytes());
            let signed = splice(&c, &m).unwrap();
            let v: Value = serde_json::from_str(&signed).unwrap();
            assert_eq!(v["body"]["signature"]["meaning"], "responsibility");
            let head = &signed.as_bytes()[..signed.len() - 1];
            let Found::Signed { member, message } = find(head) else {
                panic!("not found in {signed}")
            };
            assert_eq!(member, m);
            assert_eq!(message, c.as_bytes());
        }
        assert!(matches!(
            find(canon("{}").trim_end_matches('}').as_bytes()),
            Found::Unsigned
        ));
    }

    #[test]
    fn a_member_in_another_form_is_malformed() {
        let c = canon(r#"{"signature":{"alg":"ed25519","key":"ab","value":"x"},"type":"go"}"#);
        let head = &c.as_bytes()[..c.len() - 1];
        assert!(matches!(find(head), Found::Malformed(_)));
    }

    #[test]
    fn check_names_unknown_keys_wrong_actors_and_bad_signatures() {
        let dana = Unlocked::generate("dana").unwrap();
        let eve = Unlocked::generate("eve").unwrap();
        let mut pinned = Roster::default();
        let pub_text = sign::public_text(&dana.public());
        pinned
            .add("dana", "Dana Ruiz", "Commander", &pub_text)
            .unwrap();
        let msg = b"record";
        let m = SigMember::sign(&dana, Meaning::Approval, msg);
        let want = Some(Meaning::Approval);
        assert_eq!(
            check(&m, msg, "dana", want, &pinned, None).word(),
            "verified"
        );
        assert_eq!(
            check(&m, b"other", "dana", want, &pinned, None).word(),
            "bad signature"
        );
        assert_eq!(
            check(&m, msg, "sam", want, &pinned, None).word(),
            "unknown key"
        );
        let wrong = Some(Meaning::Authorship);
        assert_eq!(
            check(&m, msg, "dana", wrong, &pinned, None).word(),
            "bad signature"
        );
        let e = SigMember::sign(&eve, Meaning::Approval, msg);
        assert_eq!(
            check(&e, msg, "dana", want, &pinned, None).word(),
            "unknown key"
        );
        let elsewhere = Roster::default();
        assert_eq!(
            check(&m, msg, "dana", want, &pinned, Some(&elsewhere)).word(),
            "unknown key"
        );
        let body = serde_json::json!({"signers": pinned.open_body_json()});
        assert_eq!(Roster::from_open_body(&body), pinned);
        let toml = format!("[[owner]]\nid = \"dana\"\nname = \"Dana Ruiz\"\nrole = \"Commander\"\nsigning_key = \"{pub_text}\"\n");
        assert_eq!(Roster::from_toml(&toml).unwrap(), pinned);
    }
}
