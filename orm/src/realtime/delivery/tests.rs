//! A model of the world a listener lives in — a server whose writes publish events that arrive
//! in any order, a connection that drops (losing what was in flight), a queue that overflows,
//! catch-up scans that page while writes go on — driven by a seeded generator through random
//! interleavings. The listener side is `Delivery`, fed the way the listener feeds it. After
//! every run: each document's final state delivered, versions strictly increasing per
//! document (so no duplicates), every delete delivered or covered by a gap.

use std::collections::{BTreeMap, VecDeque};

use chrono::TimeZone;

use super::*;

/// xorshift64*: small, seeded, good enough to pick actions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(1_700_000_000_000 + ms).unwrap()
}

const COLLECTIONS: [&str; 2] = ["orders", "payments"];

/// A document on the server: `version` counts its writes.
#[derive(Clone, Debug)]
struct Stored {
    updated_at: i64,
    created_at: i64,
    version: u32,
}

/// An event as the server publishes it.
#[derive(Clone, Debug)]
struct Published {
    collection: usize,
    id: String,
    kind: EventKind,
    updated_at: i64,
    version: u32,
    /// When the write happened; the server publishes within `MAX_DELAY_MS` of it.
    written: i64,
}

/// What reaches the listener, in order.
enum Incoming {
    Event(Published),
    /// The server holds the subscription again after a disconnection.
    Reconnected,
}

/// Appwrite publishes a write's event after it commits; events of writes this close together
/// may arrive in any order. Well inside `MARGIN`, which is what catch-up relies on.
const MAX_DELAY_MS: i64 = 2_000;

struct World {
    rng: Rng,
    now: i64,
    docs: BTreeMap<(usize, String), Stored>,
    /// When each document was last deleted.
    deleted_at: BTreeMap<(usize, String), i64>,
    /// Published, not yet delivered to the connection (reorderable).
    in_flight: Vec<Published>,
    queue: VecDeque<Incoming>,
    connected: bool,
    next_id: u32,
    versions: u32,
}

/// What the listener delivered, per document: (version, kind).
#[derive(Default)]
struct Delivered {
    per_doc: BTreeMap<(usize, String), Vec<(u32, EventKind)>>,
    gaps: Vec<i64>,
}

struct Listener {
    delivery: Delivery,
    out: Delivered,
}

impl Listener {
    fn deliver(
        &mut self,
        collection: usize,
        id: &str,
        version: u32,
        kind: EventKind,
        origin: Origin,
        updated_at: i64,
    ) {
        if self
            .delivery
            .versions
            .admit(COLLECTIONS[collection], id, at(updated_at), kind, origin)
        {
            let seen = self.out.per_doc.entry((collection, id.to_owned())).or_default();
            if let Some(&(last, last_kind)) = seen.last() {
                let ok = match kind {
                    // A delete carries the version it deleted (the one just delivered, or a later
                    // life's whose create was missed).
                    EventKind::Delete => {
                        version > last || (version == last && last_kind != EventKind::Delete)
                    }
                    _ => version > last,
                };
                assert!(
                    ok,
                    "{id}: delivered v{version} {kind:?} after v{last} {last_kind:?}: {seen:?}"
                );
            }
            seen.push((version, kind));
        }
    }

    fn take(&mut self, incoming: Incoming) {
        match incoming {
            Incoming::Event(e) => {
                self.deliver(e.collection, &e.id, e.version, e.kind, Origin::Live, e.updated_at)
            }
            Incoming::Reconnected => self.delivery.catch_up(),
        }
    }

    /// One catch-up page, read from the server as it is now.
    fn read_page(&mut self, world: &World) {
        let Some(request) = self.delivery.scan.as_ref().map(|scan| scan.request()) else {
            return;
        };
        let from = request.from;
        let mut page: Vec<(&(usize, String), &Stored)> = world
            .docs
            .iter()
            .filter(|((c, id), d)| {
                *c == request.collection
                    && match &request.after {
                        None => at(d.updated_at) >= from,
                        Some((t, after)) => at(d.updated_at) > *t || (at(d.updated_at) == *t && id > after),
                    }
            })
            .collect();
        page.sort_by(|a, b| (a.1.updated_at, &a.0 .1).cmp(&(b.1.updated_at, &b.0 .1)));
        page.truncate(request.page);
        let read = page.len();
        let last = page.last().map(|((_, id), d)| (at(d.updated_at), id.clone()));
        for ((c, id), d) in page {
            let kind = if d.created_at == d.updated_at {
                EventKind::Create
            } else {
                EventKind::Update
            };
            self.deliver(*c, id, d.version, kind, Origin::CatchUp, d.updated_at);
        }
        if let Some(since) = self.delivery.page_read(read, last, COLLECTIONS.len()) {
            self.out.gaps.push(since.timestamp_millis() - 1_700_000_000_000);
        }
    }
}

impl World {
    fn publish(&mut self, collection: usize, id: String, kind: EventKind, stored: &Stored) {
        if self.connected {
            self.in_flight.push(Published {
                collection,
                id,
                kind,
                updated_at: stored.updated_at,
                version: stored.version,
                written: self.now,
            });
        }
    }

