//! SQLite storage. One connection (WAL journal) behind a mutex; every table and column name is
//! generated from internal numbers (`d<collection>`, `a<attribute>`, `i<index>`), never taken from
//! a request, and every value is bound as a parameter.

pub(crate) mod documents;
pub(crate) mod index_rules;
pub(crate) mod operators;
pub(crate) mod schema;
pub(crate) mod transactions;
pub(crate) mod users;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

use crate::error::{ApiError, ApiResult};

/// The emulator's database.
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS databases (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, enabled INTEGER NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'legacy');
CREATE TABLE IF NOT EXISTS collections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, database_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
    enabled INTEGER NOT NULL, document_security INTEGER NOT NULL, permissions TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, UNIQUE (database_id, id));
CREATE TABLE IF NOT EXISTS attributes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, collection_seq INTEGER NOT NULL, key TEXT NOT NULL, spec TEXT NOT NULL,
    status TEXT NOT NULL, error TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, UNIQUE (collection_seq, key));
CREATE TABLE IF NOT EXISTS indexes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, collection_seq INTEGER NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL,
    attributes TEXT NOT NULL, orders TEXT NOT NULL, status TEXT NOT NULL, error TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, lengths TEXT NOT NULL DEFAULT '[]', UNIQUE (collection_seq, key));
CREATE TABLE IF NOT EXISTS users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, email TEXT, phone TEXT,
    labels TEXT NOT NULL, status INTEGER NOT NULL, email_verified INTEGER NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transactions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, status TEXT NOT NULL, operations INTEGER NOT NULL,
    expires TEXT NOT NULL, permissions TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transaction_operations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, transaction_seq INTEGER NOT NULL, action TEXT NOT NULL,
    database_id TEXT NOT NULL, collection_id TEXT NOT NULL, document_id TEXT, data TEXT NOT NULL, staged TEXT NOT NULL);
";

impl Store {
    /// Opens (or creates) the database at `path`, or an in-memory one.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, String> {
        Self::open_sqlite(path)
            .map_err(|e| e.to_string())
            .and_then(|store| {
                store.with(schema::resume_pending_work).map_err(|e| e.message)?;
                Ok(store)
            })
    }

    fn open_sqlite(path: Option<&Path>) -> rusqlite::Result<Self> {
        let conn = match path {
            Some(path) => Connection::open(path)?,
            None => Connection::open_in_memory()?,
        };
        // WAL + NORMAL: a committed transaction is in the WAL file before the response is sent, so
        // it survives the process being killed (only a power loss could lose the last commits).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "busy_timeout", 5000)?;
        conn.execute_batch(SCHEMA)?;
        add_missing_columns(&conn)?;
        add_functions(&conn)?;
        // Work a killed server left half-done: the DDL already ran, only the status is stale.
        conn.execute(
            "UPDATE attributes SET status = 'available' WHERE status = 'processing'",
            [],
        )?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Runs `f` with the connection.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Connection) -> ApiResult<T>) -> ApiResult<T> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| ApiError::internal("storage lock poisoned"))?;
        f(&mut conn)
    }

    /// The secret that signs JWTs, created on first use and kept so tokens survive a restart.
    pub(crate) fn jwt_secret(&self) -> ApiResult<[u8; 32]> {
        self.with(|c| {
            let existing: Option<Vec<u8>> = c
                .query_row("SELECT value FROM settings WHERE key = 'jwt_secret'", [], |r| {
                    r.get(0)
                })
                .ok();
            if let Some(bytes) = existing.and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                return Ok(bytes);
            }
            let mut secret = [0u8; 32];
            getrandom::getrandom(&mut secret).map_err(ApiError::internal)?;
            c.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('jwt_secret', ?1)",
                [&secret[..]],
            )?;
            Ok(secret)
        })
    }
}

/// `contains_ci(text, part)`: whether `text` holds `part` ignoring case, as `contains` on a
/// string attribute matches on Appwrite (MariaDB's `LIKE` under a case-insensitive collation).
/// SQLite's own `lower` and `LIKE` fold ASCII only.
fn add_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "contains_ci",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: Option<String> = ctx.get(0)?;
            let part: String = ctx.get(1)?;
            Ok(text.is_some_and(|text| text.to_lowercase().contains(&part.to_lowercase())))
        },
    )
}

/// Columns added since the first release, added to data files written before them.
fn add_missing_columns(conn: &Connection) -> rusqlite::Result<()> {
    let added = [
        (
            "indexes",
            "lengths",
            "ALTER TABLE indexes ADD COLUMN lengths TEXT NOT NULL DEFAULT '[]'",
        ),
        (
            "databases",
            "type",
            "ALTER TABLE databases ADD COLUMN type TEXT NOT NULL DEFAULT 'legacy'",
        ),
    ];
    for (table, column, alter) in added {
        let present: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
            [table, column],
            |r| r.get(0),
        )?;
        if !present {
            conn.execute_batch(alter)?;
        }
    }
    Ok(())
}

/// Reads a JSON array of strings stored in a TEXT column.
pub(crate) fn string_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}
