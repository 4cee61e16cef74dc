//! The realtime methods of [`CollectionHandle`]: typed listeners, callback listeners and the
//! read cache. They live here, beside the realtime code they start, so that the CRUD handle
//! knows nothing of realtime.

use std::sync::Arc;

use crate::{Collection, CollectionHandle};

impl<T: Collection> CollectionHandle<T> {
    fn documents_channel(&self) -> String {
        format!(
            "databases.{}.collections.{}.documents",
            self.orm().database_id(),
            T::_COLLECTION_ID
        )
    }

    /// Every document event of the collection, typed.
    ///
    /// After a reconnect or an overflow the listener queries what changed meanwhile and
    /// delivers it (as [`Origin::CatchUp`](crate::Origin::CatchUp)) before newer live events,
    /// without duplicates; deletions in that window cannot be recovered and are reported as a
    /// [`ListenError::Gap`](crate::ListenError::Gap).
    pub fn listen_documents(&self) -> crate::Subscription<T> {
        self.listen_documents_from(None)
    }

    /// [`CollectionHandle::listen_documents`], first catching up from `resume` (a durable
    /// listener's checkpoint) when given.
    pub(crate) fn listen_documents_from(
        &self,
        resume: Option<chrono::DateTime<chrono::Utc>>,
    ) -> crate::Subscription<T> {
        let scope = crate::realtime::Scope::Collections {
            database: self.orm().database_id().to_owned(),
            collections: vec![T::_COLLECTION_ID.to_owned()],
        };
        crate::Subscription::open_from(
            &self.orm().realtime(),
            vec![self.documents_channel()],
            scope,
            &T::schema().null_as_default,
            resume,
        )
    }

    /// The events of one document. After a reconnect it re-reads the document, so a delete it
    /// missed is still reported (as a catch-up `Delete` with the last version it saw).
    pub fn listen_document(&self, id: &str) -> crate::Subscription<T> {
        let scope = crate::realtime::Scope::Document {
            database: self.orm().database_id().to_owned(),
            collection: T::_COLLECTION_ID.to_owned(),
            id: id.to_owned(),
        };
        let channel = format!("{}.{id}", self.documents_channel());
        crate::Subscription::open(
            &self.orm().realtime(),
            vec![channel],
            scope,
            &T::schema().null_as_default,
        )
    }

    /// An opt-in read cache of this collection, invalidated by its realtime events; see
    /// [`CachedCollection`](crate::CachedCollection).
    pub fn cached(&self) -> crate::CachedCollection<T> {
        crate::CachedCollection::new(self.clone(), self.orm().connection_state())
    }

    /// The collection's document events plus detected schema changes (attributes or indexes
    /// added, removed or changing status). Appwrite delivers no schema events to clients, so
    /// those are found by polling the collection (every 15 seconds unless
    /// [`RealtimeOptions::schema_poll`](crate::RealtimeOptions::schema_poll) says otherwise).
    pub fn listen_collection(&self) -> crate::CollectionSubscription<T> {
        crate::CollectionSubscription::new(
            &self.orm().realtime(),
            self.listen_documents(),
            self.orm().database_id().to_owned(),
            vec![T::_COLLECTION_ID.to_owned()],
        )
    }
}

impl<T: Collection> CollectionHandle<T> {
    /// Runs `handler` for every document event, in order. Errors and panics are captured and
    /// logged; see [`CollectionHandle::on_documents_with`] for retries and a dead-letter sink.
    /// The listener stops when the returned handle is dropped or unsubscribed, or on
    /// [`Orm::shutdown`](crate::Orm::shutdown).
    pub fn on_documents<F, Fut>(&self, handler: F) -> crate::ListenerHandle
    where
        F: Fn(Arc<crate::Event<T>>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future + Send + 'static,
        Fut::Output: crate::realtime::HandlerOutcome,
    {
        self.on_documents_with(crate::HandlerOptions::default(), handler)
    }

    /// [`CollectionHandle::on_documents`] with a retry policy, a dead-letter sink and a
    /// callback for the listener's own reports.
    pub fn on_documents_with<F, Fut>(
        &self,
        options: crate::HandlerOptions<T>,
        handler: F,
    ) -> crate::ListenerHandle
    where
        F: Fn(Arc<crate::Event<T>>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future + Send + 'static,
        Fut::Output: crate::realtime::HandlerOutcome,
    {
        let events = self.listen_documents();
        let ready = events.ready_signal();
        let deliveries =
            futures_util::StreamExt::map(events, |item| item.map(crate::realtime::Delivery::plain));
        crate::realtime::spawn_handler(self.orm().listeners(), deliveries, ready, handler, options, None)
    }
}
