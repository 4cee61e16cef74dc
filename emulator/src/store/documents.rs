//! Documents: validation against the collection's attributes, permission checks, storage and
//! queries. Every write returns the [`Change`]s it made, for realtime events.

use rusqlite::types::Value as Sql;
use rusqlite::{params_from_iter, Connection, ErrorCode, OptionalExtension, Row};
use serde_json::{json, Map, Value};

use super::operators::{self, Operator};
use super::schema::Collection;
use crate::auth::{check_grantable, normalize_permissions, Caller, Scope};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::ids;
use crate::query::{document_filter, Plan, Query};

/// What a write did to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Create,
    Update,
    Upsert,
    Delete,
}

impl Action {
    /// The last part of Appwrite's event names, e.g. `create`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Upsert => "upsert",
            Action::Delete => "delete",
        }
    }
}

/// One document write, as realtime reports it.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub action: Action,
    pub database_id: String,
    pub collection_id: String,
    /// The document after the write (before it, for a delete).
    pub document: Value,
    /// Who may read the document: collection read ∪ document read (when documentSecurity is on).
    pub readers: Vec<String>,
    /// Made through the TablesDB API: the event is named after tables and rows first.
    pub tablesdb: bool,
}

/// The most documents one bulk call may carry.
pub(crate) const MAX_BATCH: usize = 100;
// Appwrite counts at most this many matches for `total`.
const MAX_COUNT: i64 = 5000;

/// A document row as read from SQLite.
struct Stored {
    seq: i64,
    id: String,
    created: String,
    updated: String,
    permissions: Vec<String>,
    values: Map<String, Value>,
}

fn select_columns(collection: &Collection) -> String {
    let mut columns = vec![
        "_seq".to_owned(),
        "_uid".into(),
        "_created".into(),
        "_updated".into(),
        "_permissions".into(),
    ];
    columns.extend(collection.available().map(|a| a.column()));
    columns.join(", ")
}

fn read_row(collection: &Collection, row: &Row<'_>) -> rusqlite::Result<Stored> {
    let mut values = Map::new();
    for (i, attribute) in collection.available().enumerate() {
        values.insert(attribute.key.clone(), attribute.read_sql(row.get(5 + i)?));
    }
    Ok(Stored {
        seq: row.get(0)?,
        id: row.get(1)?,
        created: row.get(2)?,
        updated: row.get(3)?,
        permissions: super::string_list(&row.get::<_, String>(4)?),
        values,
    })
}

impl Stored {
    fn to_json(&self, collection: &Collection) -> Value {
        let mut doc = Map::new();
        doc.insert("$id".into(), json!(self.id));
        doc.insert("$sequence".into(), json!(self.seq));
        doc.insert("$collectionId".into(), json!(collection.id));
        doc.insert("$databaseId".into(), json!(collection.database_id));
        doc.insert("$createdAt".into(), json!(self.created));
        doc.insert("$updatedAt".into(), json!(self.updated));
        doc.insert("$permissions".into(), json!(self.permissions));
        doc.extend(self.values.clone());
        Value::Object(doc)
    }

    fn selected(&self, collection: &Collection, select: Option<&[String]>) -> Value {
        let full = self.to_json(collection);
        let Some(keys) = select.filter(|k| !k.iter().any(|k| k == "*")) else {
            return full;
        };
        let mut doc = Map::new();
        for (key, value) in full.as_object().expect("document object") {
            if matches!(key.as_str(), "$id" | "$permissions") || keys.iter().any(|k| k == key) {
                doc.insert(key.clone(), value.clone());
            }
        }
        Value::Object(doc)
    }

    fn readers(&self, collection: &Collection) -> Vec<String> {
        readers(collection, &self.permissions)
    }
}

fn readers(collection: &Collection, document_permissions: &[String]) -> Vec<String> {
    let mut roles: Vec<String> = collection
        .permissions
        .iter()
        .filter_map(|p| read_role(p))
        .collect();
    if collection.document_security {
        roles.extend(document_permissions.iter().filter_map(|p| read_role(p)));
    }
    roles
}

