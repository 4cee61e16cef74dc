//! The schema model: what a collection looks like on the Appwrite server.
//!
//! `#[derive(Collection)]` builds a [`CollectionSchema`] from a struct at compile time; the
//! migration code turns it into Appwrite's create-collection, create-attribute and create-index
//! request bodies (see [`crate::migration::payload`]). It is plain data, so it can also be built
//! by hand or compared with what a server reports.

mod attribute;
mod index;

pub(crate) use attribute::str_eq;
pub use attribute::{is_enum_element, Attribute, AttributeKind, DefaultValue, DEFAULT_STRING_SIZE};
pub use index::{Index, IndexField, IndexKind, SortOrder};

use crate::Permission;

/// Everything Appwrite needs to create one collection.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionSchema {
    /// The collection id (`collectionId`), following Appwrite's key rule.
    pub id: String,
    /// The human-readable collection name.
    pub name: String,
    /// Whether document-level permissions apply in addition to the collection's.
    pub document_security: bool,
    /// Collection-level permissions.
    pub permissions: Vec<Permission>,
    /// The attributes, in declaration order.
    pub attributes: Vec<Attribute>,
    /// The indexes, in declaration order.
    pub indexes: Vec<Index>,
    /// The keys of fields serde gives a default (`#[serde(default)]`) that are not `Option`:
    /// such a field is optional on the server, and a `null` stored there (by a document
    /// written before the field existed) decodes as the default.
    pub null_as_default: Vec<String>,
}

impl CollectionSchema {
    /// The attribute stored under `key`, if any.
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.key == key)
    }
}
