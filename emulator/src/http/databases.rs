//! Schema routes: databases, collections, attributes, indexes. All need the API key.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{get, patch, post};
use axum::Router;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{array_param, json, no_content, Body, Ctx, QueryString, COLLECTION};
use crate::attribute::{Attribute, Kind};
use crate::auth::{normalize_permissions, Scope};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::query::{self, ListSpec};
use crate::state::AppState;
use crate::store::schema::{self, AttributeUpdate, Database, Index};

/// The routes of databases, collections, attributes and indexes.
pub(super) fn router() -> Router<Arc<AppState>> {
    let collection = COLLECTION;
    Router::new()
        .route("/v1/databases", post(create_database).get(list_databases))
        .route(
            "/v1/databases/{database_id}",
            get(get_database).put(update_database).delete(delete_database),
        )
        .route(
            "/v1/databases/{database_id}/collections",
            post(create_collection).get(list_collections),
        )
        .route(
            collection,
            get(get_collection)
                .put(update_collection)
                .delete(delete_collection),
        )
        .route(&format!("{collection}/attributes"), get(list_attributes))
        .route(
            &format!("{collection}/attributes/{{key}}"),
            post(create_attribute).get(get_attribute).delete(delete_attribute),
        )
        .route(
            &format!("{collection}/attributes/{{kind}}/{{key}}"),
            patch(update_attribute),
        )
        .route(
            &format!("{collection}/indexes"),
            post(create_index).get(list_indexes),
        )
        .route(
            &format!("{collection}/indexes/{{key}}"),
            get(get_index).delete(delete_index),
        )
}

// Path parameters: the database; the database and collection; those and an attribute or index key.
type DatabasePath = Path<String>;
type CollectionPath = Path<(String, String)>;
type ItemPath = Path<(String, String, String)>;

// What each list route lets its queries name (Appwrite's `Queries\*` validators).
const DATABASES: ListSpec = ListSpec {
    allowed: &["name"],
    cursor_key: "$id",
    resource: "Database",
    searchable: true,
};
const COLLECTIONS: ListSpec = ListSpec {
    allowed: &["name", "enabled", "documentSecurity"],
    cursor_key: "$id",
    resource: "Collection",
    searchable: true,
};
const ATTRIBUTES: ListSpec = ListSpec {
    allowed: &["key", "type", "size", "required", "array", "status"],
    cursor_key: "key",
    resource: "Attribute",
    searchable: false,
};
const INDEXES: ListSpec = ListSpec {
    allowed: &["key", "type", "status", "error"],
    cursor_key: "key",
    resource: "Index",
    searchable: false,
};

/// A list answer for `items`, paged and filtered by the request's `queries` and `search`.
fn list_page<T>(
    name: &str,
    spec: &ListSpec,
    pairs: &[(String, String)],
    items: &[T],
    model: impl Fn(&T) -> Value,
) -> ApiResult<Response> {
    let queries = query::parse_all(&array_param(pairs, "queries"))?;
    let search = pairs.iter().find(|(k, _)| k == "search").map(|(_, v)| v.as_str());
    let (page, total) = query::page(items.iter().map(model).collect(), &queries, search, spec)?;
    let total = if super::total_param(pairs)? { total } else { 0 };
    Ok(json(
        StatusCode::OK,
        serde_json::json!({"total": total, name: page}),
    ))
}

fn name_param(body: &Body, name: &str) -> ApiResult<String> {
    let value = body.string(name)?;
    if value.is_empty() || value.chars().count() > 128 {
        return Err(ApiError::param(
            name,
            "Value must be a valid string and at least 1 chars and no longer than 128 chars",
        ));
    }
    Ok(value)
}

async fn create_database(State(state): State<Arc<AppState>>, ctx: Ctx, body: Body) -> ApiResult<Response> {
    ctx.caller.require_key("databases.write")?;
    let id = ids::custom_id("databaseId", &body.string("databaseId")?)?;
    let name = name_param(&body, "name")?;
    let enabled = body.bool_or("enabled", true)?;
    // Appwrite records which API made a database (its `type`).
    let kind = if super::tablesdb::current() {
        "tablesdb"
    } else {
        "legacy"
    };
    let database = state
        .db(move |c| schema::create_database(c, &id, &name, enabled, kind))
        .await?;
    Ok(json(StatusCode::CREATED, database.to_json()))
}

