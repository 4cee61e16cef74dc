//! The difference between the derived schemas and the server, as a printable value.

use std::collections::BTreeSet;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::schema::{Attribute, AttributeKind, CollectionSchema, DefaultValue, Index};

/// One change the migration makes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// Create the database.
    CreateDatabase,
    /// Create a collection (its attributes and indexes follow as their own steps).
    CreateCollection {
        /// The collection's schema.
        schema: CollectionSchema,
    },
    /// Change a collection's name, permissions or document security.
    UpdateCollection {
        /// The collection's schema.
        schema: CollectionSchema,
        /// What differs, for display.
        changes: Vec<String>,
    },
    /// Create an attribute.
    CreateAttribute {
        /// The collection id.
        collection: String,
        /// The attribute to create.
        attribute: Attribute,
    },
    /// Change what Appwrite lets change in place: required, default, min/max, elements, a
    /// larger size.
    UpdateAttribute {
        /// The collection id.
        collection: String,
        /// The attribute as it should be.
        attribute: Attribute,
        /// What differs, for display.
        changes: Vec<String>,
    },
    /// Unsafe: a required attribute added to a collection that already holds documents. They
    /// would have no value for it, and reading them back would fail; refused like a destructive
    /// step. The fix is a default the server fills in (`#[collection(default = …)]`), a serde
    /// default (`#[serde(default)]`, which makes the attribute optional and decodes the older
    /// documents' `null` as the default), or an `Option`.
    AddRequiredAttribute {
        /// The collection id.
        collection: String,
        /// The attribute to create.
        attribute: Attribute,
    },
    /// Create an index.
    CreateIndex {
        /// The collection id.
        collection: String,
        /// The index to create.
        index: Index,
    },
    /// Destructive: the attribute must be deleted and created again (type, format or array-ness
    /// changed, or the size shrank), losing its values.
    RecreateAttribute {
        /// The collection id.
        collection: String,
        /// The attribute as it should be.
        attribute: Attribute,
        /// Why it cannot change in place.
        reason: String,
    },
    /// Destructive: the server has an attribute the schema does not.
    DeleteAttribute {
        /// The collection id.
        collection: String,
        /// The attribute key.
        key: String,
    },
    /// Destructive: the index differs and must be rebuilt.
    RecreateIndex {
        /// The collection id.
        collection: String,
        /// The index as it should be.
        index: Index,
        /// What differs.
        reason: String,
    },
    /// Destructive: the server has an index the schema does not.
    DeleteIndex {
        /// The collection id.
        collection: String,
        /// The index key.
        key: String,
    },
}

impl Step {
    /// Whether the step deletes data or structure.
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            Step::RecreateAttribute { .. }
                | Step::AddRequiredAttribute { .. }
                | Step::DeleteAttribute { .. }
                | Step::RecreateIndex { .. }
                | Step::DeleteIndex { .. }
        )
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::CreateDatabase => write!(f, "+ database"),
            Step::CreateCollection { schema } => write!(f, "+ collection {} ({})", schema.id, schema.name),
            Step::UpdateCollection { schema, changes } => {
                write!(f, "~ collection {}: {}", schema.id, changes.join(", "))
            }
            Step::CreateAttribute {
                collection,
                attribute,
            } => {
                write!(f, "+ {collection}.{} {}", attribute.key, describe(attribute))
            }
            Step::UpdateAttribute {
                collection,
                attribute,
                changes,
            } => {
                write!(f, "~ {collection}.{}: {}", attribute.key, changes.join(", "))
            }
            Step::AddRequiredAttribute {
                collection,
                attribute,
            } => write!(
                f,
                "! {collection}.{key} {} is required, but the collection already holds documents, \
                 which would have no value for it and could no longer be read: give `{key}` a \
                 default (#[collection(default = …)] or #[serde(default)]) or make it an Option",
                describe(attribute),
                key = attribute.key,
            ),
            Step::CreateIndex { collection, index } => {
                write!(f, "+ {collection} index {} ({})", index.key, index.kind.as_str())
            }
            Step::RecreateAttribute {
                collection,
                attribute,
                reason,
            } => {
                write!(
                    f,
                    "! {collection}.{} must be recreated, losing its values: {reason}",
                    attribute.key
                )
            }
            Step::DeleteAttribute { collection, key } => write!(
                f,
                "! {collection}.{key} is not in the schema and would be deleted"
            ),
            Step::RecreateIndex {
                collection,
                index,
                reason,
            } => write!(f, "! {collection} index {} must be rebuilt: {reason}", index.key),
            Step::DeleteIndex { collection, key } => write!(
                f,
                "! {collection} index {key} is not in the schema and would be deleted"
            ),
        }
    }
}

