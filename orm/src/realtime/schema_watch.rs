//! Collection and database listeners: document events plus schema changes, which Appwrite does
//! not push to clients and which are found by polling.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::connection::Realtime;
use super::ready::Ready;
use super::{Event, ListenError, Subscription};
use crate::transport::{Retry, Transport};

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
        /// Every attribute, after the change.
        attributes: Vec<SchemaItem>,
        /// Every index, after the change.
        indexes: Vec<SchemaItem>,
    },
}

/// An attribute or index as a schema change reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaItem {
    /// Its key.
    pub key: String,
    /// Appwrite's type: `string`, `integer`, … for an attribute; `key`, `unique`, `fulltext`
    /// for an index.
    pub kind: String,
    /// Where the server is with it.
    pub status: SchemaStatus,
}

/// The status Appwrite reports for an attribute or index.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaStatus {
    /// Ready for use.
    Available,
    /// Being built.
    Processing,
    /// Being removed.
    Deleting,
    /// Building failed.
    Failed,
    /// Building stopped without finishing.
    Stuck,
    /// A status this version of the crate does not know.
    Other(String),
}

impl SchemaStatus {
    fn parse(status: &str) -> Self {
        match status {
            "available" => SchemaStatus::Available,
            "processing" => SchemaStatus::Processing,
            "deleting" => SchemaStatus::Deleting,
            "failed" => SchemaStatus::Failed,
            "stuck" => SchemaStatus::Stuck,
            other => SchemaStatus::Other(other.to_owned()),
        }
    }
}

fn schema_items(items: &Value) -> Vec<SchemaItem> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| SchemaItem {
            key: item["key"].as_str().unwrap_or_default().to_owned(),
            kind: item["type"].as_str().unwrap_or_default().to_owned(),
            status: SchemaStatus::parse(item["status"].as_str().unwrap_or_default()),
        })
        .collect()
}

/// Document events plus detected schema changes.
pub(crate) fn with_schema_changes<T: DeserializeOwned + Send + 'static>(
    transport: Arc<Transport>,
    documents: Subscription<T>,
    database: String,
    collections: Vec<String>,
    every: Duration,
) -> impl Stream<Item = Result<CollectionEvent<T>, ListenError>> + Send {
    let events = documents.map(|item| item.map(CollectionEvent::Document));
    let poll = stream::unfold(
        (
            transport,
            Vec::<Option<(Vec<SchemaItem>, Vec<SchemaItem>)>>::new(),
            true,
        ),
        move |(transport, mut last, first)| {
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
                        let Ok(value) = transport
                            .call::<Value>(Method::GET, &path, &[], None, Retry::Safe)
                            .await
                        else {
                            continue;
                        };
                        let now = (
                            schema_items(&value["attributes"]),
                            schema_items(&value["indexes"]),
                        );
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
                        return Some((stream::iter(changes), (transport, last, false)));
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
        realtime: &Realtime,
        documents: Subscription<T>,
        database: String,
        collections: Vec<String>,
    ) -> Self {
        let every = realtime.options().schema_poll;
        let transport = Arc::clone(realtime.transport());
        let ready = documents.ready_signal();
        CollectionSubscription {
            stream: Box::pin(with_schema_changes(
                transport,
                documents,
                database,
                collections,
                every,
            )),
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
