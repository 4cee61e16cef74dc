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
//!
//! Reads inside the body ([`Transaction::get`], [`Transaction::find`]) see the database as the
//! transaction would leave it so far: the first read opens the server's transaction and sends
//! what was staged before it, and the server lays those operations over what it reads. An
//! `Err` from the body then rolls the server's transaction back.

use std::future::Future;
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::query::IntoQueries;
use crate::query::QueryValue;
use crate::transport::Retry;
use crate::{Collection, CollectionHandle, Document, Field, Orm, Patch};

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
    /// The server's transaction, once a read opened it.
    server: Arc<tokio::sync::Mutex<Option<String>>>,
    /// Whom reads go through; `None` for a transaction not made by [`Orm::transaction`].
    orm: Option<Orm>,
}

impl Transaction {
    fn of(orm: &Orm) -> Self {
        Transaction {
            orm: Some(orm.clone()),
            ..Transaction::default()
        }
    }

    /// Document `id` of `T` as this transaction sees it: the operations staged so far applied
    /// to the stored document (`None` if it does not exist, or a staged delete removed it).
    ///
    /// ```no_run
    /// # use appwrite_orm::{Collection, Orm};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Collection, Serialize, Deserialize)]
    /// # #[collection(id = "stock")]
    /// # struct Stock { available: i32 }
    /// # async fn run(orm: Orm) -> appwrite_orm::Result<()> {
    /// let left = orm
    ///     .transaction(|tx| async move {
    ///         tx.decrement::<Stock, _>("lamp", Stock::AVAILABLE, 1, Some(0))?;
    ///         // Reads the decrement staged above.
    ///         let stock = tx.get::<Stock>("lamp").await?;
    ///         Ok(stock.map_or(0, |s| s.available))
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn get<T: Collection>(&self, id: &str) -> Result<Option<Document<T>>> {
        crate::handle::check_id(id)?;
        let (orm, server) = self.opened().await?;
        CollectionHandle::<T>::new(orm).get_in(id, &server).await
    }

    /// Documents of `T` matching `queries` as this transaction sees them (one page, as
    /// [`CollectionHandle::find`]).
    pub async fn find<T: Collection>(&self, queries: impl IntoQueries) -> Result<Vec<Document<T>>> {
        let queries = queries.into_queries();
        let (orm, server) = self.opened().await?;
        CollectionHandle::<T>::new(orm).find_in(&queries, &server).await
    }

    /// The server's transaction, opened if needed, with every operation staged so far sent.
    async fn opened(&self) -> Result<(Orm, String)> {
        let orm = self.orm.clone().ok_or_else(|| Error::Config {
            setting: "Transaction",
            reason: "reads need a transaction made by Orm::transaction".to_owned(),
        })?;
        let mut server = self.server.lock().await;
        let id = match server.as_ref() {
            Some(id) => id.clone(),
            None => {
                let id = open(&orm).await?;
                *server = Some(id.clone());
                id
            }
        };
        let operations = self.take(orm.database_id());
        if !operations.is_empty() {
            stage(&orm, &id, operations).await?;
        }
        Ok((orm, id))
    }

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
        let tx = Transaction::of(self);
        match body(tx.clone()).await {
            Ok(result) => {
                self.commit(&tx).await?;
                Ok(result)
            }
            Err(err) => {
                // A read opened the server's transaction: leave nothing pending behind.
                if let Some(id) = tx.server.lock().await.take() {
                    rollback(self, &id).await;
                }
                Err(err)
            }
        }
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

    /// Sends the staged operations and commits them; an empty transaction sends nothing (unless
    /// a read opened the server's transaction, which is committed then).
    pub async fn commit(&self, tx: &Transaction) -> Result<()> {
        let operations = tx.take(self.database_id());
        let id = match tx.server.lock().await.take() {
            Some(id) => id,
            None if operations.is_empty() => return Ok(()),
            None => open(self).await?,
        };
        if !operations.is_empty() {
            if let Err(err) = stage(self, &id, operations).await {
                // Nothing was applied; leave no pending transaction behind.
                rollback(self, &id).await;
                return Err(err);
            }
        }
        let transport = self.transport();
        let path = format!("/databases/transactions/{id}");
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

/// Opens a transaction on the server; returns its id.
async fn open(orm: &Orm) -> Result<String> {
    let created: Value = orm
        .transport()
        .call(
            Method::POST,
            "/databases/transactions",
            &[],
            Some(&json!({"ttl": TTL_SECONDS})),
            Retry::Never,
        )
        .await?;
    created["$id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::decode("created transaction", serde::de::Error::missing_field("$id")))
}

/// Stages `operations` in the server's transaction `id`.
async fn stage(orm: &Orm, id: &str, operations: Vec<Value>) -> Result<()> {
    orm.transport()
        .send(
            Method::POST,
            &format!("/databases/transactions/{id}/operations"),
            &[],
            Some(&json!({"operations": operations})),
            Retry::Never,
        )
        .await
        .map(drop)
}

/// Rolls the server's transaction `id` back; a failure leaves it to expire after its ttl.
async fn rollback(orm: &Orm, id: &str) {
    let _ = orm
        .transport()
        .send(
            Method::PATCH,
            &format!("/databases/transactions/{id}"),
            &[],
            Some(&json!({"rollback": true})),
            Retry::Safe,
        )
        .await;
}
