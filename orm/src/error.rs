//! The one error type of the crate.

use std::fmt;

use crate::key::KeyError;

/// Everything that can go wrong talking to Appwrite.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an Appwrite error; `kind` is its `type`, typed, under the
    /// collections API's name ([`ErrorKind::collections_twin`]); `message` is the server's.
    #[error("{message} ({code} {kind})")]
    Appwrite {
        /// The error type, e.g. [`ErrorKind::DocumentNotFound`].
        kind: ErrorKind,
        /// The HTTP status.
        code: u16,
        /// The server's message.
        message: String,
    },
    /// The request never got an answer (connection refused, timeout, …).
    #[error("request to Appwrite failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// A response did not have the shape of `what`.
    #[error("cannot decode {what}: {source}")]
    Decode {
        /// What was being decoded, e.g. `document of collection orders`.
        what: String,
        /// The field path, e.g. `status`, when it is known.
        path: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A setting is missing or invalid.
    #[error("configuration: {setting}: {reason}")]
    Config {
        /// The setting's name, e.g. `APPWRITE_ENDPOINT`.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// An id does not follow Appwrite's key rule.
    #[error("invalid id `{id}`: {source}")]
    InvalidId {
        /// The id.
        id: String,
        /// Why it is invalid.
        #[source]
        source: KeyError,
    },
    /// The migration cannot be applied, or did not complete.
    #[error("migration: {0}")]
    Migration(#[from] crate::migration::MigrationError),
    /// A value could not be serialized into the JSON Appwrite takes.
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// What was being encoded, e.g. `document data`.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A bulk write stopped part-way. Bulk writes go in batches of [`BATCH_SIZE`](crate::BATCH_SIZE),
    /// each stored whole or not at all: the batches before the refused one are stored, the
    /// refused one and those after it are not.
    #[error(
        "bulk write stopped: {} of {total} items stored, the batch of items {}..{} refused ({cause}), {} not sent: {source}",
        written.len(), refused.start, refused.end, total - refused.end
    )]
    Bulk {
        /// The ids of the items stored, in order (the first `written.len()` items).
        written: Vec<String>,
        /// The positions of the refused batch's items.
        refused: std::ops::Range<usize>,
        /// How many items there were.
        total: usize,
        /// What in the refused batch the server objected to, as far as it could be found out
        /// (the ids that already exist, or the unique index and the items that collide).
        cause: String,
        /// The server's answer.
        #[source]
        source: Box<Error>,
    },
    /// A query cannot be used where it was given.
    #[error("invalid query `{method}` for {operation}: {reason}")]
    InvalidQuery {
        /// The query's method, e.g. [`QueryMethod::Limit`](crate::QueryMethod::Limit).
        method: crate::QueryMethod,
        /// The operation, e.g. `stream`.
        operation: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The realtime connection task is gone: the [`Orm`](crate::Orm) closed its realtime
    /// connection or shut down.
    #[error("the realtime connection is closed")]
    RealtimeClosed,
    /// The Redis server behind a [`WorkQueue`](crate::WorkQueue) failed.
    #[cfg(feature = "redis")]
    #[error("work queue: {context}: {source}")]
    Queue {
        /// What the queue was doing.
        context: &'static str,
        /// The Redis error.
        #[source]
        source: redis::RedisError,
    },
    /// The Redis server behind [`RedisCheckpoints`](crate::RedisCheckpoints) failed.
    #[cfg(feature = "redis")]
    #[error("checkpoints: {context}: {source}")]
    Checkpoints {
        /// What the store was doing.
        context: &'static str,
        /// The Redis error.
        #[source]
        source: redis::RedisError,
    },
}

impl Error {
    /// The Appwrite error type, when the server sent one.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Error::Appwrite { kind, .. } => Some(*kind),
            Error::Bulk { source, .. } => source.kind(),
            _ => None,
        }
    }

    /// Whether this is the server's answer `kind`.
    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind() == Some(kind)
    }

    pub(crate) fn decode(what: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Decode {
            what: what.into(),
            path: String::new(),
            source,
        }
    }
}

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! kinds {
    ($($variant:ident = $name:literal,)*) => {
        /// Appwrite's error types that a database client can meet.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
            /// A type this version of the crate does not know.
            Other,
        }

        impl ErrorKind {
            /// Every kind this version of the crate knows (all but [`ErrorKind::Other`]).
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)*];

            /// The kind of an Appwrite `type` string (of any release: 1.9 renamed
            /// `user_key_and_session_set` to `user_api_key_and_session_set`).
            pub fn from_type(name: &str) -> Self {
                match name {
                    $($name => ErrorKind::$variant,)*
                    "user_api_key_and_session_set" => ErrorKind::UserKeyAndSessionSet,
                    _ => ErrorKind::Other,
                }
            }

            /// The `type` string, or `None` for [`ErrorKind::Other`].
            pub fn as_type(self) -> Option<&'static str> {
                match self {
                    $(ErrorKind::$variant => Some($name),)*
                    ErrorKind::Other => None,
                }
            }
        }
    };
}

