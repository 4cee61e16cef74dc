//! The typed side of a subscription: decoding, de-duplication, catch-up and gap reporting.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::mpsc;

use super::connection::{Raw, Realtime};
use super::ready::Ready;
use super::{Event, EventKind, ListenError, Origin};
use crate::client::{Orm, Retry};
use crate::handle::{decode_named, Page};
use crate::{Document, Query};

/// What a listener covers, which decides how it catches up.
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    /// Every document of these collections.
    Collections {
        database: String,
        collections: Vec<String>,
    },
    /// One document.
    Document {
        database: String,
        collection: String,
        id: String,
    },
}

/// A typed stream of document events; dropping it unsubscribes.
///
/// Items are `Ok(Event<T>)`, or a [`ListenError`] that reports something (a payload that does
/// not decode, a lag, a gap) without ending the stream.
pub struct Subscription<T> {
    stream: Pin<Box<dyn Stream<Item = Result<Event<T>, ListenError>> + Send>>,
    guard: Arc<Guard>,
    ready: Ready,
}

struct Guard {
    realtime: Realtime,
    id: u64,
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Unbounded send: never blocks and needs no runtime, so dropping is always safe.
        self.realtime.unsubscribe(self.id);
    }
}

impl<T> fmt::Debug for Subscription<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.guard.id)
            .finish_non_exhaustive()
    }
}

impl<T> Stream for Subscription<T> {
    type Item = Result<Event<T>, ListenError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

impl<T> Subscription<T> {
    /// Stops listening (the same as dropping it).
    pub fn unsubscribe(self) {}

    /// Waits until the server has registered the subscription, so that every write made after
    /// this returns reaches the stream. Subscribing is asynchronous: without waiting, a write
    /// made at once may happen before the server knows about the listener.
    ///
    /// It returns at once after the first registration (re-subscribing after a reconnect is
    /// covered by catch-up), and fails only if the [`Orm`] shuts its realtime connection first.
    pub fn ready(&self) -> impl std::future::Future<Output = crate::Result<()>> + Send + 'static {
        self.ready.wait()
    }

    pub(crate) fn ready_signal(&self) -> Ready {
        self.ready.clone()
    }
}

impl<T: DeserializeOwned + Send + 'static> Subscription<T> {
    pub(crate) fn open(orm: &Orm, realtime: &Realtime, channels: Vec<String>, scope: Scope) -> Self {
        let crate::realtime::connection::Receiving {
            id,
            rx,
            missed,
            ready,
        } = realtime.subscribe(channels, Vec::new());
        let engine = Engine::<T> {
            rx,
            missed,
            orm: orm.clone(),
            scope,
            // Events are de-duplicated, so starting a little early only costs a few queries.
            since: Utc::now(),
            recent: HashMap::new(),
            recent_order: VecDeque::new(),
            pending: VecDeque::new(),
            last_payload: None,
            types: PhantomData,
        };
        let stream = stream::unfold(engine, |mut engine| async move {
            engine.next().await.map(|item| (item, engine))
        });
        Subscription {
            stream: Box::pin(stream),
            guard: Arc::new(Guard {
                realtime: realtime.clone(),
                id,
            }),
            ready,
        }
    }
}

struct Engine<T> {
    rx: mpsc::Receiver<Raw>,
    missed: Arc<AtomicU64>,
    orm: Orm,
    scope: Scope,
    /// The newest `$updatedAt` delivered: catch-up starts here.
    since: DateTime<Utc>,
    /// (`$id`, `$updatedAt`) pairs delivered within `MARGIN` of `since`, in delivery order:
    /// a catch-up re-reads that margin (writes do not always commit in `$updatedAt` order) and
    /// must not deliver them twice. Each pair records how it was delivered.
    recent: HashMap<(IdKey, DateTime<Utc>), Origin>,
    recent_order: VecDeque<(IdKey, DateTime<Utc>)>,
    pending: VecDeque<Result<Event<T>, ListenError>>,
    /// The last payload of a single-document listener, to report a delete it missed.
    last_payload: Option<String>,
    types: PhantomData<fn() -> T>,
}