    /// Versions increase across all documents, so a re-created document starts above its
    /// previous life.
    fn next_version(&mut self) -> u32 {
        self.versions += 1;
        self.versions
    }

    fn write(&mut self) {
        let collection = self.rng.below(2) as usize;
        let existing: Vec<String> = self
            .docs
            .keys()
            .filter(|(c, _)| *c == collection)
            .map(|(_, id)| id.clone())
            .collect();
        let roll = self.rng.below(100);
        if existing.is_empty() || roll < 25 {
            // Sometimes a deleted id comes back.
            // (Not within the millisecond of its delete: that version is final.)
            let now = self.now;
            let again = self
                .deleted_at
                .iter()
                .find(|((c, id), deleted)| *c == collection && !existing.contains(id) && **deleted < now);
            let id = match again {
                Some(((_, id), _)) if roll < 5 => id.clone(),
                _ => {
                    self.next_id += 1;
                    format!("d{:03}", self.next_id)
                }
            };
            let stored = Stored {
                updated_at: self.now,
                created_at: self.now,
                version: self.next_version(),
            };
            self.docs.insert((collection, id.clone()), stored.clone());
            self.publish(collection, id, EventKind::Create, &stored);
        } else {
            let id = existing[self.rng.below(existing.len() as u64) as usize].clone();
            let key = (collection, id.clone());
            if roll < 32 {
                let stored = self.docs.remove(&key).expect("exists");
                self.deleted_at.insert(key, self.now);
                self.publish(collection, id, EventKind::Delete, &stored);
            } else {
                let stored = self.docs.get_mut(&key).expect("exists");
                // Versions of one document take increasing times. (Two writes of one document
                // within one millisecond share a time that cannot order them: that exception
                // has its own test below and is documented.)
                stored.updated_at = (stored.updated_at + 1).max(self.now);
                let stored = stored.clone();
                let version = self.next_version();
                let stored = Stored { version, ..stored };
                self.docs.insert(key, stored.clone());
                self.publish(collection, id, EventKind::Update, &stored);
            }
        }
    }

    /// Hands one published event to the connection, in any order — but none later than
    /// `MAX_DELAY_MS` after its write.
    fn forward_one(&mut self) {
        if self.in_flight.is_empty() {
            return;
        }
        let overdue = self
            .in_flight
            .iter()
            .position(|e| self.now - e.written >= MAX_DELAY_MS);
        let index = overdue.unwrap_or_else(|| self.rng.below(self.in_flight.len() as u64) as usize);
        let event = self.in_flight.swap_remove(index);
        self.queue.push_back(Incoming::Event(event));
    }

    fn tick(&mut self) {
        // Several writes per millisecond happen, and quiet stretches too.
        self.now += [0, 0, 1, 3, 40, 400][self.rng.below(6) as usize];
        while self.in_flight.iter().any(|e| self.now - e.written > MAX_DELAY_MS) {
            self.forward_one();
        }
    }
}

fn run(seed: u64, steps: usize, page: usize) -> (usize, usize) {
    let mut world = World {
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        now: 0,
        docs: BTreeMap::new(),
        deleted_at: BTreeMap::new(),
        in_flight: Vec::new(),
        queue: VecDeque::new(),
        connected: true,
        next_id: 0,
        versions: 0,
    };
    let mut listener = Listener {
        delivery: Delivery::with_page(at(0), page),
        out: Delivered::default(),
    };
    let mut faults = 0;
    for _ in 0..steps {
        world.tick();
        match world.rng.below(100) {
            0..=44 => world.write(),
            45..=69 => world.forward_one(),
            70..=84 => {
                if let Some(incoming) = world.queue.pop_front() {
                    listener.take(incoming);
                }
            }
            85..=93 => listener.read_page(&world),
            94..=95 if world.connected => {
                // The connection drops: what was in flight is gone (what the listener's queue
                // holds stays: it belongs to the subscription, not to the socket).
                world.connected = false;
                world.in_flight.clear();
                faults += 1;
            }
            96..=97 if !world.connected => {
                // The server holds the subscription again.
                world.connected = true;
                world.queue.push_back(Incoming::Reconnected);
            }
            98..=99 if world.connected => {
                // The listener's queue overflowed: some events dropped, then a resync.
                let keep = world.rng.below(world.queue.len() as u64 + 1) as usize;
                world.queue.truncate(keep);
                world.queue.retain(|i| matches!(i, Incoming::Event(_)));
                listener.delivery.catch_up();
                faults += 1;
            }
            _ => {}
        }
    }
    // Quiesce: reconnect, deliver everything, finish the scan.
    if !world.connected {
        world.connected = true;
        world.queue.push_back(Incoming::Reconnected);
    }
    while !world.in_flight.is_empty() || !world.queue.is_empty() || listener.delivery.scan.is_some() {
        world.forward_one();
        while let Some(incoming) = world.queue.pop_front() {
            listener.take(incoming);
        }
        listener.read_page(&world);
    }
    let out = &listener.out;
    for (key, stored) in &world.docs {
        let last = out.per_doc.get(key).and_then(|seen| seen.last());
        assert!(
            matches!(last, Some(&(v, k)) if v == stored.version && k != EventKind::Delete),
            "seed {seed}: {key:?} is at v{} on the server, the listener last delivered {last:?}",
            stored.version
        );
    }
    for (key, deleted) in &world.deleted_at {
        if world.docs.contains_key(key) {
            continue;
        }
        let delivered = out.per_doc.get(key).and_then(|seen| seen.last()).map(|&(_, k)| k);
        let covered = out.gaps.iter().any(|since| since <= deleted);
        assert!(
            delivered == Some(EventKind::Delete) || covered,
            "seed {seed}: the delete of {key:?} at {deleted} was neither delivered nor covered by a gap"
        );
    }
    (faults, out.per_doc.values().map(Vec::len).sum())
}