fn describe(attribute: &Attribute) -> String {
    let mut text = attribute.kind.route().to_owned();
    if let AttributeKind::String { size } = attribute.kind {
        text.push_str(&format!("({size})"));
    }
    if attribute.array {
        text.push_str("[]");
    }
    if attribute.required {
        text.push_str(" required");
    }
    text
}

/// What a migration would do; empty when the server matches the schemas.
///
/// It prints as a readable diff (`+` create, `~` change in place, `!` destructive).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The steps, in the order they are applied.
    pub steps: Vec<Step>,
}

impl Plan {
    /// Whether nothing needs to change.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps that lose data or structure.
    pub fn destructive(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.is_destructive())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return f.write_str("no changes");
        }
        for step in &self.steps {
            writeln!(f, "{step}")?;
        }
        Ok(())
    }
}

/// A collection as the server describes it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ServerCollection {
    pub(crate) name: String,
    #[serde(rename = "$permissions", default)]
    pub(crate) permissions: Vec<String>,
    #[serde(rename = "documentSecurity", default)]
    pub(crate) document_security: bool,
    #[serde(default)]
    pub(crate) attributes: Vec<Value>,
    #[serde(default)]
    pub(crate) indexes: Vec<Value>,
}

/// The steps that bring one existing collection in line with its schema.
pub(crate) fn diff_collection(schema: &CollectionSchema, server: &ServerCollection, steps: &mut Vec<Step>) {
    let collection = schema.id.clone();
    let mut changes = Vec::new();
    if server.name != schema.name {
        changes.push(format!("name {:?} → {:?}", server.name, schema.name));
    }
    let wanted: BTreeSet<String> = schema.permissions.iter().map(ToString::to_string).collect();
    let have: BTreeSet<String> = server.permissions.iter().cloned().collect();
    if wanted != have {
        changes.push(format!("permissions {:?} → {:?}", have, wanted));
    }
    if server.document_security != schema.document_security {
        changes.push(format!(
            "documentSecurity {} → {}",
            server.document_security, schema.document_security
        ));
    }
    if !changes.is_empty() {
        steps.push(Step::UpdateCollection {
            schema: schema.clone(),
            changes,
        });
    }

    for attribute in &schema.attributes {
        let existing = server
            .attributes
            .iter()
            .find(|a| a["key"] == attribute.key.as_str());
        match existing {
            None => steps.push(Step::CreateAttribute {
                collection: collection.clone(),
                attribute: attribute.clone(),
            }),
            Some(existing) => diff_attribute(&collection, attribute, existing, steps),
        }
    }
    for existing in &server.attributes {
        let key = existing["key"].as_str().unwrap_or_default();
        if schema.attribute(key).is_none() && existing["status"] != "deleting" {
            steps.push(Step::DeleteAttribute {
                collection: collection.clone(),
                key: key.to_owned(),
            });
        }
    }

    for index in &schema.indexes {
        match server.indexes.iter().find(|i| i["key"] == index.key.as_str()) {
            None => steps.push(Step::CreateIndex {
                collection: collection.clone(),
                index: index.clone(),
            }),
            Some(existing) => {
                if let Some(reason) = index_difference(index, existing) {
                    steps.push(Step::RecreateIndex {
                        collection: collection.clone(),
                        index: index.clone(),
                        reason,
                    });
                }
            }
        }
    }
    for existing in &server.indexes {
        let key = existing["key"].as_str().unwrap_or_default();
        if !schema.indexes.iter().any(|i| i.key == key) {
            steps.push(Step::DeleteIndex {
                collection: collection.clone(),
                key: key.to_owned(),
            });
        }
    }
}

// The `format` a server reports for a kind: numbers carry none in their models.
fn visible_format(kind: &AttributeKind) -> Option<&'static str> {
    kind.server_format()
        .filter(|f| !matches!(*f, "intRange" | "floatRange"))
}