fn read_role(permission: &str) -> Option<String> {
    permission
        .strip_prefix("read(\"")
        .and_then(|r| r.strip_suffix("\")"))
        .map(str::to_owned)
}

fn find(c: &Connection, collection: &Collection, id: &str) -> ApiResult<Option<Stored>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE _uid = ?1",
        select_columns(collection),
        collection.table()
    );
    Ok(c.prepare_cached(&sql)?
        .query_row([id], |r| read_row(collection, r))
        .optional()?)
}

fn can_read(caller: &Caller, collection: &Collection, doc: &Stored) -> bool {
    caller.can("read", &collection.permissions)
        || (collection.document_security && caller.can("read", &doc.permissions))
}

fn can_write(caller: &Caller, action: &str, collection: &Collection, permissions: &[String]) -> bool {
    caller.can(action, &collection.permissions)
        || (collection.document_security && caller.can(action, permissions))
}

fn unauthorized(action: &str) -> ApiError {
    ApiError::with(ErrorType::user_unauthorized, format!("The current user is not authorized to perform the requested action. Missing \"{action}\" permission."))
}

/// Appwrite answers 404 for disabled databases and collections to everyone but the API key.
pub(crate) fn visible(caller: &Caller, collection: &Collection) -> ApiResult<()> {
    if !collection.database_enabled && !caller.is_key() {
        return Err(ApiError::about(
            ErrorType::database_not_found,
            &collection.database_id,
        ));
    }
    if !collection.enabled && !caller.is_key() {
        return Err(ApiError::about(ErrorType::collection_not_found, &collection.id));
    }
    Ok(())
}

// ---- reads -----------------------------------------------------------------------------------

pub(crate) fn get(
    c: &Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
    queries: &[Query],
) -> ApiResult<Value> {
    visible(caller, collection)?;
    let plan = Plan::new(collection, queries)?;
    let doc = find(c, collection, id)?.filter(|d| can_read(caller, collection, d));
    let doc = doc.ok_or_else(|| ApiError::about(ErrorType::document_not_found, id))?;
    Ok(doc.selected(collection, plan.select.as_deref()))
}

pub(crate) fn list(
    c: &Connection,
    collection: &Collection,
    caller: &Caller,
    queries: &[Query],
    with_total: bool,
) -> ApiResult<Value> {
    visible(caller, collection)?;
    let plan = Plan::new(collection, queries)?;
    let (rows, total) = select(c, collection, caller, &plan, with_total)?;
    let documents: Vec<Value> = rows
        .iter()
        .map(|d| d.selected(collection, plan.select.as_deref()))
        .collect();
    Ok(json!({"total": total, "documents": documents}))
}

// The permission part of a list's WHERE: nothing when the collection grants read, the
// document-level filter with documentSecurity, otherwise a 401.
fn read_filter(collection: &Collection, caller: &Caller, params: &mut Vec<Sql>) -> ApiResult<String> {
    if caller.can("read", &collection.permissions) {
        return Ok("1".to_owned());
    }
    if !collection.document_security {
        return Err(unauthorized("read"));
    }
    let grants = caller.grants("read");
    let placeholders = vec!["?"; grants.len()].join(", ");
    params.extend(grants.into_iter().map(Sql::Text));
    Ok(format!(
        "EXISTS (SELECT 1 FROM json_each(_permissions) WHERE json_each.value IN ({placeholders}))"
    ))
}

