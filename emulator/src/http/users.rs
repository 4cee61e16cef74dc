//! User routes (API key only) and JWT minting.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{self, post, put};
use axum::Router;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{json, json_list, Body, Ctx};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::state::AppState;
use crate::store::users;

/// The routes of users, labels and JWTs.
pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/users", post(create).get(list))
        .route("/v1/users/{user_id}", routing::get(get))
        .route("/v1/users/{user_id}/labels", put(update_labels))
        .route("/v1/users/{user_id}/jwts", post(create_jwt))
}

async fn create(State(state): State<Arc<AppState>>, ctx: Ctx, body: Body) -> ApiResult<Response> {
    ctx.caller.require_key("users.write")?;
    let id = ids::custom_id("userId", &body.string("userId")?)?;
    let name = body.optional_string("name")?.unwrap_or_default();
    let email = body.optional_string("email")?;
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(ApiError::param("email", "Value must be a valid email address"));
    }
    let phone = body.optional_string("phone")?;
    let user = state
        .db(move |c| users::create(c, &id, &name, email.as_deref(), phone.as_deref()))
        .await?;
    Ok(json(StatusCode::CREATED, user.to_json()))
}

async fn list(State(state): State<Arc<AppState>>, ctx: Ctx) -> ApiResult<Response> {
    ctx.caller.require_key("users.read")?;
    let users = state.db(|c| users::list(c)).await?;
    Ok(json_list("users", &users, users::User::to_json))
}

async fn get(State(state): State<Arc<AppState>>, ctx: Ctx, Path(id): Path<String>) -> ApiResult<Response> {
    ctx.caller.require_key("users.read")?;
    Ok(json(
        StatusCode::OK,
        state.db(move |c| users::get(c, &id)).await?.to_json(),
    ))
}

async fn update_labels(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    ctx.caller.require_key("users.write")?;
    let labels = body
        .strings("labels")?
        .ok_or_else(|| ApiError::missing_param("labels"))?;
    Ok(json(
        StatusCode::OK,
        state
            .db(move |c| users::set_labels(c, &id, &labels))
            .await?
            .to_json(),
    ))
}

/// `POST /v1/users/{id}/jwts`: `duration` in seconds (0–3600, default 900).
async fn create_jwt(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    ctx.caller.require_key("users.write")?;
    let duration = match body.0.get("duration") {
        None | Some(Value::Null) => 900,
        Some(v) => v
            .as_i64()
            .filter(|d| (0..=3600).contains(d))
            .ok_or_else(|| ApiError::param("duration", "Value must be a valid range between 0 and 3,600"))?,
    };
    let session = body.optional_string("sessionId")?.unwrap_or_default();
    let user = state.db(move |c| users::get(c, &id)).await?;
    let token = state
        .credentials
        .jwt
        .mint(&user.id, &session, chrono::Utc::now().timestamp(), duration);
    Ok(json(StatusCode::CREATED, json!({"jwt": token})))
}
