//! Signed actions from followers (`cutover follow --key`), in two requests:
//!
//! - `POST /api/act/prepare` with an action: `200 {"canon", "meaning",
//!   "seq"}`, the exact unsigned record the follower must sign, or `403`
//!   with the refusal (the core's rules answer before anything is signed).
//! - `POST /api/act/signed` with `{"action", "signature": {"alg", "key",
//!   "meaning", "value"}}`: `200` acknowledged, `403` refused (a bad
//!   signature, a key not pinned for the caller), or `409 {"result":
//!   "retry"}` when the log moved on while the follower signed (nothing was
//!   written; prepare and sign again).
//!
//! The server holds no follower's key: it checks and writes what it gets.

use super::reply::{act_answer, error, not_finished, read_json, Caller};
use super::ServeState;
use crate::core::cockpit::Action;
use crate::journal::signed::SigMember;
use crate::session_port::SignedAnswer;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

/// The body of `POST /api/act/signed`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedAct {
    action: Action,
    signature: SignatureIn,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureIn {
    alg: String,
    key: String,
    meaning: String,
    value: String,
}

/// `POST /api/act/prepare`: the record the caller must sign for the action.
pub(super) async fn prepare(
    State(st): State<ServeState>,
    Extension(Caller(owner)): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let action: Action = match read_json(&headers, body, st.max_body).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let session = st.session.clone();
    let actor = owner.clone();
    let done = tokio::task::spawn_blocking(move || session.prepare_signed(&actor, action)).await;
    match done {
        Ok(Ok(p)) => (
            StatusCode::OK,
            Json(json!({"canon": p.canon, "meaning": p.meaning.as_str(), "seq": p.seq})),
        )
            .into_response(),
        Ok(Err(message)) => {
            log::info!("serve: refused to prepare an action by {owner}: {message}");
            error(
                StatusCode::FORBIDDEN,
                json!({"result": "refused", "message": message}),
            )
        }
        Err(e) => not_finished(&owner, &e),
    }
}

/// `POST /api/act/signed`: the action with the caller's signature over the
/// prepared record.
pub(super) async fn act_signed(
    State(st): State<ServeState>,
    Extension(Caller(owner)): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let req: SignedAct = match read_json(&headers, body, st.max_body).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let member = SigMember {
        alg: req.signature.alg,
        key: req.signature.key,
        meaning: req.signature.meaning,
        value: req.signature.value,
    };
    let session = st.session.clone();
    let actor = owner.clone();
    let done =
        tokio::task::spawn_blocking(move || session.act_signed(&actor, req.action, member)).await;
    if let Some(f) = &st.on_change {
        f();
    }
    match done {
        Ok(SignedAnswer::Done(r)) => act_answer(&owner, r),
        Ok(SignedAnswer::Retry(message)) => error(
            StatusCode::CONFLICT,
            json!({"result": "retry", "message": message}),
        ),
        Err(e) => not_finished(&owner, &e),
    }
}
