//! Typed realtime listeners against the emulator over real sockets, including faults.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use appwrite_emulator::{AppwriteVersion, Config, Emulator};
use appwrite_orm::{
    AttributeEnum, Collection, CollectionEvent, CollectionHandle, ConnectionState, Event, EventKind,
    HandlerError, ListenError, Origin, Orm, RealtimeOptions, Subscription,
};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Status {
    Open,
    Closed,
}

// No public read: only the service identity (granted by migration) may see these documents.
#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[collection(id = "tickets", permissions(create = "users"))]
struct Ticket {
    title: String,
    status: Status,
    #[collection(default = 0)]
    version: i32,
}

fn ticket(title: &str, version: i32) -> Ticket {
    Ticket {
        title: title.to_owned(),
        status: Status::Open,
        version,
    }
}

fn orm_for(emulator: &Emulator, options: RealtimeOptions) -> Orm {
    tests::client_builder(emulator)
        .realtime(options.reconnect_backoff(Duration::from_millis(50), Duration::from_millis(400)))
        .build()
        .expect("valid settings")
}

async fn start(options: RealtimeOptions) -> (Emulator, Orm) {
    start_with(tests::appwrite_version(), options).await
}

/// An emulator behaving as `version` (1.6–1.8 speak only the URL-channel protocol; 1.6 and 1.7
/// name events without the TablesDB twins) and a client whose `Ticket` collection is migrated.
async fn start_with(version: AppwriteVersion, options: RealtimeOptions) -> (Emulator, Orm) {
    let emulator = Emulator::start(Config {
        attribute_delay: Duration::from_millis(10),
        appwrite_version: version,
        ..Config::default()
    })
    .await
    .unwrap();
    let orm = orm_for(&emulator, options);
    orm.connect()
        .register::<Ticket>()
        .auto_migrate(true)
        .await
        .unwrap();
    (emulator, orm)
}

/// The `Ticket` handle of a client whose collection [`start_with`] migrated.
async fn tickets_of(orm: &Orm) -> CollectionHandle<Ticket> {
    orm.connect()
        .register::<Ticket>()
        .await
        .unwrap()
        .collection::<Ticket>()
}