/// A document id without a heap allocation (Appwrite ids are at most 36 bytes).
#[derive(Clone, PartialEq, Eq, Hash)]
enum IdKey {
    Inline([u8; 36], u8),
    Long(String),
}

impl IdKey {
    fn new(id: &str) -> Self {
        match u8::try_from(id.len()) {
            Ok(len) if id.len() <= 36 => {
                let mut bytes = [0u8; 36];
                bytes[..id.len()].copy_from_slice(id.as_bytes());
                IdKey::Inline(bytes, len)
            }
            _ => IdKey::Long(id.to_owned()),
        }
    }
}

// How far behind the newest delivered `$updatedAt` a catch-up starts.
const MARGIN: chrono::Duration = chrono::Duration::seconds(5);

impl<T: DeserializeOwned + Send + 'static> Engine<T> {
    async fn next(&mut self) -> Option<Result<Event<T>, ListenError>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            let raw = match self.rx.try_recv() {
                Ok(raw) => raw,
                Err(mpsc::error::TryRecvError::Disconnected) => return None,
                Err(mpsc::error::TryRecvError::Empty) => {
                    // Drained: if the connection task had to drop events, resync now.
                    let missed = self.missed.swap(0, Ordering::AcqRel);
                    if missed > 0 {
                        self.pending.push_back(Err(ListenError::Lagged { missed }));
                        // Boxed: the catch-up future is large and rare, and every idle listener
                        // would otherwise carry its space.
                        Box::pin(self.catch_up()).await;
                        continue;
                    }
                    self.rx.recv().await?
                }
            };
            match raw {
                Raw::Event(event) => {
                    if let Some(item) = self.live(event) {
                        return Some(item);
                    }
                }
                Raw::Reconnected => Box::pin(self.catch_up()).await,
                Raw::Malformed(frame) => {
                    return Some(Err(ListenError::Malformed {
                        frame: frame.to_string(),
                    }))
                }
                Raw::ServerError(error) => {
                    return Some(Err(ListenError::Server {
                        code: error.0,
                        message: error.1.clone(),
                    }))
                }
            }
        }
    }

    fn live(&mut self, event: Arc<super::protocol::RawEvent>) -> Option<Result<Event<T>, ListenError>> {
        let payload = event.payload();
        let document = match decode_named::<Document<T>>(payload.as_bytes(), "realtime") {
            Ok(document) => document,
            Err(crate::Error::Decode { path, source, .. }) => {
                let document_id = serde_json::from_str::<Value>(payload)
                    .ok()
                    .and_then(|v| v["$id"].as_str().map(str::to_owned));
                return Some(Err(ListenError::Decode {
                    document_id,
                    path,
                    source,
                }));
            }
            Err(_) => return None,
        };
        let kind = event.kind()?;
        if !self.remember(document.id(), document.updated_at(), Origin::Live) && kind != EventKind::Delete {
            return None;
        }
        if matches!(self.scope, Scope::Document { .. }) {
            self.last_payload = (kind != EventKind::Delete).then(|| payload.to_owned());
        }
        let timestamp = event.timestamp;
        Some(Ok(Event {
            kind,
            document,
            timestamp,
            origin: Origin::Live,
            names: super::Names::Frame(event),
        }))
    }

    /// Records a delivered version; `false` when it was delivered already.
    fn remember(&mut self, id: &str, updated_at: DateTime<Utc>, origin: Origin) -> bool {
        let key = (IdKey::new(id), updated_at);
        if let Some(first) = self.recent.get(&key) {
            // The server sends every write once, so two live events with one key are two writes
            // within the same millisecond, not a repeat; only a catch-up can repeat a version.
            return origin == Origin::Live && *first == Origin::Live;
        }
        if updated_at < self.since - MARGIN {
            // Older than anything a catch-up re-reads: it cannot be a duplicate.
            return true;
        }
        self.recent.insert(key.clone(), origin);
        self.recent_order.push_back(key);
        if updated_at > self.since {
            self.since = updated_at;
        }
        let horizon = self.since - MARGIN;
        while self.recent_order.front().is_some_and(|(_, at)| *at < horizon) {
            if let Some(old) = self.recent_order.pop_front() {
                self.recent.remove(&old);
            }
        }
        true
    }

    /// Queues a document found by a catch-up query, unless that version was delivered already.
    fn queue_caught_up(&mut self, document: Document<T>) {
        if self.remember(document.id(), document.updated_at(), Origin::CatchUp) {
            let kind = if document.created_at() == document.updated_at() {
                EventKind::Create
            } else {
                EventKind::Update
            };
            let event = self.catch_up_event(kind, document);
            self.pending.push_back(Ok(event));
        }
    }

    fn catch_up_event(&self, kind: EventKind, document: Document<T>) -> Event<T> {
        let meta = document.meta();
        let event = format!(
            "databases.{}.collections.{}.documents.{}.{}",
            meta.database_id(),
            meta.collection_id(),
            document.id(),
            kind.action()
        );
        Event {
            kind,
            timestamp: document.updated_at(),
            document,
            origin: Origin::CatchUp,
            names: super::Names::Single(event),
        }
    }

    /// Queues everything that changed since the high-water mark, oldest first, then reports the
    /// window in which deletions could not be seen.
    async fn catch_up(&mut self) {
        let since = self.since - MARGIN;
        match self.scope.clone() {
            Scope::Collections {
                database,
                collections,
            } => {
                let mut found: Vec<Document<T>> = Vec::new();
                for collection in &collections {
                    if let Err(err) = changed_since(&self.orm, &database, collection, since, &mut found).await
                    {
                        self.pending.push_back(Err(ListenError::CatchUp(err)));
                        return;
                    }
                }
                found.sort_by_key(|d| d.updated_at());
                for document in found {
                    self.queue_caught_up(document);
                }
                self.pending.push_back(Err(ListenError::Gap { since }));
            }
            Scope::Document {
                database,
                collection,
                id,
            } => {
                let path = format!("/databases/{database}/collections/{collection}/documents/{id}");
                match self.orm.send(Method::GET, &path, &[], None, Retry::Safe).await {
                    Ok(bytes) => match decode_named::<Document<T>>(&bytes, &collection) {
                        Ok(document) => {
                            self.last_payload = Some(String::from_utf8_lossy(&bytes).into_owned());
                            self.queue_caught_up(document);
                        }
                        Err(err) => self.pending.push_back(Err(ListenError::CatchUp(err))),
                    },
                    Err(err) if err.is(crate::ErrorKind::DocumentNotFound) => {
                        // Deleted while we were away: report it with the last version we saw.
                        if let Some(last) = self.last_payload.take() {
                            if let Ok(document) = serde_json::from_str::<Document<T>>(&last) {
                                let event = self.catch_up_event(EventKind::Delete, document);
                                self.pending.push_back(Ok(event));
                            }
                        }
                    }
                    Err(err) => self.pending.push_back(Err(ListenError::CatchUp(err))),
                }
            }
        }
    }
}

