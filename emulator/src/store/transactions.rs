//! Appwrite's transactions (1.8 and later): operations staged against a pending transaction,
//! applied together when it is committed — all of them or none — with one realtime event per
//! document written, and nothing at all for a rollback.
//!
//! As Appwrite does, an operation conflicts when the document it updates, upserts or deletes
//! changed after the operation was staged, unless an earlier operation of the same transaction
//! wrote it; increments and decrements are checked against their bounds instead.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension};
use serde_json::{json, Map, Value};

use super::documents::{self, Action, Change, Step};
use super::schema::{self, Collection};
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::{ids, query};

/// `APP_LIMIT_DATABASE_TRANSACTION`: operations one transaction may hold.
pub(crate) const MAX_OPERATIONS: i64 = 100;
/// The `ttl` range, in seconds, and its default.
pub(crate) const TTL: (i64, i64, i64) = (60, 3600, 300);

/// The actions an operation may have; the first six name one document.
pub(crate) const ACTIONS: [&str; 10] = [
    "create",
    "update",
    "upsert",
    "delete",
    "increment",
    "decrement",
    "bulkCreate",
    "bulkUpdate",
    "bulkUpsert",
    "bulkDelete",
];

/// One operation as a client sends it; `group` and `resource` name the collection and document
/// (`collectionId`/`documentId`, or `tableId`/`rowId` under TablesDB).
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub action: String,
    pub database_id: String,
    pub collection_id: String,
    pub document_id: Option<String>,
    pub data: Value,
}

struct Transaction {
    seq: i64,
    id: String,
    status: String,
    operations: i64,
    expires: String,
    permissions: Vec<String>,
    created: String,
    updated: String,
}

impl Transaction {
    fn to_json(&self) -> Value {
        json!({
            "$id": self.id,
            "$createdAt": self.created,
            "$updatedAt": self.updated,
            "status": self.status,
            "operations": self.operations,
            "expiresAt": self.expires,
        })
    }

    fn expired(&self) -> bool {
        // Both are Appwrite's fixed-width UTC format, so text order is time order.
        ids::now() > self.expires
    }
}

fn read(c: &Connection, caller: &Caller, id: &str) -> ApiResult<Transaction> {
    let found = c
        .query_row(
            "SELECT seq, id, status, operations, expires, permissions, created, updated
             FROM transactions WHERE id = ?1",
            [id],
            |r| {
                Ok(Transaction {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    status: r.get(2)?,
                    operations: r.get(3)?,
                    expires: r.get(4)?,
                    permissions: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                    created: r.get(6)?,
                    updated: r.get(7)?,
                })
            },
        )
        .optional()?;
    match found {
        // A user sees the transactions they created; the key sees all.
        Some(tx) if caller.can("read", &tx.permissions) => Ok(tx),
        _ => Err(ApiError::about(ErrorType::transaction_not_found, id)),
    }
}

fn set_status(c: &Connection, id: &str, status: &str) -> ApiResult<()> {
    c.execute(
        "UPDATE transactions SET status = ?1, updated = ?2 WHERE id = ?3",
        [status, &ids::now(), id],
    )?;
    Ok(())
}

/// `POST /transactions`.
pub(crate) fn create(c: &Connection, caller: &Caller, ttl: i64) -> ApiResult<Value> {
    let permissions: Vec<String> = match caller {
        Caller::User { id, .. } => ["read", "update", "delete"]
            .iter()
            .map(|action| format!("{action}(\"user:{id}\")"))
            .collect(),
        _ => Vec::new(),
    };
    let now = chrono::Utc::now();
    let (id, created) = (ids::unique(), ids::format_time(now));
    let expires = ids::format_time(now + chrono::Duration::seconds(ttl));
    c.execute(
        "INSERT INTO transactions (id, status, operations, expires, permissions, created, updated)
         VALUES (?1, 'pending', 0, ?2, ?3, ?4, ?4)",
        [&id, &expires, &json!(permissions).to_string(), &created],
    )?;
    Ok(read(c, caller, &id)?.to_json())
}

