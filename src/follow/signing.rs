//! `cutover follow --key`: the follower signs its own decisions on its own
//! machine. It asks the server for the exact record its action will write
//! (`/api/act/prepare`), checks that the record says what the person asked
//! (their name, the decision, their words), signs it, and sends the action
//! with the signature (`/api/act/signed`). When the log moved on meanwhile
//! the server writes nothing and asks again; that is retried a few times.

use crate::core::cockpit::Action;
use crate::follow::answer::{refused, said_by_status, ACT_TIMEOUT};
use crate::follow::stream::{without_url, FollowTarget};
use crate::sign::holder::{decision_type, KeyHolder};
use crate::sign::{Meaning, SigMember};
use crate::tui::view::{Toast, ToastKind};
use serde::Deserialize;
use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard};

/// The follower's unlocked key, shared with the task that posts.
pub type SharedHolder = Arc<Mutex<KeyHolder>>;

/// Tries when the log keeps moving between prepare and commit.
pub const TRIES: usize = 3;

/// Locks the holder, recovering from a poisoned lock.
pub fn lock_holder(h: &SharedHolder) -> MutexGuard<'_, KeyHolder> {
    match h.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// The refusal when the key locked itself after being idle.
pub const LOCKED: &str = "your signing key locked after 15 minutes without a keypress: \
     the screen asks its passphrase at the next signed action";

#[derive(Debug, Deserialize)]
struct PreparedIn {
    canon: String,
    meaning: String,
}

#[derive(Debug, Default, Deserialize)]
struct Answer {
    result: Option<String>,
    message: Option<String>,
    error: Option<String>,
}

/// The members of an action that a person types or picks, which its
/// decision record must hold as given.
const GIVEN_FIELDS: [&str; 13] = [
    "rationale",
    "reason",
    "statement",
    "text",
    "title",
    "phase",
    "role",
    "scope",
    "gate",
    "owner",
    "id",
    "to",
    "threshold",
];

/// Every string in `v` (recursively).
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Checks that `canon` (the record the server asks us to sign) is `owner`'s
/// decision for `action`, unsigned, with the meaning the server states.
/// `Err` says what is wrong; nothing is signed then.
pub fn check_prepared(
    canon: &str,
    owner: &str,
    action: &Action,
    meaning: &str,
) -> Result<Meaning, String> {
    let kind = decision_type(action).ok_or("this action is not a decision")?;
    let v: Value = serde_json::from_str(canon).map_err(|_| "the record is not JSON".to_string())?;
    if v["actor"] != owner || v["kind"] != "decision" || v["body"]["type"] != kind {
        return Err(format!("the record is not {owner}'s {kind} decision"));
    }
    if v["body"].get("signature").is_some() || v.get("hash").is_some() {
        return Err("the record is already signed or sealed".into());
    }
    if !(v["seq"].is_u64() && v["prev"].is_string()) {
        return Err("the record has no seq and prev".into());
    }
    let want = Meaning::of_decision(kind);
    if meaning != want.as_str() {
        return Err(format!(
            "the server asks for meaning {meaning:?}; a {kind} means {:?}",
            want.as_str()
        ));
    }
    // every word and id the person gave is in the record as given
    let mut body_strings = Vec::new();
    strings(&v["body"], &mut body_strings);
    let given = serde_json::to_value(action).unwrap_or(Value::Null);
    for field in GIVEN_FIELDS {
        let Some(g) = given.get(field).and_then(Value::as_str) else {
            continue;
        };
        if !g.is_empty() && !body_strings.iter().any(|b| b == g) {
            return Err(format!(
                "the record does not hold the {field} given for this action"
            ));
        }
    }
    Ok(want)
}

/// Sends `action` signed with the key in `holder`; the answer as a toast.
pub async fn post_signed(
    http: &reqwest::Client,
    target: &FollowTarget,
    action: &Action,
    holder: &SharedHolder,
) -> Toast {
    for _ in 0..TRIES {
        let prepared = match prepare(http, target, action).await {
            Ok(p) => p,
            Err(toast) => return toast,
        };
        let meaning =
            match check_prepared(&prepared.canon, &target.owner, action, &prepared.meaning) {
                Ok(m) => m,
                Err(why) => {
                    return refused(format!(
                    "not signed: the server asked to sign a record that is not this action ({why})"
                ))
                }
            };
        let (member, fingerprint) = {
            let mut h = lock_holder(holder);
            let Some(key) = h.unlocked(crate::clock::wall_now()) else {
                return refused(LOCKED.into());
            };
            (
                SigMember::sign(key, meaning, prepared.canon.as_bytes()),
                key.fingerprint(),
            )
        };
        let body = serde_json::json!({"action": action, "signature": member.json()});
        match post(http, target, "/api/act/signed", &body).await {
            Err(toast) => return toast,
            Ok((409, _)) => continue,
            Ok((200, a)) if a.result.as_deref() == Some("acknowledged") => {
                return Toast {
                    kind: ToastKind::Acknowledged,
                    message: format!(
                        "signed ({}, key {}…): {}",
                        meaning.as_str(),
                        &fingerprint[..8],
                        crate::core::sanitize::inert(&a.message.unwrap_or_default()),
                    ),
                }
            }
            Ok((code, a)) => return answer_toast(code, a),
        }
    }
    refused(format!(
        "not recorded: the log kept moving while signing ({TRIES} tries); try again"
    ))
}

