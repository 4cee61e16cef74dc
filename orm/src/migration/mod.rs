//! Auto-migration: the difference between the derived schemas and the server as a [`Plan`],
//! checked (`verify`) or applied (`apply`) by a [`Migrator`].
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
