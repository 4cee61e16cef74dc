//! Typed transactions (Appwrite 1.8 and later): writes to any collections staged in memory,
//! then applied by the server all together or not at all.
//!
//! The body of [`Orm::transaction`] stages typed operations on a [`Transaction`]; nothing
//! reaches the server until it returns `Ok`, and an `Err` (or `?`) leaves nothing behind. Then
//! the operations go in one request and the server applies them in order inside one database
//! transaction: a create whose id exists, or a write to a document changed by someone else
//! after it was staged, fails the whole commit with [`ErrorKind::TransactionConflict`]; a
//! `decrement` below its `min` fails it with [`ErrorKind::AttributeLimitExceeded`].
//!
//! Listeners receive one event per document written, after the commit, and nothing of a
//! transaction that failed. At most [`MAX_OPERATIONS`] operations fit in one transaction.

use std::future::Future;
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::query::QueryValue;
use crate::transport::Retry;
use crate::{Collection, Field, Orm, Patch};

/// The most operations one Appwrite transaction may hold (`APP_LIMIT_DATABASE_TRANSACTION`).
pub const MAX_OPERATIONS: usize = 100;

/// Seconds the server keeps a transaction open between its creation and its commit; the
/// operations are sent just before the commit, so the default of 300 is ample.
const TTL_SECONDS: u32 = 300;

/// The operations of one transaction, staged in memory. Clones share them, so a clone can be
/// moved into an `async` block.
///
/// ```no_run
/// # use appwrite_orm::{Collection, Orm};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Collection, Serialize, Deserialize)]
/// # #[collection(id = "orders")]
/// # struct Order { item: String, quantity: i32 }
/// # #[derive(Collection, Serialize, Deserialize)]
/// # #[collection(id = "stock")]
/// # struct Stock { available: i32 }
/// # async fn place(orm: Orm) -> appwrite_orm::Result<()> {
/// // The order exists only if the stock could pay for it.
/// let order_id = orm
///     .transaction(|tx| async move {
///         let id = tx.create(&Order { item: "lamp".into(), quantity: 2 })?;
///         tx.decrement::<Stock, _>("lamp", Stock::AVAILABLE, 2, Some(0))?;
///         Ok(id)
///     })
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Transaction {
    operations: Arc<Mutex<Vec<Value>>>,
}

impl Transaction {
    fn push<T: Collection>(&self, action: &str, document: Option<&str>, data: Value) {
        let mut operation = json!({
            "action": action,
            "collectionId": T::_COLLECTION_ID,
            "data": data,
        });
        if let Some(id) = document {
            operation["documentId"] = Value::from(id);
        }
        self.operations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(operation);
    }

