//! The REST API under `/v1`: one router per resource, the extractors and the responses.

mod databases;
mod documents;
mod extract;
mod format;
mod realtime;
mod users;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

pub(crate) use extract::{array_param, Body, Ctx, QueryString};

use crate::error::{ApiError, ErrorType};
use crate::state::AppState;

/// A JSON response with a status.
pub(crate) fn json(status: StatusCode, value: Value) -> Response {
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

async fn health_version() -> Response {
    json(
        StatusCode::OK,
        serde_json::json!({"version": crate::error::VERSION}),
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
        .fallback(route_not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.faults),
            crate::faults::hold_matching,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(extract::MAX_BODY))
        .with_state(state)
}

/// The routes under one collection.
pub(super) const COLLECTION: &str = "/v1/databases/{database_id}/collections/{collection_id}";
