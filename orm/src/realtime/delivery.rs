//! What a listener delivers and when it catches up, with no I/O: per-document order and
//! de-duplication ([`Versions`]) and the position of a catch-up scan ([`Scan`]). The listener
//! feeds it what arrives; a model test drives it through random interleavings.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};

use super::{EventKind, Origin};

/// How far behind the newest delivered `$updatedAt` a catch-up starts: a write's `$updatedAt`
/// is taken before it commits, so a slow write can commit with an older time than a fast one.
pub(crate) const MARGIN: chrono::Duration = chrono::Duration::seconds(5);

/// How long before the newest live `$updatedAt` a document's last delivered version is
/// remembered (events arriving later than this are delivered without the order check).
pub(crate) const ORDER_WINDOW: chrono::Duration = chrono::Duration::minutes(5);

/// The most documents remembered at once, whatever their age.
pub(crate) const ORDER_CAPACITY: usize = 100_000;

/// Documents per catch-up page (Appwrite's largest page is 5 000; this keeps memory small).
pub(crate) const PAGE: usize = 100;

/// A document id without a heap allocation (Appwrite ids are at most 36 bytes).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
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

#[derive(Clone, Copy, Debug)]
struct Delivered {
    updated_at: DateTime<Utc>,
    deleted: bool,
    origin: Origin,
}

/// The last version delivered per document, so that no older or repeated version follows it.
///
/// A version is the document's `$updatedAt`. Appwrite publishes each write's event after its
/// own commit, so two writes of one document can arrive in either order, and a catch-up can
/// find a version that a live event also brings.
///
/// Documents are told apart by collection and id: a database listener sees several
/// collections, and ids are unique per collection only.
#[derive(Debug)]
pub(crate) struct Versions {
    /// Allocated with the first delivery: thousands of idle listeners stay small.
    memory: Option<Box<Memory>>,
    /// The newest `$updatedAt` delivered *live*: a catch-up resumes just before it. Catch-up
    /// deliveries must not move it: a scan reads the server as it is now, possibly after the
    /// connection dropped again, so what it read says nothing about writes it did not read.
    newest_live: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Memory {
    latest: HashMap<Key, Delivered>,
    /// Admissions in arrival order, for forgetting the oldest.
    order: VecDeque<(DateTime<Utc>, Key)>,
    /// The collections seen, so that a key holds an index rather than a name.
    collections: Vec<String>,
}

type Key = (u16, IdKey);

impl Memory {
    fn key(&mut self, collection: &str, id: &str) -> Key {
        let index = match self.collections.iter().position(|c| c == collection) {
            Some(index) => index,
            None => {
                self.collections.push(collection.to_owned());
                self.collections.len() - 1
            }
        };
        (u16::try_from(index).unwrap_or(u16::MAX), IdKey::new(id))
    }
}

impl Versions {
    pub(crate) fn new(start: DateTime<Utc>) -> Self {
        Versions {
            memory: None,
            newest_live: start,
        }
    }

    /// The newest `$updatedAt` delivered live (or the start, before any).
    pub(crate) fn newest_live(&self) -> DateTime<Utc> {
        self.newest_live
    }

    /// How many documents are remembered.
    #[cfg(test)]
    pub(crate) fn remembered(&self) -> usize {
        self.memory.as_ref().map_or(0, |m| m.latest.len())
    }

    /// Whether a version may be delivered, recording it if so.
    pub(crate) fn admit(
        &mut self,
        collection: &str,
        id: &str,
        updated_at: DateTime<Utc>,
        kind: EventKind,
        origin: Origin,
    ) -> bool {
        let memory = self.memory.get_or_insert_with(Box::default);
        let key = memory.key(collection, id);
        let deleted = kind == EventKind::Delete;
        // One lookup: the slot is read, then overwritten if the version is admitted.
        let slot = memory.latest.entry(key.clone());
        if let Entry::Occupied(last) = &slot {
            let last = last.get();
            let newer = match updated_at.cmp(&last.updated_at) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Less => false,
                // A delete is final for the version it deleted.
                std::cmp::Ordering::Equal if last.deleted => false,
                std::cmp::Ordering::Equal if deleted => true,
                // A create is the first version of a document's life.
                std::cmp::Ordering::Equal if kind == EventKind::Create => false,
                // `$updatedAt` has millisecond precision: two live events with one time are two
                // writes within the same millisecond (the server sends each write once); only a
                // catch-up can bring a version again.
                std::cmp::Ordering::Equal => origin == Origin::Live && last.origin == Origin::Live,
            };
            if !newer {
                return false;
            }
        }
        let delivered = Delivered {
            updated_at,
            deleted,
            origin,
        };
        match slot {
            Entry::Occupied(mut last) => *last.get_mut() = delivered,
            Entry::Vacant(empty) => {
                empty.insert(delivered);
            }
        }
        memory.order.push_back((updated_at, key));
        if origin == Origin::Live {
            self.newest_live = self.newest_live.max(updated_at);
        }
        // Versions older than the window before the resume point cannot come back from a
        // catch-up, only from a very late live event.
        memory.forget_before(self.newest_live - ORDER_WINDOW);
        true
    }
}

