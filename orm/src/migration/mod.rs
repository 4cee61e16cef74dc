//! Auto-migration: the difference between the derived schemas and the server as a [`Plan`],
//! checked (`verify`) or applied (`apply`) by a [`Migrator`].
//!
//! # Adding fields to a collection that holds documents
//!
//! Documents written before a field existed have no value for it (`null` on the server), so a
//! new field must say what they read as:
//!
//! | the new field | on the server | an older document reads as |
//! |---|---|---|
//! | `Option<T>` | optional | `None` |
//! | `#[serde(default)] T` | optional | `T::default()` (its `null` decodes as the default) |
//! | `#[collection(default = 3)] T` | optional, with a default | the default, filled in by the server |
//! | plain `T` | required | nothing: refused ([`Step::AddRequiredAttribute`]) |
//!
//! The last one is refused like a destructive change unless `allow_destructive(true)`: its
//! message names the field and these fixes. On an empty collection a required field is fine.
//!
//! [`payload`] builds the exact JSON bodies of Appwrite's create-collection, create-attribute and
//! create-index endpoints.

mod apply;
mod error;
pub mod payload;
mod plan;

pub use apply::{Migrator, Progress};
pub use error::MigrationError;
pub use plan::{Plan, Step};
