//! Transaction routes (1.8 and later), under both `/v1/databases/transactions` and
//! `/v1/tablesdb/transactions`; the TablesDB ones name collections and documents `tableId` and
//! `rowId` in their operations.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

use super::{json, no_content, Body, Ctx};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::state::AppState;
use crate::store::transactions::{self, Operation, ACTIONS, MAX_OPERATIONS, TTL};
use crate::AppwriteVersion;

/// The names of an operation's collection and document keys.
#[derive(Clone, Copy)]
struct Dialect {
    group: &'static str,
    resource: &'static str,
}

const DATABASES: Dialect = Dialect {
    group: "collectionId",
    resource: "documentId",
};
const TABLESDB: Dialect = Dialect {
    group: "tableId",
    resource: "rowId",
};

/// The routes of transactions.
pub(super) fn router() -> Router<Arc<AppState>> {
    let mut router = Router::new();
    for (prefix, dialect) in [("/v1/databases", DATABASES), ("/v1/tablesdb", TABLESDB)] {
        let base = format!("{prefix}/transactions");
        router = router
            .route(&base, post(create).get(list))
            .route(
                &format!("{base}/{{transaction_id}}"),
                get(read).patch(update).delete(delete),
            )
            .route(
                &format!("{base}/{{transaction_id}}/operations"),
                post(move |state, ctx, path, body| stage(state, ctx, path, body, dialect)),
            );
    }
    router
}

// Transactions came with 1.8: older releases answer as for any unknown route.
fn available(state: &AppState) -> ApiResult<()> {
    if state.realtime.version < AppwriteVersion::V1_8 {
        return Err(ApiError::new(ErrorType::general_route_not_found));
    }
    Ok(())
}

async fn create(State(state): State<Arc<AppState>>, ctx: Ctx, body: Body) -> ApiResult<Response> {
    available(&state)?;
    let (low, high, default) = TTL;
    let ttl = match body.0.get("ttl") {
        None | Some(Value::Null) => default,
        Some(value) => value
            .as_i64()
            .filter(|ttl| (low..=high).contains(ttl))
            .ok_or_else(|| ApiError::param("ttl", "Value must be a valid range between 60 and 3,600"))?,
    };
    let caller = ctx.caller;
    let created = state.db(move |c| transactions::create(c, &caller, ttl)).await?;
    Ok(json(StatusCode::CREATED, created))
}

async fn list(State(state): State<Arc<AppState>>, ctx: Ctx) -> ApiResult<Response> {
    available(&state)?;
    let caller = ctx.caller;
    let listed = state.db(move |c| transactions::list(c, &caller)).await?;
    Ok(json(StatusCode::OK, listed))
}

async fn read(State(state): State<Arc<AppState>>, ctx: Ctx, Path(id): Path<String>) -> ApiResult<Response> {
    available(&state)?;
    let caller = ctx.caller;
    let found = state.db(move |c| transactions::get(c, &caller, &id)).await?;
    Ok(json(StatusCode::OK, found))
}

async fn delete(State(state): State<Arc<AppState>>, ctx: Ctx, Path(id): Path<String>) -> ApiResult<Response> {
    available(&state)?;
    let caller = ctx.caller;
    state.db(move |c| transactions::delete(c, &caller, &id)).await?;
    Ok(no_content())
}

/// `PATCH …/transactions/{id}` with `commit` or `rollback`.
async fn update(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    available(&state)?;
    let (commit, rollback) = (body.bool_or("commit", false)?, body.bool_or("rollback", false)?);
    let caller = ctx.caller;
    let updated = match (commit, rollback) {
        (false, false) => {
            return Err(ApiError::with(
                ErrorType::general_bad_request,
                "Either commit or rollback must be true",
            ))
        }
        (true, true) => {
            return Err(ApiError::with(
                ErrorType::general_bad_request,
                "Cannot commit and rollback at the same time",
            ))
        }
        (true, false) => {
            state
                .write(move |c| transactions::commit(c, &caller, &id))
                .await?
        }
        (false, true) => state.db(move |c| transactions::rollback(c, &caller, &id)).await?,
    };
    Ok(json(StatusCode::OK, updated))
}