async fn list_databases(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    QueryString(pairs): QueryString,
) -> ApiResult<Response> {
    ctx.caller.require_key("databases.read")?;
    let databases = state.db(|c| schema::list_databases(c)).await?;
    list_page("databases", &DATABASES, &pairs, &databases, Database::to_json)
}

async fn get_database(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(db): DatabasePath,
) -> ApiResult<Response> {
    ctx.caller.require_key("databases.read")?;
    let database = state.db(move |c| schema::get_database(c, &db)).await?;
    Ok(json(StatusCode::OK, database.to_json()))
}

async fn update_database(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(db): DatabasePath,
    body: Body,
) -> ApiResult<Response> {
    ctx.caller.require_key("databases.write")?;
    let name = name_param(&body, "name")?;
    let enabled = body.bool_or("enabled", true)?;
    let database = state
        .db(move |c| schema::update_database(c, &db, &name, enabled))
        .await?;
    Ok(json(StatusCode::OK, database.to_json()))
}

async fn delete_database(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(db): DatabasePath,
) -> ApiResult<Response> {
    ctx.caller.require_key("databases.write")?;
    state.db(move |c| schema::delete_database(c, &db)).await?;
    Ok(no_content())
}

async fn create_collection(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(db): DatabasePath,
    body: Body,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.write")?;
    let id = ids::custom_id("collectionId", &body.string("collectionId")?)?;
    let name = name_param(&body, "name")?;
    let permissions = normalize_permissions(
        &body.strings("permissions")?.unwrap_or_default(),
        Scope::Collection,
    )?;
    let document_security = body.bool_or("documentSecurity", false)?;
    let enabled = body.bool_or("enabled", true)?;
    let collection = state
        .db(move |c| schema::create_collection(c, &db, &id, &name, &permissions, document_security, enabled))
        .await?;
    Ok(json(
        StatusCode::CREATED,
        collection.to_json(state.realtime.version),
    ))
}

async fn list_collections(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(db): DatabasePath,
    QueryString(pairs): QueryString,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.read")?;
    let collections = state.db(move |c| schema::list_collections(c, &db)).await?;
    list_page("collections", &COLLECTIONS, &pairs, &collections, |collection| {
        collection.to_json(state.realtime.version)
    })
}

async fn get_collection(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.read")?;
    let collection = state.db(move |c| schema::load_collection(c, &db, &col)).await?;
    Ok(json(StatusCode::OK, collection.to_json(state.realtime.version)))
}

async fn update_collection(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    body: Body,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.write")?;
    let name = name_param(&body, "name")?;
    let permissions = body
        .strings("permissions")?
        .map(|p| normalize_permissions(&p, Scope::Collection))
        .transpose()?;
    // Omitting documentSecurity resets it to false, exactly as Appwrite's PUT does.
    let document_security = body.bool_or("documentSecurity", false)?;
    let enabled = body.bool_or("enabled", true)?;
    if body.bool_or("purge", false)? {
        state.list_cache.purge(&format!("{db}/{col}"));
    }
    let collection = state
        .db(move |c| {
            schema::update_collection(
                c,
                &db,
                &col,
                &name,
                permissions.as_deref(),
                document_security,
                enabled,
            )
        })
        .await?;
    Ok(json(StatusCode::OK, collection.to_json(state.realtime.version)))
}

async fn delete_collection(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.write")?;
    state.db(move |c| schema::delete_collection(c, &db, &col)).await?;
    Ok(no_content())
}

// Like Appwrite's database worker: new attributes and indexes become `available` (or `failed`)
// a little after the request that created them.
fn after_delay(
    state: &Arc<AppState>,
    work: impl FnOnce(&mut rusqlite::Connection) -> ApiResult<()> + Send + 'static,
) {
    let delay = state.attribute_delay;
    let worker = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let _ = worker.db(work).await;
    });
}

fn int_param(body: &Body, name: &str) -> ApiResult<Option<i64>> {
    match body.0.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::param(name, "Value must be a valid integer")),
    }
}

fn float_param(body: &Body, name: &str) -> ApiResult<Option<f64>> {
    match body.0.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| ApiError::param(name, "Value must be a valid float")),
    }
}

