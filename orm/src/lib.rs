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

mod backoff;
mod client;
mod collection;
mod database;
pub mod datetime;
mod document;
mod error;
mod handle;
pub mod id;
pub mod key;
pub mod migration;
mod patch;
mod permission;
pub mod query;
pub mod realtime;
pub mod schema;
mod transport;

pub use client::{Orm, OrmBuilder};
pub use collection::{AttributeEnum, Collection};
pub use database::{Connect, Database};
pub use document::{Document, Metadata};
pub use error::{Error, ErrorKind, Result};
pub use handle::{CollectionHandle, Page, BATCH_SIZE, TOTAL_CAP};
pub use patch::Patch;
pub use permission::{Action, ParsePermissionError, Permission, Role, Verification};
pub use query::{Field, Query, QueryMethod};
#[cfg(feature = "redis")]
pub use realtime::WorkQueue;
pub use realtime::{
    CacheStats, CachedCollection, CollectionEvent, CollectionSubscription, ConnectionState, DeadLetter,
    Event, EventKind, HandlerOptions, HandlerStats, ListenError, ListenerHandle, Origin, RealtimeOptions,
    RetryPolicy, SchemaItem, SchemaStatus, ServiceIdentity, Subscription,
};

/// Derives [`Collection`](trait@Collection) for a struct with named fields.
///
/// Options go in `#[collection(...)]` on the struct and on fields; see the crate README for the
/// full list and the type mapping.
#[cfg(feature = "derive")]
pub use appwrite_orm_derive::Collection;

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

    /// The elements of an enum attribute, owned.
    pub fn enum_elements<E: AttributeEnum>() -> Vec<String> {
        E::ELEMENTS.iter().map(|e| (*e).to_owned()).collect()
    }

    /// Parses a role the derive already validated.
    pub fn role(text: &'static str) -> Role {
        text.parse()
            .unwrap_or_else(|err| panic!("appwrite-orm derive emitted an invalid role: {err}"))
    }

    /// Compile-time check that a default names one of the enum's elements.
    pub const fn enum_has_element<E: AttributeEnum>(element: &str) -> bool {
        let mut i = 0;
        while i < E::ELEMENTS.len() {
            if str_eq(E::ELEMENTS[i], element) {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn str_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
}