async fn connected(orm: &Orm) {
    let mut state = orm.connection_state();
    tokio::time::timeout(
        Duration::from_secs(10),
        state.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await
    .expect("connects in time")
    .unwrap();
}

async fn next<T>(subscription: &mut Subscription<T>) -> Result<Event<T>, ListenError> {
    tokio::time::timeout(Duration::from_secs(10), subscription.next())
        .await
        .expect("an item in time")
        .expect("stream open")
}

/// Whether the emulator speaks `subscribe` messages (1.9.5+), whose subscriptions it counts; on
/// older releases channels live in the socket's URL and there is nothing to count.
fn messages() -> bool {
    tests::appwrite_version() >= AppwriteVersion::V1_9_5
}

/// Waits until every listener is registered with the server, on either protocol.
async fn ready<F: std::future::Future<Output = appwrite_orm::Result<()>>>(
    listeners: impl IntoIterator<Item = F>,
) {
    for ready in listeners {
        tokio::time::timeout(Duration::from_secs(10), ready)
            .await
            .expect("registered in time")
            .expect("the connection is open");
    }
}

// Unsubscribing is asynchronous: wait until the server holds `count` message subscriptions.
async fn subscribed(emulator: &Emulator, count: usize) {
    for _ in 0..500 {
        if emulator.realtime_subscriptions() == count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "expected {count} subscriptions, the server holds {}",
        emulator.realtime_subscriptions()
    );
}

#[tokio::test]
async fn typed_events_for_create_update_and_delete() {
    let (emulator, orm) = start(RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    let mut all = tickets.listen_documents();
    let mut one = tickets.listen_document("t1");
    connected(&orm).await;
    ready([all.ready(), one.ready()]).await;

    tickets.create_with_id("t1", &ticket("first", 1)).await.unwrap();
    tickets.create_with_id("t2", &ticket("second", 1)).await.unwrap();
    tickets
        .update("t1", Ticket::patch().status(Status::Closed))
        .await
        .unwrap();
    tickets.delete("t1").await.unwrap();

    let mut seen = Vec::new();
    for _ in 0..4 {
        let event = next(&mut all).await.unwrap();
        assert_eq!(event.origin, Origin::Live);
        // From 1.8 every channel has its TablesDB twin, and so has every name of a write made
        // through the collections API; a write made through TablesDB (the ORM's default from
        // 1.8) is named after rows only on 1.8 and after both from 1.9. 1.9 adds the
        // `tablesdb.…` channels and 1.9.5 an action-suffixed sibling of each.
        let through_tablesdb = tests::dialect() != appwrite_orm::Dialect::Collections;
        let (names, channels) = match tests::appwrite_version() {
            v if v >= AppwriteVersion::V1_9_5 => (42, 16),
            v if v >= AppwriteVersion::V1_9_0 => (42, 8),
            v if v >= AppwriteVersion::V1_8 && through_tablesdb => (22, 6),
            v if v >= AppwriteVersion::V1_8 => (42, 6),
            _ => (22, 3),
        };
        assert_eq!((event.events().len(), event.channels().len()), (names, channels));
        seen.push((event.document.id().to_owned(), event.kind, event.document.status));
    }
    assert_eq!(
        seen,
        [
            ("t1".to_owned(), EventKind::Create, Status::Open),
            ("t2".to_owned(), EventKind::Create, Status::Open),
            ("t1".to_owned(), EventKind::Update, Status::Closed),
            ("t1".to_owned(), EventKind::Delete, Status::Closed),
        ]
    );
    let kinds: Vec<EventKind> = [next(&mut one).await, next(&mut one).await, next(&mut one).await]
        .into_iter()
        .map(|e| e.unwrap().kind)
        .collect();
    assert_eq!(
        kinds,
        [EventKind::Create, EventKind::Update, EventKind::Delete],
        "only t1's events"
    );
    assert_eq!(
        emulator.realtime_connections(),
        1,
        "both listeners share one socket"
    );
}

#[tokio::test]
async fn the_service_identity_sees_private_documents_and_a_guest_does_not() {
    let (emulator, orm) = start(RealtimeOptions::default()).await;
    let guest = Orm::builder()
        .endpoint(emulator.endpoint())
        .project(emulator.project_id())
        .database("main")
        .api_key(emulator.api_key())
        .without_service_identity()
        .build()
        .unwrap();
    let db = orm.connect().register::<Ticket>().await.unwrap();
    let mut service = db.collection::<Ticket>().listen_documents();
    let guest_db = guest.connect().register::<Ticket>().await.unwrap();
    let mut anonymous = guest_db.collection::<Ticket>().listen_documents();
    connected(&orm).await;
    connected(&guest).await;
    ready([service.ready(), anonymous.ready()]).await;

    db.collection::<Ticket>()
        .create_with_id("secret", &ticket("private", 1))
        .await
        .unwrap();
    assert_eq!(next(&mut service).await.unwrap().document.id(), "secret");
    let silence = tokio::time::timeout(Duration::from_millis(300), anonymous.next()).await;
    assert!(
        silence.is_err(),
        "a guest receives nothing for a document it may not read"
    );
}

#[tokio::test]
async fn a_thousand_listeners_share_one_socket_and_dropping_unsubscribes() {
    let (emulator, orm) = start(RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    let mut listeners: Vec<Subscription<Ticket>> = (0..1000).map(|_| tickets.listen_documents()).collect();
    connected(&orm).await;
    ready(listeners.iter().map(Subscription::ready)).await;
    if messages() {
        subscribed(&emulator, 1000).await;
    }
    assert_eq!(emulator.realtime_connections(), 1);

    tickets
        .create_with_id("shared", &ticket("to everyone", 1))
        .await
        .unwrap();
    for listener in &mut listeners {
        assert_eq!(next(listener).await.unwrap().document.id(), "shared");
    }
    listeners.truncate(10);
    if messages() {
        subscribed(&emulator, 10).await;
    }
    drop(listeners);
    if messages() {
        subscribed(&emulator, 0).await;
    }
}

#[tokio::test]
async fn the_socket_closes_when_the_last_listener_leaves_and_opens_for_the_next() {
    let idle_close = Duration::from_millis(300);
    let (emulator, orm) = start(RealtimeOptions::default().idle_close(idle_close)).await;
    let tickets = tickets_of(&orm).await;
    // Asking for the state opens nothing: no listener, no socket.
    let mut state = orm.connection_state();
    tokio::time::sleep(idle_close * 2).await;
    assert_eq!(emulator.realtime_connections(), 0, "a socket without a listener");

    let mut first = tickets.listen_documents();
    ready([first.ready()]).await;
    assert_eq!(emulator.realtime_connections(), 1);
    // Unsubscribing and subscribing again within `idle_close` keeps the socket.
    drop(first);
    let mut second = tickets.listen_documents();
    ready([second.ready()]).await;
    tokio::time::sleep(idle_close * 2).await;
    assert_eq!(emulator.realtime_connections(), 1, "the socket was kept");
    tickets.create_with_id("kept", &ticket("kept", 1)).await.unwrap();
    assert_eq!(next(&mut second).await.unwrap().document.id(), "kept");

    drop(second);
    tokio::time::timeout(
        Duration::from_secs(10),
        state.wait_for(|s| *s == ConnectionState::Idle),
    )
    .await
    .expect("idle in time")
    .unwrap();
    for _ in 0..500 {
        if emulator.realtime_connections() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(emulator.realtime_connections(), 0, "the idle socket was closed");

    // The next listener opens a socket again and hears what is written from then on.
    first = tickets.listen_documents();
    ready([first.ready()]).await;
    connected(&orm).await;
    assert_eq!(emulator.realtime_connections(), 1);
    tickets
        .create_with_id("again", &ticket("again", 1))
        .await
        .unwrap();
    assert_eq!(next(&mut first).await.unwrap().document.id(), "again");
}

#[tokio::test]
async fn malformed_frames_and_undecodable_payloads_are_reported_and_the_stream_goes_on() {
    let (emulator, orm) = start(RealtimeOptions::default()).await;
    let db = orm.connect().register::<Ticket>().await.unwrap();
    let mut listener = db.collection::<Ticket>().listen_documents();
    connected(&orm).await;
    ready([listener.ready()]).await;

    emulator.inject_realtime_frame("{not json");
    assert!(matches!(
        next(&mut listener).await,
        Err(ListenError::Malformed { .. })
    ));

    // A listener whose type does not match the documents gets a per-item error naming the
    // field, and keeps going.
    #[derive(Collection, Serialize, Deserialize, Debug)]
    #[collection(id = "tickets")]
    struct Mismatched {
        title: String,
        version: String,
    }
    let mut mismatched = db.collection::<Mismatched>().listen_documents();
    ready([mismatched.ready()]).await;
    db.collection::<Ticket>()
        .create_with_id("first", &ticket("one", 1))
        .await
        .unwrap();
    db.collection::<Ticket>()
        .create_with_id("second", &ticket("two", 2))
        .await
        .unwrap();
    for expected in ["first", "second"] {
        let item = tokio::time::timeout(Duration::from_secs(10), mismatched.next())
            .await
            .unwrap()
            .unwrap();
        match item {
            Err(ListenError::Decode {
                document_id, path, ..
            }) => {
                assert_eq!(document_id.as_deref(), Some(expected));
                assert_eq!(path, "version");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert_eq!(
            next(&mut listener).await.unwrap().document.id(),
            expected,
            "the typed listener is unaffected"
        );
    }
}

#[tokio::test]
async fn a_slow_consumer_gets_lagged_then_a_resync_with_every_final_state() {
    let (_emulator, orm) = start(RealtimeOptions::default().subscription_capacity(8)).await;
    let tickets = tickets_of(&orm).await;
    let mut listener = tickets.listen_documents();
    connected(&orm).await;
    ready([listener.ready()]).await;

    for n in 0..60 {
        tickets
            .create_with_id(&format!("s{n}"), &ticket("slow", n))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut latest: HashMap<String, i32> = HashMap::new();
    let mut lagged = 0;
    let mut delivered = HashSet::new();
    while latest.len() < 60 {
        match next(&mut listener).await {
            Ok(event) => {
                assert!(
                    delivered.insert((event.document.id().to_owned(), event.document.updated_at())),
                    "no duplicates"
                );
                latest.insert(event.document.id().to_owned(), event.document.version);
            }
            Err(ListenError::Lagged { missed }) => {
                assert!(missed > 0);
                lagged += 1;
            }
            Err(ListenError::Gap { .. }) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert!(lagged >= 1, "the listener was told it fell behind");
    assert!((0..60).all(|n| latest.get(&format!("s{n}")) == Some(&n)));
}

#[tokio::test]
async fn a_document_listener_detects_a_delete_it_missed() {
    let (mut emulator, orm) = start(RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    tickets
        .create_with_id("gone", &ticket("short-lived", 1))
        .await
        .unwrap();
    let mut listener = tickets.listen_document("gone");
    connected(&orm).await;
    ready([listener.ready()]).await;
    tickets.update("gone", Ticket::patch().version(2)).await.unwrap();
    assert_eq!(next(&mut listener).await.unwrap().kind, EventKind::Update);

    // Down for a while: the delete happens while nobody listens.
    let restart = emulator.restart(Duration::from_millis(300));
    let delete = async {
        tokio::time::sleep(Duration::from_millis(350)).await;
        tickets.delete("gone").await.unwrap();
    };
    let (restarted, ()) = tokio::join!(restart, delete);
    restarted.unwrap();
    let event = next(&mut listener).await.unwrap();
    assert_eq!((event.kind, event.origin), (EventKind::Delete, Origin::CatchUp));
    assert_eq!(event.document.version, 2, "the last version seen");
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "tickets", permissions(create = "users"))]
struct TicketV2 {
    title: String,
    status: Status,
    #[collection(default = 0)]
    version: i32,
    assignee: Option<String>,
}

#[tokio::test]
async fn database_and_collection_listeners_deliver_documents_and_schema_changes() {
    let (_emulator, orm) = start(RealtimeOptions::default().schema_poll(Duration::from_millis(100))).await;
    let db = orm.connect().register::<Ticket>().await.unwrap();
    let mut everything = db.listen_database();
    let mut collection = db.collection::<Ticket>().listen_collection();
    connected(&orm).await;
    // Polling the listeners lets them take their schema baseline; nothing has happened yet.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), everything.next())
            .await
            .is_err()
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), collection.next())
            .await
            .is_err()
    );
    db.collection::<Ticket>()
        .create_with_id("d1", &ticket("any", 1))
        .await
        .unwrap();
    let item = tokio::time::timeout(Duration::from_secs(10), everything.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let CollectionEvent::Document(event) = item else {
        panic!("a document event first, got {item:?}")
    };
    assert_eq!(event.document.meta().collection_id(), "tickets");
    assert_eq!(event.document.data()["title"], "any");

    // A new attribute shows up as a schema change on both listeners.
    orm.connect()
        .register::<TicketV2>()
        .auto_migrate(true)
        .await
        .unwrap();
    for listener in [&mut collection] {
        let change = loop {
            match tokio::time::timeout(Duration::from_secs(10), listener.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap()
            {
                CollectionEvent::SchemaChanged {
                    collection,
                    attributes,
                    ..
                } => break (collection, attributes),
                CollectionEvent::Document(_) => {}
            }
        };
        assert_eq!(change.0, "tickets");
        assert!(
            change.1.iter().any(|a| a.key == "assignee" && a.kind == "string"),
            "{:?}",
            change.1
        );
    }
    let change = loop {
        if let CollectionEvent::SchemaChanged { attributes, .. } =
            tokio::time::timeout(Duration::from_secs(10), everything.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap()
        {
            break attributes;
        }
    };
    assert!(change.iter().any(|a| a.key == "assignee"));
}

#[tokio::test]
async fn callback_listeners_capture_errors_and_panics_retry_and_dead_letter() {
    use appwrite_orm::{HandlerOptions, RetryPolicy};
    use std::sync::{Arc, Mutex};

    let (emulator, orm) = start(RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    let handled = Arc::new(Mutex::new(Vec::new()));
    let dead = Arc::new(Mutex::new(Vec::new()));
    let attempts = Arc::new(Mutex::new(HashMap::<String, u32>::new()));
    let options = {
        let dead = dead.clone();
        HandlerOptions::<Ticket>::default()
            .retry(RetryPolicy::exponential(
                3,
                Duration::from_millis(10),
                Duration::from_millis(40),
            ))
            .dead_letter(move |letter| {
                let dead = dead.clone();
                async move {
                    dead.lock().unwrap().push((
                        letter.event.document.id().to_owned(),
                        letter.attempts,
                        letter.error,
                    ))
                }
            })
    };
    let listener = {
        let (handled, attempts) = (handled.clone(), attempts.clone());
        tickets.on_documents_with(options, move |event| {
            let (handled, attempts) = (handled.clone(), attempts.clone());
            async move {
                let id = event.document.id().to_owned();
                *attempts.lock().unwrap().entry(id.clone()).or_default() += 1;
                match event.document.title.as_str() {
                    "fails" => Err(HandlerError::msg(format!("cannot handle {id}"))),
                    "panics" => panic!("handler blew up on {id}"),
                    "flaky" if attempts.lock().unwrap()[&id] < 2 => Err(HandlerError::msg("try again")),
                    _ => {
                        handled.lock().unwrap().push(id);
                        Ok(())
                    }
                }
            }
        })
    };
    connected(&orm).await;
    ready([listener.ready()]).await;
    for (id, title) in [
        ("ok", "fine"),
        ("bad", "fails"),
        ("boom", "panics"),
        ("flaky", "flaky"),
        ("last", "fine"),
    ] {
        tickets.create_with_id(id, &ticket(title, 1)).await.unwrap();
    }
    for _ in 0..300 {
        if handled.lock().unwrap().len() == 3 && dead.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        *handled.lock().unwrap(),
        ["ok", "flaky", "last"],
        "in order, the flaky one after a retry"
    );
    let dead = dead.lock().unwrap().clone();
    assert_eq!(
        dead.iter()
            .map(|(id, n, _)| (id.as_str(), *n))
            .collect::<Vec<_>>(),
        [("bad", 3), ("boom", 3)]
    );
    assert!(
        dead[1].2.contains("panicked: handler blew up on boom"),
        "{}",
        dead[1].2
    );
    let stats = listener.stats();
    assert_eq!(
        (stats.handled(), stats.dead_lettered(), stats.failed_attempts()),
        (3, 2, 7)
    );

    listener.unsubscribe().await;
    if messages() {
        subscribed(&emulator, 0).await;
    }
    tickets.create_with_id("after", &ticket("fine", 1)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        handled.lock().unwrap().len(),
        3,
        "nothing is handled after unsubscribe"
    );
}

#[tokio::test]
async fn shutdown_drains_in_flight_handlers_within_the_deadline() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let (_emulator, orm) = start(RealtimeOptions::default()).await;
    let db = orm.connect().register::<Ticket>().await.unwrap();
    let tickets = db.collection::<Ticket>();
    let finished = Arc::new(AtomicBool::new(false));
    let started = Arc::new(tokio::sync::Notify::new());
    let listener = {
        let (finished, started) = (finished.clone(), started.clone());
        tickets.on_documents(move |_event| {
            let (finished, started) = (finished.clone(), started.clone());
            async move {
                started.notify_one();
                tokio::time::sleep(Duration::from_millis(300)).await;
                finished.store(true, Ordering::SeqCst);
            }
        })
    };
    connected(&orm).await;
    ready([listener.ready()]).await;
    tickets
        .create_with_id("slow", &ticket("takes a while", 1))
        .await
        .unwrap();
    started.notified().await;
    assert!(orm.shutdown(Duration::from_secs(5)).await, "drained in time");
    assert!(
        finished.load(Ordering::SeqCst),
        "the in-flight handler was not cut off"
    );
    let mut state = orm.connection_state();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| *s == ConnectionState::Closed),
    )
    .await
    .unwrap()
    .unwrap();

    // A deadline shorter than the handler reports that it did not drain.
    let (_emulator, orm) = start(RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    let started = Arc::new(tokio::sync::Notify::new());
    let listener = {
        let started = started.clone();
        tickets.on_documents(move |_event| {
            let started = started.clone();
            async move {
                started.notify_one();
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        })
    };
    connected(&orm).await;
    ready([listener.ready()]).await;
    tickets
        .create_with_id("slower", &ticket("takes longer", 1))
        .await
        .unwrap();
    started.notified().await;
    assert!(!orm.shutdown(Duration::from_millis(50)).await);
}

#[tokio::test]
async fn the_read_cache_is_invalidated_by_events_and_bypassed_while_disconnected() {
    let (mut emulator, orm) = start(RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    tickets.create_with_id("c1", &ticket("cached", 1)).await.unwrap();
    let cache = tickets.cached();
    connected(&orm).await;
    tests::eventually("the cache listens", Duration::from_secs(10), || cache.is_fresh()).await;
    assert!(cache.is_fresh());

    assert_eq!(cache.get("c1").await.unwrap().unwrap().version, 1);
    assert_eq!(cache.get("c1").await.unwrap().unwrap().version, 1);
    assert_eq!(cache.find([Ticket::VERSION.eq(1)]).await.unwrap().len(), 1);
    assert_eq!(cache.find([Ticket::VERSION.eq(1)]).await.unwrap().len(), 1);
    let stats = cache.stats();
    assert_eq!((stats.misses, stats.hits), (2, 2));
    // The owned read has the plain handle's type, so either can feed the same code.
    let owned: Option<appwrite_orm::Document<Ticket>> = cache.get_owned("c1").await.unwrap();
    assert_eq!(owned, tickets.get("c1").await.unwrap());
    assert_eq!(cache.stats().hits, 3, "served from the cache");

    // A write elsewhere: the event drops the entry, the next read fetches the new version.
    tickets.update("c1", Ticket::patch().version(2)).await.unwrap();
    let mut version = 0;
    for _ in 0..200 {
        version = cache.get("c1").await.unwrap().unwrap().version;
        if version == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(version, 2, "the event invalidated the cached version");
    assert!(
        cache.find([Ticket::VERSION.eq(1)]).await.unwrap().is_empty(),
        "query results were dropped too"
    );

    // Without a connection nothing can be invalidated: reads go to the server, nothing is kept.
    // The server is down for 500 ms; the HTTP client retries the read until it is back.
    let mut state = orm.connection_state();
    let outage = emulator.restart(Duration::from_millis(500));
    let while_down = async {
        state
            .wait_for(|s| *s != ConnectionState::Connected)
            .await
            .unwrap();
        assert!(!cache.is_fresh());
        let before = cache.stats();
        cache.get("c1").await.unwrap();
        let after = cache.stats();
        assert_eq!(after.hits, before.hits, "no cached answer while disconnected");
        assert!(after.bypassed > before.bypassed);
    };
    let (restarted, ()) = tokio::join!(outage, while_down);
    restarted.unwrap();
    let mut state = orm.connection_state();
    state
        .wait_for(|s| *s == ConnectionState::Connected)
        .await
        .unwrap();
    assert!(cache.is_fresh());
}

#[tokio::test]
async fn against_a_url_channel_server_changing_channels_swaps_sockets_without_loss() {
    let (emulator, orm) = start_with(AppwriteVersion::V1_8, RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    let mut all = tickets.listen_documents();
    connected(&orm).await;
    // The first socket tried `subscribe` messages, was refused, and reconnected with URL channels.
    tickets.create_with_id("u0", &ticket("first", 0)).await.unwrap();
    assert_eq!(next(&mut all).await.unwrap().document.id(), "u0");

    let writer = {
        let tickets = tickets.clone();
        tokio::spawn(async move {
            for n in 1..=300 {
                tickets.update("u0", Ticket::patch().version(n)).await.unwrap();
            }
        })
    };
    // Each new or dropped listener changes the channel set: a new socket replaces the old one.
    let mut extra = Vec::new();
    for n in 0..6 {
        tokio::time::sleep(Duration::from_millis(40)).await;
        if n % 2 == 0 {
            extra.push(tickets.listen_document(&format!("other{n}")));
        } else {
            extra.pop();
        }
    }
    writer.await.unwrap();
    let mut versions = Vec::new();
    while versions.last() != Some(&300) {
        let event = next(&mut all).await.unwrap();
        versions.push(event.document.version);
    }
    let expected: Vec<i32> = (1..=300).collect();
    assert_eq!(
        versions, expected,
        "every update once, in order, across socket swaps"
    );
    for _ in 0..200 {
        if emulator.realtime_connections() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(emulator.realtime_connections(), 1, "replaced sockets are closed");
}

// `ready()` resolves once the server holds the subscription, on both protocols, so a write made
// right after it is always seen; it fails rather than hanging once the connection is closed.
#[tokio::test]
async fn ready_means_the_server_holds_the_subscription_on_both_protocols() {
    for version in [
        AppwriteVersion::V1_6,
        AppwriteVersion::V1_8,
        AppwriteVersion::NEWEST,
    ] {
        let url_channels_only = version <= AppwriteVersion::V1_8;
        let (emulator, orm) = start_with(version, RealtimeOptions::default()).await;
        let tickets = tickets_of(&orm).await;
        let mut all = tickets.listen_documents();
        for round in 0..3 {
            // A new channel each round: on an old server that means a new socket.
            let id = format!("r{round}");
            let mut one = tickets.listen_document(&id);
            tokio::time::timeout(Duration::from_secs(10), one.ready())
                .await
                .expect("registered in time")
                .unwrap();
            // The server answers a socket's messages in order: the previous round's listener
            // is gone and this one is held. An old server holds the channels in the socket's
            // URL instead, and the delivery below is what shows it was ready.
            if url_channels_only {
                assert!(emulator.realtime_connections() >= 1);
            } else {
                assert_eq!(emulator.realtime_subscriptions(), 2, "round {round}");
            }
            tickets
                .create_with_id(&id, &ticket("ready", round))
                .await
                .unwrap();
            let event = next(&mut one).await.unwrap();
            assert_eq!((event.document.id(), event.origin), (id.as_str(), Origin::Live));
            assert_eq!(next(&mut all).await.unwrap().document.id(), id);
        }
        let handler = tickets.on_documents(|_| async {});
        tokio::time::timeout(Duration::from_secs(10), handler.ready())
            .await
            .expect("registered in time")
            .unwrap();
        orm.close_realtime();
        let late = tickets.listen_documents();
        let err = tokio::time::timeout(Duration::from_secs(10), late.ready())
            .await
            .expect("fails in time")
            .unwrap_err();
        assert!(err.to_string().contains("closed"), "{err}");
    }
}

// `$updatedAt` has millisecond precision: two writes within one millisecond share it, and both
// must reach the listener (only a catch-up may repeat a version already delivered).
#[tokio::test]
async fn two_writes_in_the_same_millisecond_are_two_events() {
    let (emulator, orm) = start(RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    let mut listener = tickets.listen_documents();
    listener.ready().await.unwrap();
    for version in [1, 2] {
        // Appwrite writes `type` before `data`.
        let frame = format!(
            r#"{{"type":"event","data":{{"events":["databases.main.collections.tickets.documents.same.update"],"channels":["databases.main.collections.tickets.documents"],"timestamp":"2024-05-01T10:20:30.123+00:00","payload":{{"$id":"same","$createdAt":"2024-05-01T10:20:30.000+00:00","$updatedAt":"2024-05-01T10:20:30.123+00:00","$permissions":[],"$collectionId":"tickets","$databaseId":"main","title":"t","status":"open","version":{version}}}}}}}"#
        );
        emulator.inject_realtime_frame(&frame);
    }
    let versions = [
        next(&mut listener).await.unwrap(),
        next(&mut listener).await.unwrap(),
    ]
    .map(|event| (event.origin, event.document.version));
    assert_eq!(versions, [(Origin::Live, 1), (Origin::Live, 2)]);
}

#[tokio::test]
async fn an_upsert_event_says_whether_it_created_the_document() {
    // The upsert endpoint and its `upsert` events exist from Appwrite 1.7.2.
    if tests::appwrite_version() < AppwriteVersion::V1_8 {
        return;
    }
    let (_emulator, orm) = start(RealtimeOptions::default()).await;
    let tickets = tickets_of(&orm).await;
    let mut all = tickets.listen_documents();
    ready([all.ready()]).await;
    tickets.create_with_id("old", &ticket("first", 1)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    tickets.upsert("old", &ticket("again", 2)).await.unwrap();
    tickets.upsert("new", &ticket("fresh", 3)).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let event = next(&mut all).await.unwrap();
        seen.push((
            event.document.id().to_owned(),
            event.kind,
            event.created_document(),
        ));
    }
    assert_eq!(
        seen,
        [
            ("old".to_owned(), EventKind::Create, true),
            ("old".to_owned(), EventKind::Upsert, false),
            ("new".to_owned(), EventKind::Upsert, true),
        ]
    );
}
