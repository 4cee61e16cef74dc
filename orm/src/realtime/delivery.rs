//! What a listener delivers and when it catches up, with no I/O: per-document order and
//! de-duplication ([`Versions`]) and the position of a catch-up scan ([`Scan`]). The listener
//! feeds it what arrives; a model test drives it through random interleavings.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};

use super::{EventKind, Origin};

/// How far behind the newest delivered `$updatedAt` a catch-up starts: a write's `$updatedAt`
/// is taken before it commits, so a slow write can commit with an older time than a fast one.
pub(crate) const MARGIN: chrono::Duration = chrono::Duration::seconds(5);

/// How long after the newest delivered `$updatedAt` a document's last delivered version is
/// remembered (events arriving later than this are delivered without the order check).
pub(crate) const ORDER_WINDOW: chrono::Duration = chrono::Duration::minutes(5);

/// The most documents remembered at once, whatever their age.
pub(crate) const ORDER_CAPACITY: usize = 100_000;

/// Documents per catch-up page.
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
#[derive(Debug)]
pub(crate) struct Versions {
    latest: HashMap<IdKey, Delivered>,
    /// Admissions in arrival order, for forgetting the oldest.
    order: VecDeque<(DateTime<Utc>, IdKey)>,
    newest: DateTime<Utc>,
}

impl Versions {
    pub(crate) fn new(start: DateTime<Utc>) -> Self {
        Versions {
            latest: HashMap::new(),
            order: VecDeque::new(),
            newest: start,
        }
    }

    /// The newest `$updatedAt` delivered (or the start, before any).
    pub(crate) fn newest(&self) -> DateTime<Utc> {
        self.newest
    }

    /// Whether a version may be delivered, recording it if so.
    pub(crate) fn admit(
        &mut self,
        id: &str,
        updated_at: DateTime<Utc>,
        kind: EventKind,
        origin: Origin,
    ) -> bool {
        let key = IdKey::new(id);
        let deleted = kind == EventKind::Delete;
        if let Some(last) = self.latest.get(&key) {
            let newer = match updated_at.cmp(&last.updated_at) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Less => false,
                // A delete is final for the version it deleted.
                std::cmp::Ordering::Equal if last.deleted => false,
                std::cmp::Ordering::Equal if deleted => true,
                // `$updatedAt` has millisecond precision: two live events with one time are two
                // writes within the same millisecond (the server sends each write once); only a
                // catch-up can bring a version again.
                std::cmp::Ordering::Equal => origin == Origin::Live && last.origin == Origin::Live,
            };
            if !newer {
                return false;
            }
        }
        self.latest.insert(
            key.clone(),
            Delivered {
                updated_at,
                deleted,
                origin,
            },
        );
        self.order.push_back((updated_at, key));
        self.newest = self.newest.max(updated_at);
        self.forget_old();
        true
    }

    fn forget_old(&mut self) {
        let horizon = self.newest - ORDER_WINDOW;
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

    /// How many documents are remembered.
    #[cfg(test)]
    pub(crate) fn remembered(&self) -> usize {
        self.latest.len()
    }
}

/// Where a catch-up scan is: it reads every document changed at or after `from`, ordered by
/// (`$updatedAt`, `$id`), and each page starts strictly after the last pair it read. Those two
/// values belong to the scan, not to a document, so a write to (or delete of) the last
/// document of a page cannot move or break the next page; a document written during the scan
/// gets a newer `$updatedAt` and is read again further on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scan {
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
}

impl Scan {
    /// A scan of `collections` from `from`.
    pub(crate) fn new(from: DateTime<Utc>) -> Self {
        Scan {
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
        *self = Scan::new(self.from);
    }

    pub(crate) fn request(&self) -> PageRequest {
        PageRequest {
            collection: self.collection,
            from: self.from,
            after: self.after.clone(),
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
            Some(last) if read >= PAGE => {
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
    pub(crate) scan: Option<Scan>,
}

impl Delivery {
    pub(crate) fn new(start: DateTime<Utc>) -> Self {
        Delivery {
            versions: Versions::new(start),
            scan: None,
        }
    }

    /// Something may have been missed (a reconnect, or events dropped for a slow consumer):
    /// scan from just before the newest version delivered — or, when a scan is already under
    /// way, from its own start again, since events delivered during it say nothing about the
    /// part it has not read yet.
    pub(crate) fn catch_up(&mut self) {
        match &mut self.scan {
            Some(scan) => scan.restart(),
            None => self.scan = Some(Scan::new(self.versions.newest() - MARGIN)),
        }
    }

    /// Finishes the scan; returns the start of the window in which deletions were not seen.
    pub(crate) fn finish_scan(&mut self) -> Option<DateTime<Utc>> {
        self.scan.take().map(|scan| scan.from())
    }
}

#[cfg(test)]
mod tests;