kinds! {
    GeneralAccessForbidden = "general_access_forbidden",
    GeneralUnauthorizedScope = "general_unauthorized_scope",
    GeneralArgumentInvalid = "general_argument_invalid",
    GeneralQueryInvalid = "general_query_invalid",
    GeneralRouteNotFound = "general_route_not_found",
    GeneralCursorNotFound = "general_cursor_not_found",
    GeneralRateLimitExceeded = "general_rate_limit_exceeded",
    GeneralServerError = "general_server_error",
    GeneralUnknown = "general_unknown",
    GeneralBadRequest = "general_bad_request",
    ProjectNotFound = "project_not_found",
    UserUnauthorized = "user_unauthorized",
    UserJwtInvalid = "user_jwt_invalid",
    UserNotFound = "user_not_found",
    UserAlreadyExists = "user_already_exists",
    UserKeyAndSessionSet = "user_key_and_session_set",
    DatabaseNotFound = "database_not_found",
    DatabaseAlreadyExists = "database_already_exists",
    DatabaseQueryOrderNull = "database_query_order_null",
    CollectionNotFound = "collection_not_found",
    CollectionAlreadyExists = "collection_already_exists",
    DocumentNotFound = "document_not_found",
    DocumentInvalidStructure = "document_invalid_structure",
    DocumentMissingData = "document_missing_data",
    DocumentMissingPayload = "document_missing_payload",
    DocumentAlreadyExists = "document_already_exists",
    DocumentUpdateConflict = "document_update_conflict",
    AttributeNotFound = "attribute_not_found",
    AttributeUnknown = "attribute_unknown",
    AttributeNotAvailable = "attribute_not_available",
    AttributeDefaultUnsupported = "attribute_default_unsupported",
    AttributeAlreadyExists = "attribute_already_exists",
    AttributeValueInvalid = "attribute_value_invalid",
    AttributeTypeInvalid = "attribute_type_invalid",
    AttributeInvalidResize = "attribute_invalid_resize",
    AttributeLimitExceeded = "attribute_limit_exceeded",
    IndexNotFound = "index_not_found",
    IndexAlreadyExists = "index_already_exists",
    IndexInvalid = "index_invalid",
    IndexDependency = "index_dependency",
    IndexLimitExceeded = "index_limit_exceeded",
    TransactionNotFound = "transaction_not_found",
    TransactionInvalid = "transaction_invalid",
    TransactionFailed = "transaction_failed",
    TransactionExpired = "transaction_expired",
    TransactionConflict = "transaction_conflict",
    TransactionLimitExceeded = "transaction_limit_exceeded",
    TransactionNotReady = "transaction_not_ready",
    TableNotFound = "table_not_found",
    TableAlreadyExists = "table_already_exists",
    RowNotFound = "row_not_found",
    RowInvalidStructure = "row_invalid_structure",
    RowMissingData = "row_missing_data",
    RowMissingPayload = "row_missing_payload",
    RowAlreadyExists = "row_already_exists",
    RowUpdateConflict = "row_update_conflict",
    ColumnNotFound = "column_not_found",
    ColumnAlreadyExists = "column_already_exists",
    ColumnNotAvailable = "column_not_available",
    ColumnLimitExceeded = "column_limit_exceeded",
    ColumnIndexNotFound = "column_index_not_found",
    ColumnIndexAlreadyExists = "column_index_already_exists",
    ColumnUnknown = "column_unknown",
    ColumnDefaultUnsupported = "column_default_unsupported",
    ColumnValueInvalid = "column_value_invalid",
    ColumnTypeInvalid = "column_type_invalid",
    ColumnInvalidResize = "column_invalid_resize",
    ColumnIndexInvalid = "column_index_invalid",
    ColumnIndexLimitExceeded = "column_index_limit_exceeded",
    ColumnIndexDependency = "column_index_dependency",
}

impl ErrorKind {
    /// The collections API's name for the same failure: TablesDB answers `row_not_found` where
    /// the collections API answers `document_not_found`, and so on. Errors carry this kind
    /// whichever API the server was spoken to in, so one `err.is(ErrorKind::DocumentNotFound)`
    /// covers both.
    pub fn collections_twin(self) -> ErrorKind {
        use ErrorKind as K;
        match self {
            K::TableNotFound => K::CollectionNotFound,
            K::TableAlreadyExists => K::CollectionAlreadyExists,
            K::RowNotFound => K::DocumentNotFound,
            K::RowInvalidStructure => K::DocumentInvalidStructure,
            K::RowMissingData => K::DocumentMissingData,
            K::RowMissingPayload => K::DocumentMissingPayload,
            K::RowAlreadyExists => K::DocumentAlreadyExists,
            K::RowUpdateConflict => K::DocumentUpdateConflict,
            K::ColumnNotFound => K::AttributeNotFound,
            K::ColumnAlreadyExists => K::AttributeAlreadyExists,
            K::ColumnNotAvailable => K::AttributeNotAvailable,
            K::ColumnLimitExceeded => K::AttributeLimitExceeded,
            K::ColumnIndexNotFound => K::IndexNotFound,
            K::ColumnIndexAlreadyExists => K::IndexAlreadyExists,
            K::ColumnUnknown => K::AttributeUnknown,
            K::ColumnDefaultUnsupported => K::AttributeDefaultUnsupported,
            K::ColumnValueInvalid => K::AttributeValueInvalid,
            K::ColumnTypeInvalid => K::AttributeTypeInvalid,
            K::ColumnInvalidResize => K::AttributeInvalidResize,
            K::ColumnIndexInvalid => K::IndexInvalid,
            K::ColumnIndexLimitExceeded => K::IndexLimitExceeded,
            K::ColumnIndexDependency => K::IndexDependency,
            other => other,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_type().unwrap_or("unknown"))
    }
}
