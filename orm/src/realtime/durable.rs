//! Durable listeners: a callback listener that resumes, after a restart of the service, from
//! where its last run stopped ([`CollectionHandle::on_documents_durable`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::handler::{Delivery, HandlerOptions, ListenerHandle};
use super::Event;
use crate::{Collection, CollectionHandle, Error, Result};

/// How far a durable listener got: the newest `$updatedAt` it has handled, and the documents it
/// handled at exactly that instant.
///
/// The checkpoint moves only after the handler has finished with an event (or given up on it,
/// see [`HandlerOptions`]), so a crash at any moment leaves it at or behind what was handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// The newest `$updatedAt` handled.
    pub updated_at: DateTime<Utc>,
    /// The ids of the documents handled at `updated_at`.
    pub ids: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint at `updated_at` with nothing handled yet.
    pub fn at(updated_at: DateTime<Utc>) -> Self {
        Checkpoint {
            updated_at,
            ids: Vec::new(),
        }
    }

    /// Records that document `id`, version `updated_at`, has been handled; returns whether the
    /// checkpoint moved. An older version (a late event) leaves it where it is.
    pub fn advance(&mut self, updated_at: DateTime<Utc>, id: &str) -> bool {
        if updated_at > self.updated_at {
            self.updated_at = updated_at;
            self.ids = vec![id.to_owned()];
            true
        } else if updated_at == self.updated_at && !self.ids.iter().any(|known| known == id) {
            self.ids.push(id.to_owned());
            true
        } else {
            false
        }
    }
}

/// The future a [`CheckpointStore`] returns.
pub type StoreFuture<'a, R> = Pin<Box<dyn Future<Output = Result<R>> + Send + 'a>>;

/// Where durable listeners keep their checkpoints, by listener name.
///
/// Two stores come with the crate: `RedisCheckpoints` (feature `redis`) and
/// [`CollectionCheckpoints`], a collection in the Appwrite database itself. A store of your own
/// needs only to keep the last checkpoint saved under each name.
pub trait CheckpointStore: Send + Sync + 'static {
    /// The checkpoint saved under `name`, if any.
    fn load<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Option<Checkpoint>>;
    /// Replaces the checkpoint saved under `name`.
    fn save<'a>(&'a self, name: &'a str, checkpoint: &'a Checkpoint) -> StoreFuture<'a, ()>;
}

/// Checkpoints in Redis (feature `redis`), one key per listener:
/// `appwrite-orm:{name}:checkpoint`.
#[cfg(feature = "redis")]
#[derive(Clone)]
pub struct RedisCheckpoints {
    client: redis::Client,
    /// One connection for every load and save (clones share it), opened on first use and
    /// again after a command failed on it.
    connection: Arc<tokio::sync::Mutex<Option<redis::aio::MultiplexedConnection>>>,
}

// The client holds the Redis URL, which may carry a password: never print it.
#[cfg(feature = "redis")]
impl std::fmt::Debug for RedisCheckpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCheckpoints").finish_non_exhaustive()
    }
}

#[cfg(feature = "redis")]
impl RedisCheckpoints {
    /// Checkpoints kept on this Redis.
    pub fn new(client: redis::Client) -> Self {
        RedisCheckpoints {
            client,
            connection: Arc::default(),
        }
    }

    fn key(name: &str) -> String {
        format!("appwrite-orm:{name}:checkpoint")
    }

    async fn connection(&self, context: &'static str) -> Result<redis::aio::MultiplexedConnection> {
        let mut shared = self.connection.lock().await;
        if let Some(connection) = shared.as_ref() {
            return Ok(connection.clone());
        }
        let connection = self
            .client
            .get_multiplexed_async_connection()
            .await
            .map_err(|source| Error::Checkpoints { context, source })?;
        *shared = Some(connection.clone());
        Ok(connection)
    }

    /// A command failed: the next one opens a new connection.
    async fn failed(&self, context: &'static str, source: redis::RedisError) -> Error {
        *self.connection.lock().await = None;
        Error::Checkpoints { context, source }
    }
}

#[cfg(feature = "redis")]
impl CheckpointStore for RedisCheckpoints {
    fn load<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Option<Checkpoint>> {
        Box::pin(async move {
            let context = "loading a checkpoint";
            let mut connection = self.connection(context).await?;
            let stored: Option<String> =
                match redis::AsyncCommands::get(&mut connection, Self::key(name)).await {
                    Ok(stored) => stored,
                    Err(source) => return Err(self.failed(context, source).await),
                };
            stored.map(|text| decode(name, &text)).transpose()
        })
    }

    fn save<'a>(&'a self, name: &'a str, checkpoint: &'a Checkpoint) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let context = "saving a checkpoint";
            let text = serde_json::to_string(checkpoint).map_err(|source| Error::Encode {
                what: "a listener checkpoint",
                source,
            })?;
            let mut connection = self.connection(context).await?;
            match redis::AsyncCommands::set::<_, _, ()>(&mut connection, Self::key(name), text).await {
                Ok(()) => Ok(()),
                Err(source) => Err(self.failed(context, source).await),
            }
        })
    }
}

