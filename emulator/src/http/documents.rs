//! Document routes. Guests and users are allowed here, subject to permissions.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{self, patch, post};
use axum::Router;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{array_param, json, no_content, Body, Ctx, QueryString, COLLECTION};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::ids;
use crate::list_cache;
use crate::query::{self, Query};
use crate::state::AppState;
use crate::store::documents::{self, Change};
use crate::store::schema::{self, Collection};
use crate::store::transactions::{self, Operation};

/// The routes of documents.
pub(super) fn router() -> Router<Arc<AppState>> {
    let documents = format!("{COLLECTION}/documents");
    Router::new()
        .route(
            &documents,
            post(create)
                .get(list)
                .put(upsert_many)
                .patch(update_many)
                .delete(delete_many),
        )
        .route(
            &format!("{documents}/{{document_id}}"),
            routing::get(get).patch(update).put(upsert).delete(delete),
        )
        .route(
            &format!("{documents}/{{document_id}}/{{attribute}}/{{direction}}"),
            patch(increment),
        )
}

type CollectionPath = Path<(String, String)>;
type DocumentPath = Path<(String, String, String)>;

fn body_queries(body: &Body) -> ApiResult<Vec<Query>> {
    query::parse_all(&body.strings("queries")?.unwrap_or_default())
}

fn load(c: &rusqlite::Connection, caller: &Caller, db: &str, col: &str) -> ApiResult<Collection> {
    let collection = schema::load_collection(c, db, col)?;
    documents::visible(caller, &collection)?;
    Ok(collection)
}

fn permissions(body: &Body) -> ApiResult<Option<Vec<String>>> {
    body.strings("permissions")
}

fn list_response(changes: &[Change]) -> Value {
    let documents: Vec<&Value> = changes.iter().map(|c| &c.document).collect();
    json!({"total": documents.len(), "documents": documents})
}

fn bulk_only(caller: &Caller) -> ApiResult<()> {
    caller.require_key("documents.write")
}

/// `POST …/documents`: one document (`documentId` + `data`) or a bulk create (`documents`).
async fn create(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    body: Body,
) -> ApiResult<Response> {
    let format = ctx.format;
    if let Some(Value::Array(batch)) = body.0.get("documents") {
        if body.0.contains_key("data")
            || body.0.contains_key("documentId")
            || body.0.contains_key("permissions")
        {
            return Err(ApiError::with(
                ErrorType::general_bad_request,
                "You can't use documents together with data, documentId or permissions",
            ));
        }
        bulk_only(&ctx.caller)?;
        let batch = batch.clone();
        if let Some(transaction) = transaction_of(&body)? {
            let answer = json!({"total": batch.len(), "documents": []});
            let staged = operation("bulkCreate", &db, &col, None, Value::Array(batch));
            return stage(&state, ctx, transaction, staged, StatusCode::OK, answer).await;
        }
        let caller = ctx.caller;
        let response = state
            .write(move |c| {
                let collection = load(c, &caller, &db, &col)?;
                let changes = documents::create_many(c, &collection, &caller, &batch)?;
                Ok((list_response(&changes), changes))
            })
            .await?;
        return Ok(json(StatusCode::CREATED, format.shape(response)));
    }
    let id = ids::custom_id("documentId", &body.string("documentId")?)?;
    let data = body
        .object("data")?
        .ok_or_else(|| ApiError::missing_param("data"))?;
    let permissions = permissions(&body)?;
    if let Some(transaction) = transaction_of(&body)? {
        let answer = staged_document(&db, &col, &id, &data, permissions.as_deref());
        let staged_data = with_permissions(&data, permissions.as_deref());
        let staged = operation("create", &db, &col, Some(&id), staged_data);
        return stage(&state, ctx, transaction, staged, StatusCode::CREATED, answer).await;
    }
    let caller = ctx.caller;
    let response = state
        .write(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            let change = documents::create(c, &collection, &caller, &id, &data, permissions.as_deref())?;
            Ok((change.document.clone(), vec![change]))
        })
        .await?;
    Ok(json(StatusCode::CREATED, format.shape(response)))
}

async fn list(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    QueryString(pairs): QueryString,
) -> ApiResult<Response> {
    let format = ctx.format;
    let queries = query::parse_all(&array_param(&pairs, "queries"))?;
    let with_total = super::total_param(&pairs)?;
    let transaction = read_transaction(&state, &pairs)?;
    let ttl = list_ttl(&state, &pairs)?.filter(|_| transaction.is_none());
    let caller = ctx.caller;
    let raw_queries = array_param(&pairs, "queries");
    let cached_state = Arc::clone(&state);
    let (list, cache) = state
        .db(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            match ttl {
                Some(ttl) => {
                    let request = CachedList {
                        key: format!("{db}/{col}"),
                        queries: &queries,
                        raw_queries: &raw_queries,
                        with_total,
                        ttl,
                    };
                    let (list, hit) = request.answer(c, &cached_state.list_cache, &collection, &caller)?;
                    Ok((list, Some(if hit { "hit" } else { "miss" })))
                }
                None => within(c, &caller, transaction.as_deref(), |c| {
                    documents::list(c, &collection, &caller, &queries, with_total)
                })
                .map(|list| (list, None)),
            }
        })
        .await?;
    let mut response = json(StatusCode::OK, format.shape(list));
    if let Some(cache) = cache {
        response
            .headers_mut()
            .insert("x-appwrite-cache", axum::http::HeaderValue::from_static(cache));
    }
    Ok(response)
}

