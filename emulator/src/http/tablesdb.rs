//! The TablesDB API (1.8 and later) over the same storage as the collections API, as Appwrite
//! serves both from one database: a `/v1/tablesdb/…` request is renamed into its collections
//! twin before routing (tables → collections, columns → attributes, rows → documents, and the
//! body keys that name them), and the answer renamed back as it is made — models, list keys and
//! error types (`document_not_found` → `row_not_found`, …). Writes made this way are marked, so that their
//! realtime events carry the `tables`/`rows` names first.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::{ApiError, ErrorType};
use crate::state::AppState;
use crate::AppwriteVersion;

tokio::task_local! {
    /// What the TablesDB request being served addresses; unset for the collections API.
    static ANSWER: Resource;
}

/// Whether the current request came through TablesDB (false outside a request).
pub(crate) fn current() -> bool {
    ANSWER.try_with(|_| ()).is_ok()
}

/// Renames an answer of the current request into TablesDB's names, if it came through TablesDB:
/// handlers and errors call this on their JSON before it is serialized, so that no answer is
/// parsed twice.
pub(crate) fn answer_in_scope(value: &mut Value) {
    let _ = ANSWER.try_with(|resource| {
        if *resource != Resource::Transactions {
            rename_answer(value, *resource);
        }
    });
}

/// What the renamed path addresses, which decides how its answer is renamed back.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Resource {
    Database,
    Tables,
    Columns,
    Indexes,
    Rows,
    /// `/v1/tablesdb/transactions…`: served natively, nothing renamed.
    Transactions,
}

// The same renaming table as the ORM's, compiled from its file.
#[path = "../../../orm/src/dialect/names.rs"]
#[allow(dead_code, unreachable_pub)]
mod names;

use names::{rename, rename_index, rename_list, rename_table, segment, Toward, BODY_KEYS};

/// Renames `/v1/tablesdb/…` into the collections route; `None` for other paths.
fn collections_path(path: &str) -> Option<(String, Resource)> {
    let rest = path.strip_prefix("/v1/tablesdb")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    if segments.first() == Some(&"transactions") {
        return Some((path.to_owned(), Resource::Transactions));
    }
    let mut renamed = vec!["", "v1", "databases"];
    let mut resource = Resource::Database;
    for (i, name) in segments.iter().enumerate() {
        resource = match (i, *name) {
            (1, "tables") => Resource::Tables,
            (3, "columns") => Resource::Columns,
            (3, "rows") => Resource::Rows,
            (3, "indexes") => Resource::Indexes,
            _ => resource,
        };
        renamed.push(segment(i, name, Toward::Collections));
    }
    Some((renamed.join("/"), resource))
}

/// A document as a row: `$collectionId` becomes `$tableId`.
pub(crate) fn as_row(document: &mut Value) {
    if let Some(object) = document.as_object_mut() {
        rename(object, &[("$collectionId", "$tableId")], Toward::TablesDb);
    }
}

fn rename_answer(value: &mut Value, resource: Resource) {
    if value.get("type").is_some() && value.get("code").is_some() && value.get("message").is_some() {
        // Appwrite's increment and decrement name a non-numeric column with the collections
        // API's error whichever API was called.
        let numeric_check =
            resource == Resource::Rows && value["type"] == ErrorType::attribute_type_invalid.as_str();
        if !numeric_check {
            rename_error(value);
        }
        return;
    }
    let out = Toward::TablesDb;
    match resource {
        Resource::Tables => rename_list(value, ("collections", "tables"), out, |t| rename_table(t, out)),
        Resource::Columns => rename_list(value, ("attributes", "columns"), out, |_| {}),
        Resource::Indexes => rename_list(value, ("indexes", "indexes"), out, |i| rename_index(i, out)),
        Resource::Rows => rename_list(value, ("documents", "rows"), out, as_row),
        Resource::Database | Resource::Transactions => {}
    }
}

