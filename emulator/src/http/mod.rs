//! The REST API under `/v1`: routing, request extraction and responses.

mod databases;
mod documents;
mod users;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::jwt::JwtKeys;
use crate::realtime::{self, Control, Event};
use crate::store::documents::Change;
use crate::store::Store;

/// Everything the handlers share.
pub(crate) struct Shared {
    pub store: Store,
    pub project: String,
    pub api_key: String,
    pub jwt: JwtKeys,
    pub attribute_delay: Duration,
    /// Every document event, in commit order, for the realtime endpoint.
    pub changes: broadcast::Sender<Arc<Event>>,
    /// Fault hooks for the realtime sockets.
    pub realtime_control: broadcast::Sender<Control>,
    /// Open realtime sockets and their message-protocol subscriptions, for tests.
    pub realtime_counts: realtime::Counts,
    /// Realtime as in Appwrite 1.6–1.8 (channels in the URL only).
    pub url_channels_only: bool,
    /// Fault hooks for tests of clients.
    pub faults: Arc<crate::faults::Faults>,
}

// The API key is a credential: never printed.
impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("project", &self.project)
            .field("api_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The state handed to every handler.
pub(crate) type State = Arc<Shared>;

impl Shared {
    /// Runs storage work on the blocking pool.
    pub(crate) async fn db<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut rusqlite::Connection) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let shared = Arc::clone(self);
        tokio::task::spawn_blocking(move || shared.store.with(work))
            .await
            .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    /// Runs a document write on the blocking pool and publishes its changes while still holding
    /// the storage lock, so that realtime sees writes in commit order.
    pub(crate) async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut rusqlite::Connection) -> ApiResult<(T, Vec<Change>)> + Send + 'static,
    ) -> ApiResult<T> {
        let shared = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            shared.store.with(|c| {
                let (result, changes) = work(c)?;
                // Skip building frames when no socket listens.
                if shared.changes.receiver_count() > 0 {
                    for change in changes {
                        shared.faults.publish(Event::from_change(change), |event| {
                            let _ = shared.changes.send(event);
                        });
                    }
                }
                Ok(result)
            })
        })
        .await
        .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    /// Resolves the caller of a request from its headers.
    pub(crate) fn caller(&self, key: Option<&str>, jwt: Option<&str>) -> ApiResult<Caller> {
        match (key, jwt) {
            (Some(_), Some(_)) => Err(ApiError::new(ErrorType::user_key_and_session_set)),
            (Some(key), None) if constant_time_eq(key.as_bytes(), self.api_key.as_bytes()) => Ok(Caller::Key),
            (Some(_), None) => Err(ApiError::with(ErrorType::user_unauthorized, "Invalid API key")),
            (None, Some(token)) => self.user_from_jwt(token),
            (None, None) => Ok(Caller::Guest),
        }
    }

    /// The user a JWT names, with the roles they hold now.
    pub(crate) fn user_from_jwt(&self, token: &str) -> ApiResult<Caller> {
        let claims = self
            .jwt
            .verify(token, chrono::Utc::now().timestamp())
            .ok_or_else(|| ApiError::new(ErrorType::user_jwt_invalid))?;
        let user = self
            .store
            .with(|c| crate::store::users::get(c, &claims.user_id))
            .map_err(|_| ApiError::new(ErrorType::user_jwt_invalid))?;
        if !user.enabled {
            return Err(ApiError::new(ErrorType::user_jwt_invalid));
        }
        Ok(Caller::user(&user.id, &user.labels, user.email_verified))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The request's project (checked) and caller.
pub(crate) struct Ctx {
    pub caller: Caller,
    pub format: Format,
}

impl FromRequestParts<State> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
        };
        let query = query_pairs(parts.uri.query());
        let project = header("x-appwrite-project")
            .map(str::to_owned)
            .or_else(|| single(&query, "project"));
        match project {
            None => return Err(ApiError::new(ErrorType::general_access_forbidden)),
            Some(p) if p != state.project => return Err(ApiError::new(ErrorType::project_not_found)),
            Some(_) => {}
        }
        let caller = state.caller(header("x-appwrite-key"), header("x-appwrite-jwt"))?;
        Ok(Ctx {
            caller,
            format: Format::from_header(header("x-appwrite-response-format")),
        })
    }
}

/// Decoded `key=value` pairs of a query string.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn single(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// Every value of an array parameter, accepting `name[]`, `name[N]` and `name`.
pub(crate) fn array_param(pairs: &[(String, String)], name: &str) -> Vec<String> {
    let mut indexed: Vec<(Option<usize>, String)> = pairs
        .iter()
        .filter_map(|(key, value)| {
            let rest = key.strip_prefix(name)?;
            if rest.is_empty() || rest == "[]" {
                return Some((None, value.clone()));
            }
            let index = rest.strip_prefix('[')?.strip_suffix(']')?.parse().ok()?;
            Some((Some(index), value.clone()))
        })
        .collect();
    // Indexed entries in index order; unindexed ones keep their position after them.
    indexed.sort_by_key(|(i, _)| i.unwrap_or(usize::MAX));
    indexed.into_iter().map(|(_, v)| v).collect()
}

/// The query string of a GET request.
pub(crate) struct QueryString(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryString {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryString(query_pairs(parts.uri.query())))
    }
}

/// The largest body the emulator reads.
const MAX_BODY: usize = 10 * 1024 * 1024;