fn select(
    c: &Connection,
    collection: &Collection,
    caller: &Caller,
    plan: &Plan,
    with_total: bool,
) -> ApiResult<(Vec<Stored>, i64)> {
    let table = collection.table();
    let mut params = plan.params.clone();
    let permission = read_filter(collection, caller, &mut params)?;
    let base = format!("({}) AND {permission}", plan.condition);

    let total = if with_total {
        let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {base} LIMIT {MAX_COUNT})");
        c.prepare_cached(&sql)?
            .query_row(params_from_iter(params.iter()), |r| r.get(0))?
    } else {
        0
    };

    let mut condition = base;
    let mut reversed = false;
    if let Some((cursor_id, after)) = &plan.cursor {
        let mut order_columns: Vec<String> = plan.orders.iter().map(|(c, _)| c.clone()).collect();
        order_columns.push("_seq".to_owned());
        let sql = format!("SELECT {} FROM {table} WHERE _uid = ?1", order_columns.join(", "));
        let values: Option<Vec<Sql>> = c
            .query_row(&sql, [cursor_id], |r| {
                (0..order_columns.len()).map(|i| r.get::<_, Sql>(i)).collect()
            })
            .optional()?;
        let values = values.ok_or_else(|| {
            ApiError::with(
                ErrorType::general_cursor_not_found,
                format!("Document '{cursor_id}' for the 'cursor' value not found."),
            )
        })?;
        condition = format!(
            "{condition} AND {}",
            plan.cursor_condition(&values, *after, &mut params)?
        );
        reversed = !after;
    }
    let sql = format!(
        "SELECT {} FROM {table} WHERE {condition} {} LIMIT ? OFFSET ?",
        select_columns(collection),
        plan.order_by(reversed)
    );
    params.push(Sql::Integer(plan.limit));
    params.push(Sql::Integer(plan.offset));
    let mut stmt = c.prepare_cached(&sql)?;
    let mut rows = stmt
        .query_map(params_from_iter(params.iter()), |r| read_row(collection, r))?
        .collect::<Result<Vec<_>, _>>()?;
    if reversed {
        rows.reverse();
    }
    Ok((rows, total))
}

// ---- writes ----------------------------------------------------------------------------------

/// The attribute values of a write, checked against the collection.
fn check_data(collection: &Collection, data: &Map<String, Value>, creating: bool) -> ApiResult<()> {
    for key in data.keys() {
        match key.as_str() {
            "$id" if creating => {
                return Err(ApiError::structure(
                    "$id is not allowed for creating new documents, try update instead",
                ))
            }
            "$id" | "$sequence" | "$databaseId" | "$collectionId" | "$createdAt" | "$updatedAt"
            | "$permissions" => {}
            key if collection.available().any(|a| a.key == key) => {}
            key => return Err(ApiError::structure(format!("Unknown attribute: \"{key}\""))),
        }
    }
    Ok(())
}

fn final_permissions(
    caller: &Caller,
    given: Option<&[String]>,
    fallback: Vec<String>,
) -> ApiResult<Vec<String>> {
    match given {
        None => Ok(fallback),
        Some(given) => {
            let permissions = normalize_permissions(given, Scope::Document)?;
            check_grantable(caller, &permissions)?;
            Ok(permissions)
        }
    }
}

fn owner_permissions(caller: &Caller) -> Vec<String> {
    match caller {
        Caller::User { id, .. } => ["read", "update", "delete"]
            .iter()
            .map(|a| format!("{a}(\"user:{id}\")"))
            .collect(),
        _ => Vec::new(),
    }
}

/// A write that a primary key or unique index refused: the document (`id`) already exists.
fn conflict(err: rusqlite::Error, id: &str) -> ApiError {
    match err.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) => ApiError::about(ErrorType::document_already_exists, id),
        _ => ApiError::from(err),
    }
}

/// Privileged callers may set `$createdAt` / `$updatedAt` themselves.
fn timestamp(caller: &Caller, data: &Map<String, Value>, key: &str) -> ApiResult<Option<String>> {
    match data.get(key) {
        Some(Value::String(s)) if caller.is_key() => ids::parse_time(s)
            .map(Some)
            .ok_or_else(|| ApiError::structure(format!("Attribute \"{key}\" has invalid format."))),
        _ => Ok(None),
    }
}