#[cfg(feature = "redis")]
fn decode(name: &str, text: &str) -> Result<Checkpoint> {
    serde_json::from_str(text).map_err(|source| Error::Decode {
        what: format!("checkpoint of listener {name}"),
        path: String::new(),
        source,
    })
}

/// A listener's checkpoint as a document of the collection `appwrite_orm_checkpoints`, whose id
/// is the listener's name. Register it like any collection of yours
/// (`orm.connect().register::<ListenerCheckpoint>()`) so that migration creates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, crate::Collection)]
#[collection(id = "appwrite_orm_checkpoints", name = "appwrite-orm listener checkpoints")]
pub struct ListenerCheckpoint {
    /// [`Checkpoint::updated_at`].
    #[serde(rename = "updatedAt")]
    pub updated_at: DateTime<Utc>,
    /// [`Checkpoint::ids`].
    #[collection(size = 36)]
    pub ids: Vec<String>,
}

/// Checkpoints in the Appwrite database itself: no other infrastructure. Each is a
/// [`ListenerCheckpoint`] document; register that collection so that migration creates it.
#[derive(Debug, Clone)]
pub struct CollectionCheckpoints {
    handle: CollectionHandle<ListenerCheckpoint>,
}

impl CollectionCheckpoints {
    /// Checkpoints kept through `orm`.
    pub fn new(orm: &crate::Orm) -> Self {
        CollectionCheckpoints {
            handle: CollectionHandle::new(orm.clone()),
        }
    }
}

impl CheckpointStore for CollectionCheckpoints {
    fn load<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Option<Checkpoint>> {
        Box::pin(async move {
            Ok(self.handle.get(name).await?.map(|document| {
                let stored = document.into_inner();
                Checkpoint {
                    updated_at: stored.updated_at,
                    ids: stored.ids,
                }
            }))
        })
    }

    fn save<'a>(&'a self, name: &'a str, checkpoint: &'a Checkpoint) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let stored = ListenerCheckpoint {
                updated_at: checkpoint.updated_at,
                ids: checkpoint.ids.clone(),
            };
            self.handle.upsert(name, &stored).await.map(drop)
        })
    }
}

