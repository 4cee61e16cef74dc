//! Typed queries, serialized to Appwrite's JSON query format
//! (`{"method":"equal","attribute":"status","values":["paid"]}`).
//!
//! Filters come from the field handles `#[derive(Collection)]` generates, so an attribute name
//! cannot be misspelt and a value cannot have the wrong type:
//!
//! ```
//! use appwrite_orm::{AttributeEnum, Collection, Query};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(AttributeEnum, Serialize, Deserialize, Clone, Copy)]
//! #[serde(rename_all = "lowercase")]
//! enum Status { Pending, Paid }
//!
//! #[derive(Collection, Serialize, Deserialize)]
//! #[collection(id = "orders")]
//! struct Order { status: Status, total: f64 }
//!
//! let query = Query::and([Order::STATUS.eq(Status::Paid), Order::TOTAL.gte(10.0)]);
//! assert_eq!(
//!     query.to_string(),
//!     r#"{"method":"and","values":[{"method":"equal","attribute":"status","values":["paid"]},{"method":"greaterThanEqual","attribute":"total","values":[10.0]}]}"#
//! );
//! ```
//!
//! Comparing a field with a value of another type does not compile:
//!
//! ```compile_fail
//! # use appwrite_orm::Collection;
//! # use serde::{Deserialize, Serialize};
//! #[derive(Collection, Serialize, Deserialize)]
//! #[collection(id = "orders")]
//! struct Order { total: f64 }
//!
//! let query = Order::TOTAL.eq("x");
//! ```
//!
//! Array attributes only offer the queries Appwrite allows on arrays (`contains`, `isNull`, …):
//!
//! ```compile_fail
//! # use appwrite_orm::Collection;
//! # use serde::{Deserialize, Serialize};
//! #[derive(Collection, Serialize, Deserialize)]
//! #[collection(id = "orders")]
//! struct Order { tags: Vec<String> }
//!
//! let query = Order::TAGS.eq(vec![String::from("gift")]);
//! ```

mod field;
mod into;
mod method;
mod value;

pub use field::Field;
pub use into::IntoQueries;
pub use method::QueryMethod;
pub use value::QueryValue;

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// One Appwrite query: a filter, an order, a page bound or a projection.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    method: QueryMethod,
    attribute: Option<&'static str>,
    values: Vec<Value>,
    // The operands of `and` / `or`, kept typed so that they serialize in the same key order.
    nested: Vec<Query>,
}

impl Query {
    pub(crate) fn new(method: QueryMethod, attribute: Option<&'static str>, values: Vec<Value>) -> Self {
        Query {
            method,
            attribute,
            values,
            nested: Vec::new(),
        }
    }

    /// The method, e.g. [`QueryMethod::Equal`].
    pub fn method(&self) -> QueryMethod {
        self.method
    }

    /// The attribute the query applies to, if any.
    pub fn attribute(&self) -> Option<&'static str> {
        self.attribute
    }

    /// The query's values (empty for `and` / `or`).
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The operands of `and` / `or`.
    pub fn operands(&self) -> &[Query] {
        &self.nested
    }

    /// All of `queries` must match (`and`).
    pub fn and(queries: impl IntoQueries) -> Self {
        Query::nested(QueryMethod::And, queries)
    }

    /// At least one of `queries` must match (`or`).
    pub fn or(queries: impl IntoQueries) -> Self {
        Query::nested(QueryMethod::Or, queries)
    }

    fn nested(method: QueryMethod, queries: impl IntoQueries) -> Self {
        Query {
            method,
            attribute: None,
            values: Vec::new(),
            nested: queries.into_queries(),
        }
    }

    /// Return at most `count` documents (Appwrite's default is 25).
    pub fn limit(count: u32) -> Self {
        Query::new(QueryMethod::Limit, None, vec![count.into()])
    }

    /// Skip the first `count` matching documents.
    pub fn offset(count: u32) -> Self {
        Query::new(QueryMethod::Offset, None, vec![count.into()])
    }

    /// Start after the document with this id.
    pub fn cursor_after(document_id: impl Into<String>) -> Self {
        Query::new(
            QueryMethod::CursorAfter,
            None,
            vec![Value::String(document_id.into())],
        )
    }

    /// End before the document with this id.
    pub fn cursor_before(document_id: impl Into<String>) -> Self {
        Query::new(
            QueryMethod::CursorBefore,
            None,
            vec![Value::String(document_id.into())],
        )
    }

    /// Return the documents in random order (servers 1.8 and later).
    pub fn order_random() -> Self {
        Query::new(QueryMethod::OrderRandom, None, Vec::new())
    }

    /// Return only these attributes (plus `$id` and `$permissions`).
    pub fn select(keys: impl IntoIterator<Item = &'static str>) -> Self {
        Query::new(
            QueryMethod::Select,
            None,
            keys.into_iter().map(Value::from).collect(),
        )
    }
}

impl Serialize for Query {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Absent keys are omitted rather than null, exactly as the official SDKs' JSON.stringify.
        let has_values = !self.values.is_empty() || !self.nested.is_empty();
        let len = 1 + usize::from(self.attribute.is_some()) + usize::from(has_values);
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("method", self.method.as_str())?;
        if let Some(attribute) = self.attribute {
            map.serialize_entry("attribute", attribute)?;
        }
        if !self.nested.is_empty() {
            map.serialize_entry("values", &self.nested)?;
        } else if !self.values.is_empty() {
            map.serialize_entry("values", &self.values)?;
        }
        map.end()
    }
}

/// The JSON string sent as one `queries[]` parameter.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

/// `queries` as the `queries[i]` parameters of a list request.
pub(crate) fn params(queries: &[Query]) -> Vec<(String, String)> {
    queries
        .iter()
        .enumerate()
        .map(|(i, q)| (format!("queries[{i}]"), q.to_string()))
        .collect()
}