async fn stage(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Body,
    dialect: Dialect,
) -> ApiResult<Response> {
    available(&state)?;
    let operations = operations(&body, dialect)?;
    let caller = ctx.caller;
    let staged = state
        .db(move |c| transactions::stage(c, &caller, &id, &operations))
        .await?;
    Ok(json(StatusCode::CREATED, staged))
}

fn operations(body: &Body, dialect: Dialect) -> ApiResult<Vec<Operation>> {
    // Utopia's `ArrayList` of Appwrite's `Operation` validator: its text, then the item's.
    let invalid =
        |reason: &str| ApiError::param("operations", format!("Value must a valid array and {reason}"));
    let items = match body.0.get("operations") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("Value must be an array")),
    };
    if items.len() as i64 > MAX_OPERATIONS {
        return Err(ApiError::param(
            "operations",
            format!("Value must a valid array no longer than {MAX_OPERATIONS} items"),
        ));
    }
    items
        .iter()
        .map(|item| {
            check_operation(item, dialect).map_err(|reason| invalid(&reason))?;
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
            Ok(Operation {
                action: text("action").unwrap_or_default(),
                database_id: text("databaseId").unwrap_or_default(),
                collection_id: text(dialect.group).unwrap_or_default(),
                document_id: text(dialect.resource),
                data: item.get("data").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// Appwrite's `Operation` validator, rule for rule and with its texts.
fn check_operation(item: &Value, dialect: Dialect) -> Result<(), String> {
    let Some(item) = item.as_object() else {
        return Err("Value must be an array".to_owned());
    };
    let required = ["databaseId", "action", dialect.group];
    if let Some(missing) = required.iter().find(|key| !item.contains_key(**key)) {
        return Err(format!("Missing required key: {missing}"));
    }
    for key in required {
        if item[key].as_str().is_none_or(|v| v.trim().is_empty()) {
            return Err(format!("Key '{key}' must be a non\u{2011}empty string"));
        }
    }
    let action = item["action"].as_str().unwrap_or_default();
    if !ACTIONS.contains(&action) {
        return Err(format!("Key 'action' must be one of: {}", ACTIONS.join(", ")));
    }
    let single = ACTIONS[..6].contains(&action);
    if single && !item.contains_key(dialect.resource) {
        return Err(format!(
            "Key '{}' is required for action '{action}'",
            dialect.resource
        ));
    }
    if let Some(id) = item.get(dialect.resource) {
        if id.as_str().is_none_or(|v| v.trim().is_empty()) {
            return Err(format!("Key '{}' must be a non-empty string", dialect.resource));
        }
    }
    // PHP arrays: a JSON object or a list.
    let is_array = |v: &Value| v.is_object() || v.is_array();
    match item.get("data") {
        None if action != "delete" => return Err("Missing required key: data".to_owned()),
        Some(data) if !is_array(data) => return Err("Key 'data' must be an array".to_owned()),
        _ => {}
    }
    let data = item.get("data");
    if action == "bulkUpdate" || action == "bulkDelete" {
        let queries = data.and_then(|d| d.get("queries"));
        match queries {
            None => return Err(format!("Key 'queries' is required in data for {action}")),
            Some(q) if !is_array(q) => return Err(format!("Key 'queries' must be an array for {action}")),
            _ => {}
        }
    }
    if action == "bulkUpdate" {
        match data.and_then(|d| d.get("data")) {
            None => return Err(format!("Key 'data' is required in data for {action}")),
            Some(d) if !is_array(d) => return Err(format!("Key 'data.data' must be an array for {action}")),
            _ => {}
        }
    }
    if action == "increment" || action == "decrement" {
        let key = if dialect.group == "tableId" {
            "column"
        } else {
            "attribute"
        };
        if data.and_then(|d| d.get(key)).is_none() {
            return Err(format!("Key '{key}' is required in data for {action}"));
        }
        if data.and_then(|d| d.get("value")).is_some_and(|v| !v.is_number()) {
            return Err(format!("Key 'value' must be a numeric value for {action}"));
        }
    }
    Ok(())
}