fn insert(
    c: &Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
    data: &Map<String, Value>,
    permissions: Vec<String>,
) -> ApiResult<Stored> {
    let mut values = Vec::new();
    let mut columns = vec![
        "_uid".to_owned(),
        "_created".into(),
        "_updated".into(),
        "_permissions".into(),
    ];
    for attribute in collection.available() {
        let value = match data.get(&attribute.key) {
            Some(v) if !v.is_null() => attribute.to_sql(v)?,
            _ if !attribute.default.is_null() => attribute.stored_default()?,
            _ => attribute.to_sql(&Value::Null)?,
        };
        columns.push(attribute.column());
        values.push(value);
    }
    let now = ids::now();
    let created = timestamp(caller, data, "$createdAt")?.unwrap_or_else(|| now.clone());
    let updated = timestamp(caller, data, "$updatedAt")?.unwrap_or(now);
    let mut row = vec![
        Sql::Text(id.to_owned()),
        Sql::Text(created),
        Sql::Text(updated),
        Sql::Text(json!(permissions).to_string()),
    ];
    row.extend(values);
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        collection.table(),
        columns.join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    c.prepare_cached(&sql)?
        .execute(params_from_iter(row.iter()))
        .map_err(|e| conflict(e, id))?;
    let stored = find(c, collection, id)?.ok_or_else(|| ApiError::internal("inserted document vanished"))?;
    sync_fulltext(c, collection, &stored, false)?;
    Ok(stored)
}