// Appwrite's TablesDB errors: the same failures under the names of tables, columns and rows,
// with their own default messages.
const ERRORS: [(ErrorType, &str, &str); 22] = [
    (ErrorType::collection_not_found, "table_not_found", "Table with the requested ID could not be found."),
    (ErrorType::collection_already_exists, "table_already_exists", "A table with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID."),
    (ErrorType::document_not_found, "row_not_found", "Row with the requested ID could not be found."),
    (ErrorType::document_invalid_structure, "row_invalid_structure", "The row structure is invalid. Please ensure the columns match the table definition."),
    (ErrorType::document_missing_data, "row_missing_data", "The row data is missing. Try again with row data populated"),
    (ErrorType::document_missing_payload, "row_missing_payload", "The row data and permissions are missing. You must provide either row data or permissions to be updated."),
    (ErrorType::document_already_exists, "row_already_exists", "Row with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID."),
    (ErrorType::document_update_conflict, "row_update_conflict", "Remote row is newer than local."),
    (ErrorType::attribute_not_found, "column_not_found", "Column with the requested ID could not be found."),
    (ErrorType::attribute_already_exists, "column_already_exists", "Column with the requested key already exists. Column keys must be unique, try again with a different key."),
    (ErrorType::attribute_not_available, "column_not_available", "The requested column is not yet available. Please try again later."),
    (ErrorType::attribute_limit_exceeded, "column_limit_exceeded", "The maximum number or size of columns for this table has been reached."),
    (ErrorType::attribute_unknown, "column_unknown", "The column required for the index could not be found. Please confirm all your columns are in the available state."),
    (ErrorType::attribute_default_unsupported, "column_default_unsupported", "Default values cannot be set for array or required columns."),
    (ErrorType::attribute_value_invalid, "column_value_invalid", "The column value is invalid. Please check the type, range and value of the column."),
    (ErrorType::attribute_type_invalid, "column_type_invalid", "The column type is invalid."),
    (ErrorType::attribute_invalid_resize, "column_invalid_resize", "Existing data is too large for new size, truncate your existing data then try again."),
    (ErrorType::index_invalid, "column_index_invalid", "Index invalid."),
    (ErrorType::index_limit_exceeded, "column_index_limit_exceeded", "The maximum number of indexes has been reached."),
    (ErrorType::index_dependency, "column_index_dependency", "Column cannot be renamed or deleted. Please remove the associated index first."),
    (ErrorType::index_not_found, "column_index_not_found", "Index with the requested ID could not be found."),
    (ErrorType::index_already_exists, "column_index_already_exists", "Index with the requested key already exists. Try again with a different key."),
];

// Appwrite 1.9's TablesDB messages that quote what they are about (`{}`), for the collections
// API's templated ones (`crate::error::templated`).
const TEMPLATES: [(ErrorType, &str); 14] = [
    (ErrorType::collection_not_found, "Table with the requested ID '{}' could not be found."),
    (ErrorType::collection_already_exists, "A table with the requested ID '{}' already exists. Try again with a different ID or use ID.unique() to generate a unique ID."),
    (ErrorType::document_not_found, "Row with the requested ID '{}' could not be found."),
    (ErrorType::document_already_exists, "Row with the requested ID '{}' already exists. Try again with a different ID or use ID.unique() to generate a unique ID."),
    (ErrorType::attribute_not_found, "Column with the requested key '{}' could not be found."),
    (ErrorType::attribute_unknown, "The column '{}' required for the index could not be found. Please confirm all your columns are in the available state."),
    (ErrorType::attribute_not_available, "The requested column '{}' is not yet available. Please try again later."),
    (ErrorType::attribute_already_exists, "Column with the requested key '{}' already exists. Column keys must be unique, try again with a different key."),
    (ErrorType::attribute_limit_exceeded, "The maximum number or size of columns for table '{}' has been reached."),
    (ErrorType::attribute_type_invalid, "The column '{}' type is invalid."),
    (ErrorType::index_not_found, "Index with the requested key '{}' could not be found."),
    (ErrorType::index_limit_exceeded, "The maximum number of indexes for table '{}' has been reached."),
    (ErrorType::index_already_exists, "Index with the requested key '{}' already exists. Try again with a different key."),
    (ErrorType::index_dependency, "Column '{}' cannot be renamed or deleted. Please remove the associated index first."),
];

/// `text` in TablesDB's words when it is the collections API's templated message for `kind`.
fn templated_message(kind: ErrorType, text: &str) -> Option<String> {
    let (before, after) = crate::error::templated(kind)?.split_once("{}")?;
    let subject = text.strip_prefix(before)?.strip_suffix(after)?;
    let (_, template) = TEMPLATES.iter().find(|(k, _)| *k == kind)?;
    Some(template.replace("{}", subject))
}

/// The TablesDB names of the error types the emulator answers with, and their statuses.
pub(crate) fn error_types() -> impl Iterator<Item = (&'static str, u16)> {
    ERRORS.iter().map(|(kind, name, _)| (*name, kind.code()))
}

// Messages Appwrite words after the API's context (`getContext()`, `getParentContext()`), as
// (collections API, TablesDB) fragments: at the start of a message, anywhere in it, and at the
// start of a cursor-not-found message.
const CONTEXT_PREFIXES: [(&str, &str); 4] = [
    (
        "Cannot set default value for required attribute",
        "Cannot set default value for required column",
    ),
    (
        "Cannot set default value for array attributes",
        "Cannot set default value for array columns",
    ),
    ("Unknown attribute: ", "Unknown column: "),
    ("attribute not available: ", "column not available: "),
];
const CONTEXT_INFIXES: [(&str, &str); 1] = [(
    ". Verify the attribute name or create the attribute.",
    ". Verify the column name or create the column.",
)];
const CURSOR_PREFIXES: [(&str, &str); 3] = [
    ("Document '", "Row '"),
    ("Collection '", "Table '"),
    ("Attribute '", "Column '"),
];

