//! An opt-in read cache per collection, invalidated by the collection's realtime events.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::ConnectionState;
use crate::error::Result;
use crate::handle::Call;
use crate::query::IntoQueries;
use crate::{Collection, CollectionHandle, Document};

/// Reads of one collection served from memory while they are known to be current.
///
/// Entries are dropped when the collection's realtime events say they changed; a read that
/// raced such an invalidation is returned but not stored; while the realtime connection is not
/// `Connected` (so invalidations could be missed) every read goes to the server and nothing is
/// stored. After a reconnect or a lag the whole cache is cleared.
///
/// Get one with [`CollectionHandle::cached`].
pub struct CachedCollection<T> {
    handle: CollectionHandle<T>,
    state: Arc<CacheState<T>>,
    connection: watch::Receiver<ConnectionState>,
    invalidator: JoinHandle<()>,
}

struct CacheState<T> {
    // One lock for the maps and the generation, so that "nothing changed since the read began"
    // and "store it" happen as one step.
    maps: Mutex<Maps<T>>,
    /// Whether the invalidating listener is subscribed and current.
    listening: AtomicBool,
    hits: AtomicU64,
    misses: AtomicU64,
    bypassed: AtomicU64,
}

struct Maps<T> {
    documents: HashMap<String, Arc<Document<T>>>,
    queries: HashMap<String, Arc<Vec<Document<T>>>>,
    /// Bumped by every invalidation: a read that saw another value at its start is not stored.
    generation: u64,
}

impl<T> CacheState<T> {
    fn clear(&self) {
        let mut maps = lock(&self.maps);
        maps.generation += 1;
        maps.documents.clear();
        maps.queries.clear();
    }

    fn generation(&self) -> u64 {
        lock(&self.maps).generation
    }
}

fn lock<V>(mutex: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<T> fmt::Debug for CachedCollection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedCollection")
            .field("documents", &lock(&self.state.maps).documents.len())
            .field("queries", &lock(&self.state.maps).queries.len())
            .finish_non_exhaustive()
    }
}

impl<T> Drop for CachedCollection<T> {
    fn drop(&mut self) {
        self.invalidator.abort();
    }
}

/// Counters of a [`CachedCollection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Reads answered from memory.
    pub hits: u64,
    /// Reads that went to the server and were stored.
    pub misses: u64,
    /// Reads that went to the server and were not stored (disconnected, or raced an
    /// invalidation).
    pub bypassed: u64,
}

impl<T: Collection> CachedCollection<T> {
    pub(crate) fn new(handle: CollectionHandle<T>, connection: watch::Receiver<ConnectionState>) -> Self {
        let state = Arc::new(CacheState {
            maps: Mutex::new(Maps {
                documents: HashMap::new(),
                queries: HashMap::new(),
                generation: 0,
            }),
            listening: AtomicBool::new(false),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            bypassed: AtomicU64::new(0),
        });
        let mut events = handle.listen_documents();
        let task_state = Arc::clone(&state);
        let invalidator = tokio::spawn(async move {
            // Until the server holds the subscription, a change could go unseen: stay bypassed.
            if events.ready().await.is_err() {
                return;
            }
            task_state.listening.store(true, Ordering::Release);
            while let Some(item) = events.next().await {
                match item {
                    Ok(event) => {
                        let mut maps = lock(&task_state.maps);
                        maps.generation += 1;
                        maps.documents.remove(event.document.id());
                        maps.queries.clear();
                    }
                    // A lag, a gap or an unreadable event: anything may have changed.
                    Err(_) => task_state.clear(),
                }
            }
            task_state.listening.store(false, Ordering::Release);
            task_state.clear();
        });
        CachedCollection {
            handle,
            state,
            connection,
            invalidator,
        }
    }

    /// Whether cached reads are current: the realtime connection is up and the invalidating
    /// listener is running. (The connection's own health is
    /// [`Orm::connection_state`](crate::Orm::connection_state).)
    pub fn is_fresh(&self) -> bool {
        *self.connection.borrow() == ConnectionState::Connected
            && self.state.listening.load(Ordering::Acquire)
    }

    /// Reads counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.state.hits.load(Ordering::Relaxed),
            misses: self.state.misses.load(Ordering::Relaxed),
            bypassed: self.state.bypassed.load(Ordering::Relaxed),
        }
    }

    /// Drops every cached read.
    pub fn invalidate_all(&self) {
        self.state.clear();
    }

    /// The uncached handle, for writes.
    pub fn handle(&self) -> &CollectionHandle<T> {
        &self.handle
    }

    /// The document with this id, or `None`, shared with the cache: an `Arc`, so a hit costs no
    /// copy. It derefs to [`Document<T>`] (and that to `T`), so code written against
    /// [`CollectionHandle::get`] reads fields and metadata the same way; where a function wants
    /// an owned `Document<T>`, [`CachedCollection::get_owned`] returns exactly that type.
    pub async fn get(&self, id: &str) -> Result<Option<Arc<Document<T>>>> {
        if let Some(hit) = self
            .is_fresh()
            .then(|| lock(&self.state.maps).documents.get(id).cloned())
            .flatten()
        {
            self.state.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(hit));
        }
        let generation = self.state.generation();
        let fresh_before = self.is_fresh();
        let Some(document) = self.handle.get(id).await? else {
            return Ok(None);
        };
        let document = Arc::new(document);
        self.store(fresh_before, generation, |maps| {
            maps.documents.insert(id.to_owned(), Arc::clone(&document));
        });
        Ok(Some(document))
    }

    /// [`CachedCollection::get`] as the same type [`CollectionHandle::get`] returns: a hit is
    /// cloned out of the cache.
    pub async fn get_owned(&self, id: &str) -> Result<Option<Document<T>>>
    where
        T: Clone,
    {
        Ok(self.get(id).await?.map(Arc::unwrap_or_clone))
    }

    /// One page of matching documents (see [`CollectionHandle::find`]).
    pub fn find(&self, queries: impl IntoQueries) -> Call<'_, Arc<Vec<Document<T>>>> {
        let queries = queries.into_queries();
        Box::pin(async move {
            let key = queries
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n");
            if let Some(hit) = self
                .is_fresh()
                .then(|| lock(&self.state.maps).queries.get(&key).cloned())
                .flatten()
            {
                self.state.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(hit);
            }
            let generation = self.state.generation();
            let fresh_before = self.is_fresh();
            let documents = Arc::new(self.handle.find(queries).await?);
            self.store(fresh_before, generation, |maps| {
                maps.queries.insert(key, Arc::clone(&documents));
            });
            Ok(documents)
        })
    }

    // Stores a read only if nothing could have changed it unseen while it was in flight.
    fn store(&self, fresh_before: bool, generation: u64, insert: impl FnOnce(&mut Maps<T>)) {
        let fresh = fresh_before && self.is_fresh();
        let mut maps = lock(&self.state.maps);
        if fresh && maps.generation == generation {
            insert(&mut maps);
            self.state.misses.fetch_add(1, Ordering::Relaxed);
        } else {
            self.state.bypassed.fetch_add(1, Ordering::Relaxed);
        }
    }
}