fn answer_toast(code: u16, a: Answer) -> Toast {
    let text = crate::core::sanitize::inert(&a.message.or(a.error).unwrap_or_default());
    match code {
        403 => refused(text),
        _ => refused(format!("the server answered {code}: {text}")),
    }
}

async fn prepare(
    http: &reqwest::Client,
    target: &FollowTarget,
    action: &Action,
) -> Result<PreparedIn, Toast> {
    let resp = send(http, target, "/api/act/prepare", action).await?;
    let code = resp.status().as_u16();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| refused(format!("action not sent: {}", without_url(&e))))?;
    if code == 200 {
        return serde_json::from_slice::<PreparedIn>(&bytes)
            .map_err(|_| refused("not signed: the server's record to sign is unreadable".into()));
    }
    let a = serde_json::from_slice::<Answer>(&bytes).unwrap_or_default();
    Err(answer_toast(code, a))
}

async fn send(
    http: &reqwest::Client,
    target: &FollowTarget,
    path: &str,
    body: &impl serde::Serialize,
) -> Result<reqwest::Response, Toast> {
    let resp = http
        .post(target.url(path))
        .timeout(ACT_TIMEOUT)
        .header(reqwest::header::AUTHORIZATION, target.bearer())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(body).unwrap_or_default())
        .send()
        .await
        .map_err(|e| refused(format!("action not sent: {}", without_url(&e))))?;
    match said_by_status(resp.status().as_u16()) {
        Some(t) => Err(t),
        None => Ok(resp),
    }
}

async fn post(
    http: &reqwest::Client,
    target: &FollowTarget,
    path: &str,
    body: &Value,
) -> Result<(u16, Answer), Toast> {
    let resp = send(http, target, path, body).await?;
    let code = resp.status().as_u16();
    let a = match resp.bytes().await {
        Ok(b) => serde_json::from_slice::<Answer>(&b).unwrap_or_default(),
        Err(e) => {
            return Err(refused(format!(
                "the server's answer to the signed action was cut off ({}): check the log tail \
                 to see whether it was recorded",
                without_url(&e)
            )))
        }
    };
    Ok((code, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(actor: &str, body: &str) -> String {
        format!(
            "{{\"seq\":7,\"ts\":\"2026-11-28T22:00:00.000Z\",\"kind\":\"decision\",\"actor\":\"{actor}\",\"phase\":\"pilot\",\"body\":{body},\"prev\":\"{}\"}}",
            "0".repeat(64)
        )
    }

    #[test]
    fn only_the_persons_own_decision_with_their_words_is_signed() {
        let so = Action::SignOff {
            phase: "pilot".into(),
            role: "Radiology clinical lead".into(),
            statement: "images checked".into(),
        };
        let good = canon(
            "dr-lee",
            r#"{"type":"signoff","phase":"pilot","role":"Radiology clinical lead","rationale":"images checked"}"#,
        );
        assert_eq!(
            check_prepared(&good, "dr-lee", &so, "approval"),
            Ok(Meaning::Approval)
        );
        // someone else's record, another decision, other words, another meaning
        assert!(check_prepared(&good, "sam", &so, "approval").is_err());
        let go = canon("dr-lee", r#"{"type":"go","rationale":"images checked"}"#);
        assert!(check_prepared(&go, "dr-lee", &so, "approval").is_err());
        let other = canon(
            "dr-lee",
            r#"{"type":"signoff","phase":"pilot","role":"Radiology clinical lead","rationale":"nothing checked"}"#,
        );
        assert!(check_prepared(&other, "dr-lee", &so, "approval").is_err());
        assert!(check_prepared(&good, "dr-lee", &so, "review").is_err());
        assert!(check_prepared("not json", "dr-lee", &so, "approval").is_err());
        let step = Action::StepDone {
            step: "copy".into(),
        };
        assert!(check_prepared(&good, "dr-lee", &step, "approval").is_err());
    }
}