impl Memory {
    fn forget_before(&mut self, horizon: DateTime<Utc>) {
        while let Some((at, _)) = self.order.front() {
            if *at >= horizon && self.order.len() <= ORDER_CAPACITY {
                break;
            }
            let Some((at, key)) = self.order.pop_front() else {
                break;
            };
            // A later admission of the same document has its own entry further back.
            if self.latest.get(&key).is_some_and(|d| d.updated_at == at) {
                self.latest.remove(&key);
            }
        }
    }
}

/// Where a catch-up scan is: it reads every document changed at or after `from`, ordered by
/// (`$updatedAt`, `$id`), and each page starts strictly after the last pair it read. Those two
/// values belong to the scan, not to a document, so a write to (or delete of) the last
/// document of a page cannot move or break the next page; a document written during the scan
/// gets a newer `$updatedAt` and is read again further on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scan {
    page: usize,
    from: DateTime<Utc>,
    collection: usize,
    after: Option<(DateTime<Utc>, String)>,
    failures: u32,
}

/// The next page a scan asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageRequest {
    /// Index into the listener's collections.
    pub(crate) collection: usize,
    /// Documents with `$updatedAt` at or after this…
    pub(crate) from: DateTime<Utc>,
    /// …and strictly after this (`$updatedAt`, `$id`) pair, once a page has been read.
    pub(crate) after: Option<(DateTime<Utc>, String)>,
    /// At most this many.
    pub(crate) page: usize,
}

impl Scan {
    /// A scan from `from`, reading pages of `page` documents.
    pub(crate) fn new(from: DateTime<Utc>, page: usize) -> Self {
        Scan {
            page,
            from,
            collection: 0,
            after: None,
            failures: 0,
        }
    }

    /// Where it started: the start of the window it recovers.
    pub(crate) fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// The same window, from its first page again (the connection dropped during the scan, so
    /// what was read may have changed without an event).
    pub(crate) fn restart(&mut self) {
        *self = Scan::new(self.from, self.page);
    }

    pub(crate) fn request(&self) -> PageRequest {
        PageRequest {
            collection: self.collection,
            from: self.from,
            after: self.after.clone(),
            page: self.page,
        }
    }

    /// Records a page read; `last` is the (`$updatedAt`, `$id`) of its last document. Returns
    /// whether the scan is finished.
    pub(crate) fn advance(
        &mut self,
        read: usize,
        last: Option<(DateTime<Utc>, String)>,
        collections: usize,
    ) -> bool {
        self.failures = 0;
        match last {
            Some(last) if read >= self.page => {
                self.after = Some(last);
                false
            }
            _ => {
                self.collection += 1;
                self.after = None;
                self.collection >= collections
            }
        }
    }

    /// Records a failed page; returns how many failed in a row.
    pub(crate) fn failed(&mut self) -> u32 {
        self.failures += 1;
        self.failures
    }
}

/// A listener's delivery state: the versions delivered, and the catch-up under way.
#[derive(Debug)]
pub(crate) struct Delivery {
    pub(crate) versions: Versions,
    pub(crate) scan: Option<Box<Scan>>,
    page: usize,
}

impl Delivery {
    pub(crate) fn new(start: DateTime<Utc>) -> Self {
        Delivery::with_page(start, PAGE)
    }

    pub(crate) fn with_page(start: DateTime<Utc>, page: usize) -> Self {
        Delivery {
            versions: Versions::new(start),
            scan: None,
            page,
        }
    }

    /// Something may have been missed (a reconnect, or events dropped for a slow consumer):
    /// scan from just before the newest version delivered live — or, when a scan is already under
    /// way, from its own start again, since events delivered during it say nothing about the
    /// part it has not read yet.
    pub(crate) fn catch_up(&mut self) {
        match &mut self.scan {
            Some(scan) => scan.restart(),
            None => {
                self.scan = Some(Box::new(Scan::new(
                    self.versions.newest_live() - MARGIN,
                    self.page,
                )))
            }
        }
    }

    /// Records a page the scan read (`last`: the (`$updatedAt`, `$id`) of its last document);
    /// when that was the last page, finishes the scan and returns the start of the window in
    /// which deletions were not seen.
    pub(crate) fn page_read(
        &mut self,
        read: usize,
        last: Option<(DateTime<Utc>, String)>,
        collections: usize,
    ) -> Option<DateTime<Utc>> {
        let finished = self.scan.as_mut()?.advance(read, last, collections);
        if finished {
            self.finish_scan()
        } else {
            None
        }
    }

    /// Finishes the scan; returns the start of the window in which deletions were not seen.
    pub(crate) fn finish_scan(&mut self) -> Option<DateTime<Utc>> {
        self.scan.take().map(|scan| scan.from())
    }
}

#[cfg(test)]
mod tests;
