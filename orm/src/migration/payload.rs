//! The request bodies that create a collection on an Appwrite server.
//!
//! Field names and types follow Appwrite's server API (1.6–1.8): keys that Appwrite treats as
//! optional are omitted rather than sent as `null`, as the official SDKs do.
//!
//! ```
//! use appwrite_orm::migration::payload;
//! use appwrite_orm::schema::{Attribute, AttributeKind};
//!
//! let attribute = Attribute {
//!     key: "title".into(),
//!     kind: AttributeKind::String { size: 128 },
//!     required: true,
//!     array: false,
//!     default: None,
//! };
//! let request = payload::create_attribute("main", "posts", &attribute);
//! assert_eq!(request.path, "/databases/main/collections/posts/attributes/string");
//! assert_eq!(
//!     request.body,
//!     serde_json::json!({"key": "title", "required": true, "array": false, "size": 128})
//! );
//! ```

use serde_json::{json, Map, Value};

use crate::schema::{Attribute, CollectionSchema, Index};

/// One `POST` request: a path below `/v1` and its JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The path below the API root, e.g. `/databases/main/collections`.
    pub path: String,
    /// The JSON body.
    pub body: Value,
}

/// `POST /databases`: creates the database.
pub fn create_database(database_id: &str, name: &str) -> Request {
    Request {
        path: "/databases".to_owned(),
        body: json!({ "databaseId": database_id, "name": name }),
    }
}

/// `POST /databases/{databaseId}/collections`: creates the collection without its attributes.
pub fn create_collection(database_id: &str, schema: &CollectionSchema) -> Request {
    let permissions: Vec<String> = schema.permissions.iter().map(ToString::to_string).collect();
    Request {
        path: format!("/databases/{database_id}/collections"),
        body: json!({
            "collectionId": schema.id,
            "name": schema.name,
            "permissions": permissions,
            "documentSecurity": schema.document_security,
            "enabled": true,
        }),
    }
}

/// `POST /databases/{databaseId}/collections/{collectionId}/attributes/{kind}`.
pub fn create_attribute(database_id: &str, collection_id: &str, attribute: &Attribute) -> Request {
    let mut body = Map::new();
    body.insert("key".into(), json!(attribute.key));
    body.insert("required".into(), json!(attribute.required));
    body.insert("array".into(), json!(attribute.array));
    if let Some(default) = &attribute.default {
        body.insert("default".into(), default.to_json());
    }
    attribute.kind.write_settings(&mut body);
    Request {
        path: format!(
            "/databases/{database_id}/collections/{collection_id}/attributes/{}",
            attribute.kind.route()
        ),
        body: Value::Object(body),
    }
}

/// `POST /databases/{databaseId}/collections/{collectionId}/indexes`.
pub fn create_index(database_id: &str, collection_id: &str, index: &Index) -> Request {
    let attributes: Vec<&str> = index.fields.iter().map(|f| f.attribute.as_str()).collect();
    let orders: Vec<&str> = index.fields.iter().map(|f| f.order.as_str()).collect();
    Request {
        path: format!("/databases/{database_id}/collections/{collection_id}/indexes"),
        body: json!({
            "key": index.key,
            "type": index.kind.as_str(),
            "attributes": attributes,
            "orders": orders,
        }),
    }
}

/// Every request that creates `schema` from nothing, in the order they must be sent:
/// the collection, then its attributes, then its indexes.
pub fn create_all(database_id: &str, schema: &CollectionSchema) -> Vec<Request> {
    let mut requests = vec![create_collection(database_id, schema)];
    requests.extend(
        schema
            .attributes
            .iter()
            .map(|a| create_attribute(database_id, &schema.id, a)),
    );
    requests.extend(
        schema
            .indexes
            .iter()
            .map(|i| create_index(database_id, &schema.id, i)),
    );
    requests
}