/// Every document of `collection` whose `$updatedAt` is at or after `since`, oldest first.
async fn changed_since<T: DeserializeOwned>(
    orm: &Orm,
    database: &str,
    collection: &str,
    since: DateTime<Utc>,
    found: &mut Vec<Document<T>>,
) -> crate::Result<()> {
    {
        let path = format!("/databases/{database}/collections/{collection}/documents");
        let mut cursor: Option<String> = None;
        loop {
            let mut queries = vec![
                Query::new(
                    "greaterThanEqual",
                    Some("$updatedAt"),
                    vec![Value::String(crate::datetime::format(&since))],
                ),
                Query::new("orderAsc", Some("$updatedAt"), Vec::new()),
                Query::limit(100),
            ];
            if let Some(after) = &cursor {
                queries.push(Query::cursor_after(after.clone()));
            }
            let params: Vec<(String, String)> = queries
                .iter()
                .enumerate()
                .map(|(i, q)| (format!("queries[{i}]"), q.to_string()))
                .collect();
            let bytes = orm.send(Method::GET, &path, &params, None, Retry::Safe).await?;
            let page: Page<T> = decode_named(&bytes, collection)?;
            let full = page.documents.len() == 100;
            cursor = page.documents.last().map(|d| d.id().to_owned());
            found.extend(page.documents);
            if !full || cursor.is_none() {
                return Ok(());
            }
        }
    }
}