/// `min` or `max` of an integer (`Integer`) or float (`FloatValidator`) attribute update.
fn range_param(route: &str, body: &Body, name: &str) -> ApiResult<Option<Value>> {
    Ok(match route {
        "integer" => int_param(body, name)?.map(Value::from),
        _ => float_param(body, name)?.map(Value::from),
    })
}

fn elements_param(body: &Body) -> ApiResult<Vec<String>> {
    let elements = body
        .strings("elements")?
        .ok_or_else(|| ApiError::missing_param("elements"))?;
    // An empty list passes here; the attribute's own check refuses it.
    if elements.len() > 100 || elements.iter().any(|e| e.is_empty() || e.chars().count() > 255) {
        return Err(ApiError::param(
            "elements",
            "Value must a valid array no longer than 100 items and Value must be a valid string and at least 1 chars and no longer than 255 chars",
        ));
    }
    Ok(elements)
}

fn non_empty(elements: Vec<String>) -> ApiResult<Vec<String>> {
    if elements.is_empty() {
        return Err(ApiError::with(
            crate::error::ErrorType::attribute_value_invalid,
            "Enum elements must not be empty",
        ));
    }
    Ok(elements)
}

/// The `default` parameter, checked by the validator each attribute route gives it.
fn default_param(route: &str, body: &Body) -> ApiResult<Value> {
    let value = body.0.get("default").cloned().unwrap_or(Value::Null);
    match crate::attribute::default_type_error(route, &value) {
        None => Ok(value),
        Some(reason) => Err(ApiError::param("default", reason)),
    }
}

/// Appwrite's `APP_DATABASE_ENCRYPT_SIZE_MIN`.
const ENCRYPT_SIZE_MIN: i64 = 150;

fn kind_from_body(route: &str, body: &Body) -> ApiResult<Kind> {
    Ok(match route {
        "string" => {
            let size = int_param(body, "size")?.ok_or_else(|| ApiError::missing_param("size"))?;
            if !(1..=1_073_741_824).contains(&size) {
                return Err(ApiError::param(
                    "size",
                    "Value must be a valid range between 1 and 1,073,741,824",
                ));
            }
            let encrypt = body.bool_or("encrypt", false)?;
            if encrypt && size < ENCRYPT_SIZE_MIN {
                return Err(ApiError::with(
                    crate::error::ErrorType::general_bad_request,
                    format!("Size too small. Encrypted strings require a minimum size of {ENCRYPT_SIZE_MIN} characters."),
                ));
            }
            Kind::String { size, encrypt }
        }
        "integer" => {
            let min = int_param(body, "min")?.unwrap_or(i64::MIN);
            let max = int_param(body, "max")?.unwrap_or(i64::MAX);
            if min > max {
                return Err(ApiError::with(
                    crate::error::ErrorType::attribute_value_invalid,
                    "Minimum value must be lesser than maximum value",
                ));
            }
            Kind::Integer { min, max }
        }
        "float" => {
            let min = float_param(body, "min")?.unwrap_or(-f64::MAX);
            let max = float_param(body, "max")?.unwrap_or(f64::MAX);
            if min > max {
                return Err(ApiError::with(
                    crate::error::ErrorType::attribute_value_invalid,
                    "Minimum value must be lesser than maximum value",
                ));
            }
            Kind::Float { min, max }
        }
        "boolean" => Kind::Boolean,
        "datetime" => Kind::Datetime,
        "email" => Kind::Email,
        "url" => Kind::Url,
        "ip" => Kind::Ip,
        "enum" => Kind::Enum {
            elements: non_empty(elements_param(body)?)?,
        },
        _ => return Err(ApiError::new(crate::error::ErrorType::general_route_not_found)),
    })
}

async fn create_attribute(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, route)): ItemPath,
    body: Body,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.write")?;
    let kind = kind_from_body(&route, &body)?;
    let attribute = Attribute {
        seq: 0,
        key: body.string("key")?,
        kind,
        required: body.bool("required")?,
        array: body.bool_or("array", false)?,
        default: default_param(&route, &body)?,
        status: String::new(),
        error: String::new(),
        created: String::new(),
        updated: String::new(),
    };
    let (db2, col2) = (db.clone(), col.clone());
    let attribute = state
        .db(move |c| schema::create_attribute(c, &db2, &col2, attribute))
        .await?;
    let seq = attribute.seq;
    after_delay(&state, move |c| schema::finish_attribute(c, seq));
    Ok(json(StatusCode::ACCEPTED, attribute.to_json()))
}

