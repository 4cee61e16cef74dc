//! What handlers take from a request: the checked project and caller ([`Ctx`]), the query
//! string, and a JSON body with typed accessors.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde_json::{Map, Value};

use super::format::Format;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::state::AppState;

/// The request's project (checked) and caller.
pub(crate) struct Ctx {
    pub caller: Caller,
    pub format: Format,
    /// `X-Appwrite-Timestamp`: when the client last read what it now writes; a document
    /// changed after it is a conflict.
    pub timestamp: Option<String>,
}

impl FromRequestParts<Arc<AppState>> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
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
            // No project means the console's, whose database routes are closed to clients.
            None => return Err(ApiError::new(ErrorType::general_access_forbidden)),
            Some(p) if p == "console" => {
                return Err(ApiError::with(
                    ErrorType::general_access_forbidden,
                    "This endpoint is not available for the console project. The Appwrite Console is a reserved project ID and cannot be used with the Appwrite SDKs and APIs. Please check if your project ID is correct.",
                ))
            }
            Some(p) if p != state.project => return Err(ApiError::new(ErrorType::project_not_found)),
            Some(_) => {}
        }
        let caller = state
            .caller(header("x-appwrite-key"), header("x-appwrite-jwt"))
            .await?;
        let timestamp = match header("x-appwrite-timestamp") {
            None => None,
            Some(value) => Some(crate::ids::parse_time(value).ok_or_else(|| {
                ApiError::with(
                    ErrorType::general_argument_invalid,
                    "Invalid X-Appwrite-Timestamp header value",
                )
            })?),
        };
        Ok(Ctx {
            caller,
            format: Format::new(header("x-appwrite-response-format"), state.realtime.version),
            timestamp,
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

/// The `total` parameter of list routes (default true): Appwrite's loose boolean, so `0`/`1`
/// as PHP clients send them count too.
pub(crate) fn total_param(pairs: &[(String, String)]) -> ApiResult<bool> {
    match pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "total")
        .map(|(_, v)| v.as_str())
    {
        None | Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(_) => Err(ApiError::param("total", "Value must be a valid boolean")),
    }
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
pub(super) const MAX_BODY: usize = 10 * 1024 * 1024;

/// A JSON object body; an empty body is an empty object. Malformed JSON and oversized bodies
/// are 400s, never 500s.
pub(crate) struct Body(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            ApiError::with(
                ErrorType::general_argument_invalid,
                format!("Request body too large: the limit is {MAX_BODY} bytes"),
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Map::new()));
        }
        if form {
            return Ok(Body(form_body(&bytes)));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            // Appwrite's own SDKs send `[]` for a call without parameters.
            Ok(Value::Array(items)) if items.is_empty() => Ok(Body(Map::new())),
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

/// A form-encoded body as PHP reads one: `a[b][0]=x` nests, `a[]=x` appends, every value a
/// string (so the parameters' validators decide, as they do on Appwrite).
fn form_body(bytes: &[u8]) -> Map<String, Value> {
    let mut root = Value::Object(Map::new());
    for (key, value) in form_urlencoded::parse(bytes) {
        let (head, rest) = key.split_once('[').unwrap_or((key.as_ref(), ""));
        let mut path = vec![head.to_owned()];
        path.extend(
            rest.split('[')
                .filter_map(|p| p.strip_suffix(']'))
                .map(str::to_owned),
        );
        insert_form_value(&mut root, &path, value.into_owned());
    }
    match root {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Puts `value` at `path` under `at`, making arrays for `[]` and numeric segments.
fn insert_form_value(at: &mut Value, path: &[String], value: String) {
    let Some((segment, rest)) = path.split_first() else {
        *at = Value::String(value);
        return;
    };
    if at.is_null() {
        let array = segment.is_empty() || segment.parse::<usize>().is_ok();
        *at = if array {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        };
    }
    match at {
        Value::Object(map) => {
            insert_form_value(map.entry(segment.clone()).or_insert(Value::Null), rest, value)
        }
        Value::Array(items) => {
            let index = match segment.parse::<usize>() {
                _ if segment.is_empty() => items.len(),
                Ok(n) if n <= items.len() && n < 1_000 => n,
                _ => return,
            };
            if index == items.len() {
                items.push(Value::Null);
            }
            insert_form_value(&mut items[index], rest, value);
        }
        // A plain value already there: PHP keeps the first shape it saw.
        _ => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_nest_as_php_reads_them() {
        let body = form_body(b"databaseId=db&name=My+DB&permissions[]=read(%22any%22)&permissions[]=x&data[title]=T&data[tags][0]=a&data[tags][1]=b");
        assert_eq!(
            Value::Object(body),
            serde_json::json!({
                "databaseId": "db", "name": "My DB", "permissions": ["read(\"any\")", "x"],
                "data": {"title": "T", "tags": ["a", "b"]}
            })
        );
        // An index past the end is skipped (PHP would keep it; the emulator keeps arrays dense),
        // and a plain value is not turned into a container by a later nested key.
        let odd = form_body(b"a[5]=skipped&b=plain&b[x]=nested");
        assert_eq!(Value::Object(odd), serde_json::json!({"a": [], "b": "plain"}));
    }

    #[test]
    fn array_params_accept_both_sdk_spellings_in_order() {
        let pairs = query_pairs(Some("queries%5B1%5D=b&queries%5B0%5D=a&queries[]=c&other=x"));
        assert_eq!(array_param(&pairs, "queries"), ["a", "b", "c"]);
    }
}
