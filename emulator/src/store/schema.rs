//! Databases, collections, attributes and indexes.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use super::{index_rules, string_list};
use crate::attribute::{Attribute, Kind};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::ids;

// ---- databases -------------------------------------------------------------------------------

/// A database as stored.
#[derive(Debug, Clone)]
pub(crate) struct Database {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub created: String,
    pub updated: String,
    /// `legacy` when made through the collections API, `tablesdb` through TablesDB.
    pub kind: String,
}

impl Database {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Database {
            id: r.get(0)?,
            name: r.get(1)?,
            enabled: r.get(2)?,
            created: r.get(3)?,
            updated: r.get(4)?,
            kind: r.get(5)?,
        })
    }

    /// Appwrite's `Database` model.
    pub(crate) fn to_json(&self) -> Value {
        json!({"$id": self.id, "name": self.name, "$createdAt": self.created, "$updatedAt": self.updated, "enabled": self.enabled, "type": self.kind})
    }
}

pub(crate) fn create_database(
    c: &mut Connection,
    id: &str,
    name: &str,
    enabled: bool,
    kind: &str,
) -> ApiResult<Database> {
    let now = ids::now();
    let inserted = c.execute(
        "INSERT OR IGNORE INTO databases (id, name, enabled, created, updated, type) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![id, name, enabled, now, kind],
    )?;
    if inserted == 0 {
        return Err(ApiError::about(ErrorType::database_already_exists, id));
    }
    get_database(c, id)
}

pub(crate) fn get_database(c: &Connection, id: &str) -> ApiResult<Database> {
    c.query_row(
        "SELECT id, name, enabled, created, updated, type FROM databases WHERE id = ?1",
        [id],
        Database::read,
    )
    .optional()?
    .ok_or_else(|| ApiError::about(ErrorType::database_not_found, id))
}

pub(crate) fn list_databases(c: &Connection) -> ApiResult<Vec<Database>> {
    let mut stmt =
        c.prepare("SELECT id, name, enabled, created, updated, type FROM databases ORDER BY rowid")?;
    let rows = stmt
        .query_map([], Database::read)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(crate) fn update_database(
    c: &mut Connection,
    id: &str,
    name: &str,
    enabled: bool,
) -> ApiResult<Database> {
    let changed = c.execute(
        "UPDATE databases SET name = ?2, enabled = ?3, updated = ?4 WHERE id = ?1",
        params![id, name, enabled, ids::now()],
    )?;
    if changed == 0 {
        return Err(ApiError::about(ErrorType::database_not_found, id));
    }
    get_database(c, id)
}

pub(crate) fn delete_database(c: &mut Connection, id: &str) -> ApiResult<()> {
    get_database(c, id)?;
    let seqs: Vec<i64> = {
        let mut stmt = c.prepare("SELECT seq FROM collections WHERE database_id = ?1")?;
        let rows = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    let tx = c.transaction()?;
    for seq in seqs {
        drop_collection_storage(&tx, seq)?;
    }
    tx.execute("DELETE FROM collections WHERE database_id = ?1", [id])?;
    tx.execute("DELETE FROM databases WHERE id = ?1", [id])?;
    tx.commit()?;
    Ok(())
}

// ---- collections -----------------------------------------------------------------------------

/// A collection as stored.
#[derive(Debug, Clone)]
pub(crate) struct Collection {
    /// Internal number; documents live in table `d<seq>`.
    pub seq: i64,
    pub database_id: String,
    /// Whether its database is enabled: a disabled database hides its collections.
    pub database_enabled: bool,
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub document_security: bool,
    pub permissions: Vec<String>,
    pub created: String,
    pub updated: String,
    pub attributes: Vec<Attribute>,
    pub indexes: Vec<Index>,
}

impl Collection {
    /// The documents table.
    pub(crate) fn table(&self) -> String {
        format!("d{}", self.seq)
    }

    pub(crate) fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.key == key)
    }

    /// Attributes documents may use: those whose column is ready.
    pub(crate) fn available(&self) -> impl Iterator<Item = &Attribute> {
        self.attributes.iter().filter(|a| a.is_available())
    }

    /// What a list's answer depends on besides its documents: the attributes and indexes.
    pub(crate) fn schema_json(&self) -> Value {
        json!({
            "attributes": self.attributes.iter().map(Attribute::to_json).collect::<Vec<_>>(),
            "indexes": self.indexes.iter().map(Index::to_json).collect::<Vec<_>>(),
        })
    }

    /// Appwrite's `Collection` model as `version` answers it: 1.9 adds the row's size limit and
    /// the bytes its attributes take (`bytesMax`, `bytesUsed`).
    pub(crate) fn to_json(&self, version: crate::AppwriteVersion) -> Value {
        let mut model = json!({
            "$id": self.id,
            "$createdAt": self.created,
            "$updatedAt": self.updated,
            "$permissions": self.permissions,
            "databaseId": self.database_id,
            "name": self.name,
            "enabled": self.enabled,
            "documentSecurity": self.document_security,
            "attributes": self.attributes.iter().map(Attribute::to_json).collect::<Vec<_>>(),
            "indexes": self.indexes.iter().map(Index::to_json).collect::<Vec<_>>(),
        });
        if version >= crate::AppwriteVersion::V1_9_0 {
            model["bytesMax"] = json!(crate::attribute::ROW_BYTES_LIMIT);
            model["bytesUsed"] = json!(crate::attribute::row_width(self.attributes.iter()));
        }
        model
    }
}

