//! Errors exactly as Appwrite sends them: `{"message","code","type","version"}` with the HTTP
//! status of the error type. The catalogue below is the subset of Appwrite 1.8.1's error types
//! the emulator can raise, with their status codes and default messages.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The server version the emulator reports.
pub(crate) const VERSION: &str = "1.8.1";

tokio::task_local! {
    /// The version the emulator reports while it serves a request (its `AppwriteVersion`).
    pub(crate) static REPORTED_VERSION: &'static str;
}

macro_rules! catalogue {
    ($($name:ident = $kind:literal, $code:literal, $message:literal;)*) => {
        /// An Appwrite error type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(non_camel_case_types)]
        pub(crate) enum ErrorType { $($name,)* }

        /// Every error type the emulator can answer with, and its HTTP status.
        pub(crate) const CATALOGUE: &[(&str, u16)] = &[$(($kind, $code),)*];

        impl ErrorType {
            /// The `type` string on the wire.
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(ErrorType::$name => $kind,)* }
            }

            /// The HTTP status Appwrite answers with.
            pub(crate) fn code(self) -> u16 {
                match self { $(ErrorType::$name => $code,)* }
            }

            /// Appwrite's default message.
            pub(crate) fn message(self) -> &'static str {
                match self { $(ErrorType::$name => $message,)* }
            }
        }
    };
}

catalogue! {
    general_access_forbidden = "general_access_forbidden", 401, "No Appwrite project was specified. Please specify your project ID when initializing your Appwrite SDK.";
    general_unauthorized_scope = "general_unauthorized_scope", 401, "The current user or API key does not have the required scopes to access the requested resource.";
    general_argument_invalid = "general_argument_invalid", 400, "The request contains one or more invalid arguments. Please refer to the endpoint documentation.";
    general_query_invalid = "general_query_invalid", 400, "The query's syntax is invalid. Please check the query and try again.";
    general_route_not_found = "general_route_not_found", 404, "Route not found. Please ensure the endpoint is configured correctly and that the API route is valid for this SDK version. Refer to the API docs for more details.";
    general_cursor_not_found = "general_cursor_not_found", 400, "The cursor is invalid. This can happen if the item represented by the cursor has been deleted.";
    general_server_error = "general_server_error", 500, "An internal server error occurred.";
    general_bad_request = "general_bad_request", 400, "There was an error processing your request. Please check the inputs and try again.";
    project_not_found = "project_not_found", 404, "Project with the requested ID could not be found. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used.";
    user_jwt_invalid = "user_jwt_invalid", 401, "The JWT token is invalid. Please check the value of the X-Appwrite-JWT header to ensure the correct token is being used.";
    user_already_exists = "user_already_exists", 409, "A user with the same id, email, or phone already exists in this project.";
    user_not_found = "user_not_found", 404, "User with the requested ID could not be found.";
    user_unauthorized = "user_unauthorized", 401, "The current user is not authorized to perform the requested action.";
    user_key_and_session_set = "user_key_and_session_set", 403, "API key and session used in the same request. Use either `setSession` or `setKey`. Learn about which authentication method to use in the SSR docs: https://appwrite.io/docs/products/auth/server-side-rendering";
    database_not_found = "database_not_found", 404, "Database not found";
    database_already_exists = "database_already_exists", 409, "Database already exists";
    database_query_order_null = "database_query_order_null", 400, "The order attribute/column had a null value. Cursor pagination requires all documents/rows order attribute/column values are non-null.";
    collection_not_found = "collection_not_found", 404, "Collection with the requested ID could not be found.";
    collection_already_exists = "collection_already_exists", 409, "A collection with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.";
    document_not_found = "document_not_found", 404, "Document with the requested ID could not be found.";
    document_invalid_structure = "document_invalid_structure", 400, "The document structure is invalid. Please ensure the attributes match the collection definition.";
    document_missing_data = "document_missing_data", 400, "The document data is missing. Try again with document data populated";
    document_missing_payload = "document_missing_payload", 400, "The document data and permissions are missing. You must provide either document data or permissions to be updated.";
    document_update_conflict = "document_update_conflict", 409, "Remote document is newer than local.";
    document_already_exists = "document_already_exists", 409, "Document with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.";
    attribute_not_found = "attribute_not_found", 404, "Attribute with the requested ID could not be found.";
    attribute_unknown = "attribute_unknown", 400, "The attribute required for the index could not be found. Please confirm all your attributes are in the available state.";
    attribute_not_available = "attribute_not_available", 400, "The requested attribute is not yet available. Please try again later.";
    attribute_default_unsupported = "attribute_default_unsupported", 400, "Default values cannot be set for array or required attributes.";
    attribute_already_exists = "attribute_already_exists", 409, "Attribute with the requested key already exists. Attribute keys must be unique, try again with a different key.";
    attribute_value_invalid = "attribute_value_invalid", 400, "The attribute value is invalid. Please check the type, range and value of the attribute.";
    attribute_type_invalid = "attribute_type_invalid", 400, "The attribute type is invalid.";
    attribute_limit_exceeded = "attribute_limit_exceeded", 400, "The maximum number or size of attributes for this collection has been reached.";
    attribute_invalid_resize = "attribute_invalid_resize", 400, "Existing data is too large for new size, truncate your existing data then try again.";
    index_not_found = "index_not_found", 404, "Index with the requested ID could not be found.";
    index_already_exists = "index_already_exists", 409, "Index with the requested key already exists. Try again with a different key.";
    index_invalid = "index_invalid", 400, "Index invalid.";
    index_limit_exceeded = "index_limit_exceeded", 400, "The maximum number of indexes has been reached.";
    index_dependency = "index_dependency", 409, "Attribute cannot be renamed or deleted. Please remove the associated index first.";
    transaction_not_found = "transaction_not_found", 404, "Transaction with the requested ID could not be found.";
    transaction_expired = "transaction_expired", 410, "The transaction has expired. Please create a new transaction and try again.";
    transaction_conflict = "transaction_conflict", 409, "The transaction has a conflict. Please resolve the conflict and try again.";
    transaction_limit_exceeded = "transaction_limit_exceeded", 400, "The maximum number of operations per transaction has been exceeded.";
    transaction_not_ready = "transaction_not_ready", 400, "The transaction is not ready yet. Please try again later.";
}

