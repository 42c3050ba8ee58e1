//! The HTTP routes: `/api/*` behind the bearer token and rate limit,
//! `/metrics` open (loopback by default). Bodies are documented in docs/team.md.

use super::{sse, ServeState};
use crate::app::session::lock;
use crate::core::cockpit::Action;
use crate::core::export::{log_head_text, prometheus_text};
use crate::core::sanitize::inert;
use crate::core::time::Ts;
use crate::tui::ActResult;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::json;

/// The authenticated owner of a request.
#[derive(Debug, Clone)]
pub(super) struct Caller(pub String);

pub(super) fn router(state: ServeState) -> Router {
    Router::new()
        .route("/api/view", get(view))
        .route("/api/events", get(sse::events))
        .route("/api/act", post(act))
        .route("/api/act/prepare", post(super::signed::prepare))
        .route("/api/act/signed", post(super::signed::act_signed))
        .route_layer(middleware::from_fn_with_state(state.clone(), authorize))
        .route("/metrics", get(metrics))
        .with_state(state)
}

pub(super) fn error(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

/// Bearer token -> owner, then the owner's rate limit. The 401 body is the
/// same whatever was wrong; the diagnostics line says which, never the token.
async fn authorize(State(st): State<ServeState>, mut req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    let presented = super::auth::bearer(header);
    let owner = presented
        .and_then(|t| st.tokens.owner_of(t))
        .map(str::to_string);
    let Some(owner) = owner else {
        let cause = match presented {
            None => "no bearer token",
            Some(_) => "a token that matches no [[token]] hash",
        };
        log::warn!(
            "serve: refused {} {}: {cause}",
            req.method(),
            req.uri().path()
        );
        return error(StatusCode::UNAUTHORIZED, json!({"error": "unauthorized"}));
    };
    let now = Ts(i64::try_from(st.started.elapsed().as_millis()).unwrap_or(i64::MAX));
    let limited = super::lock_limiter(&st).take(&owner, now);
    if let Err(wait) = limited {
        let secs = (wait.0 + 999) / 1000;
        log::warn!("serve: {owner} is over the rate limit; retry in {secs}s");
        let mut resp = error(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"error": "rate limited", "retry_after_s": secs}),
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    req.extensions_mut().insert(Caller(owner));
    next.run(req).await
}

/// `GET /api/view`: the cockpit as the caller sees it.
async fn view(
    State(st): State<ServeState>,
    Extension(Caller(owner)): Extension<Caller>,
) -> Response {
    let v = lock(&st.session).view_for(&owner);
    Json(v).into_response()
}

/// `POST /api/act`: one `Action` as JSON, done by the caller.
async fn act(
    State(st): State<ServeState>,
    Extension(Caller(owner)): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let action = match read_action(&headers, body, st.max_body).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let session = st.session.clone();
    let actor = owner.clone();
    // the core fsyncs decisions before acknowledging: keep that off the async workers
    let done = tokio::task::spawn_blocking(move || lock(&session).act_as(&actor, action)).await;
    if let Some(f) = &st.on_change {
        f();
    }
    match done {
        Ok(r) => act_answer(&owner, r),
        Err(e) => not_finished(&owner, &e),
    }
}

/// The HTTP answer to an action's result.
pub(super) fn act_answer(owner: &str, result: ActResult) -> Response {
    match result {
        ActResult::Acknowledged(message) => (
            StatusCode::OK,
            Json(json!({"result": "acknowledged", "message": message})),
        )
            .into_response(),
        ActResult::Refused(message) => {
            log::info!("serve: refused an action by {owner}: {message}");
            error(
                StatusCode::FORBIDDEN,
                json!({"result": "refused", "message": message}),
            )
        }
        ActResult::Pending => {
            (StatusCode::ACCEPTED, Json(json!({"result": "pending"}))).into_response()
        }
    }
}

/// An action's task panicked or was cancelled.
pub(super) fn not_finished(owner: &str, e: &tokio::task::JoinError) -> Response {
    log::error!("serve: an action by {owner} did not finish: {e}");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"error": "the action did not finish; check the cockpit's log pane"}),
    )
}

/// Content type, size cap, then JSON into an `Action` (unknown fields refused).
async fn read_action(headers: &HeaderMap, body: Body, max: usize) -> Result<Action, Response> {
    read_json(headers, body, max).await
}

/// Content type, size cap, then JSON into a `T` (unknown fields refused).
pub(super) async fn read_json<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    max: usize,
) -> Result<T, Response> {
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"error": "send the action with Content-Type: application/json"}),
        ));
    }
    let too_big = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"error": format!("request body over {max} bytes")}),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_big());
    }
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| too_big())?;
    serde_json::from_slice::<T>(&bytes).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            json!({"error": format!("invalid json: {}", json_message(&e))}),
        )
    })
}

/// serde's message, made inert and short: names a field or variant, never the body.
fn json_message(e: &serde_json::Error) -> String {
    let text = inert(&e.to_string());
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// `GET /metrics`: Prometheus text exposition.
async fn metrics(State(st): State<ServeState>) -> Response {
    let text = {
        let s = lock(&st.session);
        let mut t = prometheus_text(s.cockpit(), s.now());
        if let Some(seq) = s.head_seq() {
            t.push_str(&log_head_text(seq));
        }
        t
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