/// `GET /transactions/{id}`.
pub(crate) fn get(c: &Connection, caller: &Caller, id: &str) -> ApiResult<Value> {
    Ok(read(c, caller, id)?.to_json())
}

/// `GET /transactions`: the caller's, oldest first.
pub(crate) fn list(c: &Connection, caller: &Caller) -> ApiResult<Value> {
    let ids: Vec<String> = c
        .prepare("SELECT id FROM transactions ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let visible: Vec<Value> = ids
        .iter()
        .filter_map(|id| read(c, caller, id).ok())
        .map(|tx| tx.to_json())
        .collect();
    Ok(json!({"total": visible.len(), "transactions": visible}))
}

/// `DELETE /transactions/{id}`: the transaction and what it staged.
pub(crate) fn delete(c: &mut Connection, caller: &Caller, id: &str) -> ApiResult<()> {
    let tx = read(c, caller, id)?;
    if !caller.can("delete", &tx.permissions) {
        return Err(ApiError::new(ErrorType::user_unauthorized));
    }
    let sql = c.transaction()?;
    sql.execute(
        "DELETE FROM transaction_operations WHERE transaction_seq = ?1",
        [tx.seq],
    )?;
    sql.execute("DELETE FROM transactions WHERE seq = ?1", [tx.seq])?;
    sql.commit()?;
    Ok(())
}

/// `POST /transactions/{id}/operations`: validates and stages `operations`.
pub(crate) fn stage(
    c: &mut Connection,
    caller: &Caller,
    id: &str,
    operations: &[Operation],
) -> ApiResult<Value> {
    if operations.is_empty() {
        return Err(ApiError::with(
            ErrorType::general_bad_request,
            "Operations array cannot be empty",
        ));
    }
    let tx = read(c, caller, id)?;
    if tx.status != "pending" {
        // Appwrite's own text, with its non-breaking hyphen.
        return Err(ApiError::with(
            ErrorType::general_bad_request,
            "Invalid or non\u{2011}pending transaction",
        ));
    }
    if tx.expired() {
        return Err(ApiError::new(ErrorType::transaction_expired));
    }
    let adding = operations.len() as i64;
    if tx.operations + adding > MAX_OPERATIONS {
        return Err(ApiError::with(
            ErrorType::transaction_limit_exceeded,
            format!(
                "Transaction already has {} operations, adding {adding} would exceed the maximum of {MAX_OPERATIONS}",
                tx.operations
            ),
        ));
    }
    // Documents an earlier create of this transaction makes: later operations may name them.
    let mut created = staged_creates(c, tx.seq)?;
    let mut collections = Collections::default();
    for operation in operations {
        check_operation(c, caller, operation, &mut collections, &created)?;
        if let ("create", Some(doc)) = (operation.action.as_str(), &operation.document_id) {
            created.insert(target(operation, doc));
        }
    }
    let staged = ids::now();
    let sql = c.transaction()?;
    for operation in operations {
        sql.execute(
            "INSERT INTO transaction_operations
             (transaction_seq, action, database_id, collection_id, document_id, data, staged)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                tx.seq,
                operation.action,
                operation.database_id,
                operation.collection_id,
                operation.document_id,
                operation.data.to_string(),
                staged
            ],
        )?;
    }
    sql.execute(
        "UPDATE transactions SET operations = operations + ?1, updated = ?2 WHERE seq = ?3",
        rusqlite::params![adding, staged, tx.seq],
    )?;
    sql.commit()?;
    Ok(read(c, caller, id)?.to_json())
}

type Target = (String, String, String);

fn target(operation: &Operation, document: &str) -> Target {
    (
        operation.database_id.clone(),
        operation.collection_id.clone(),
        document.to_owned(),
    )
}