/// Whether `name` exists in `version`: transactions came with 1.8.
pub(crate) fn exists_in(name: &str, version: crate::AppwriteVersion) -> bool {
    !name.starts_with("transaction_") || version >= crate::AppwriteVersion::V1_8
}

/// An error response.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    /// The error type.
    pub kind: ErrorType,
    /// The message; Appwrite's default unless the failure has a more specific one.
    pub message: String,
    /// What the error is about (an id or key), which 1.9's default messages name.
    pub subject: Option<String>,
}

impl ApiError {
    /// An error with the type's default message.
    pub(crate) fn new(kind: ErrorType) -> Self {
        ApiError {
            kind,
            message: kind.message().to_owned(),
            subject: None,
        }
    }

    /// An error with the type's default message about `subject` (the database, collection,
    /// document, attribute or index it names): from 1.9 the message quotes it.
    pub(crate) fn about(kind: ErrorType, subject: impl Into<String>) -> Self {
        ApiError {
            subject: Some(subject.into()),
            ..ApiError::new(kind)
        }
    }

    /// An error with a specific message.
    pub(crate) fn with(kind: ErrorType, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
            subject: None,
        }
    }

    /// The message a release gives: a default message differs between releases (1.9 quotes
    /// the subject; 1.6 and 1.7 word a few otherwise); a specific one does not.
    fn message_in(&self, version: crate::AppwriteVersion) -> std::borrow::Cow<'_, str> {
        use crate::AppwriteVersion as V;
        if self.message != self.kind.message() {
            return self.message.as_str().into();
        }
        if version >= V::V1_9_0 {
            if let (Some(template), Some(subject)) = (templated(self.kind), &self.subject) {
                return template.replace("{}", subject).into();
            }
        }
        match self.kind {
            ErrorType::general_route_not_found if version <= V::V1_6 => {
                "The requested route was not found. Please refer to the API docs and try again.".into()
            }
            ErrorType::database_query_order_null if version <= V::V1_7 => {
                "The order attribute had a null value. Cursor pagination requires all documents order attribute values are non-null.".into()
            }
            _ => self.message.as_str().into(),
        }
    }

    /// `Invalid `<param>` param: <reason>` (400 `general_argument_invalid`).
    pub(crate) fn param(param: &str, reason: impl std::fmt::Display) -> Self {
        ApiError::with(
            ErrorType::general_argument_invalid,
            format!("Invalid `{param}` param: {reason}"),
        )
    }

    /// `Param "<name>" is not optional.` (400 `general_argument_invalid`).
    pub(crate) fn missing_param(param: &str) -> Self {
        ApiError::with(
            ErrorType::general_argument_invalid,
            format!("Param \"{param}\" is not optional."),
        )
    }

    /// `Invalid document structure: <reason>` (400 `document_invalid_structure`).
    pub(crate) fn structure(reason: impl std::fmt::Display) -> Self {
        ApiError::with(
            ErrorType::document_invalid_structure,
            format!("Invalid document structure: {reason}"),
        )
    }

    /// `Invalid query: <reason>` (400 `general_query_invalid`).
    pub(crate) fn query(reason: impl std::fmt::Display) -> Self {
        ApiError::with(
            ErrorType::general_query_invalid,
            format!("Invalid query: {reason}"),
        )
    }

    /// A failure inside the emulator itself.
    /// A failure of the emulator itself. The detail (SQL, paths) goes to the server's log, not
    /// to the client, as on Appwrite, whose production message is just "Server Error".
    pub(crate) fn internal(err: impl std::fmt::Display) -> Self {
        eprintln!("appwrite-emulator: internal error: {err}");
        ApiError::with(ErrorType::general_server_error, "Server Error")
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::internal(err)
    }
}