/// A message worded after the collections API, in TablesDB's words.
fn context_message(text: &str) -> Option<String> {
    let cursor = text.ends_with("for the 'cursor' value not found.");
    let mut prefixes = CONTEXT_PREFIXES
        .iter()
        .chain(CURSOR_PREFIXES.iter().filter(|_| cursor));
    let mut renamed = prefixes
        .find_map(|(collections, tables)| {
            text.strip_prefix(collections)
                .map(|rest| format!("{tables}{rest}"))
        })
        .unwrap_or_else(|| text.to_owned());
    for (collections, tables) in CONTEXT_INFIXES {
        renamed = renamed.replace(collections, tables);
    }
    (renamed != text).then_some(renamed)
}

fn rename_error(value: &mut Value) {
    if let Some(text) = value["message"].as_str().and_then(context_message) {
        value["message"] = Value::from(text);
    }
    let kind = value["type"].as_str().unwrap_or_default().to_owned();
    let Some((collections, name, message)) = ERRORS.iter().find(|(k, _, _)| k.as_str() == kind) else {
        return;
    };
    value["type"] = Value::from(*name);
    // A default message is the collections API's wording; a specific one is kept.
    let text = value["message"].as_str().unwrap_or_default();
    if let Some(text) = templated_message(*collections, text) {
        value["message"] = Value::from(text);
        return;
    }
    if text == collections.message() || text.contains("the requested ID '") {
        let quoted = text
            .split('\'')
            .nth(1)
            .filter(|_| text.contains("the requested ID '"))
            .map(|id| message.replace("the requested ID", &format!("the requested ID '{id}'")));
        value["message"] = Value::from(quoted.unwrap_or_else(|| (*message).to_owned()));
    }
}

/// The middleware, run before routing.
pub(crate) async fn translate(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some((path, resource)) = collections_path(request.uri().path()) else {
        return next.run(request).await;
    };
    if state.realtime.version < AppwriteVersion::V1_8 {
        return ApiError::new(ErrorType::general_route_not_found).into_response();
    }
    if resource == Resource::Transactions {
        return ANSWER.scope(resource, next.run(request)).await;
    }
    let rebuilt = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    if let Ok(uri) = rebuilt.parse() {
        *request.uri_mut() = uri;
    }
    let request = match rename_request_body(request).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    ANSWER.scope(resource, next.run(request)).await
}

async fn rename_request_body(request: Request) -> Result<Request, Response> {
    let is_json = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Ok(request);
    }
    let (mut parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, super::extract::MAX_BODY)
        .await
        .map_err(|_| {
            ApiError::with(ErrorType::general_argument_invalid, "Request body too large").into_response()
        })?;
    let bytes = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut object)) => {
            rename(&mut object, &BODY_KEYS, Toward::Collections);
            Value::Object(object).to_string().into_bytes().into()
        }
        // Not an object: the route reports it as it would.
        _ => bytes,
    };
    parts.headers.remove(CONTENT_LENGTH);
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_renamed_segment_by_segment() {
        let renamed = collections_path;
        assert_eq!(
            renamed("/v1/tablesdb"),
            Some(("/v1/databases".into(), Resource::Database))
        );
        assert_eq!(
            renamed("/v1/tablesdb/db/tables/t/rows/r/n/increment"),
            Some((
                "/v1/databases/db/collections/t/documents/r/n/increment".into(),
                Resource::Rows
            ))
        );
        assert_eq!(
            renamed("/v1/tablesdb/db/tables/t/columns/string"),
            Some((
                "/v1/databases/db/collections/t/attributes/string".into(),
                Resource::Columns
            ))
        );
        // Ids that happen to be named like segments stay as they are.
        assert_eq!(
            renamed("/v1/tablesdb/tables/tables/rows/rows/rows"),
            Some((
                "/v1/databases/tables/collections/rows/documents/rows".into(),
                Resource::Rows
            ))
        );
        assert_eq!(renamed("/v1/tablesdbx"), None);
        assert_eq!(renamed("/v1/databases/db"), None);
        assert_eq!(
            renamed("/v1/tablesdb/transactions/x").map(|r| r.1),
            Some(Resource::Transactions)
        );
    }

    #[test]
    fn context_worded_messages_name_columns_rows_and_tables() {
        let unknown = "Unknown attribute: x. Verify the attribute name or create the attribute.";
        assert_eq!(
            context_message(unknown).as_deref(),
            Some("Unknown column: x. Verify the column name or create the column.")
        );
        assert_eq!(
            context_message("Document 'a' for the 'cursor' value not found.").as_deref(),
            Some("Row 'a' for the 'cursor' value not found.")
        );
        // A document named in another message keeps its word: only cursor messages start so.
        assert_eq!(context_message("Document 'a' is locked"), None);
        assert_eq!(
            context_message("Invalid document structure: Missing required attribute \"t\""),
            None
        );
    }
}