/// Loads a collection with its attributes and indexes; 404s name what is missing.
pub(crate) fn load_collection(
    c: &Connection,
    database_id: &str,
    collection_id: &str,
) -> ApiResult<Collection> {
    let database = get_database(c, database_id)?;
    let collection = c
        .query_row(
            "SELECT seq, name, enabled, document_security, permissions, created, updated
             FROM collections WHERE database_id = ?1 AND id = ?2",
            [database_id, collection_id],
            |r| {
                Ok(Collection {
                    seq: r.get(0)?,
                    database_id: database_id.to_owned(),
                    database_enabled: database.enabled,
                    id: collection_id.to_owned(),
                    name: r.get(1)?,
                    enabled: r.get(2)?,
                    document_security: r.get(3)?,
                    permissions: string_list(&r.get::<_, String>(4)?),
                    created: r.get(5)?,
                    updated: r.get(6)?,
                    attributes: Vec::new(),
                    indexes: Vec::new(),
                })
            },
        )
        .optional()?;
    let mut collection =
        collection.ok_or_else(|| ApiError::about(ErrorType::collection_not_found, collection_id))?;
    collection.attributes = load_attributes(c, collection.seq)?;
    collection.indexes = load_indexes(c, collection.seq)?;
    Ok(collection)
}

pub(crate) fn create_collection(
    c: &mut Connection,
    database_id: &str,
    id: &str,
    name: &str,
    permissions: &[String],
    document_security: bool,
    enabled: bool,
) -> ApiResult<Collection> {
    get_database(c, database_id)?;
    let now = ids::now();
    let tx = c.transaction()?;
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO collections (database_id, id, name, enabled, document_security, permissions, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![database_id, id, name, enabled, document_security, json!(permissions).to_string(), now],
    )?;
    if inserted == 0 {
        return Err(ApiError::about(ErrorType::collection_already_exists, id));
    }
    let seq = tx.last_insert_rowid();
    tx.execute_batch(&format!(
        "CREATE TABLE d{seq} (_seq INTEGER PRIMARY KEY AUTOINCREMENT, _uid TEXT NOT NULL UNIQUE,
         _created TEXT NOT NULL, _updated TEXT NOT NULL, _permissions TEXT NOT NULL);
         CREATE INDEX d{seq}_created ON d{seq} (_created); CREATE INDEX d{seq}_updated ON d{seq} (_updated);"
    ))?;
    tx.commit()?;
    load_collection(c, database_id, id)
}