fn diff_attribute(collection: &str, attribute: &Attribute, existing: &Value, steps: &mut Vec<Step>) {
    let server_type = existing["type"].as_str().unwrap_or_default();
    let server_format = existing["format"]
        .as_str()
        .filter(|f| !f.is_empty() && !matches!(*f, "intRange" | "floatRange"));
    let wanted_type = attribute.kind.server_type();
    let wanted_format = visible_format(&attribute.kind);
    let recreate = |reason: String| Step::RecreateAttribute {
        collection: collection.to_owned(),
        attribute: attribute.clone(),
        reason,
    };
    // Type and format together: enum, email, url and ip are all `string` on the server.
    if server_type != wanted_type || server_format != wanted_format {
        let show = |t: &str, f: Option<&str>| f.map_or_else(|| t.to_owned(), |f| format!("{t}/{f}"));
        steps.push(recreate(format!(
            "type {} → {}",
            show(server_type, server_format),
            show(wanted_type, wanted_format)
        )));
        return;
    }
    if existing["array"].as_bool().unwrap_or(false) != attribute.array {
        steps.push(recreate(format!(
            "array {} → {}",
            !attribute.array, attribute.array
        )));
        return;
    }
    let mut changes = Vec::new();
    if existing["required"].as_bool().unwrap_or(false) != attribute.required {
        changes.push(format!("required → {}", attribute.required));
    }
    let wanted_default = attribute
        .default
        .as_ref()
        .map_or(Value::Null, DefaultValue::to_json);
    if !same_json(&existing["default"], &wanted_default) {
        changes.push(format!("default {} → {}", existing["default"], wanted_default));
    }
    match &attribute.kind {
        AttributeKind::String { size } => {
            let have = existing["size"].as_u64().unwrap_or(0);
            if have > u64::from(*size) {
                steps.push(recreate(format!(
                    "size {have} → {size} (Appwrite cannot shrink a string in place)"
                )));
                return;
            }
            if have < u64::from(*size) {
                changes.push(format!("size {have} → {size}"));
            }
        }
        AttributeKind::Integer { min, max }
            if existing["min"].as_i64() != Some(*min) || existing["max"].as_i64() != Some(*max) =>
        {
            changes.push(format!(
                "range {}..={} → {min}..={max}",
                existing["min"], existing["max"]
            ));
        }
        AttributeKind::Float { min, max } => {
            let bound = |v: &Value, wanted: Option<f64>, implied: f64| {
                let have = v.as_f64().unwrap_or(implied);
                (have - wanted.unwrap_or(implied)).abs() <= f64::EPSILON * have.abs().max(1.0)
            };
            if !bound(&existing["min"], *min, -f64::MAX) || !bound(&existing["max"], *max, f64::MAX) {
                changes.push(format!(
                    "range {}..={} → {min:?}..={max:?}",
                    existing["min"], existing["max"]
                ));
            }
        }
        AttributeKind::Enum { elements } => {
            let have: Vec<&str> = existing["elements"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if have != elements.iter().map(String::as_str).collect::<Vec<_>>() {
                changes.push(format!("elements {have:?} → {elements:?}"));
            }
        }
        _ => {}
    }
    if !changes.is_empty() {
        steps.push(Step::UpdateAttribute {
            collection: collection.to_owned(),
            attribute: attribute.clone(),
            changes,
        });
    }
}

// Numbers compare by value (`0` and `0.0` are the same default).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn index_difference(index: &Index, existing: &Value) -> Option<String> {
    let kind = existing["type"].as_str().unwrap_or_default();
    if kind != index.kind.as_str() {
        return Some(format!("type {kind} → {}", index.kind.as_str()));
    }
    let attributes: Vec<&str> = existing["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let wanted: Vec<&str> = index.fields.iter().map(|f| f.attribute.as_str()).collect();
    if attributes != wanted {
        return Some(format!("attributes {attributes:?} → {wanted:?}"));
    }
    // The server stores no order (null) for an array attribute, whatever was asked.
    let orders: Vec<Option<&str>> = existing["orders"]
        .as_array()
        .into_iter()
        .flatten()
        .map(Value::as_str)
        .collect();
    let wanted_orders: Vec<&str> = index.fields.iter().map(|f| f.order.as_str()).collect();
    let differs = orders.len() != wanted_orders.len()
        || orders
            .iter()
            .zip(&wanted_orders)
            .any(|(have, want)| have.is_some_and(|have| have != *want));
    if !orders.is_empty() && differs {
        let orders: Vec<&str> = orders.iter().map(|o| o.unwrap_or("null")).collect();
        return Some(format!("orders {orders:?} → {wanted_orders:?}"));
    }
    None
}