impl<T: Collection> CollectionHandle<T> {
    /// Runs `handler` for every document event, in order, resuming after a restart from the
    /// checkpoint saved under `name` in `store`: it first delivers what changed while no
    /// instance listened (as [`Origin::CatchUp`](crate::Origin::CatchUp), paged, in bounded
    /// memory), then live events.
    ///
    /// The checkpoint moves only after the handler has finished with an event, so a crash at
    /// any moment loses nothing: delivery is at least once, and what the last run handled
    /// around its last checkpoint may come again (make effects idempotent). It is saved in the
    /// background, the newest position one save at a time, so the handler never waits for the
    /// store; a stop (`unsubscribe`, [`Orm::shutdown`](crate::Orm::shutdown)) saves the last
    /// position before it returns. Deletions made while
    /// no instance listened cannot be recovered and are reported as a
    /// [`ListenError::Gap`](crate::ListenError::Gap). Without a saved checkpoint the listener
    /// starts now and saves one at once, so that the next run catches up from here.
    ///
    /// Each name belongs to one listener: two running at once under the same name would move
    /// one checkpoint past each other's events.
    ///
    /// ```no_run
    /// use appwrite_orm::{CollectionCheckpoints, ListenerCheckpoint};
    /// # #[derive(appwrite_orm::Collection, serde::Serialize, serde::Deserialize, Clone, Debug)]
    /// # #[collection(id = "orders")]
    /// # struct Order { total: f64 }
    /// # async fn run(orm: appwrite_orm::Orm) -> appwrite_orm::Result<()> {
    /// let db = orm
    ///     .connect()
    ///     .register::<Order>()
    ///     .register::<ListenerCheckpoint>()
    ///     .auto_migrate(true)
    ///     .await?;
    /// let orders = db.collection::<Order>();
    /// // Or `RedisCheckpoints` (feature `redis`): the same contract, kept in Redis.
    /// let checkpoints = CollectionCheckpoints::new(&orm);
    /// let billing = orders
    ///     .on_documents_durable("billing", checkpoints, |event| async move {
    ///         println!("charging {}", event.document.total);
    ///     })
    ///     .await?;
    /// billing.ready().await?;
    /// # Ok(()) }
    /// ```
    pub async fn on_documents_durable<S, F, Fut>(
        &self,
        name: &str,
        store: S,
        handler: F,
    ) -> Result<ListenerHandle>
    where
        S: CheckpointStore,
        F: Fn(Arc<Event<T>>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: super::HandlerOutcome,
    {
        self.on_documents_durable_with(name, store, HandlerOptions::default(), handler)
            .await
    }

    /// [`CollectionHandle::on_documents_durable`] with a retry policy, a dead-letter sink and a
    /// callback for the listener's own reports (a checkpoint that cannot be saved is one).
    pub async fn on_documents_durable_with<S, F, Fut>(
        &self,
        name: &str,
        store: S,
        options: HandlerOptions<T>,
        handler: F,
    ) -> Result<ListenerHandle>
    where
        S: CheckpointStore,
        F: Fn(Arc<Event<T>>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: super::HandlerOutcome,
    {
        crate::key::validate(name).map_err(|source| Error::InvalidId {
            id: name.to_owned(),
            source,
        })?;
        let store: Arc<dyn CheckpointStore> = Arc::new(store);
        let (checkpoint, resume) = starting_point(&*store, name).await?;
        let events = self.listen_documents_from(resume);
        let ready = events.ready_signal();
        let (position, saved) = watch::channel(checkpoint);
        let saver = tokio::spawn(save_latest(
            store,
            Arc::<str>::from(name),
            saved,
            options.on_listen_error.clone(),
        ));
        let deliveries = futures_util::StreamExt::map(events, move |item| {
            item.map(|event| {
                let then = advance_after(&position, &event);
                Delivery {
                    event,
                    then: Some(then),
                }
            })
        });
        // Once the listener stops (and its stream, with the last sender, is gone), the saver
        // saves the last position and ends; a graceful shutdown waits for that.
        let finish: super::handler::BoxFuture = Box::pin(async move {
            let _ = saver.await;
        });
        Ok(super::spawn_handler(
            self.orm().listeners(),
            deliveries,
            ready,
            handler,
            options,
            Some(finish),
        ))
    }
}

/// Where a listener resuming from the checkpoint `name` starts: that checkpoint and the
/// `$updatedAt` to catch up from; or, when none was saved, now, saved at once so that whoever
/// resumes next catches up from here even if this run never moves it.
pub(crate) async fn starting_point(
    store: &dyn CheckpointStore,
    name: &str,
) -> Result<(Checkpoint, Option<DateTime<Utc>>)> {
    match store.load(name).await? {
        Some(saved) => {
            let from = saved.updated_at;
            Ok((saved, Some(from)))
        }
        None => {
            let start = Checkpoint::at(Utc::now());
            store.save(name, &start).await?;
            Ok((start, None))
        }
    }
}

/// What runs once the handler is done with `event`: the position moves past it. Saving is the
/// saver's work, so the next event does not wait for the store.
fn advance_after<T>(position: &watch::Sender<Checkpoint>, event: &Event<T>) -> super::handler::BoxFuture {
    let position = position.clone();
    let (updated_at, id) = (event.document.updated_at(), event.document.id().to_owned());
    Box::pin(async move {
        position.send_if_modified(|checkpoint| checkpoint.advance(updated_at, &id));
    })
}

/// Saves the newest position whenever it moved, one save at a time: a burst of events costs
/// one save per round trip to the store rather than one per event, and what is saved is never
/// ahead of what was handled. A failed save is reported and retried with the next position;
/// when the listener stops, the last position is saved before this ends.
async fn save_latest(
    store: Arc<dyn CheckpointStore>,
    name: Arc<str>,
    mut position: watch::Receiver<Checkpoint>,
    reports: Option<super::handler::ErrorFn>,
) {
    let mut saved = position.borrow_and_update().clone();
    loop {
        let open = position.changed().await.is_ok();
        let latest = position.borrow_and_update().clone();
        if latest != saved {
            match store.save(&name, &latest).await {
                Ok(()) => saved = latest,
                Err(error) => {
                    let report = super::ListenError::Checkpoint {
                        listener: name.to_string(),
                        message: error.to_string(),
                    };
                    match &reports {
                        Some(report_to) => report_to(&report),
                        None => tracing::warn!(%report, "listener report"),
                    }
                }
            }
        }
        if !open {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + second, 0).expect("a valid time")
    }

    #[test]
    fn a_checkpoint_moves_forward_only_and_remembers_the_ids_of_its_instant() {
        let mut checkpoint = Checkpoint::at(at(0));
        assert!(checkpoint.advance(at(5), "a"));
        assert!(checkpoint.advance(at(5), "b"));
        assert!(!checkpoint.advance(at(5), "a"), "the same version again");
        assert_eq!(checkpoint.ids, ["a", "b"]);
        assert!(!checkpoint.advance(at(3), "c"), "a late, older version");
        assert_eq!(
            checkpoint,
            Checkpoint {
                updated_at: at(5),
                ids: vec!["a".into(), "b".into()]
            }
        );
        assert!(checkpoint.advance(at(6), "c"));
        assert_eq!(checkpoint.ids, ["c"]);
    }

    #[test]
    fn a_checkpoint_is_stored_as_camel_case_json() {
        let text = serde_json::to_value(Checkpoint {
            updated_at: at(0),
            ids: vec!["a".into()],
        })
        .unwrap();
        assert_eq!(
            text,
            serde_json::json!({"updatedAt": "2023-11-14T22:13:20Z", "ids": ["a"]})
        );
    }
}
