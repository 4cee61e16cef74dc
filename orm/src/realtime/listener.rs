//! The typed side of a subscription: decoding, de-duplication, catch-up and gap reporting.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::mpsc;

use super::connection::{Raw, Realtime};
use super::delivery::{Delivery, PageRequest};
use super::ready::Ready;
use super::{Event, EventKind, ListenError, Origin, RealtimeOptions};
use crate::document::decode_with_defaults;
use crate::query::QueryMethod;
use crate::transport::{Retry, Transport};
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
    /// covered by catch-up), and fails only if the [`Orm`](crate::Orm) shuts its realtime connection first.
    pub fn ready(&self) -> impl std::future::Future<Output = crate::Result<()>> + Send + 'static {
        self.ready.wait()
    }

    pub(crate) fn ready_signal(&self) -> Ready {
        self.ready.clone()
    }
}

impl<T: DeserializeOwned + Send + 'static> Subscription<T> {
    /// `defaults`: the keys whose `null` decodes as serde's default
    /// ([`CollectionSchema::null_as_default`](crate::schema::CollectionSchema)).
    pub(crate) fn open(
        realtime: &Realtime,
        channels: Vec<String>,
        scope: Scope,
        defaults: &'static [String],
    ) -> Self {
        Self::open_from(realtime, channels, scope, defaults, None)
    }

    /// [`Subscription::open`], resuming from `resume`: before live events, it catches up on
    /// what changed since that `$updatedAt` (a durable listener's checkpoint).
    pub(crate) fn open_from(
        realtime: &Realtime,
        channels: Vec<String>,
        scope: Scope,
        defaults: &'static [String],
        resume: Option<chrono::DateTime<Utc>>,
    ) -> Self {
        let crate::realtime::connection::Receiving {
            id,
            rx,
            missed,
            ready,
        } = realtime.subscribe(channels, Vec::new());
        let engine = Engine::<T> {
            rx,
            missed,
            transport: Arc::clone(realtime.transport()),
            options: Arc::clone(realtime.options()),
            scope,
            defaults,
            delivery: match resume {
                Some(from) => {
                    let mut delivery = Delivery::new(from);
                    delivery.catch_up();
                    delivery
                }
                None => Delivery::new(Utc::now()),
            },
            retry_at: None,
            live_since_page: 0,
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
    transport: Arc<Transport>,
    options: Arc<RealtimeOptions>,
    scope: Scope,
    /// Keys whose `null` decodes as serde's default.
    defaults: &'static [String],
    delivery: Delivery,
    /// When a catch-up page that failed transiently is tried again.
    retry_at: Option<tokio::time::Instant>,
    /// Live events taken since the last catch-up page.
    live_since_page: usize,
    /// At most one catch-up page plus a few reports: the scan reads its next page only once
    /// these are taken.
    pending: VecDeque<Result<Event<T>, ListenError>>,
    /// The last payload of a single-document listener, to report a delete it missed.
    last_payload: Option<String>,
    types: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Send + 'static> Engine<T> {
    async fn next(&mut self) -> Option<Result<Event<T>, ListenError>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            // Live events first, also during a catch-up: they are the newest versions, and the
            // queue must not overflow while a long scan runs — but a page after every hundred of
            // them, so that a steady stream cannot starve the scan.
            let page_due =
                self.delivery.scan.is_some() && self.retry_at.is_none() && self.live_since_page >= 100;
            if !page_due {
                match self.rx.try_recv() {
                    Ok(raw) => {
                        if let Some(item) = self.take(raw) {
                            return Some(item);
                        }
                        continue;
                    }
                    Err(mpsc::error::TryRecvError::Disconnected) => return None,
                    Err(mpsc::error::TryRecvError::Empty) => {}
                }
            }
            // Drained: if the connection task had to drop events, resync now.
            let missed = self.missed.swap(0, Ordering::AcqRel);
            if missed > 0 {
                self.pending.push_back(Err(ListenError::Lagged { missed }));
                self.delivery.catch_up();
                continue;
            }
            if self.delivery.scan.is_none() {
                let raw = self.rx.recv().await?;
                if let Some(item) = self.take(raw) {
                    return Some(item);
                }
                continue;
            }
            if let Some(at) = self.retry_at {
                // Boxed, like the page below: a timer in every listener's future would cost
                // each idle listener its size.
                match Box::pin(receive_until(&mut self.rx, at)).await {
                    Wait::Received(raw) => {
                        if let Some(item) = self.take(raw) {
                            return Some(item);
                        }
                        continue;
                    }
                    Wait::Closed => return None,
                    Wait::TimeUp => self.retry_at = None,
                }
            }
            // Boxed: the page future is large and rare, and every idle listener would
            // otherwise carry its space.
            self.live_since_page = 0;
            Box::pin(self.read_page()).await;
        }
    }

    fn take(&mut self, raw: Raw) -> Option<Result<Event<T>, ListenError>> {
        match raw {
            Raw::Event(event) => {
                self.live_since_page += 1;
                self.live(event)
            }
            Raw::Reconnected => {
                self.delivery.catch_up();
                self.retry_at = None;
                None
            }
            Raw::Malformed(frame) => Some(Err(ListenError::Malformed {
                frame: frame.to_string(),
            })),
            Raw::ServerError(error) => Some(Err(ListenError::Server {
                code: error.0,
                message: error.1.clone(),
            })),
            Raw::WrongUser(who) => Some(Err(ListenError::WrongIdentity {
                expected: who.0.clone(),
                connected_as: who.1.clone(),
            })),
        }
    }

    fn live(&mut self, event: Arc<super::protocol::RawEvent>) -> Option<Result<Event<T>, ListenError>> {
        // Not a document event: nothing to decode.
        let kind = event.kind()?;
        let payload = event.payload();
        let document =
            match decode_with_defaults::<Document<T>>(payload.as_bytes(), "realtime", self.defaults) {
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
        if !self.delivery.versions.admit(
            document.meta().collection_id(),
            document.id(),
            document.updated_at(),
            kind,
            Origin::Live,
        ) {
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

    /// Queues a document found by a catch-up query, unless that version (or a newer one) was
    /// delivered already.
    fn queue_caught_up(&mut self, document: Document<T>) {
        let kind = if document.created_at() == document.updated_at() {
            EventKind::Create
        } else {
            EventKind::Update
        };
        if self.delivery.versions.admit(
            document.meta().collection_id(),
            document.id(),
            document.updated_at(),
            kind,
            Origin::CatchUp,
        ) {
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

    /// Reads the next page of the catch-up under way and queues what it found; after the last
    /// page, reports the window in which deletions could not be seen.
    async fn read_page(&mut self) {
        let Some(request) = self.delivery.scan.as_ref().map(|scan| scan.request()) else {
            return;
        };
        let outcome = match self.scope.clone() {
            Scope::Collections {
                database,
                collections,
            } => {
                let collection = &collections[request.collection];
                match changed_since::<T>(&self.transport, &database, collection, &request, self.defaults)
                    .await
                {
                    Ok(documents) => {
                        let read = documents.len();
                        let last = documents.last().map(|d| (d.updated_at(), d.id().to_owned()));
                        for document in documents {
                            self.queue_caught_up(document);
                        }
                        if let Some(since) = self.delivery.page_read(read, last, collections.len()) {
                            self.pending.push_back(Err(ListenError::Gap { since }));
                        }
                        Ok(())
                    }
                    Err(err) => Err(err),
                }
            }
            Scope::Document {
                database,
                collection,
                id,
            } => self.check_document(&database, &collection, &id).await,
        };
        if let Err(err) = outcome {
            self.page_failed(err);
        }
    }

    /// The catch-up of a single-document listener: its current version, or its delete.
    async fn check_document(&mut self, database: &str, collection: &str, id: &str) -> crate::Result<()> {
        let path = format!("/databases/{database}/collections/{collection}/documents/{id}");
        match self
            .transport
            .send(Method::GET, &path, &[], None, Retry::Safe)
            .await
        {
            Ok(bytes) => {
                let document = decode_with_defaults::<Document<T>>(&bytes, collection, self.defaults);
                self.delivery.finish_scan();
                match document {
                    Ok(document) => {
                        self.last_payload = Some(String::from_utf8_lossy(&bytes).into_owned());
                        self.queue_caught_up(document);
                    }
                    Err(err) => self.pending.push_back(Err(ListenError::CatchUp(err))),
                }
                Ok(())
            }
            Err(err) if err.is(crate::ErrorKind::DocumentNotFound) => {
                self.delivery.finish_scan();
                // Deleted while we were away: report it with the last version we saw.
                if let Some(last) = self.last_payload.take() {
                    if let Ok(document) = serde_json::from_str::<Document<T>>(&last) {
                        if self.delivery.versions.admit(
                            document.meta().collection_id(),
                            document.id(),
                            document.updated_at(),
                            EventKind::Delete,
                            Origin::CatchUp,
                        ) {
                            let event = self.catch_up_event(EventKind::Delete, document);
                            self.pending.push_back(Ok(event));
                        }
                    }
                }
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    /// A transient failure (no answer, 5xx, 429) is retried with backoff from where the scan
    /// stopped; any other ends the catch-up with a gap over its whole window.
    fn page_failed(&mut self, err: crate::Error) {
        let transient = match &err {
            crate::Error::Transport(_) => true,
            crate::Error::Appwrite { code, .. } => *code >= 500 || *code == 429,
            _ => false,
        };
        match (transient, self.delivery.scan.as_mut()) {
            (true, Some(scan)) => {
                let failures = scan.failed();
                let options = &self.options;
                let delay = crate::backoff::delay(failures, options.reconnect_base, options.reconnect_max);
                tracing::warn!(%err, failures, ?delay, "catch-up page failed; retrying");
                self.retry_at = Some(tokio::time::Instant::now() + delay);
                self.pending.push_back(Err(ListenError::CatchUp(err)));
            }
            _ => {
                tracing::warn!(%err, "catch-up failed");
                self.pending.push_back(Err(ListenError::CatchUp(err)));
                if let (Some(since), Scope::Collections { .. }) = (self.delivery.finish_scan(), &self.scope) {
                    self.pending.push_back(Err(ListenError::Gap { since }));
                }
            }
        }
    }
}

/// The documents of a list answer.
#[derive(serde::Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Documents<T> {
    #[serde(alias = "rows")]
    documents: Vec<Document<T>>,
}

enum Wait {
    Received(Raw),
    Closed,
    TimeUp,
}

/// The next item of `rx`, unless `at` comes first.
async fn receive_until(rx: &mut mpsc::Receiver<Raw>, at: tokio::time::Instant) -> Wait {
    tokio::select! {
        raw = rx.recv() => raw.map_or(Wait::Closed, Wait::Received),
        () = tokio::time::sleep_until(at) => Wait::TimeUp,
    }
}

/// One page of the documents of `collection` changed in the window of `request`, ordered by
/// (`$updatedAt`, `$id`). The bounds are values, not a cursor document: see [`Scan`](super::delivery::Scan).
async fn changed_since<T: DeserializeOwned>(
    transport: &Transport,
    database: &str,
    collection: &str,
    request: &PageRequest,
    defaults: &[String],
) -> crate::Result<Vec<Document<T>>> {
    let path = format!("/databases/{database}/collections/{collection}/documents");
    let time = |at: &DateTime<Utc>| vec![Value::String(crate::datetime::format(at))];
    let lower = match &request.after {
        None => Query::new(
            QueryMethod::GreaterThanEqual,
            Some("$updatedAt"),
            time(&request.from),
        ),
        Some((at, id)) => Query::or([
            Query::new(QueryMethod::GreaterThan, Some("$updatedAt"), time(at)),
            Query::and([
                Query::new(QueryMethod::Equal, Some("$updatedAt"), time(at)),
                Query::new(
                    QueryMethod::GreaterThan,
                    Some("$id"),
                    vec![Value::String(id.clone())],
                ),
            ]),
        ]),
    };
    let queries = [
        lower,
        Query::new(QueryMethod::OrderAsc, Some("$updatedAt"), Vec::new()),
        Query::new(QueryMethod::OrderAsc, Some("$id"), Vec::new()),
        Query::limit(request.page as u32),
    ];
    let params = crate::query::params(&queries);
    let bytes = transport
        .send(Method::GET, &path, &params, None, Retry::Safe)
        .await?;
    let page: Documents<T> = decode_with_defaults(&bytes, collection, defaults)?;
    Ok(page.documents)
}