/// A JSON object body; an empty body is an empty object. Malformed JSON and oversized bodies
/// are 400s, never 500s.
pub(crate) struct Body(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            ApiError::with(
                ErrorType::general_argument_invalid,
                format!("Request body too large: the limit is {MAX_BODY} bytes"),
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Map::new()));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(_) => Err(ApiError::with(
                ErrorType::general_argument_invalid,
                "The request body must be a JSON object",
            )),
            Err(err) => Err(ApiError::with(
                ErrorType::general_argument_invalid,
                format!("Invalid JSON body: {err}"),
            )),
        }
    }
}

impl Body {
    pub(crate) fn string(&self, name: &str) -> ApiResult<String> {
        match self.0.get(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Err(ApiError::missing_param(name)),
            Some(_) => Err(ApiError::param(name, "Value must be a valid string")),
        }
    }

    pub(crate) fn optional_string(&self, name: &str) -> ApiResult<Option<String>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::param(name, "Value must be a valid string")),
        }
    }

    pub(crate) fn bool_or(&self, name: &str, default: bool) -> ApiResult<bool> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(ApiError::param(name, "Value must be a valid boolean")),
        }
    }

    pub(crate) fn bool(&self, name: &str) -> ApiResult<bool> {
        match self.0.get(name) {
            Some(Value::Bool(b)) => Ok(*b),
            None | Some(Value::Null) => Err(ApiError::missing_param(name)),
            Some(_) => Err(ApiError::param(name, "Value must be a valid boolean")),
        }
    }

    pub(crate) fn strings(&self, name: &str) -> ApiResult<Option<Vec<String>>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| ApiError::param(name, "Value must a valid array of strings"))
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Some(_) => Err(ApiError::param(name, "Value must a valid array")),
        }
    }

    pub(crate) fn object(&self, name: &str) -> ApiResult<Option<Map<String, Value>>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            // Appwrite also takes `data` as a JSON string.
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => Ok(Some(map)),
                _ => Err(ApiError::param(name, "Value must be a valid JSON object")),
            },
            Some(_) => Err(ApiError::param(name, "Value must be a valid JSON object")),
        }
    }
}

/// A JSON response with a status.
pub(crate) fn json(status: StatusCode, value: Value) -> Response {
    (status, Json(value)).into_response()
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

/// Appwrite rewrites responses for the model format a client asks for with
/// `X-Appwrite-Response-Format`. The one difference the emulator models: clients generated for
/// the 2.x format (such as the official Rust SDK) read `$sequence` as a string, 1.x as a number.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Format {
    sequence_as_string: bool,
}

impl Format {
    fn from_header(value: Option<&str>) -> Self {
        let major = value.and_then(|v| v.split('.').next()?.parse::<u32>().ok());
        Format {
            sequence_as_string: major.is_some_and(|m| m >= 2),
        }
    }

    /// Applies the format to a document or a list of documents.
    pub(crate) fn shape(self, mut value: Value) -> Value {
        if self.sequence_as_string {
            let fix = |doc: &mut Value| {
                if let Some(sequence) = doc.get_mut("$sequence").filter(|s| s.is_number()) {
                    *sequence = Value::String(sequence.to_string());
                }
            };
            match value.get_mut("documents").and_then(Value::as_array_mut) {
                Some(documents) => documents.iter_mut().for_each(fix),
                None => fix(&mut value),
            }
        }
        value
    }
}

/// The whole REST API.
pub(crate) fn router(state: State) -> Router {
    let collection = "/v1/databases/{database_id}/collections/{collection_id}";
    Router::new()
        .route("/v1/health/version", get(health_version))
        .route("/v1/realtime", get(realtime::upgrade))
        .route(
            "/v1/databases",
            post(databases::create_database).get(databases::list_databases),
        )
        .route(
            "/v1/databases/{database_id}",
            get(databases::get_database)
                .put(databases::update_database)
                .delete(databases::delete_database),
        )
        .route(
            "/v1/databases/{database_id}/collections",
            post(databases::create_collection).get(databases::list_collections),
        )
        .route(
            collection,
            get(databases::get_collection)
                .put(databases::update_collection)
                .delete(databases::delete_collection),
        )
        .route(
            &format!("{collection}/attributes"),
            get(databases::list_attributes),
        )
        .route(
            &format!("{collection}/attributes/{{key}}"),
            post(databases::create_attribute)
                .get(databases::get_attribute)
                .delete(databases::delete_attribute),
        )
        .route(
            &format!("{collection}/attributes/{{kind}}/{{key}}"),
            patch(databases::update_attribute),
        )
        .route(
            &format!("{collection}/indexes"),
            post(databases::create_index).get(databases::list_indexes),
        )
        .route(
            &format!("{collection}/indexes/{{key}}"),
            get(databases::get_index).delete(databases::delete_index),
        )
        .route(
            &format!("{collection}/documents"),
            post(documents::create)
                .get(documents::list)
                .put(documents::upsert_many)
                .patch(documents::update_many)
                .delete(documents::delete_many),
        )
        .route(
            &format!("{collection}/documents/{{document_id}}"),
            get(documents::get)
                .patch(documents::update)
                .put(documents::upsert)
                .delete(documents::delete),
        )
        .route(
            &format!("{collection}/documents/{{document_id}}/{{attribute}}/{{direction}}"),
            patch(documents::increment),
        )
        .route("/v1/users", post(users::create).get(users::list))
        .route("/v1/users/{user_id}", get(users::get))
        .route("/v1/users/{user_id}/labels", put(users::update_labels))
        .route("/v1/users/{user_id}/jwts", post(users::create_jwt))
        .fallback(route_not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.faults),
            crate::faults::hold_matching,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_params_accept_both_sdk_spellings_in_order() {
        let pairs = query_pairs(Some("queries%5B1%5D=b&queries%5B0%5D=a&queries[]=c&other=x"));
        assert_eq!(array_param(&pairs, "queries"), ["a", "b", "c"]);
    }
}
