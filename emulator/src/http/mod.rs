//! The REST API under `/v1`: one router per resource, the extractors and the responses.

mod databases;
mod documents;
mod extract;
mod format;
mod realtime;
pub(crate) mod tablesdb;
mod transactions;
mod users;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

pub(crate) use extract::{array_param, total_param, Body, Ctx, QueryString};
pub(crate) use format::Format;

use crate::error::{ApiError, ErrorType};
use crate::state::AppState;

/// A JSON response with a status.
pub(crate) fn json(status: StatusCode, mut value: Value) -> Response {
    tablesdb::answer_in_scope(&mut value);
    (status, Json(value)).into_response()
}

/// A list response: `{"total": n, "<name>": [...]}`, each item in its wire model.
pub(crate) fn json_list<T>(name: &str, items: &[T], model: impl Fn(&T) -> Value) -> Response {
    let items: Vec<Value> = items.iter().map(model).collect();
    json(
        StatusCode::OK,
        serde_json::json!({"total": items.len(), name: items}),
    )
}

/// `204 No Content`.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

async fn route_not_found() -> ApiError {
    ApiError::new(ErrorType::general_route_not_found)
}

async fn health_version(State(state): State<Arc<AppState>>) -> Response {
    json(
        StatusCode::OK,
        serde_json::json!({"version": state.realtime.version.reported()}),
    )
}

/// The whole REST API.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/health/version", get(health_version))
        .route("/v1/realtime", get(realtime::upgrade))
        .merge(databases::router())
        .merge(documents::router())
        .merge(users::router())
        .merge(transactions::router())
        .fallback(route_not_found)
        .layer(axum::middleware::map_response(appwrite_shaped))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.faults),
            crate::faults::hold_matching,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(extract::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            report_version,
        ))
        .with_state(state)
}

/// Error bodies carry the version of the release the emulator behaves as.
async fn report_version(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let version = state.realtime.version.reported();
    crate::error::REPORTED_VERSION
        .scope(version, next.run(request))
        .await
}

/// Errors raised by axum itself (a wrong method on a known route, a path that is not UTF-8, a
/// plain GET on the WebSocket route) come as plain text; clients expect Appwrite's JSON error.
async fn appwrite_shaped(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let error = match status {
        // Appwrite routes on method and path together: another method is another route.
        StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND => {
            ApiError::new(ErrorType::general_route_not_found)
        }
        status if status.is_server_error() => ApiError::internal(format!("axum answered {status}")),
        status => ApiError::with(
            ErrorType::general_argument_invalid,
            format!(
                "Invalid request: {}",
                status.canonical_reason().unwrap_or("bad request")
            ),
        ),
    };
    error.into_response()
}

/// `…/documents/` → `…/documents`, keeping the query string.
pub(crate) fn trim_trailing_slash(mut request: axum::extract::Request) -> axum::extract::Request {
    let uri = request.uri();
    let path = uri.path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let rebuilt = match uri.query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed.to_owned(),
        };
        if let Ok(new_uri) = rebuilt.parse() {
            *request.uri_mut() = new_uri;
        }
    }
    request
}

/// The routes under one collection.
pub(super) const COLLECTION: &str = "/v1/databases/{database_id}/collections/{collection_id}";