// Fulltext indexes are contentless FTS5 tables keyed by `_seq`: a write replaces the row.
fn sync_fulltext(c: &Connection, collection: &Collection, doc: &Stored, deleted: bool) -> ApiResult<()> {
    for index in collection
        .indexes
        .iter()
        .filter(|i| i.kind == "fulltext" && i.status == "available")
    {
        let table = index.fts_table();
        c.prepare_cached(&format!("DELETE FROM {table} WHERE rowid = ?1"))?
            .execute([doc.seq])?;
        if deleted {
            continue;
        }
        let texts: Vec<Sql> = index
            .attributes
            .iter()
            .map(|a| {
                Sql::Text(
                    doc.values
                        .get(a)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("c{i}")).collect();
        let sql = format!(
            "INSERT INTO {table} (rowid, {}) VALUES (?, {})",
            names.join(", "),
            vec!["?"; texts.len()].join(", ")
        );
        let mut params = vec![Sql::Integer(doc.seq)];
        params.extend(texts);
        c.prepare_cached(&sql)?.execute(params_from_iter(params.iter()))?;
    }
    Ok(())
}

fn change(action: Action, collection: &Collection, doc: &Stored) -> Change {
    Change {
        action,
        database_id: collection.database_id.clone(),
        collection_id: collection.id.clone(),
        document: doc.to_json(collection),
        readers: doc.readers(collection),
        tablesdb: false,
    }
}

pub(crate) fn create(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
    data: &Map<String, Value>,
    permissions: Option<&[String]>,
) -> ApiResult<Change> {
    visible(caller, collection)?;
    if !caller.can("create", &collection.permissions) {
        return Err(unauthorized("create"));
    }
    if data.is_empty() {
        return Err(ApiError::new(ErrorType::document_missing_data));
    }
    check_data(collection, data, true)?;
    let permissions = final_permissions(caller, permissions, owner_permissions(caller))?;
    let tx = c.savepoint()?;
    let doc = insert(&tx, collection, caller, id, data, permissions)?;
    tx.commit()?;
    Ok(change(Action::Create, collection, &doc))
}

/// Applies `data` (and permissions) to a stored document; `None` when nothing changed.
/// `operators` are those of `data` ([`operators::extract`]), found once per request.
fn apply_update(
    c: &Connection,
    collection: &Collection,
    caller: &Caller,
    existing: &Stored,
    data: &Map<String, Value>,
    operators: &[(String, Operator)],
    permissions: Option<Vec<String>>,
) -> ApiResult<Option<Stored>> {
    check_data(collection, data, false)?;
    let mut sets = Vec::new();
    let mut params = Vec::new();
    let mut changed = false;
    for attribute in collection.available() {
        let Some(value) = data.get(&attribute.key) else {
            continue;
        };
        let stored = match operators.iter().find(|(key, _)| *key == attribute.key) {
            Some((_, operator)) => {
                let current = existing.values.get(&attribute.key).unwrap_or(&Value::Null);
                attribute.to_sql_unchecked(&operator.apply(attribute, current)?)
            }
            None => attribute.to_sql(value)?,
        };
        if attribute.read_sql(stored.clone())
            != existing
                .values
                .get(&attribute.key)
                .cloned()
                .unwrap_or(Value::Null)
        {
            changed = true;
        }
        sets.push(format!("{} = ?", attribute.column()));
        params.push(stored);
    }
    if let Some(permissions) = &permissions {
        if *permissions != existing.permissions {
            changed = true;
        }
        sets.push("_permissions = ?".to_owned());
        params.push(Sql::Text(json!(permissions).to_string()));
    }
    // A privileged caller may also move `$createdAt` (migrating data in, say).
    if let Some(created) = timestamp(caller, data, "$createdAt")? {
        if created != existing.created {
            changed = true;
        }
        sets.push("_created = ?".to_owned());
        params.push(Sql::Text(created));
    }
    // Checked even when nothing else changes: an invalid `$updatedAt` is refused either way.
    let updated = timestamp(caller, data, "$updatedAt")?;
    // An update that changes nothing keeps `$updatedAt`, as Appwrite does.
    if !changed {
        return Ok(None);
    }
    sets.push("_updated = ?".to_owned());
    params.push(Sql::Text(updated.unwrap_or_else(ids::now)));
    params.push(Sql::Integer(existing.seq));
    let sql = format!(
        "UPDATE {} SET {} WHERE _seq = ?",
        collection.table(),
        sets.join(", ")
    );
    c.prepare_cached(&sql)?
        .execute(params_from_iter(params.iter()))
        .map_err(|e| conflict(e, &existing.id))?;
    let doc =
        find(c, collection, &existing.id)?.ok_or_else(|| ApiError::internal("updated document vanished"))?;
    sync_fulltext(c, collection, &doc, false)?;
    Ok(Some(doc))
}

pub(crate) fn update(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
    data: &Map<String, Value>,
    permissions: Option<&[String]>,
) -> ApiResult<(Value, Option<Change>)> {
    visible(caller, collection)?;
    if data.is_empty() && permissions.is_none() {
        return Err(ApiError::new(ErrorType::document_missing_payload));
    }
    let existing =
        find(c, collection, id)?.ok_or_else(|| ApiError::about(ErrorType::document_not_found, id))?;
    let permissions = permissions
        .map(|p| final_permissions(caller, Some(p), Vec::new()))
        .transpose()?;
    let tx = c.savepoint()?;
    let operators = operators::extract(data)?;
    let updated = apply_update(&tx, collection, caller, &existing, data, &operators, permissions)?;
    match updated {
        None => {
            if !can_read(caller, collection, &existing) {
                return Err(ApiError::about(ErrorType::document_not_found, id));
            }
            Ok((existing.to_json(collection), None))
        }
        Some(doc) => {
            if !can_write(caller, "update", collection, &existing.permissions) {
                return Err(unauthorized("update"));
            }
            tx.commit()?;
            let change = change(Action::Update, collection, &doc);
            Ok((change.document.clone(), Some(change)))
        }
    }
}

/// `PUT /documents/{id}`: creates the document, or updates the one that exists.
pub(crate) fn upsert(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
    data: &Map<String, Value>,
    permissions: Option<&[String]>,
) -> ApiResult<(Value, Option<Change>)> {
    visible(caller, collection)?;
    ids::check_key("documentId", id)?;
    let tx = c.savepoint()?;
    let result = upsert_one(&tx, collection, caller, id, data, permissions)?;
    tx.commit()?;
    Ok(result)
}

fn upsert_one(
    c: &Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
    data: &Map<String, Value>,
    permissions: Option<&[String]>,
) -> ApiResult<(Value, Option<Change>)> {
    match find(c, collection, id)? {
        None => {
            if !caller.can("create", &collection.permissions) {
                return Err(unauthorized("create"));
            }
            let mut data = data.clone();
            data.remove("$id");
            check_data(collection, &data, true)?;
            // Operators on a document that does not exist yet start from nothing.
            for (key, operator) in operators::extract(&data)? {
                if let Some(attribute) = collection.available().find(|a| a.key == key) {
                    let value = operator.apply(attribute, &Value::Null)?;
                    data.insert(key, value);
                }
            }
            let permissions = final_permissions(caller, permissions, owner_permissions(caller))?;
            let doc = insert(c, collection, caller, id, &data, permissions)?;
            let change = change(Action::Upsert, collection, &doc);
            Ok((change.document.clone(), Some(change)))
        }
        Some(existing) => {
            if !can_write(caller, "update", collection, &existing.permissions) {
                return Err(unauthorized("update"));
            }
            let permissions = permissions
                .map(|p| final_permissions(caller, Some(p), Vec::new()))
                .transpose()?;
            let operators = operators::extract(data)?;
            match apply_update(c, collection, caller, &existing, data, &operators, permissions)? {
                None => Ok((existing.to_json(collection), None)),
                Some(doc) => {
                    let change = change(Action::Upsert, collection, &doc);
                    Ok((change.document.clone(), Some(change)))
                }
            }
        }
    }
}

/// Refuses a write to a document changed after `timestamp` (the request's
/// `X-Appwrite-Timestamp`): the client is about to overwrite a version it has not seen.
pub(crate) fn check_unchanged_since(
    c: &Connection,
    collection: &Collection,
    id: &str,
    timestamp: Option<&str>,
) -> ApiResult<()> {
    let (Some(timestamp), Some(existing)) = (timestamp, find(c, collection, id)?) else {
        return Ok(());
    };
    // Both are Appwrite's fixed-width UTC format, so text order is time order.
    if existing.updated.as_str() > timestamp {
        return Err(ApiError::new(ErrorType::document_update_conflict));
    }
    Ok(())
}

pub(crate) fn delete(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Change> {
    visible(caller, collection)?;
    let existing =
        find(c, collection, id)?.ok_or_else(|| ApiError::about(ErrorType::document_not_found, id))?;
    if !can_write(caller, "delete", collection, &existing.permissions) {
        return Err(unauthorized("delete"));
    }
    let tx = c.savepoint()?;
    remove(&tx, collection, &existing)?;
    tx.commit()?;
    Ok(change(Action::Delete, collection, &existing))
}

fn remove(c: &Connection, collection: &Collection, doc: &Stored) -> ApiResult<()> {
    c.prepare_cached(&format!("DELETE FROM {} WHERE _seq = ?1", collection.table()))?
        .execute([doc.seq])?;
    sync_fulltext(c, collection, doc, true)
}

/// What an `increment` or `decrement` asks for.
pub(crate) struct Step {
    /// How much, as sent (an integer stays exact).
    pub by: serde_json::Number,
    pub decrement: bool,
    /// `max` for an increment, `min` for a decrement.
    pub bound: Option<serde_json::Number>,
}

/// `PATCH /documents/{id}/{attribute}/increment|decrement`.
pub(crate) fn increment(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
    key: &str,
    step: &Step,
) -> ApiResult<Change> {
    let (by, decrement, bound) = (&step.by, step.decrement, step.bound.as_ref());
    visible(caller, collection)?;
    let attribute = collection
        .available()
        .find(|a| a.key == key)
        .ok_or_else(|| ApiError::about(ErrorType::attribute_not_found, key))?;
    if attribute.array
        || !matches!(
            attribute.kind,
            crate::attribute::Kind::Integer { .. } | crate::attribute::Kind::Float { .. }
        )
    {
        return Err(ApiError::with(
            ErrorType::attribute_type_invalid,
            "Attribute must be an integer or float attribute",
        ));
    }
    let existing =
        find(c, collection, id)?.ok_or_else(|| ApiError::about(ErrorType::document_not_found, id))?;
    if !can_write(caller, "update", collection, &existing.permissions) {
        return Err(unauthorized("update"));
    }
    let past_limit = || {
        ApiError::with(
            ErrorType::general_argument_invalid,
            format!("Attribute \"{key}\" would go past the given limit."),
        )
    };
    let current = existing.values.get(key);
    // Integers stay exact i64 (floating point loses anything past 2^53); overflow is refused,
    // never wrapped or rounded.
    let value = if matches!(attribute.kind, crate::attribute::Kind::Integer { .. }) {
        let by = by
            .as_i64()
            .or_else(|| {
                by.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                    .map(|f| f as i64)
            })
            .ok_or_else(|| ApiError::param("value", "Value must be a valid integer"))?;
        let current = current.and_then(Value::as_i64).unwrap_or(0);
        let next = if decrement {
            current.checked_sub(by)
        } else {
            current.checked_add(by)
        }
        .ok_or_else(past_limit)?;
        let bound = bound.map(|b| b.as_f64().unwrap_or(f64::NAN));
        // An integer bound compares exactly; a fractional one compares as Appwrite's float.
        let beyond = match (
            bound,
            bound.and_then(|b| (b.fract() == 0.0 && b.abs() < 9.2e18).then_some(b as i64)),
        ) {
            (_, Some(b)) => (!decrement && next > b) || (decrement && next < b),
            (Some(b), None) => (!decrement && next as f64 > b) || (decrement && (next as f64) < b),
            (None, None) => false,
        };
        if beyond {
            return Err(past_limit());
        }
        json!(next)
    } else {
        let by = by.as_f64().unwrap_or(f64::NAN);
        let current = current.and_then(Value::as_f64).unwrap_or(0.0);
        let next = if decrement { current - by } else { current + by };
        let beyond = bound
            .and_then(serde_json::Number::as_f64)
            .is_some_and(|b| (!decrement && next > b) || (decrement && next < b));
        // A float that overflows has no JSON form: refuse it rather than store null.
        if beyond || !next.is_finite() {
            return Err(past_limit());
        }
        json!(next)
    };
    let mut data = Map::new();
    data.insert(key.to_owned(), value);
    let tx = c.savepoint()?;
    let doc = apply_update(&tx, collection, caller, &existing, &data, &[], None)?.unwrap_or(existing);
    tx.commit()?;
    Ok(change(Action::Update, collection, &doc))
}

// ---- bulk ------------------------------------------------------------------------------------

fn check_batch(count: usize) -> ApiResult<()> {
    if count > MAX_BATCH {
        return Err(ApiError::param(
            "documents",
            format!("Value must a valid array no longer than {MAX_BATCH} items"),
        ));
    }
    Ok(())
}

/// One document of a bulk body: `$id` and `$permissions` beside the attributes.
struct BulkEntry {
    id: Option<String>,
    permissions: Option<Vec<String>>,
    data: Map<String, Value>,
}

fn split_document(document: &Value) -> ApiResult<BulkEntry> {
    let mut data = document
        .as_object()
        .cloned()
        .ok_or_else(|| ApiError::param("documents", "Value must be a valid array of objects"))?;
    let id = match data.remove("$id") {
        Some(Value::String(id)) => Some(id),
        Some(_) => return Err(ApiError::structure("$id must be a string")),
        None => None,
    };
    let permissions = match data.remove("$permissions") {
        Some(Value::Array(p)) => Some(p.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()),
        Some(_) => return Err(ApiError::param("permissions", "Value must a valid array")),
        None => None,
    };
    Ok(BulkEntry {
        id,
        permissions,
        data,
    })
}

/// `POST /documents` with `documents`: all or nothing.
pub(crate) fn create_many(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    documents: &[Value],
) -> ApiResult<Vec<Change>> {
    check_batch(documents.len())?;
    let tx = c.savepoint()?;
    let mut changes = Vec::with_capacity(documents.len());
    for document in documents {
        let BulkEntry {
            id,
            permissions,
            data,
        } = split_document(document)?;
        let id = ids::custom_id("documentId", id.as_deref().unwrap_or("unique()"))?;
        check_data(collection, &data, true)?;
        let permissions = final_permissions(caller, permissions.as_deref(), Vec::new())?;
        let doc = insert(&tx, collection, caller, &id, &data, permissions)?;
        changes.push(change(Action::Create, collection, &doc));
    }
    tx.commit()?;
    Ok(changes)
}

/// `PUT /documents` with `documents`: all or nothing.
/// Returns every document of the batch and the changes (unchanged documents make none).
pub(crate) fn upsert_many(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    documents: &[Value],
) -> ApiResult<(Vec<Value>, Vec<Change>)> {
    check_batch(documents.len())?;
    let tx = c.savepoint()?;
    let mut results = Vec::with_capacity(documents.len());
    let mut changes = Vec::with_capacity(documents.len());
    for document in documents {
        let BulkEntry {
            id,
            permissions,
            data,
        } = split_document(document)?;
        let id = ids::custom_id("documentId", id.as_deref().unwrap_or("unique()"))?;
        let (document, change) = upsert_one(&tx, collection, caller, &id, &data, permissions.as_deref())?;
        // Appwrite answers with the documents the call created or changed, not the unchanged.
        if let Some(change) = change {
            results.push(document);
            changes.push(change);
        }
    }
    tx.commit()?;
    Ok((results, changes))
}

fn matching(
    c: &Connection,
    collection: &Collection,
    caller: &Caller,
    queries: &[Query],
) -> ApiResult<Vec<Stored>> {
    let plan = document_filter(collection, queries)?;
    Ok(select(c, collection, caller, &plan, false)?.0)
}

/// `PATCH /documents` with `data` and `queries`.
pub(crate) fn update_many(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    data: &Map<String, Value>,
    queries: &[Query],
) -> ApiResult<Vec<Change>> {
    check_data(collection, data, false)?;
    let operators = operators::extract(data)?;
    // `$permissions` in the data replaces every matched document's permissions.
    let permissions = match data.get("$permissions") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let given = items
                .iter()
                .map(|p| p.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()
                .ok_or_else(|| ApiError::structure("$permissions must be an array of strings"))?;
            Some(final_permissions(caller, Some(&given), Vec::new())?)
        }
        Some(_) => return Err(ApiError::structure("$permissions must be an array of strings")),
    };
    let tx = c.savepoint()?;
    let mut changes = Vec::new();
    for existing in matching(&tx, collection, caller, queries)? {
        let doc = apply_update(
            &tx,
            collection,
            caller,
            &existing,
            data,
            &operators,
            permissions.clone(),
        )?
        .unwrap_or(existing);
        changes.push(change(Action::Update, collection, &doc));
    }
    tx.commit()?;
    Ok(changes)
}

/// `DELETE /documents` with `queries`.
pub(crate) fn delete_many(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    queries: &[Query],
) -> ApiResult<Vec<Change>> {
    let tx = c.savepoint()?;
    let mut changes = Vec::new();
    for existing in matching(&tx, collection, caller, queries)? {
        remove(&tx, collection, &existing)?;
        changes.push(change(Action::Delete, collection, &existing));
    }
    tx.commit()?;
    Ok(changes)
}

/// Whether `caller` may `action` (`update`, `delete`) the document `id`: `None` when it does
/// not exist. Transactions check this when an operation is staged.
pub(crate) fn may_write(
    c: &Connection,
    collection: &Collection,
    caller: &Caller,
    action: &str,
    id: &str,
) -> ApiResult<Option<bool>> {
    Ok(find(c, collection, id)?.map(|doc| can_write(caller, action, collection, &doc.permissions)))
}
