//! What every route shares: who is asking, how a refusal or an action's
//! result is answered, and how a JSON body is read (type, size cap, unknown
//! fields refused). A leaf the routes, the signed-action handlers and the
//! event stream all use, so none of them imports another for it.

use crate::core::sanitize::inert;
use crate::tui::ActResult;
use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The authenticated owner of a request.
#[derive(Debug, Clone)]
pub(super) struct Caller(pub String);

/// A JSON error answer with `status`.
pub(super) fn error(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
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