async fn list_attributes(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    QueryString(pairs): QueryString,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.read")?;
    let attributes = state.db(move |c| schema::list_attributes(c, &db, &col)).await?;
    list_page("attributes", &ATTRIBUTES, &pairs, &attributes, Attribute::to_json)
}

async fn get_attribute(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, key)): ItemPath,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.read")?;
    let attribute = state
        .db(move |c| schema::get_attribute(c, &db, &col, &key))
        .await?;
    Ok(json(StatusCode::OK, attribute.to_json()))
}

async fn update_attribute(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, route, key)): Path<(String, String, String, String)>,
    body: Body,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.write")?;
    if !body.0.contains_key("default") {
        return Err(ApiError::missing_param("default"));
    }
    let update = AttributeUpdate {
        required: body.bool("required")?,
        default: default_param(&route, &body)?,
        size: int_param(&body, "size")?,
        min: range_param(&route, &body, "min")?,
        max: range_param(&route, &body, "max")?,
        elements: if route == "enum" {
            Some(elements_param(&body)?)
        } else {
            None
        },
        new_key: body.optional_string("newKey")?,
    };
    let attribute = state
        .db(move |c| schema::update_attribute(c, &db, &col, &route, &key, update))
        .await?;
    Ok(json(StatusCode::OK, attribute.to_json()))
}

async fn delete_attribute(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, key)): ItemPath,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.write")?;
    state
        .db(move |c| schema::delete_attribute(c, &db, &col, &key))
        .await?;
    Ok(no_content())
}

async fn create_index(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    body: Body,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.write")?;
    let key = body.string("key")?;
    ids::check_key("key", &key)?;
    let kind = body.string("type")?;
    if !matches!(kind.as_str(), "key" | "unique" | "fulltext") {
        return Err(ApiError::param(
            "type",
            "Value must be one of (key, fulltext, unique, spatial)",
        ));
    }
    let attributes = body
        .strings("attributes")?
        .ok_or_else(|| ApiError::missing_param("attributes"))?;
    if attributes.len() > 100 {
        return Err(ApiError::param("attributes", "Value must a valid array no longer than 100 items and Value must be a valid string and at least 1 chars and no longer than 255 chars"));
    }
    let orders = index_list(
        &body,
        "orders",
        "Value must a valid array no longer than 100 items and Value must be one of (ASC, DESC)",
        |v| matches!(v.as_str(), Some("ASC" | "DESC")),
    )?;
    let lengths = index_list(
        &body,
        "lengths",
        "Value must a valid array no longer than 100 items and Value must be a valid integer",
        |v| v.is_null() || v.is_i64(),
    )?;
    let request = schema::IndexRequest {
        version: state.realtime.version,
        key,
        kind,
        attributes,
        orders,
        lengths,
    };
    let (db2, col2) = (db.clone(), col.clone());
    let index = state
        .db(move |c| schema::create_index(c, &db2, &col2, request))
        .await?;
    let seq = index.seq;
    after_delay(&state, move |c| schema::finish_index(c, &db, &col, seq));
    Ok(json(StatusCode::ACCEPTED, index.to_json()))
}

/// An optional array parameter of an index whose items must each pass `valid`.
fn index_list(
    body: &Body,
    name: &str,
    message: &str,
    valid: impl Fn(&Value) -> bool,
) -> ApiResult<Vec<Value>> {
    match body.0.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) if items.len() <= 100 && items.iter().all(valid) => Ok(items.clone()),
        Some(_) => Err(ApiError::param(name, message)),
    }
}

async fn list_indexes(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    QueryString(pairs): QueryString,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.read")?;
    let indexes = state.db(move |c| schema::list_indexes(c, &db, &col)).await?;
    list_page("indexes", &INDEXES, &pairs, &indexes, Index::to_json)
}

async fn get_index(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, key)): ItemPath,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.read")?;
    let index = state.db(move |c| schema::get_index(c, &db, &col, &key)).await?;
    Ok(json(StatusCode::OK, index.to_json()))
}

async fn delete_index(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, key)): ItemPath,
) -> ApiResult<Response> {
    ctx.caller.require_key("collections.write")?;
    state
        .db(move |c| schema::delete_index(c, &db, &col, &key))
        .await?;
    Ok(no_content())
}