/// A list asked for with a `ttl` (1.9.5+): its documents and its total are each served from
/// the list cache while an entry younger than `ttl` exists, and computed and saved otherwise.
struct CachedList<'a> {
    /// The collection's entries in the cache (`{db}/{col}`).
    key: String,
    queries: &'a [Query],
    raw_queries: &'a [String],
    with_total: bool,
    ttl: std::time::Duration,
}

impl CachedList<'_> {
    /// The answer, and whether its documents came from the cache.
    fn answer(
        &self,
        c: &rusqlite::Connection,
        cache: &list_cache::ListCache,
        collection: &Collection,
        caller: &Caller,
    ) -> ApiResult<(Value, bool)> {
        let (schema, roles) = (collection.schema_json(), caller.roles());
        let name = |part| list_cache::field(&schema, &roles, self.raw_queries, part);
        let (documents_name, total_name) = (name("documents"), name("total"));
        let hit = cache.load(&self.key, &documents_name, self.ttl);
        let mut list = match &hit {
            Some(documents) => json!({ "documents": documents }),
            None => {
                let list = documents::list(c, collection, caller, self.queries, false)?;
                cache.save(&self.key, documents_name, list["documents"].clone());
                list
            }
        };
        list["total"] = match (self.with_total, cache.load(&self.key, &total_name, self.ttl)) {
            (false, _) => json!(0),
            (true, Some(total)) => total,
            (true, None) => {
                let total = documents::list(c, collection, caller, self.queries, true)?["total"].clone();
                cache.save(&self.key, total_name, total.clone());
                total
            }
        };
        Ok((list, hit.is_some()))
    }
}

/// `ttl` of a list (1.9.5+): how long its answer may be served from the list cache; 0 or
/// absent asks for a fresh one.
fn list_ttl(state: &AppState, pairs: &[(String, String)]) -> ApiResult<Option<std::time::Duration>> {
    let Some((_, text)) = pairs.iter().rev().find(|(key, _)| key == "ttl") else {
        return Ok(None);
    };
    if state.realtime.version < crate::AppwriteVersion::V1_9_5 {
        return Ok(None);
    }
    let seconds = text
        .parse::<u64>()
        .ok()
        .filter(|s| *s <= list_cache::MAX_TTL_SECONDS)
        .ok_or_else(|| ApiError::param("ttl", "Value must be a valid range between 0 and 86,400"))?;
    Ok((seconds > 0).then(|| std::time::Duration::from_secs(seconds)))
}

async fn get(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, id)): DocumentPath,
    QueryString(pairs): QueryString,
) -> ApiResult<Response> {
    let format = ctx.format;
    let queries = query::parse_all(&array_param(&pairs, "queries"))?;
    let transaction = read_transaction(&state, &pairs)?;
    let caller = ctx.caller;
    let document = state
        .db(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            within(c, &caller, transaction.as_deref(), |c| {
                documents::get(c, &collection, &caller, &id, &queries)
            })
        })
        .await?;
    Ok(json(StatusCode::OK, format.shape(document)))
}

/// `documents::update` and `documents::upsert` take the same arguments and answer alike.
type SingleWrite = fn(
    &mut rusqlite::Connection,
    &Collection,
    &Caller,
    &str,
    &Map<String, Value>,
    Option<&[String]>,
) -> ApiResult<(Value, Option<Change>)>;

async fn write_one(
    state: Arc<AppState>,
    ctx: Ctx,
    (db, col, id): (String, String, String),
    body: Body,
    status: StatusCode,
    (action, write): (&'static str, SingleWrite),
) -> ApiResult<Response> {
    let format = ctx.format;
    let data = body.object("data")?.unwrap_or_default();
    let permissions = permissions(&body)?;
    if let Some(transaction) = transaction_of(&body)? {
        let answer = staged_document(&db, &col, &id, &data, permissions.as_deref());
        let staged_data = with_permissions(&data, permissions.as_deref());
        let staged = operation(action, &db, &col, Some(&id), staged_data);
        // Appwrite answers a staged upsert with 201, a staged update with 200.
        let status = if action == "upsert" {
            StatusCode::CREATED
        } else {
            status
        };
        return stage(&state, ctx, transaction, staged, status, answer).await;
    }
    let (caller, timestamp) = (ctx.caller, ctx.timestamp);
    let document = state
        .write(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            documents::check_unchanged_since(c, &collection, &id, timestamp.as_deref())?;
            let (document, change) = write(c, &collection, &caller, &id, &data, permissions.as_deref())?;
            Ok((document, change.into_iter().collect()))
        })
        .await?;
    Ok(json(status, format.shape(document)))
}