pub(crate) fn list_collections(c: &Connection, database_id: &str) -> ApiResult<Vec<Collection>> {
    get_database(c, database_id)?;
    let ids: Vec<String> = {
        let mut stmt = c.prepare("SELECT id FROM collections WHERE database_id = ?1 ORDER BY seq")?;
        let rows = stmt
            .query_map([database_id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    ids.iter().map(|id| load_collection(c, database_id, id)).collect()
}

/// `PUT` collection: `permissions` of `None` keeps the current ones; `document_security`
/// defaults to false when omitted, as in Appwrite.
pub(crate) fn update_collection(
    c: &mut Connection,
    database_id: &str,
    id: &str,
    name: &str,
    permissions: Option<&[String]>,
    document_security: bool,
    enabled: bool,
) -> ApiResult<Collection> {
    let current = load_collection(c, database_id, id)?;
    let permissions = permissions.map_or(current.permissions.clone(), <[String]>::to_vec);
    c.execute(
        "UPDATE collections SET name = ?2, permissions = ?3, document_security = ?4, enabled = ?5, updated = ?6 WHERE seq = ?1",
        params![current.seq, name, json!(permissions).to_string(), document_security, enabled, ids::now()],
    )?;
    load_collection(c, database_id, id)
}

pub(crate) fn delete_collection(c: &mut Connection, database_id: &str, id: &str) -> ApiResult<()> {
    let collection = load_collection(c, database_id, id)?;
    let tx = c.transaction()?;
    drop_collection_storage(&tx, collection.seq)?;
    tx.execute("DELETE FROM collections WHERE seq = ?1", [collection.seq])?;
    tx.commit()?;
    Ok(())
}

fn drop_collection_storage(c: &Connection, seq: i64) -> ApiResult<()> {
    for index in load_indexes(c, seq)? {
        c.execute_batch(&format!("DROP TABLE IF EXISTS f{}", index.seq))?;
    }
    c.execute_batch(&format!("DROP TABLE IF EXISTS d{seq}"))?;
    c.execute("DELETE FROM attributes WHERE collection_seq = ?1", [seq])?;
    c.execute("DELETE FROM indexes WHERE collection_seq = ?1", [seq])?;
    Ok(())
}

// ---- attributes ------------------------------------------------------------------------------

fn load_attributes(c: &Connection, collection_seq: i64) -> ApiResult<Vec<Attribute>> {
    let mut stmt = c.prepare_cached(
        "SELECT seq, key, spec, status, error, created, updated FROM attributes WHERE collection_seq = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([collection_seq], |r| {
            let spec: Value = serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default();
            Ok(Attribute {
                seq: r.get(0)?,
                key: r.get(1)?,
                kind: Attribute::kind_from_spec(&spec),
                required: spec["required"].as_bool().unwrap_or(false),
                array: spec["array"].as_bool().unwrap_or(false),
                default: spec["default"].clone(),
                status: r.get(3)?,
                error: r.get(4)?,
                created: r.get(5)?,
                updated: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Adds the attribute's column right away (status `processing`); the caller flips it to
/// `available` after the configured delay with [`finish_attribute`].
pub(crate) fn create_attribute(
    c: &mut Connection,
    database_id: &str,
    collection_id: &str,
    mut attribute: Attribute,
) -> ApiResult<Attribute> {
    let collection = load_collection(c, database_id, collection_id)?;
    ids::check_key("key", &attribute.key)?;
    attribute.check_default()?;
    if collection.attribute(&attribute.key).is_some() {
        return Err(ApiError::about(
            ErrorType::attribute_already_exists,
            &attribute.key,
        ));
    }
    crate::attribute::check_row_limits(collection_id, collection.attributes.iter().chain([&attribute]))?;
    let now = ids::now();
    attribute.status = "processing".into();
    attribute.created.clone_from(&now);
    attribute.updated = now;
    let tx = c.transaction()?;
    tx.execute(
        "INSERT INTO attributes (collection_seq, key, spec, status, error, created, updated) VALUES (?1, ?2, ?3, 'processing', '', ?4, ?4)",
        params![collection.seq, attribute.key, attribute.spec().to_string(), attribute.created],
    )?;
    attribute.seq = tx.last_insert_rowid();
    tx.execute_batch(&format!(
        "ALTER TABLE d{} ADD COLUMN {}",
        collection.seq,
        attribute.column()
    ))?;
    // Appwrite fills the default into documents that exist already.
    let default = attribute.stored_default()?;
    if default != rusqlite::types::Value::Null {
        tx.execute(
            &format!("UPDATE d{} SET {} = ?1", collection.seq, attribute.column()),
            [default],
        )?;
    }
    tx.commit()?;
    Ok(attribute)
}

pub(crate) fn finish_attribute(c: &mut Connection, seq: i64) -> ApiResult<()> {
    c.execute(
        "UPDATE attributes SET status = 'available', updated = ?2 WHERE seq = ?1 AND status = 'processing'",
        params![seq, ids::now()],
    )?;
    Ok(())
}

pub(crate) fn get_attribute(
    c: &Connection,
    database_id: &str,
    collection_id: &str,
    key: &str,
) -> ApiResult<Attribute> {
    let collection = load_collection(c, database_id, collection_id)?;
    collection
        .attribute(key)
        .cloned()
        .ok_or_else(|| ApiError::about(ErrorType::attribute_not_found, key))
}

pub(crate) fn list_attributes(
    c: &Connection,
    database_id: &str,
    collection_id: &str,
) -> ApiResult<Vec<Attribute>> {
    Ok(load_collection(c, database_id, collection_id)?.attributes)
}

/// What a `PATCH /attributes/{kind}/{key}` may change.
pub(crate) struct AttributeUpdate {
    pub required: bool,
    pub default: Value,
    pub size: Option<i64>,
    pub min: Option<Value>,
    pub max: Option<Value>,
    pub elements: Option<Vec<String>>,
    pub new_key: Option<String>,
}

pub(crate) fn update_attribute(
    c: &mut Connection,
    database_id: &str,
    collection_id: &str,
    route: &str,
    key: &str,
    update: AttributeUpdate,
) -> ApiResult<Attribute> {
    let collection = load_collection(c, database_id, collection_id)?;
    let mut attribute = collection
        .attribute(key)
        .cloned()
        .ok_or_else(|| ApiError::about(ErrorType::attribute_not_found, key))?;
    if attribute.kind.route() != route {
        return Err(ApiError::with(
            ErrorType::attribute_type_invalid,
            "Attribute type mismatch",
        ));
    }
    if !attribute.is_available() {
        return Err(ApiError::about(ErrorType::attribute_not_available, key));
    }
    attribute.required = update.required;
    attribute.default = update.default;
    let column = attribute.column();
    match &mut attribute.kind {
        Kind::String { size, .. } => {
            if let Some(new_size) = update.size {
                let longest: i64 = c.query_row(
                    &format!(
                        "SELECT COALESCE(MAX(length({column})), 0) FROM d{}",
                        collection.seq
                    ),
                    [],
                    |r| r.get(0),
                )?;
                if new_size < 1 || (!attribute.array && new_size < longest) {
                    return Err(ApiError::new(ErrorType::attribute_invalid_resize));
                }
                *size = new_size;
            }
        }
        Kind::Integer { min, max } => {
            if let Some(v) = update.min.as_ref().and_then(Value::as_i64) {
                *min = v;
            }
            if let Some(v) = update.max.as_ref().and_then(Value::as_i64) {
                *max = v;
            }
            if min > max {
                return Err(ApiError::with(
                    ErrorType::attribute_value_invalid,
                    "Minimum value must be lesser than maximum value",
                ));
            }
        }
        Kind::Float { min, max } => {
            if let Some(v) = update.min.as_ref().and_then(Value::as_f64) {
                *min = v;
            }
            if let Some(v) = update.max.as_ref().and_then(Value::as_f64) {
                *max = v;
            }
            if min > max {
                return Err(ApiError::with(
                    ErrorType::attribute_value_invalid,
                    "Minimum value must be lesser than maximum value",
                ));
            }
        }
        Kind::Enum { elements } => {
            if let Some(new) = update.elements {
                if new.is_empty() {
                    return Err(ApiError::with(
                        ErrorType::attribute_value_invalid,
                        "Enum elements must not be empty",
                    ));
                }
                *elements = new;
            }
        }
        _ => {}
    }
    attribute.check_default()?;
    // A resize must keep every index over the attribute within the index length limits.
    let resized: Vec<Attribute> = collection
        .attributes
        .iter()
        .map(|a| {
            if a.seq == attribute.seq {
                attribute.clone()
            } else {
                a.clone()
            }
        })
        .collect();
    for index in collection
        .indexes
        .iter()
        .filter(|i| i.attributes.iter().any(|a| a == key))
    {
        index_rules::validate(
            &resized,
            &index.key,
            &index.kind,
            &index.attributes,
            &index.lengths,
            &index.orders,
        )
        .map_err(|message| ApiError::with(ErrorType::index_invalid, message))?;
    }
    if let Some(new_key) = &update.new_key {
        ids::check_key("newKey", new_key)?;
        if new_key != key && collection.attribute(new_key).is_some() {
            return Err(ApiError::about(ErrorType::attribute_already_exists, new_key));
        }
        if collection
            .indexes
            .iter()
            .any(|i| i.attributes.iter().any(|a| a == key))
        {
            return Err(ApiError::about(ErrorType::index_dependency, key));
        }
        attribute.key.clone_from(new_key);
    }
    attribute.updated = ids::now();
    c.execute(
        "UPDATE attributes SET key = ?2, spec = ?3, updated = ?4 WHERE seq = ?1",
        params![
            attribute.seq,
            attribute.key,
            attribute.spec().to_string(),
            attribute.updated
        ],
    )?;
    Ok(attribute)
}

/// Deletes an attribute. Indexes over it lose it, as Appwrite's database worker does: an index
/// left with no attributes is deleted, one left identical (attributes and orders) to another is
/// deleted as a duplicate, the others are rebuilt over what remains.
pub(crate) fn delete_attribute(
    c: &mut Connection,
    database_id: &str,
    collection_id: &str,
    key: &str,
) -> ApiResult<()> {
    let collection = load_collection(c, database_id, collection_id)?;
    let attribute = collection
        .attribute(key)
        .ok_or_else(|| ApiError::about(ErrorType::attribute_not_found, key))?;
    let mut indexes = collection.indexes.clone();
    let mut removed = Vec::new();
    let mut rebuilt = Vec::new();
    for i in 0..indexes.len() {
        let Some(found) = indexes[i].attributes.iter().position(|a| a == key) else {
            continue;
        };
        let index = &mut indexes[i];
        index.attributes.retain(|a| a != key);
        // PHP's `array_diff`, which Appwrite uses here, drops every entry equal to the removed one.
        for list in [&mut index.lengths, &mut index.orders] {
            if let Some(gone) = list.get(found).map(php_text) {
                list.retain(|v| php_text(v) != gone);
            }
        }
        let index = &indexes[i];
        let duplicate = indexes.iter().any(|other| {
            other.seq != index.seq
                && !removed.contains(&other.seq)
                && other.attributes == index.attributes
                && other.orders == index.orders
        });
        if index.attributes.is_empty() || duplicate {
            removed.push(index.seq);
        } else {
            rebuilt.push(index.seq);
        }
    }
    let tx = c.transaction()?;
    for index in collection
        .indexes
        .iter()
        .filter(|i| i.attributes.iter().any(|a| a == key))
    {
        tx.execute_batch(&format!(
            "DROP INDEX IF EXISTS i{0}; DROP TABLE IF EXISTS f{0};",
            index.seq
        ))?;
    }
    for seq in &removed {
        tx.execute("DELETE FROM indexes WHERE seq = ?1", [seq])?;
    }
    for index in indexes.iter().filter(|i| rebuilt.contains(&i.seq)) {
        tx.execute(
            "UPDATE indexes SET attributes = ?2, orders = ?3, lengths = ?4, status = 'processing', updated = ?5 WHERE seq = ?1",
            params![
                index.seq,
                json!(index.attributes).to_string(),
                json!(index.orders).to_string(),
                json!(index.lengths).to_string(),
                ids::now()
            ],
        )?;
    }
    tx.execute_batch(&format!(
        "ALTER TABLE d{} DROP COLUMN {}",
        collection.seq,
        attribute.column()
    ))?;
    tx.execute("DELETE FROM attributes WHERE seq = ?1", [attribute.seq])?;
    tx.commit()?;
    for seq in rebuilt {
        finish_index(c, database_id, collection_id, seq)?;
    }
    Ok(())
}

/// How PHP compares array entries as strings (`array_diff`): null and false are empty.
fn php_text(value: &Value) -> String {
    match value {
        Value::Null | Value::Bool(false) => String::new(),
        Value::Bool(true) => "1".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

// ---- indexes ---------------------------------------------------------------------------------

/// An index as stored.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    /// Internal number; the SQLite index is `i<seq>`, the FTS5 table of a fulltext one `f<seq>`.
    pub seq: i64,
    pub key: String,
    pub kind: String,
    pub attributes: Vec<String>,
    pub orders: Vec<Value>,
    /// Per attribute: the indexed prefix length, or null for the whole value.
    pub lengths: Vec<Value>,
    pub status: String,
    pub error: String,
    pub created: String,
    pub updated: String,
}

impl Index {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "$id": self.key, "key": self.key, "type": self.kind, "status": self.status, "error": self.error,
            "attributes": self.attributes, "lengths": self.lengths, "orders": self.orders,
            "$createdAt": self.created, "$updatedAt": self.updated,
        })
    }

    pub(crate) fn fts_table(&self) -> String {
        format!("f{}", self.seq)
    }
}

fn load_indexes(c: &Connection, collection_seq: i64) -> ApiResult<Vec<Index>> {
    let mut stmt = c.prepare_cached(
        "SELECT seq, key, type, attributes, orders, status, error, created, updated, lengths FROM indexes WHERE collection_seq = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([collection_seq], |r| {
            Ok(Index {
                seq: r.get(0)?,
                key: r.get(1)?,
                kind: r.get(2)?,
                attributes: string_list(&r.get::<_, String>(3)?),
                orders: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
                status: r.get(5)?,
                error: r.get(6)?,
                created: r.get(7)?,
                updated: r.get(8)?,
                lengths: serde_json::from_str(&r.get::<_, String>(9)?).unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// What a request asks an index to be.
pub(crate) struct IndexRequest {
    /// The release whose rules apply: 1.9 refuses array attributes and names a missing or
    /// unready attribute with the error's own message.
    pub version: crate::AppwriteVersion,
    pub key: String,
    pub kind: String,
    pub attributes: Vec<String>,
    pub orders: Vec<Value>,
    pub lengths: Vec<Value>,
}

/// Appwrite's index limit on MariaDB: 64 less the 6 every collection has.
const INDEX_LIMIT: usize = 58;

/// Records a new index (built later by `finish_index`), after the checks Appwrite makes in its
/// order: the limit, each attribute known and available, the index validator, then the key.
pub(crate) fn create_index(
    c: &mut Connection,
    database_id: &str,
    collection_id: &str,
    request: IndexRequest,
) -> ApiResult<Index> {
    let collection = load_collection(c, database_id, collection_id)?;
    let IndexRequest {
        version,
        key,
        kind,
        attributes,
        mut orders,
        mut lengths,
    } = request;
    if collection.indexes.len() >= INDEX_LIMIT {
        return Err(ApiError::with(
            ErrorType::index_limit_exceeded,
            "Index limit exceeded",
        ));
    }
    lengths.resize(lengths.len().max(attributes.len()), Value::Null);
    for (i, name) in attributes.iter().enumerate() {
        let array = match name.as_str() {
            "$id" | "$createdAt" | "$updatedAt" => false,
            _ => {
                let since_1_9 = version >= crate::AppwriteVersion::V1_9_0;
                let attribute = collection.attribute(name).ok_or_else(|| match since_1_9 {
                    true => ApiError::about(ErrorType::attribute_unknown, name),
                    false => ApiError::with(
                        ErrorType::attribute_unknown,
                        format!(
                            "Unknown attribute: {name}. Verify the attribute name or create the attribute."
                        ),
                    ),
                })?;
                if !attribute.is_available() {
                    return Err(match since_1_9 {
                        true => ApiError::about(ErrorType::attribute_not_available, &attribute.key),
                        false => ApiError::with(
                            ErrorType::attribute_not_available,
                            format!("attribute not available: {}", attribute.key),
                        ),
                    });
                }
                // 1.9 refuses them outright (a MySQL bug breaks queries over such indexes).
                if attribute.array && since_1_9 {
                    return Err(ApiError::with(
                        ErrorType::index_invalid,
                        "Creating indexes on array attributes is not currently supported.",
                    ));
                }
                attribute.array
            }
        };
        if lengths[i].as_i64().unwrap_or(0) == 0 {
            lengths[i] = Value::Null;
        }
        if array {
            lengths[i] = json!(index_rules::MAX_ARRAY_INDEX_LENGTH);
            if orders.len() <= i {
                orders.resize(i + 1, Value::Null);
            }
            orders[i] = Value::Null;
        }
    }
    index_rules::validate(
        &collection.attributes,
        &key,
        &kind,
        &attributes,
        &lengths,
        &orders,
    )
    .map_err(|message| ApiError::with(ErrorType::index_invalid, message))?;
    if collection.indexes.iter().any(|i| i.key == key) {
        return Err(ApiError::about(ErrorType::index_already_exists, &key));
    }
    let now = ids::now();
    c.execute(
        "INSERT INTO indexes (collection_seq, key, type, attributes, orders, lengths, status, error, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'processing', '', ?7, ?7)",
        params![
            collection.seq,
            key,
            kind,
            json!(attributes).to_string(),
            json!(orders).to_string(),
            json!(lengths).to_string(),
            now
        ],
    )?;
    let seq = c.last_insert_rowid();
    Ok(load_indexes(c, collection.seq)?
        .into_iter()
        .find(|i| i.seq == seq)
        .expect("just inserted"))
}

fn index_column(collection: &Collection, name: &str) -> Option<String> {
    match name {
        "$id" => Some("_uid".into()),
        "$createdAt" => Some("_created".into()),
        "$updatedAt" => Some("_updated".into()),
        "$sequence" => Some("_seq".into()),
        key => collection.attribute(key).map(Attribute::column),
    }
}

/// Builds the index in SQLite and marks it `available`, or `failed` with the reason (for
/// example a unique index over duplicate values).
pub(crate) fn finish_index(
    c: &mut Connection,
    database_id: &str,
    collection_id: &str,
    seq: i64,
) -> ApiResult<()> {
    let Ok(collection) = load_collection(c, database_id, collection_id) else {
        return Ok(());
    };
    let Some(index) = collection
        .indexes
        .iter()
        .find(|i| i.seq == seq && i.status == "processing")
    else {
        return Ok(());
    };
    let result = build_index(c, &collection, index);
    let (status, error) = match result {
        Ok(()) => ("available", String::new()),
        Err(err) => ("failed", err.to_string()),
    };
    c.execute(
        "UPDATE indexes SET status = ?2, error = ?3, updated = ?4 WHERE seq = ?1",
        params![seq, status, error, ids::now()],
    )?;
    Ok(())
}

fn build_index(c: &mut Connection, collection: &Collection, index: &Index) -> rusqlite::Result<()> {
    let columns: Vec<String> = index
        .attributes
        .iter()
        .filter_map(|a| index_column(collection, a))
        .collect();
    let table = collection.table();
    let tx = c.transaction()?;
    if index.kind == "fulltext" {
        let fts = index.fts_table();
        let names: Vec<String> = (0..columns.len()).map(|i| format!("c{i}")).collect();
        tx.execute_batch(&format!(
            "CREATE VIRTUAL TABLE {fts} USING fts5({}, content='', contentless_delete=1);
             INSERT INTO {fts} (rowid, {}) SELECT _seq, {} FROM {table};",
            names.join(", "),
            names.join(", "),
            columns
                .iter()
                .map(|c| format!("COALESCE({c}, '')"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
    } else {
        let unique = if index.kind == "unique" { "UNIQUE" } else { "" };
        let ordered: Vec<String> = columns
            .iter()
            .zip(index.orders.iter().map(Some).chain(std::iter::repeat(None)))
            .map(|(col, order)| match order.and_then(Value::as_str) {
                Some("DESC") => format!("{col} DESC"),
                _ => format!("{col} ASC"),
            })
            .collect();
        tx.execute_batch(&format!(
            "CREATE {unique} INDEX i{} ON {table} ({})",
            index.seq,
            ordered.join(", ")
        ))?;
    }
    tx.commit()
}

pub(crate) fn get_index(
    c: &Connection,
    database_id: &str,
    collection_id: &str,
    key: &str,
) -> ApiResult<Index> {
    let collection = load_collection(c, database_id, collection_id)?;
    collection
        .indexes
        .into_iter()
        .find(|i| i.key == key)
        .ok_or_else(|| ApiError::about(ErrorType::index_not_found, key))
}

pub(crate) fn list_indexes(c: &Connection, database_id: &str, collection_id: &str) -> ApiResult<Vec<Index>> {
    Ok(load_collection(c, database_id, collection_id)?.indexes)
}

pub(crate) fn delete_index(
    c: &mut Connection,
    database_id: &str,
    collection_id: &str,
    key: &str,
) -> ApiResult<()> {
    let index = get_index(c, database_id, collection_id, key)?;
    let tx = c.transaction()?;
    tx.execute_batch(&format!(
        "DROP INDEX IF EXISTS i{0}; DROP TABLE IF EXISTS f{0};",
        index.seq
    ))?;
    tx.execute("DELETE FROM indexes WHERE seq = ?1", [index.seq])?;
    tx.commit()?;
    Ok(())
}

/// Indexes a killed server left `processing` are built on the next start.
pub(crate) fn resume_pending_work(c: &mut Connection) -> ApiResult<()> {
    let pending: Vec<(String, String, i64)> = {
        let mut stmt = c.prepare(
            "SELECT col.database_id, col.id, idx.seq FROM indexes idx JOIN collections col ON col.seq = idx.collection_seq
             WHERE idx.status = 'processing'",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    for (database_id, collection_id, seq) in pending {
        finish_index(c, &database_id, &collection_id, seq)?;
    }
    Ok(())
}