    /// How many operations are staged.
    pub fn len(&self) -> usize {
        self.operations.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stages creating `data` with a new id, which it returns.
    pub fn create<T: Collection>(&self, data: &T) -> Result<String> {
        let id = crate::id::unique();
        self.create_with_id(&id, data)?;
        Ok(id)
    }

    /// Stages creating `data` as document `id`.
    pub fn create_with_id<T: Collection>(&self, id: &str, data: &T) -> Result<()> {
        crate::handle::check_id(id)?;
        self.push::<T>("create", Some(id), crate::handle::data_of(data)?);
        Ok(())
    }

    /// Stages a partial update of document `id`.
    pub fn update<T: Collection>(&self, id: &str, patch: impl Into<Patch<T>>) -> Result<()> {
        crate::handle::check_id(id)?;
        self.push::<T>("update", Some(id), patch.into().to_json());
        Ok(())
    }

    /// Stages creating or replacing document `id`.
    pub fn upsert<T: Collection>(&self, id: &str, data: &T) -> Result<()> {
        crate::handle::check_id(id)?;
        self.push::<T>("upsert", Some(id), crate::handle::data_of(data)?);
        Ok(())
    }

    /// Stages deleting document `id` of collection `T`.
    pub fn delete<T: Collection>(&self, id: &str) -> Result<()> {
        crate::handle::check_id(id)?;
        self.push::<T>("delete", Some(id), Value::Object(Map::new()));
        Ok(())
    }

    /// Stages adding `by` to a numeric attribute; the commit fails if it would pass `max`.
    pub fn increment<T: Collection, V: QueryValue>(
        &self,
        id: &str,
        field: Field<T, V>,
        by: V,
        max: Option<V>,
    ) -> Result<()> {
        crate::handle::check_id(id)?;
        self.step::<T>(
            "increment",
            id,
            field.key(),
            by.to_query_value(),
            "max",
            max.map(|m| m.to_query_value()),
        );
        Ok(())
    }

    /// Stages subtracting `by` from a numeric attribute; the commit fails if it would go below
    /// `min` — the way to spend a stock that must not go negative.
    pub fn decrement<T: Collection, V: QueryValue>(
        &self,
        id: &str,
        field: Field<T, V>,
        by: V,
        min: Option<V>,
    ) -> Result<()> {
        crate::handle::check_id(id)?;
        self.step::<T>(
            "decrement",
            id,
            field.key(),
            by.to_query_value(),
            "min",
            min.map(|m| m.to_query_value()),
        );
        Ok(())
    }

    fn step<T: Collection>(
        &self,
        action: &str,
        id: &str,
        attribute: &str,
        by: Value,
        bound_name: &str,
        bound: Option<Value>,
    ) {
        let mut data = json!({"attribute": attribute, "value": by});
        if let Some(bound) = bound {
            data[bound_name] = bound;
        }
        self.push::<T>(action, Some(id), data);
    }

    fn take(&self, database: &str) -> Vec<Value> {
        let mut operations = std::mem::take(&mut *self.operations.lock().unwrap_or_else(|p| p.into_inner()));
        for operation in &mut operations {
            operation["databaseId"] = Value::from(database);
        }
        operations
    }
}

impl Orm {
    /// Runs `body` on a new [`Transaction`] and, when it returns `Ok`, commits what it staged:
    /// all of it is written or none. An `Err` from `body` is returned and nothing is sent.
    /// Fails with [`ErrorKind::TransactionConflict`] when another write got in the way (see
    /// [`Orm::transaction_retrying`]), and with the server's error when an operation is refused.
    /// Needs Appwrite 1.8 or later.
    pub async fn transaction<F, Fut, R>(&self, body: F) -> Result<R>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<R>>,
    {
        let tx = Transaction::default();
        let result = body(tx.clone()).await?;
        self.commit(&tx).await?;
        Ok(result)
    }

    /// [`Orm::transaction`], run again from the start — `body` included, so that it can read
    /// the state it acts on anew — when the commit conflicts, up to `attempts` times in all.
    pub async fn transaction_retrying<F, Fut, R>(&self, attempts: u32, mut body: F) -> Result<R>
    where
        F: FnMut(Transaction) -> Fut,
        Fut: Future<Output = Result<R>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.transaction(&mut body).await {
                Err(err) if err.is(ErrorKind::TransactionConflict) && attempt < attempts => {
                    tokio::time::sleep(crate::backoff::delay(
                        attempt,
                        std::time::Duration::from_millis(20),
                        std::time::Duration::from_secs(1),
                    ))
                    .await;
                }
                other => return other,
            }
        }
    }

    /// Sends the staged operations and commits them; an empty transaction sends nothing.
    pub async fn commit(&self, tx: &Transaction) -> Result<()> {
        let operations = tx.take(self.database_id());
        if operations.is_empty() {
            return Ok(());
        }
        let transport = self.transport();
        let created: Value = transport
            .call(
                Method::POST,
                "/databases/transactions",
                &[],
                Some(&json!({"ttl": TTL_SECONDS})),
                Retry::Never,
            )
            .await?;
        let id = created["$id"]
            .as_str()
            .ok_or_else(|| Error::decode("created transaction", serde::de::Error::missing_field("$id")))?
            .to_owned();
        let path = format!("/databases/transactions/{id}");
        let staged = transport
            .send(
                Method::POST,
                &format!("{path}/operations"),
                &[],
                Some(&json!({"operations": operations})),
                Retry::Never,
            )
            .await;
        if let Err(err) = staged {
            // Nothing was applied; leave no pending transaction behind.
            let _ = transport
                .send(
                    Method::PATCH,
                    &path,
                    &[],
                    Some(&json!({"rollback": true})),
                    Retry::Safe,
                )
                .await;
            return Err(err);
        }
        let committed = transport
            .send(
                Method::PATCH,
                &path,
                &[],
                Some(&json!({"commit": true})),
                Retry::Never,
            )
            .await;
        match committed {
            Ok(_) => Ok(()),
            // The answer was lost: the transaction's status says whether it committed.
            Err(Error::Transport(source)) => {
                let state: Value = transport.call(Method::GET, &path, &[], None, Retry::Safe).await?;
                match state["status"].as_str() {
                    Some("committed") => Ok(()),
                    _ => Err(Error::Transport(source)),
                }
            }
            Err(err) => Err(err),
        }
    }
}