/// An item of [`CollectionHandle::listen_collection`](crate::CollectionHandle::listen_collection)
/// and [`Database::listen_database`](crate::Database::listen_database).
#[derive(Debug, Clone)]
pub enum CollectionEvent<T> {
    /// A document event.
    Document(Event<T>),
    /// The collection's attributes or indexes changed. Appwrite sends no schema events to
    /// clients, so the listener detects this by polling the collection.
    SchemaChanged {
        /// The collection id.
        collection: String,
        /// `key:type:status` of every attribute, after the change.
        attributes: Vec<String>,
        /// `key:type:status` of every index, after the change.
        indexes: Vec<String>,
    },
}

/// Document events plus detected schema changes.
pub(crate) fn with_schema_changes<T: DeserializeOwned + Send + 'static>(
    orm: Orm,
    documents: Subscription<T>,
    database: String,
    collections: Vec<String>,
    every: Duration,
) -> impl Stream<Item = Result<CollectionEvent<T>, ListenError>> + Send {
    let events = documents.map(|item| item.map(CollectionEvent::Document));
    let poll = stream::unfold(
        (orm, Vec::<Option<(Vec<String>, Vec<String>)>>::new(), true),
        move |(orm, mut last, first)| {
            let (database, collections) = (database.clone(), collections.clone());
            async move {
                loop {
                    if !first || !last.is_empty() {
                        tokio::time::sleep(every).await;
                    }
                    let mut changes = Vec::new();
                    last.resize(collections.len(), None);
                    for (i, collection) in collections.iter().enumerate() {
                        let path = format!("/databases/{database}/collections/{collection}");
                        let Ok(value) = orm
                            .call::<Value>(Method::GET, &path, &[], None, Retry::Safe)
                            .await
                        else {
                            continue;
                        };
                        let describe = |items: &Value| -> Vec<String> {
                            items
                                .as_array()
                                .into_iter()
                                .flatten()
                                .map(|a| {
                                    format!(
                                        "{}:{}:{}",
                                        a["key"].as_str().unwrap_or_default(),
                                        a["type"].as_str().unwrap_or_default(),
                                        a["status"].as_str().unwrap_or_default()
                                    )
                                })
                                .collect()
                        };
                        let now = (describe(&value["attributes"]), describe(&value["indexes"]));
                        if let Some(previous) = &last[i] {
                            if *previous != now {
                                changes.push(Ok(CollectionEvent::SchemaChanged {
                                    collection: collection.clone(),
                                    attributes: now.0.clone(),
                                    indexes: now.1.clone(),
                                }));
                            }
                        }
                        last[i] = Some(now);
                    }
                    if !changes.is_empty() {
                        return Some((stream::iter(changes), (orm, last, false)));
                    }
                }
            }
        },
    )
    .flatten();
    stream::select(events, poll)
}

/// Document events of a collection (or database) plus detected schema changes; dropping it
/// unsubscribes.
pub struct CollectionSubscription<T> {
    stream: Pin<Box<dyn Stream<Item = Result<CollectionEvent<T>, ListenError>> + Send>>,
    ready: Ready,
}

impl<T> CollectionSubscription<T> {
    /// Waits until the server has registered the document subscription; see
    /// [`Subscription::ready`].
    pub fn ready(&self) -> impl std::future::Future<Output = crate::Result<()>> + Send + 'static {
        self.ready.wait()
    }
}

impl<T> fmt::Debug for CollectionSubscription<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectionSubscription").finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> CollectionSubscription<T> {
    pub(crate) fn new(
        orm: Orm,
        documents: Subscription<T>,
        database: String,
        collections: Vec<String>,
    ) -> Self {
        let every = orm.realtime_options().schema_poll;
        let ready = documents.ready_signal();
        CollectionSubscription {
            stream: Box::pin(with_schema_changes(orm, documents, database, collections, every)),
            ready,
        }
    }
}

impl<T> Stream for CollectionSubscription<T> {
    type Item = Result<CollectionEvent<T>, ListenError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}