async fn update(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(path): DocumentPath,
    body: Body,
) -> ApiResult<Response> {
    write_one(
        state,
        ctx,
        path,
        body,
        StatusCode::OK,
        ("update", documents::update),
    )
    .await
}

/// `PUT …/documents/{id}`: 200 whether it created or updated, as Appwrite answers.
async fn upsert(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(path): DocumentPath,
    body: Body,
) -> ApiResult<Response> {
    write_one(
        state,
        ctx,
        path,
        body,
        StatusCode::OK,
        ("upsert", documents::upsert),
    )
    .await
}

async fn delete(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, id)): DocumentPath,
    body: Body,
) -> ApiResult<Response> {
    if let Some(transaction) = transaction_of(&body)? {
        let staged = operation("delete", &db, &col, Some(&id), json!({}));
        return stage(
            &state,
            ctx,
            transaction,
            staged,
            StatusCode::NO_CONTENT,
            Value::Null,
        )
        .await;
    }
    let (caller, timestamp) = (ctx.caller, ctx.timestamp);
    state
        .write(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            documents::check_unchanged_since(c, &collection, &id, timestamp.as_deref())?;
            Ok(((), vec![documents::delete(c, &collection, &caller, &id)?]))
        })
        .await?;
    Ok(no_content())
}

async fn increment(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col, id, attribute, direction)): Path<(String, String, String, String, String)>,
    body: Body,
) -> ApiResult<Response> {
    let format = ctx.format;
    let decrement = match direction.as_str() {
        "increment" => false,
        "decrement" => true,
        _ => return Err(ApiError::new(ErrorType::general_route_not_found)),
    };
    // Numbers stay as JSON numbers: an integer past 2^53 must not go through floating point.
    let number = |name: &str| -> ApiResult<Option<serde_json::Number>> {
        match body.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(Some(n.clone())),
            Some(_) => Err(ApiError::param(name, "Value must be a valid float")),
        }
    };
    let value = number("value")?.unwrap_or_else(|| 1.into());
    if value.as_f64().is_none_or(|v| v <= 0.0) {
        return Err(ApiError::param("value", "Value must be a positive number"));
    }
    let bound = if decrement { number("min")? } else { number("max")? };
    if let Some(transaction) = transaction_of(&body)? {
        let bound_name = if decrement { "min" } else { "max" };
        let mut data = json!({"attribute": attribute, "value": value});
        if let Some(bound) = &bound {
            data[bound_name] = Value::Number(bound.clone());
        }
        let action = if decrement { "decrement" } else { "increment" };
        let answer = json!({"$id": id, "$collectionId": col, "$databaseId": db});
        let staged = operation(action, &db, &col, Some(&id), data);
        return stage(&state, ctx, transaction, staged, StatusCode::OK, answer).await;
    }
    let step = documents::Step {
        by: value,
        decrement,
        bound,
    };
    let caller = ctx.caller;
    let response = state
        .write(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            let change = documents::increment(c, &collection, &caller, &id, &attribute, &step)?;
            Ok((change.document.clone(), vec![change]))
        })
        .await?;
    Ok(json(StatusCode::OK, format.shape(response)))
}

async fn upsert_many(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    body: Body,
) -> ApiResult<Response> {
    let format = ctx.format;
    bulk_only(&ctx.caller)?;
    let batch = match body.0.get("documents") {
        Some(Value::Array(batch)) => batch.clone(),
        _ => return Err(ApiError::missing_param("documents")),
    };
    if let Some(transaction) = transaction_of(&body)? {
        let answer = json!({"total": batch.len(), "documents": []});
        let staged = operation("bulkUpsert", &db, &col, None, Value::Array(batch));
        return stage(&state, ctx, transaction, staged, StatusCode::OK, answer).await;
    }
    let caller = ctx.caller;
    let results = state
        .write(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            documents::upsert_many(c, &collection, &caller, &batch)
        })
        .await?;
    Ok(json(
        StatusCode::OK,
        format.shape(json!({"total": results.len(), "documents": results})),
    ))
}