fn staged_creates(c: &Connection, transaction: i64) -> ApiResult<HashSet<Target>> {
    let rows = c
        .prepare(
            "SELECT database_id, collection_id, document_id FROM transaction_operations
             WHERE transaction_seq = ?1 AND action = 'create' AND document_id IS NOT NULL",
        )?
        .query_map([transaction], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Collections loaded once per request.
#[derive(Default)]
struct Collections(HashMap<(String, String), Collection>);

impl Collections {
    fn get(&mut self, c: &Connection, caller: &Caller, database: &str, id: &str) -> ApiResult<&Collection> {
        let key = (database.to_owned(), id.to_owned());
        if !self.0.contains_key(&key) {
            let collection = schema::load_collection(c, database, id)?;
            documents::visible(caller, &collection)?;
            self.0.insert(key.clone(), collection);
        }
        Ok(&self.0[&key])
    }
}

fn is_bulk(action: &str) -> bool {
    action.starts_with("bulk")
}

fn check_operation(
    c: &Connection,
    caller: &Caller,
    operation: &Operation,
    collections: &mut Collections,
    created: &HashSet<Target>,
) -> ApiResult<()> {
    let action = operation.action.as_str();
    if !ACTIONS.contains(&action) {
        return Err(ApiError::with(
            ErrorType::general_bad_request,
            format!("Invalid action: {action}"),
        ));
    }
    if is_bulk(action) && !caller.is_key() {
        return Err(ApiError::new(ErrorType::user_unauthorized));
    }
    let collection = collections.get(c, caller, &operation.database_id, &operation.collection_id)?;
    if is_bulk(action) {
        return Ok(());
    }
    may_stage(c, caller, operation, collection, created)?;
    // As on the write routes, a user may only grant roles they hold.
    if let Some(Value::Array(permissions)) = operation.data.get("$permissions") {
        let permissions: Vec<String> = permissions
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();
        auth::check_grantable(caller, &permissions)?;
    }
    Ok(())
}

/// Whether `caller` may stage a single-document operation: the collection's permission, or the
/// document's where document security allows it.
fn may_stage(
    c: &Connection,
    caller: &Caller,
    operation: &Operation,
    collection: &Collection,
    created: &HashSet<Target>,
) -> ApiResult<()> {
    let action = operation.action.as_str();
    if action == "create" {
        if !caller.can("create", &collection.permissions) {
            return Err(ApiError::new(ErrorType::user_unauthorized));
        }
        return Ok(());
    }
    let document = operation.document_id.as_deref().ok_or_else(|| {
        ApiError::with(
            ErrorType::general_bad_request,
            format!("Document ID is required for {action} operations"),
        )
    })?;
    let permission = match action {
        "delete" => "delete",
        _ => "update",
    };
    match documents::may_write(c, collection, caller, permission, document)? {
        Some(true) => Ok(()),
        Some(false) => Err(ApiError::new(ErrorType::user_unauthorized)),
        None if action == "upsert" => {
            if caller.can("create", &collection.permissions) {
                Ok(())
            } else {
                Err(ApiError::new(ErrorType::user_unauthorized))
            }
        }
        None if created.contains(&target(operation, document)) => Ok(()),
        None => Err(ApiError::about(ErrorType::document_not_found, document)),
    }
}

/// `PATCH /transactions/{id}` with `rollback`: nothing staged is applied.
pub(crate) fn rollback(c: &Connection, caller: &Caller, id: &str) -> ApiResult<Value> {
    let tx = ready(c, caller, id)?;
    set_status(c, &tx.id, "failed")?;
    Ok(read(c, caller, id)?.to_json())
}

fn ready(c: &Connection, caller: &Caller, id: &str) -> ApiResult<Transaction> {
    let tx = read(c, caller, id)?;
    if tx.status != "pending" {
        return Err(ApiError::new(ErrorType::transaction_not_ready));
    }
    if tx.expired() {
        return Err(ApiError::new(ErrorType::transaction_expired));
    }
    Ok(tx)
}

/// `PATCH /transactions/{id}` with `commit`: applies every staged operation in order, all or
/// none. Returns the transaction and the changes to publish.
pub(crate) fn commit(c: &mut Connection, caller: &Caller, id: &str) -> ApiResult<(Value, Vec<Change>)> {
    let tx = ready(c, caller, id)?;
    let operations = staged(c, tx.seq)?;
    c.execute_batch("SAVEPOINT commit_transaction")?;
    match apply(c, caller, &operations) {
        Ok(changes) => {
            c.execute_batch("RELEASE commit_transaction")?;
            set_status(c, &tx.id, "committed")?;
            Ok((read(c, caller, id)?.to_json(), changes))
        }
        Err(err) => {
            c.execute_batch("ROLLBACK TO commit_transaction; RELEASE commit_transaction")?;
            set_status(c, &tx.id, "failed")?;
            Err(as_commit_error(err))
        }
    }
}

struct Staged {
    operation: Operation,
    staged: String,
}

fn staged(c: &Connection, transaction: i64) -> ApiResult<Vec<Staged>> {
    let rows = c
        .prepare(
            "SELECT action, database_id, collection_id, document_id, data, staged
             FROM transaction_operations WHERE transaction_seq = ?1 ORDER BY seq",
        )?
        .query_map([transaction], |r| {
            Ok(Staged {
                operation: Operation {
                    action: r.get(0)?,
                    database_id: r.get(1)?,
                    collection_id: r.get(2)?,
                    document_id: r.get(3)?,
                    data: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or(Value::Null),
                },
                staged: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

// What Appwrite's commit reports for each failure of the database layer.
fn as_commit_error(err: ApiError) -> ApiError {
    match err.kind {
        ErrorType::document_already_exists | ErrorType::document_update_conflict => {
            ApiError::new(ErrorType::transaction_conflict)
        }
        _ => err,
    }
}

fn apply(c: &mut Connection, caller: &Caller, operations: &[Staged]) -> ApiResult<Vec<Change>> {
    let mut applying = Applying::new(Conflicts::Refused);
    let mut changes = Vec::new();
    for staged in operations {
        changes.extend(applying.one(c, caller, staged)?);
    }
    Ok(changes)
}

/// Whether applying an operation checks that its document is unchanged since it was staged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Conflicts {
    /// A commit: a document changed since its operation was staged fails it.
    Refused,
    /// A read within the transaction: it sees its writes over whatever is there now.
    Ignored,
}

/// Staged operations being applied in order, with what they need to remember.
struct Applying {
    conflicts: Conflicts,
    collections: Collections,
    /// Documents an earlier operation wrote: no conflict with ourselves.
    written: HashSet<Target>,
}

impl Applying {
    fn new(conflicts: Conflicts) -> Self {
        Applying {
            conflicts,
            collections: Collections::default(),
            written: HashSet::new(),
        }
    }

    /// Applies one staged operation; the change to publish, if it makes one.
    fn one(
        &mut self,
        c: &mut Connection,
        caller: &Caller,
        Staged { operation, staged }: &Staged,
    ) -> ApiResult<Option<Change>> {
        let collection = self
            .collections
            .get(c, caller, &operation.database_id, &operation.collection_id)?
            .clone();
        let data = operation.data.as_object().cloned().unwrap_or_default();
        let document = operation.document_id.clone();
        let conflicts = self.conflicts;
        let written = &mut self.written;
        let fresh = |c: &Connection, id: &str, written: &HashSet<Target>| -> ApiResult<()> {
            if conflicts == Conflicts::Ignored || written.contains(&target(operation, id)) {
                return Ok(());
            }
            documents::check_unchanged_since(c, &collection, id, Some(staged))
        };
        let change: Option<Change> = match operation.action.as_str() {
            "create" => {
                let mut data = data;
                let id = match (data.remove("$id"), &document) {
                    (_, Some(id)) => id.clone(),
                    (Some(Value::String(id)), None) => id,
                    _ => ids::unique(),
                };
                let permissions = permissions_of(&mut data);
                written.insert(target(operation, &id));
                Some(documents::create(
                    c,
                    &collection,
                    caller,
                    &id,
                    &data,
                    permissions.as_deref(),
                )?)
            }
            "update" | "upsert" => {
                let id = document.clone().unwrap_or_default();
                fresh(c, &id, written)?;
                let mut data = data;
                data.remove("$id");
                let permissions = permissions_of(&mut data);
                written.insert(target(operation, &id));
                let write = if operation.action == "update" {
                    documents::update
                } else {
                    documents::upsert
                };
                write(c, &collection, caller, &id, &data, permissions.as_deref())?
                    .1
                    .map(|change| Change {
                        // Appwrite names a committed upsert an update.
                        action: Action::Update,
                        ..change
                    })
            }
            "delete" => {
                let id = document.clone().unwrap_or_default();
                fresh(c, &id, written)?;
                written.insert(target(operation, &id));
                Some(documents::delete(c, &collection, caller, &id)?)
            }
            // Appwrite's increase/decrease checks bounds, not the staging time: concurrent
            // counters do not conflict.
            "increment" | "decrement" => {
                let id = document.clone().unwrap_or_default();
                written.insert(target(operation, &id));
                Some(increment(c, &collection, caller, &id, &operation.action, &data)?)
            }
            // Appwrite 1.8 publishes no events for the bulk operations of a transaction.
            "bulkCreate" => {
                let items = operation.data.as_array().cloned().unwrap_or_default();
                documents::create_many(c, &collection, caller, &items)?;
                None
            }
            "bulkUpsert" => {
                let items = operation.data.as_array().cloned().unwrap_or_default();
                documents::upsert_many(c, &collection, caller, &items)?;
                None
            }
            "bulkUpdate" => {
                let queries = queries_of(&data)?;
                let patch = data
                    .get("data")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                documents::update_many(c, &collection, caller, &patch, &queries)?;
                None
            }
            "bulkDelete" => {
                documents::delete_many(c, &collection, caller, &queries_of(&data)?)?;
                None
            }
            other => {
                return Err(ApiError::with(
                    ErrorType::general_bad_request,
                    format!("Invalid action: {other}"),
                ))
            }
        };
        Ok(change)
    }
}

/// Runs `read` as if transaction `id`'s staged operations were applied (Appwrite's
/// `transactionId` on reads), then undoes them: the caller reads their own writes, nobody else
/// sees them. An operation that cannot apply (its document gone, a constraint) is left out of
/// the view rather than failing the read.
pub(crate) fn read_within<R>(
    c: &mut Connection,
    caller: &Caller,
    id: &str,
    read: impl FnOnce(&mut Connection) -> ApiResult<R>,
) -> ApiResult<R> {
    let tx = ready(c, caller, id)?;
    let operations = staged(c, tx.seq)?;
    c.execute_batch("SAVEPOINT read_transaction")?;
    let mut applying = Applying::new(Conflicts::Ignored);
    for operation in &operations {
        c.execute_batch("SAVEPOINT read_operation")?;
        match applying.one(c, caller, operation) {
            Ok(_) => c.execute_batch("RELEASE read_operation")?,
            Err(_) => c.execute_batch("ROLLBACK TO read_operation; RELEASE read_operation")?,
        }
    }
    let result = read(c);
    c.execute_batch("ROLLBACK TO read_transaction; RELEASE read_transaction")?;
    result
}

fn permissions_of(data: &mut Map<String, Value>) -> Option<Vec<String>> {
    data.remove("$permissions").and_then(|p| {
        p.as_array().map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
    })
}

fn queries_of(data: &Map<String, Value>) -> ApiResult<Vec<query::Query>> {
    let texts: Vec<String> = data
        .get("queries")
        .and_then(Value::as_array)
        .map(|q| q.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    query::parse_all(&texts)
}

// `{attribute|column, value, max|min}`; a bound passed is Appwrite's LimitException.
fn increment(
    c: &mut Connection,
    collection: &Collection,
    caller: &Caller,
    id: &str,
    action: &str,
    data: &Map<String, Value>,
) -> ApiResult<Change> {
    let decrement = action == "decrement";
    let key = data
        .get("attribute")
        .or_else(|| data.get("column"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let number = |name: &str| data.get(name).and_then(|v| v.as_number()).cloned();
    let bound_name = if decrement { "min" } else { "max" };
    let step = Step {
        by: number("value").unwrap_or_else(|| 1.into()),
        decrement,
        bound: number(bound_name),
    };
    documents::increment(c, collection, caller, id, key, &step).map_err(|err| match (&step.bound, err.kind) {
        (Some(bound), ErrorType::general_argument_invalid) => ApiError::with(
            ErrorType::attribute_limit_exceeded,
            format!(
                "Attribute value exceeds {} limit: {bound}",
                if decrement { "minimum" } else { "maximum" }
            ),
        ),
        _ => err,
    })
}
