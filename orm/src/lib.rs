//! A typed ORM for [Appwrite](https://appwrite.io) databases.
//!
//! Plain Rust structs become collections with `#[derive(Collection)]`: the derive produces the
//! collection's [`CollectionSchema`](schema::CollectionSchema), typed field handles for
//! [`Query`] and a typed [`Patch`] builder, and rejects at compile time what the server would
//! reject at runtime. Documents read back as [`Document<T>`], the struct plus Appwrite's
//! metadata.
//!
//! ```
//! use appwrite_orm::{AttributeEnum, Collection, Document};
//! use chrono::{DateTime, Utc};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
//! #[serde(rename_all = "lowercase")]
//! enum OrderStatus {
//!     Pending,
//!     Paid,
//! }
//!
//! #[derive(Collection, Serialize, Deserialize, Debug, Clone)]
//! #[serde(rename_all = "camelCase")]
//! #[collection(id = "orders", name = "Orders", rename_all = "camelCase")]
//! #[collection(index(key = "by_user", fields(user_id, placed_at = "desc")))]
//! struct Order {
//!     #[collection(size = 64)]
//!     user_id: String,
//!     status: OrderStatus,
//!     #[collection(min = 0.0)]
//!     total: f64,
//!     placed_at: DateTime<Utc>,
//! }
//!
//! let paid = Order::STATUS.eq(OrderStatus::Paid);
//! assert_eq!(paid.to_string(), r#"{"method":"equal","attribute":"status","values":["paid"]}"#);
//! assert_eq!(Order::schema().indexes[0].fields[0].attribute, "userId");
//! ```

#![warn(missing_docs)]

// The derives name this crate `::appwrite_orm`; so does the crate's own use of them
// (`ListenerCheckpoint`).
extern crate self as appwrite_orm;

mod backoff;
mod client;
mod collection;
mod database;
pub mod datetime;
pub mod dialect;
mod document;
mod error;
mod handle;
pub mod id;
pub mod key;
pub mod migration;
mod patch;
mod permission;
pub mod projection;
pub mod query;
pub mod realtime;
pub mod schema;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transaction;
mod transport;

pub use client::{Orm, OrmBuilder};
pub use collection::{AttributeEnum, Collection};
pub use database::{Connect, Database};
pub use dialect::Dialect;
pub use document::{Document, Metadata};
pub use error::{Error, ErrorKind, Result};
pub use handle::{Call, CollectionHandle, Page, BATCH_SIZE, TOTAL_CAP};
pub use patch::{IntoOptional, Patch};
pub use permission::{Action, ParsePermissionError, Permission, Role, Verification};
pub use projection::Projection;
pub use query::{Field, Query, QueryMethod};
pub use realtime::{
    CacheStats, CachedCollection, CollectionEvent, CollectionSubscription, ConnectionState, DeadLetter,
    Event, EventKind, HandlerError, HandlerOptions, HandlerStats, ListenError, ListenerHandle, Origin,
    RealtimeOptions, RetryPolicy, SchemaItem, SchemaStatus, ServiceIdentity, Subscription,
};
pub use realtime::{Checkpoint, CheckpointStore, CollectionCheckpoints, ListenerCheckpoint, StoreFuture};
#[cfg(feature = "redis")]
pub use realtime::{RedisCheckpoints, WorkQueue};
pub use transaction::Transaction;

