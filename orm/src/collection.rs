//! The traits `#[derive(Collection)]` and `#[derive(AttributeEnum)]` implement.

use serde::de::DeserializeOwned;
use serde::Serialize;

use chrono::{DateTime, Utc};

use crate::schema::CollectionSchema;
use crate::{Field, Patch, Permission};

/// A Rust type stored as the documents of one Appwrite collection.
///
/// Implement it with `#[derive(Collection)]`, which also checks at compile time everything the
/// server would reject later (bad keys, unsupported types, impossible defaults, …).
///
/// # Names
///
/// The derive gives each field a query handle named after it in capitals (`title` →
/// `Ticket::TITLE`). Everything this trait adds starts with `_` — the collection's id and name
/// (`Ticket::_COLLECTION_ID`) and handles of Appwrite's own attributes (`Ticket::_ID` for `$id`,
/// `_CREATED_AT`, `_UPDATED_AT`, `_SEQUENCE`) — so no ordinary field can hide one: a field named
/// `id` or `name` gets `Ticket::ID` / `Ticket::NAME` and the collection's constants stay
/// reachable. The few field names that would collide (`_id`, `_created_at`, …) do not compile.
///
/// ```
/// use appwrite_orm::{AttributeEnum, Collection};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
/// #[serde(rename_all = "lowercase")]
/// enum Status {
///     Open,
///     Closed,
/// }
///
/// #[derive(Collection, Serialize, Deserialize, Debug, Clone)]
/// #[serde(rename_all = "camelCase")]
/// #[collection(id = "tickets")]
/// struct Ticket {
///     #[collection(size = 120)]
///     title: String,
///     status: Status,
///     opened_by: Option<String>,
/// }
///
/// let schema = Ticket::schema();
/// assert_eq!(Ticket::_COLLECTION_ID, "tickets");
/// assert_eq!(Ticket::_COLLECTION_NAME, "Ticket");
/// assert_eq!(schema.attributes[2].key, "openedBy");
/// assert!(!schema.attributes[2].required);
///
/// // Appwrite's own attributes, typed: newest first, created since a point in time.
/// let since = chrono::Utc::now() - chrono::Duration::hours(1);
/// let recent = [Ticket::_CREATED_AT.gte(since), Ticket::_CREATED_AT.order_desc()];
/// assert_eq!(recent[1].to_string(), r#"{"method":"orderDesc","attribute":"$createdAt"}"#);
/// ```
pub trait Collection: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The collection id.
    const _COLLECTION_ID: &'static str;
    /// The collection's display name.
    const _COLLECTION_NAME: &'static str;
    /// Query handle of the document id, `$id`.
    const _ID: Field<Self, String> = Field::__new("$id");
    /// Query handle of the creation time, `$createdAt`.
    const _CREATED_AT: Field<Self, DateTime<Utc>> = Field::__new("$createdAt");
    /// Query handle of the last update time, `$updatedAt`.
    const _UPDATED_AT: Field<Self, DateTime<Utc>> = Field::__new("$updatedAt");
    /// Query handle of the insertion counter, `$sequence` (servers 1.8 and later).
    const _SEQUENCE: Field<Self, i64> = Field::__new("$sequence");
    /// The typed partial update the derive generates (`<Struct>Patch`).
    type Patch: Into<Patch<Self>>;

    /// The collection's schema, built once.
    fn schema() -> &'static CollectionSchema;

    /// Whether document-level permissions apply.
    fn document_security() -> bool {
        Self::schema().document_security
    }

    /// The collection-level permissions.
    fn permissions() -> &'static [Permission] {
        &Self::schema().permissions
    }
}

/// A unit enum stored in an Appwrite `enum` attribute.
///
/// `#[derive(AttributeEnum)]` implements it from the variants' serde names (honouring
/// `#[serde(rename)]` and `#[serde(rename_all)]`), so the attribute's elements always equal the
/// strings serde writes.
///
/// ```
/// use appwrite_orm::AttributeEnum;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(AttributeEnum, Serialize, Deserialize, Clone, Copy)]
/// #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
/// enum Stage {
///     InTransit,
///     #[serde(rename = "done")]
///     Delivered,
/// }
///
/// assert_eq!(Stage::ELEMENTS, ["IN_TRANSIT", "done"]);
/// assert_eq!(Stage::InTransit.as_str(), "IN_TRANSIT");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in an Appwrite attribute",
    label = "unsupported attribute type",
    note = "supported: String, bool, i8-i64, u8-u32, f32, f64, chrono::DateTime<Utc>, unit enums with #[derive(AttributeEnum)], and Option/Vec of those",
    note = "nested structs need a relationship, which appwrite-orm does not map yet"
)]
pub trait AttributeEnum: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The elements of the enum attribute, in declaration order.
    const ELEMENTS: &'static [&'static str];

    /// The element this value is stored as.
    fn as_str(&self) -> &'static str;
}