async fn update_many(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    body: Body,
) -> ApiResult<Response> {
    let format = ctx.format;
    bulk_only(&ctx.caller)?;
    let data: Map<String, Value> = body.object("data")?.unwrap_or_default();
    let queries = body_queries(&body)?;
    if let Some(transaction) = transaction_of(&body)? {
        // How many would match is not known until the commit, as Appwrite says with 0.
        let answer = json!({"total": 0, "documents": []});
        let texts = body.strings("queries")?.unwrap_or_default();
        let staged = operation(
            "bulkUpdate",
            &db,
            &col,
            None,
            json!({"data": data, "queries": texts}),
        );
        return stage(&state, ctx, transaction, staged, StatusCode::OK, answer).await;
    }
    let caller = ctx.caller;
    let response = state
        .write(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            let changes = documents::update_many(c, &collection, &caller, &data, &queries)?;
            Ok((list_response(&changes), changes))
        })
        .await?;
    Ok(json(StatusCode::OK, format.shape(response)))
}

async fn delete_many(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path((db, col)): CollectionPath,
    body: Body,
) -> ApiResult<Response> {
    let format = ctx.format;
    bulk_only(&ctx.caller)?;
    let queries = body_queries(&body)?;
    if let Some(transaction) = transaction_of(&body)? {
        let answer = json!({"total": 0, "documents": []});
        let texts = body.strings("queries")?.unwrap_or_default();
        let staged = operation("bulkDelete", &db, &col, None, json!({"queries": texts}));
        return stage(&state, ctx, transaction, staged, StatusCode::OK, answer).await;
    }
    let caller = ctx.caller;
    let response = state
        .write(move |c| {
            let collection = load(c, &caller, &db, &col)?;
            let changes = documents::delete_many(c, &collection, &caller, &queries)?;
            Ok((list_response(&changes), changes))
        })
        .await?;
    Ok(json(StatusCode::OK, format.shape(response)))
}

// ---- staged in a transaction (`transactionId`, 1.8+) --------------------------------------------

/// The transaction a write names, if any: the write is then staged, not applied.
fn transaction_of(body: &Body) -> ApiResult<Option<String>> {
    body.optional_string("transactionId")
}

/// The transaction a read names (`?transactionId=`), if any: the read then sees its staged
/// operations.
fn read_transaction(state: &AppState, pairs: &[(String, String)]) -> ApiResult<Option<String>> {
    let Some((_, id)) = pairs.iter().rev().find(|(key, _)| key == "transactionId") else {
        return Ok(None);
    };
    transactions_supported(state)?;
    Ok(Some(id.clone()))
}

/// `read` on its own, or within transaction `id`'s staged operations.
fn within<R>(
    c: &mut rusqlite::Connection,
    caller: &Caller,
    id: Option<&str>,
    read: impl FnOnce(&mut rusqlite::Connection) -> ApiResult<R>,
) -> ApiResult<R> {
    match id {
        Some(id) => transactions::read_within(c, caller, id, read),
        None => read(c),
    }
}

fn transactions_supported(state: &AppState) -> ApiResult<()> {
    if state.realtime.version < crate::AppwriteVersion::V1_8 {
        return Err(ApiError::param(
            "transactionId",
            "Transactions need Appwrite 1.8 or later",
        ));
    }
    Ok(())
}

/// Stages one operation in transaction `id` as the write's caller; answers with `answer`.
async fn stage(
    state: &Arc<AppState>,
    ctx: Ctx,
    id: String,
    operation: Operation,
    status: StatusCode,
    answer: Value,
) -> ApiResult<Response> {
    transactions_supported(state)?;
    let (caller, format) = (ctx.caller, ctx.format);
    state
        .db(move |c| transactions::stage(c, &caller, &id, &[operation]).map(drop))
        .await?;
    if status == StatusCode::NO_CONTENT {
        return Ok(no_content());
    }
    Ok(json(status, format.shape(answer)))
}

fn operation(action: &str, db: &str, col: &str, document: Option<&str>, data: Value) -> Operation {
    Operation {
        action: action.to_owned(),
        database_id: db.to_owned(),
        collection_id: col.to_owned(),
        document_id: document.map(str::to_owned),
        data,
    }
}

/// A staged operation's data: the attributes, and `$permissions` when the write sets them.
fn with_permissions(data: &Map<String, Value>, permissions: Option<&[String]>) -> Value {
    let mut staged = data.clone();
    if let Some(permissions) = permissions {
        staged.insert("$permissions".into(), json!(permissions));
    }
    Value::Object(staged)
}

/// What Appwrite answers for a staged single write: the document as it would be, unsaved.
fn staged_document(
    db: &str,
    col: &str,
    id: &str,
    data: &Map<String, Value>,
    permissions: Option<&[String]>,
) -> Value {
    let mut document = data.clone();
    document.insert("$id".into(), Value::from(id));
    document.insert("$collectionId".into(), Value::from(col));
    document.insert("$databaseId".into(), Value::from(db));
    document.insert("$permissions".into(), json!(permissions.unwrap_or_default()));
    Value::Object(document)
}