/// Derives [`Collection`](trait@Collection) for a struct with named fields: the struct becomes
/// the collection's schema (migrated by `auto_migrate`), each field an attribute with a typed
/// handle (`Order::TOTAL`) for queries, and `Order::patch()` a typed partial update.
///
/// # Struct options: `#[collection(...)]`
///
/// | option | meaning |
/// |---|---|
/// | `id = "orders"` | the collection id (default: the struct's name in snake case, `OrderItem` → `order_item`) |
/// | `name = "Orders"` | the display name (default: the struct's name) |
/// | `document_security` / `document_security = true` | document-level permissions apply too (default off) |
/// | `permissions(read = "any", create = ["users", "label:admin"], update = …, delete = …, write = …)` | collection permissions; roles are Appwrite's strings: `any`, `guests`, `users`, `users/verified`, `user:<id>`, `user:<id>/verified`, `team:<id>`, `team:<id>/<role>`, `member:<id>`, `label:<name>` |
/// | `index(key = "by_user", fields(user_id, placed_at = "desc"))` | a key index; add `unique` for a unique one or `fulltext` for a fulltext one (string fields only); each field may say `"asc"` or `"desc"` |
/// | `rename_all = "camelCase"` | restates `#[serde(rename_all)]`: attribute keys are always the keys serde writes, and the derive refuses a rule serde does not apply too |
///
/// # Field options: `#[collection(...)]`
///
/// | option | on | meaning |
/// |---|---|---|
/// | `size = 64` | `String` | maximum length (default 255) |
/// | `format = "email"` / `"url"` / `"ip"` | `String` | an email, url or ip attribute |
/// | `min = 0`, `max = 100` | numbers | bounds (integers default to the Rust type's range) |
/// | `default = 3` | scalars | a value the server fills in when a document omits it; the attribute is then optional |
/// | `required` / `required = false` | any | overrides the rule below |
/// | `rename = "key"` | any | restates `#[serde(rename)]` |
/// | `skip` | any | not an attribute (needs `#[serde(skip)]` too) |
///
/// # Types
///
/// `String` → string, `i8`…`i64` and `u8`…`u32` → integer, `f32`/`f64` → float, `bool` → boolean,
/// `chrono::DateTime<Utc>` → datetime (milliseconds, see [`datetime`]), a unit enum with
/// `#[derive(AttributeEnum)]` → enum, `Vec<T>` → array, `Option<T>` → optional. `u64`, `u128`,
/// nested structs, maps, tuples, `Vec<Vec<T>>`, `Option<Vec<T>>` (Appwrite cannot keep `None`
/// apart from an empty list) and `#[serde(flatten)]` do not compile, each with a message naming
/// what to use instead.
///
/// # Required or not
///
/// A field is a required attribute unless it is an `Option`, a `Vec`, has a `default`, or has
/// `#[serde(default)]` (then a `null` stored by an older document decodes as the default). A
/// default on a required attribute does not compile: Appwrite accepts a default only on an
/// optional one — so `#[collection(default = 0)]` alone makes the field optional, and adding
/// `required` to it is the combination that does not compile. Adding a required field to a
/// collection that already holds documents is refused by the migration — see [`migration`].
///
/// # Keys, `rename_all` and generated names
///
/// Serde decides the keys a document travels with, so the derive reads `#[serde(rename_all)]`
/// and `#[serde(rename)]` and uses the keys serde writes. `#[collection(rename_all)]` and
/// `#[collection(rename)]` are optional restatements, checked against serde's: they can never
/// introduce a second, different rule.
///
/// The derive generates, per field, a query handle named after the field in capitals
/// (`user_id` → `Order::USER_ID`, a [`Field`]) and a setter on `Order::patch()`; setters of
/// `Option` fields accept the value, `None` or an `Option` ([`IntoOptional`]). What the
/// [`Collection`](trait@Collection) trait itself provides starts with `_` — `_COLLECTION_ID`,
/// `_COLLECTION_NAME` and the handles of Appwrite's attributes `_ID`, `_CREATED_AT`,
/// `_UPDATED_AT`, `_SEQUENCE` — so no field can hide it; a field whose handle would be one of
/// those names does not compile.
///
/// # Example
///
/// ```
/// use appwrite_orm::schema::{AttributeKind, IndexKind};
/// use appwrite_orm::{AttributeEnum, Collection};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(AttributeEnum, Serialize, Deserialize, Clone, Copy)]
/// #[serde(rename_all = "lowercase")]
/// enum Status { Open, Closed }
///
/// #[derive(Collection, Serialize, Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// #[collection(id = "tickets", document_security, permissions(read = "users", create = "users"))]
/// #[collection(index(key = "by_email", unique, fields(contact)))]
/// #[collection(index(key = "search", fulltext, fields(subject)))]
/// struct Ticket {
///     #[collection(size = 200)]
///     subject: String,
///     status: Status,
///     #[collection(format = "email")]
///     contact: String,
///     #[collection(default = 0, min = 0, max = 10)]
///     priority: i32,
///     #[serde(default)]
///     reopened_count: u32,
///     tags: Vec<String>,
///     closed_at: Option<chrono::DateTime<chrono::Utc>>,
/// }
///
/// let schema = Ticket::schema();
/// assert_eq!(Ticket::_COLLECTION_ID, "tickets");
/// let key = |k: &str| schema.attribute(k).unwrap();
/// assert!(key("subject").required);
/// assert_eq!(key("subject").kind, AttributeKind::String { size: 200 });
/// assert_eq!(key("contact").kind, AttributeKind::Email);
/// assert!(!key("priority").required, "a default makes it optional");
/// assert!(!key("reopenedCount").required, "so does #[serde(default)]");
/// assert!(key("tags").array);
/// assert_eq!(schema.indexes[0].kind, IndexKind::Unique);
/// assert_eq!(schema.indexes[1].kind, IndexKind::Fulltext);
/// let open = Ticket::STATUS.eq(Status::Open);
/// let patch = Ticket::patch().priority(3);
/// # let _ = (open, patch);
/// ```
#[cfg(feature = "derive")]
pub use appwrite_orm_derive::Collection;

/// Derives [`Projection`](trait@Projection) for a struct holding some of a collection's fields:
/// `#[projection(of = Order)]`; see the trait for the rules and an example.
#[cfg(feature = "derive")]
pub use appwrite_orm_derive::Projection;

/// Marks an `async fn` taking a [`testing::TestDatabase`] as a test that runs with a database
/// of its own — on a fresh emulator, or on the real server the `APPWRITE_TEST_*` variables
/// name — removed when it ends, passed or failed (feature `testing`):
///
/// ```ignore
/// #[appwrite_orm::test]
/// async fn totals_add_up(db: TestDatabase) -> appwrite_orm::Result<()> {
///     let orders = db.migrated::<Order>().await?;
///     // …
///     Ok(())
/// }
/// ```
///
/// It expands to a plain `#[test]` calling [`testing::run`]; the body may return `()` or a
/// `Result` whose error fails the test.
#[cfg(feature = "testing")]
pub use appwrite_orm_derive::test;

/// Derives [`AttributeEnum`](trait@AttributeEnum) for a unit enum.
#[cfg(feature = "derive")]
pub use appwrite_orm_derive::AttributeEnum;

// What the derive's generated code refers to. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use serde_json::Value;
    pub use std::borrow::ToOwned;
    pub use std::convert::{From, Into};
    pub use std::option::Option::{self, None, Some};
    pub use std::string::String;
    pub use std::sync::OnceLock;
    pub use std::vec::Vec;
    pub use std::{assert, unreachable};

    pub use crate::query::QueryValue;
    pub use crate::schema::{
        Attribute, AttributeKind, CollectionSchema, DefaultValue, Index, IndexField, IndexKind, SortOrder,
    };
    pub use crate::{Action, AttributeEnum, Collection, Field, Patch, Permission, Role};

    /// Parses a role the derive already validated.
    pub fn role(text: &'static str) -> Role {
        text.parse()
            .unwrap_or_else(|err| panic!("appwrite-orm derive emitted an invalid role: {err}"))
    }
}
