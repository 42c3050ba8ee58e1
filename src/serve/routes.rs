//! The HTTP routes: `/api/*` behind the bearer token and rate limit,
//! `/metrics` open (loopback by default). Bodies are documented in docs/team.md.

use super::reply::{act_answer, error, not_finished, read_json, Caller};
use super::{sse, ServeState};
use crate::core::cockpit::Action;
use crate::core::time::Ts;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::json;

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
    let v = st.session.view_for(&owner);
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
    let done = tokio::task::spawn_blocking(move || session.act_as(&actor, action)).await;
    if let Some(f) = &st.on_change {
        f();
    }
    match done {
        Ok(r) => act_answer(&owner, r),
        Err(e) => not_finished(&owner, &e),
    }
}

/// Content type, size cap, then JSON into an `Action` (unknown fields refused).
async fn read_action(headers: &HeaderMap, body: Body, max: usize) -> Result<Action, Response> {
    read_json(headers, body, max).await
}

/// `GET /metrics`: Prometheus text exposition.
async fn metrics(State(st): State<ServeState>) -> Response {
    let text = st.session.prometheus_text();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