/// The types Appwrite 1.9.0 renamed: (before, from 1.9.0).
const RENAMED_IN_1_9: [(&str, &str); 1] = [("user_key_and_session_set", "user_api_key_and_session_set")];

/// The `type` string a release sends for the type named `name` in 1.8.
pub(crate) fn name_in(name: &'static str, version: crate::AppwriteVersion) -> &'static str {
    if version < crate::AppwriteVersion::V1_9_0 {
        return name;
    }
    RENAMED_IN_1_9
        .iter()
        .find(|(before, _)| *before == name)
        .map_or(name, |(_, after)| after)
}

fn type_in(kind: ErrorType, version: crate::AppwriteVersion) -> &'static str {
    name_in(kind.as_str(), version)
}

/// Appwrite 1.9's default messages that quote what they are about (`{}`).
pub(crate) fn templated(kind: ErrorType) -> Option<&'static str> {
    use ErrorType as E;
    Some(match kind {
        E::database_not_found => "Database with the requested ID '{}' could not be found.",
        E::database_already_exists => "Database with the requested ID '{}' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
        E::collection_not_found => "Collection with the requested ID '{}' could not be found.",
        E::collection_already_exists => "A collection with the requested ID '{}' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
        E::document_not_found => "Document with the requested ID '{}' could not be found.",
        E::document_already_exists => "Document with the requested ID '{}' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
        E::attribute_not_found => "Attribute with the requested key '{}' could not be found.",
        E::attribute_unknown => "The attribute '{}' required for the index could not be found. Please confirm all your attributes are in the available state.",
        E::attribute_not_available => "The requested attribute '{}' is not yet available. Please try again later.",
        E::attribute_already_exists => "Attribute with the requested key '{}' already exists. Attribute keys must be unique, try again with a different key.",
        E::attribute_limit_exceeded => "The maximum number or size of attributes for collection '{}' has been reached.",
        E::attribute_type_invalid => "The attribute '{}' type is invalid.",
        E::index_not_found => "Index with the requested key '{}' could not be found.",
        E::index_limit_exceeded => "The maximum number of indexes for collection '{}' has been reached.",
        E::index_already_exists => "Index with the requested key '{}' already exists. Try again with a different key.",
        E::index_dependency => "Attribute '{}' cannot be renamed or deleted. Please remove the associated index first.",
        E::transaction_not_found => "Transaction with the requested ID '{}' could not be found.",
        _ => return None,
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.kind.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let reported = REPORTED_VERSION.try_with(|v| *v).unwrap_or(VERSION);
        let version = reported.parse().unwrap_or(crate::AppwriteVersion::NEWEST);
        let mut body = json!({
            "message": self.message_in(version),
            "code": self.kind.code(),
            "type": type_in(self.kind, version),
            "version": reported,
        });
        crate::http::tablesdb::answer_in_scope(&mut body);
        (status, axum::Json(body)).into_response()
    }
}

/// The result of a handler.
pub(crate) type ApiResult<T> = Result<T, ApiError>;
