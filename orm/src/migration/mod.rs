//! Turning a [`CollectionSchema`](crate::schema::CollectionSchema) into Appwrite requests.
//!
//! [`payload`] builds the exact JSON bodies of Appwrite's create-collection, create-attribute and
//! create-index endpoints.

pub mod payload;