#[test]
fn random_interleavings_deliver_every_final_state_in_order_without_duplicates() {
    let mut faults = 0;
    let mut delivered = 0;
    for seed in 1..=300 {
        let (f, d) = run(seed, 1_500, 1 + (seed as usize % 7));
        faults += f;
        delivered += d;
    }
    // The runs really exercised faults and deliveries, not an idle world.
    assert!(faults > 1_000, "{faults} faults");
    assert!(delivered > 50_000, "{delivered} deliveries");
}

#[test]
fn a_version_never_follows_a_newer_one_and_a_delete_is_final_for_its_version() {
    let mut versions = Versions::new(at(0));
    assert!(versions.admit("orders", "a", at(10), EventKind::Create, Origin::Live));
    assert!(versions.admit("orders", "a", at(30), EventKind::Update, Origin::Live));
    // The older update arrives late: dropped.
    assert!(!versions.admit("orders", "a", at(20), EventKind::Update, Origin::Live));
    // The same version found again by a catch-up: dropped.
    assert!(!versions.admit("orders", "a", at(30), EventKind::Update, Origin::CatchUp));
    // Two live writes within one millisecond are two events…
    assert!(versions.admit("orders", "a", at(30), EventKind::Update, Origin::Live));
    // …but a create is the first version of a life: never after an update of its millisecond.
    assert!(!versions.admit("orders", "a", at(30), EventKind::Create, Origin::Live));
    // The delete of that version, then nothing of it again.
    assert!(versions.admit("orders", "a", at(30), EventKind::Delete, Origin::Live));
    assert!(!versions.admit("orders", "a", at(30), EventKind::Update, Origin::Live));
    assert!(!versions.admit("orders", "a", at(30), EventKind::Delete, Origin::CatchUp));
    // Created again later: a new life.
    assert!(versions.admit("orders", "a", at(40), EventKind::Create, Origin::Live));
    // The same id in another collection is another document.
    assert!(versions.admit("payments", "a", at(5), EventKind::Create, Origin::Live));
}

#[test]
fn memory_is_bounded_by_the_window_and_the_capacity() {
    let mut versions = Versions::new(at(0));
    // One document per second for an hour: only the last five minutes are remembered.
    for second in 0..3_600 {
        assert!(versions.admit(
            "orders",
            &format!("d{second}"),
            at(second * 1_000),
            EventKind::Create,
            Origin::Live
        ));
    }
    let window = usize::try_from(ORDER_WINDOW.num_seconds()).unwrap();
    assert!(
        (window..=window + 1).contains(&versions.remembered()),
        "{}",
        versions.remembered()
    );
    // A burst within one millisecond is capped by count.
    let mut burst = Versions::new(at(0));
    for i in 0..ORDER_CAPACITY + 500 {
        burst.admit("orders", &format!("b{i}"), at(1), EventKind::Create, Origin::Live);
    }
    assert_eq!(burst.remembered(), ORDER_CAPACITY);
}

#[test]
fn a_scan_resumes_after_the_last_pair_it_read_and_restarts_from_its_own_start() {
    let mut delivery = Delivery::with_page(at(100_000), 2);
    delivery.catch_up();
    let scan = delivery.scan.as_mut().unwrap();
    assert_eq!(scan.request().from, at(100_000) - MARGIN);
    assert!(!scan.advance(2, Some((at(99_000), "b".into())), 2));
    assert_eq!(scan.request().after, Some((at(99_000), "b".into())));
    // A short page ends the first collection.
    assert!(!scan.advance(1, Some((at(99_500), "c".into())), 2));
    assert_eq!((scan.request().collection, scan.request().after), (1, None));
    // A reconnect mid-scan restarts it from where it began, whatever was delivered since.
    delivery
        .versions
        .admit("orders", "z", at(200_000), EventKind::Create, Origin::Live);
    delivery.catch_up();
    let request = delivery.scan.as_ref().unwrap().request();
    assert_eq!((request.collection, request.from), (0, at(100_000) - MARGIN));
    assert!(delivery.scan.as_mut().unwrap().advance(0, None, 1));
    assert_eq!(delivery.finish_scan(), Some(at(100_000) - MARGIN));
}
