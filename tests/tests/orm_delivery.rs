//! "Lose nothing, for real": one test per way a listener used to lose or misorder events under
//! real network and server timing — a half-open socket, catch-up pages whose boundary document
//! is written or deleted, events published out of order, a subscription registered late, a
//! socket silently downgraded to a guest, a catch-up held in memory until complete. Faults come
//! from a TCP proxy between the client and the emulator and from the emulator's fault hooks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appwrite_emulator::{Emulator, HeldRequest, Release, RequestHold};
use appwrite_orm::{
    Collection, CollectionHandle, ConnectionState, EventKind, ListenError, Origin, Orm, RealtimeOptions,
    Subscription,
};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tests::proxy::FaultProxy;

// No public read: only the service identity (granted by migration) may see these documents,
// so a socket connected as a guest receives none of their events.
#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[collection(id = "parcels", permissions(create = "users"))]
struct Parcel {
    label: String,
    #[collection(default = 0)]
    version: i32,
}

fn parcel(label: &str, version: i32) -> Parcel {
    Parcel {
        label: label.to_owned(),
        version,
    }
}

async fn emulator() -> Emulator {
    tests::emulator().await
}

/// A client of `emulator` reached at `endpoint` (the emulator's own, or a proxy's), with its
/// `Parcel` collection migrated.
async fn client(
    emulator: &Emulator,
    endpoint: String,
    options: RealtimeOptions,
) -> (Orm, CollectionHandle<Parcel>) {
    let orm = tests::client_via(emulator, endpoint, options);
    let parcels = tests::migrated::<Parcel>(&orm).await;
    (orm, parcels)
}

/// A listener of `parcels` the server holds, collecting what it delivers.
async fn listening(parcels: &CollectionHandle<Parcel>) -> Arc<Mutex<Seen>> {
    let subscription = parcels.listen_documents();
    subscription.ready().await.unwrap();
    collect(subscription)
}

/// A writer that talks to the emulator directly, as another process would.
async fn writer(emulator: &Emulator) -> CollectionHandle<Parcel> {
    let orm = tests::client(emulator);
    orm.connect()
        .register::<Parcel>()
        .await
        .unwrap()
        .collection::<Parcel>()
}

/// What a listener delivered, collected by a task of its own so that the test can look at it
/// while the listener is still going.
#[derive(Default)]
struct Seen {
    events: Vec<(EventKind, String, i32, Origin)>,
    errors: Vec<String>,
    wrong_identity: usize,
}

fn collect(mut subscription: Subscription<Parcel>) -> Arc<Mutex<Seen>> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let sink = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Some(item) = subscription.next().await {
            let mut seen = sink.lock().unwrap();
            match item {
                Ok(event) => seen.events.push((
                    event.kind,
                    event.document.id().to_owned(),
                    event.document.version,
                    event.origin,
                )),
                Err(ListenError::WrongIdentity { .. }) => seen.wrong_identity += 1,
                Err(err) => seen.errors.push(err.to_string()),
            }
        }
    });
    seen
}

/// The next catch-up request the emulator holds.
async fn held(hold: &mut RequestHold) -> HeldRequest {
    tokio::time::timeout(Duration::from_secs(20), hold.next())
        .await
        .expect("the listener asks for the next catch-up page in time")
}

/// Per document, the versions delivered must strictly increase (so none twice) — a delete may
/// repeat the version it deleted — and the last one must be `expected`'s.
fn check_delivery(seen: &Seen, expected: &HashMap<String, Option<i32>>) {
    let mut per_doc: HashMap<&str, Vec<(EventKind, i32)>> = HashMap::new();
    for (kind, id, version, _) in &seen.events {
        per_doc.entry(id).or_default().push((*kind, *version));
    }
    for (id, versions) in &per_doc {
        for pair in versions.windows(2) {
            let ((_, a), (kind, b)) = (pair[0], pair[1]);
            assert!(
                b > a || (kind == EventKind::Delete && b == a),
                "{id}: {versions:?}"
            );
        }
    }
    for (id, final_version) in expected {
        let last = per_doc.get(id.as_str()).and_then(|v| v.last()).copied();
        match final_version {
            Some(version) => assert!(
                matches!(last, Some((kind, v)) if v == *version && kind != EventKind::Delete),
                "{id}: expected v{version}, last delivered {last:?}"
            ),
            None => assert_eq!(last.map(|l| l.0), Some(EventKind::Delete), "{id}: {last:?}"),
        }
    }
}

// 1. A half-open connection: the proxy stops forwarding without closing anything. The read
// deadline must notice, the state must leave `Connected` (so the cache stops trusting itself),
// and reconnect + catch-up must recover what was written meanwhile.
#[tokio::test]
async fn a_half_open_connection_is_detected_and_what_changed_meanwhile_is_recovered() {
    let emulator = emulator().await;
    let proxy = FaultProxy::start(emulator.address()).await;
    let options = RealtimeOptions::default()
        .ping_interval(Duration::from_millis(300))
        .dead_after_pings(2);
    let (orm, parcels) = client(&emulator, proxy.endpoint(), options).await;
    let seen = listening(&parcels).await;
    let cache = parcels.cached();
    tests::eventually("the cache trusts itself", Duration::from_secs(10), || {
        cache.is_fresh()
    })
    .await;

    proxy.blackhole_open_connections();
    let blackholed = Instant::now();
    let direct = writer(&emulator).await;
    let mut expected = HashMap::new();
    for i in 0..20 {
        let id = format!("p{i:02}");
        direct.create_with_id(&id, &parcel("during", 0)).await.unwrap();
        expected.insert(id, Some(0));
    }
    let state = orm.connection_state();
    tests::eventually("the dead connection is noticed", Duration::from_secs(10), || {
        *state.borrow() != ConnectionState::Connected
    })
    .await;
    let detected = blackholed.elapsed();
    assert!(
        !cache.is_fresh(),
        "the cache must stop trusting a dead connection"
    );
    tests::eventually(
        "every write made while half-open is delivered",
        Duration::from_secs(20),
        || seen.lock().unwrap().events.len() >= 20,
    )
    .await;
    check_delivery(&seen.lock().unwrap(), &expected);
    assert!(seen.lock().unwrap().events.iter().all(|e| e.3 == Origin::CatchUp));
    println!("half-open connection detected after {detected:?} (read deadline 750 ms)");
}

/// A listener that misses `count` writes: the server drops its socket and registers it again
/// only after they are made, so they reach it through catch-up alone, whose list requests are
/// held. The parcels `q000`… are written one after another, so that (`$updatedAt`, `$id`)
/// order is index order. Returns what the listener delivers, the hold, and the expected
/// final versions.
async fn missed_while_reconnecting(
    emulator: &Emulator,
    parcels: &CollectionHandle<Parcel>,
    direct: &CollectionHandle<Parcel>,
    count: usize,
) -> (Arc<Mutex<Seen>>, RequestHold, HashMap<String, Option<i32>>) {
    let seen = listening(parcels).await;
    let hold = emulator.hold_requests("/collections/parcels/documents?");
    emulator.delay_subscription_registration(Duration::from_millis(1500));
    emulator.drop_realtime_connections();
    let mut expected = HashMap::new();
    for i in 0..count {
        let id = format!("q{i:03}");
        direct.create_with_id(&id, &parcel("batch", 0)).await.unwrap();
        expected.insert(id, Some(0));
    }
    emulator.delay_subscription_registration(Duration::ZERO);
    (seen, hold, expected)
}

// 2. Catch-up paging: a write to, or a delete of, the last document of a page between two
// pages must neither skip the rest of the scan nor break it.
#[tokio::test]
async fn catch_up_pages_survive_writes_and_deletes_of_their_boundary_documents() {
    let emulator = emulator().await;
    let (_orm, parcels) = client(&emulator, emulator.endpoint(), RealtimeOptions::default()).await;
    let direct = writer(&emulator).await;
    let (seen, mut hold, mut expected) = missed_while_reconnecting(&emulator, &parcels, &direct, 300).await;

    // Page 1 (q000–q099) goes through; before page 2, its boundary q099 is written.
    held(&mut hold).await.release();
    let second = held(&mut hold).await;
    direct.update("q099", Parcel::patch().version(1)).await.unwrap();
    expected.insert("q099".into(), Some(1));
    second.release();
    // Before page 3, page 2's boundary q199 is deleted.
    let third = held(&mut hold).await;
    direct.delete("q199").await.unwrap();
    expected.insert("q199".into(), None);
    third.release();
    drop(hold);

    tests::eventually(
        "all 300 parcels and the two changes are delivered",
        Duration::from_secs(20),
        || {
            let seen = seen.lock().unwrap();
            let ids: std::collections::HashSet<&str> = seen.events.iter().map(|e| e.1.as_str()).collect();
            ids.len() == 300
                && seen.events.iter().any(|e| e.1 == "q099" && e.2 == 1)
                && seen
                    .events
                    .iter()
                    .any(|e| e.1 == "q199" && e.0 == EventKind::Delete)
        },
    )
    .await;
    let seen = seen.lock().unwrap();
    check_delivery(&seen, &expected);
    assert!(
        !seen.errors.iter().any(|e| e.contains("catching up failed")),
        "{:?}",
        seen.errors
    );
}

// 6. Catch-up streams page by page: the first page is delivered while the second is still
// being read, so memory holds one page, not everything that changed.
#[tokio::test]
async fn catch_up_delivers_each_page_before_reading_the_next() {
    let emulator = emulator().await;
    let (_orm, parcels) = client(&emulator, emulator.endpoint(), RealtimeOptions::default()).await;
    let direct = writer(&emulator).await;
    let (seen, mut hold, expected) = missed_while_reconnecting(&emulator, &parcels, &direct, 250).await;

    held(&mut hold).await.release();
    let second = held(&mut hold).await;
    tests::eventually(
        "the first page is delivered while the second is held",
        Duration::from_secs(10),
        || seen.lock().unwrap().events.len() == 100,
    )
    .await;
    second.release();
    drop(hold);
    tests::eventually("every page is delivered", Duration::from_secs(10), || {
        seen.lock().unwrap().events.len() == 250
    })
    .await;
    check_delivery(&seen.lock().unwrap(), &expected);
}

// Catch-up pages that fail transiently (more often than the HTTP client's own retries cover)
// are retried with backoff, each failure reported, and the scan resumes where it stopped.
#[tokio::test]
async fn a_catch_up_page_that_fails_is_retried_from_where_the_scan_stopped() {
    let emulator = emulator().await;
    let (_orm, parcels) = client(&emulator, emulator.endpoint(), RealtimeOptions::default()).await;
    let direct = writer(&emulator).await;
    let (seen, mut hold, expected) = missed_while_reconnecting(&emulator, &parcels, &direct, 150).await;
    held(&mut hold).await.release();
    // The second page fails five times in a row.
    emulator.fail_requests("/collections/parcels/documents?", 5);
    drop(hold);
    tests::eventually("every page is delivered", Duration::from_secs(30), || {
        seen.lock().unwrap().events.len() == 150
    })
    .await;
    let seen = seen.lock().unwrap();
    check_delivery(&seen, &expected);
    let failures = seen
        .errors
        .iter()
        .filter(|e| e.starts_with("catching up failed"))
        .count();
    assert_eq!(failures, 5, "{:?}", seen.errors);
}

// 3. Appwrite publishes each write's event after its own commit, so events of writes close
// together arrive in any order: a listener must never deliver an older version after a newer.
#[tokio::test]
async fn events_published_out_of_order_never_deliver_an_older_version_after_a_newer_one() {
    let emulator = emulator().await;
    let (_orm, parcels) = client(&emulator, emulator.endpoint(), RealtimeOptions::default()).await;
    let seen = listening(&parcels).await;
    let direct = writer(&emulator).await;
    direct
        .create_with_id("r1", &parcel("reordered", 0))
        .await
        .unwrap();
    tests::eventually("the create is delivered", Duration::from_secs(10), || {
        seen.lock().unwrap().events.len() == 1
    })
    .await;

    emulator.hold_realtime_events();
    for version in 1..=5 {
        // Distinct milliseconds: `$updatedAt` is what orders versions.
        tokio::time::sleep(Duration::from_millis(3)).await;
        direct
            .update("r1", Parcel::patch().version(version))
            .await
            .unwrap();
    }
    emulator.release_realtime_events(Release::Reversed);
    // A later write proves the reversed ones were all processed before it.
    direct.create_with_id("r2", &parcel("sentinel", 0)).await.unwrap();
    tests::eventually("the sentinel is delivered", Duration::from_secs(10), || {
        seen.lock().unwrap().events.iter().any(|e| e.1 == "r2")
    })
    .await;
    let seen = seen.lock().unwrap();
    let r1: Vec<i32> = seen.events.iter().filter(|e| e.1 == "r1").map(|e| e.2).collect();
    assert_eq!(r1, [0, 5], "only the newest of the reordered versions: {r1:?}");
}

// 4. After a reconnect, catch-up must start once the server holds the subscription again, not
// when the `subscribe` message leaves: writes in between reach neither the old catch-up nor
// the live stream.
#[tokio::test]
async fn catch_up_waits_until_the_server_holds_the_subscription_again() {
    let emulator = emulator().await;
    let (_orm, parcels) = client(&emulator, emulator.endpoint(), RealtimeOptions::default()).await;
    let seen = listening(&parcels).await;
    emulator.delay_subscription_registration(Duration::from_millis(2000));
    emulator.drop_realtime_connections();
    tests::eventually("the client reconnected", Duration::from_secs(10), || {
        emulator.realtime_connections() == 1
    })
    .await;
    // Long enough for a catch-up started at once to have run; the registration is still ahead.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        emulator.realtime_subscriptions(),
        0,
        "registration is still delayed"
    );
    let direct = writer(&emulator).await;
    let mut expected = HashMap::new();
    for i in 0..10 {
        let id = format!("s{i}");
        direct
            .create_with_id(&id, &parcel("in the window", 0))
            .await
            .unwrap();
        expected.insert(id, Some(0));
    }
    emulator.delay_subscription_registration(Duration::ZERO);
    tests::eventually(
        "the writes made before registration are delivered",
        Duration::from_secs(10),
        || seen.lock().unwrap().events.len() == 10,
    )
    .await;
    check_delivery(&seen.lock().unwrap(), &expected);
}

// 5. Appwrite connects a socket as a guest, with no error, when the JWT's session is gone;
// such a socket receives public events only. The client must refuse it, say so, and connect
// again as the service identity — on the first connection and on a reconnect.
#[tokio::test]
async fn a_socket_silently_connected_as_a_guest_is_refused_reported_and_replaced() {
    let emulator = emulator().await;
    emulator.connect_next_realtime_as_guest(1);
    let (orm, parcels) = client(&emulator, emulator.endpoint(), RealtimeOptions::default()).await;
    let seen = tokio::time::timeout(Duration::from_secs(10), listening(&parcels))
        .await
        .expect("registered as the service identity in time");
    let direct = writer(&emulator).await;
    direct.create_with_id("g1", &parcel("private", 0)).await.unwrap();
    tests::eventually(
        "the private document's event is delivered",
        Duration::from_secs(10),
        || seen.lock().unwrap().events.len() == 1,
    )
    .await;
    assert_eq!(
        seen.lock().unwrap().wrong_identity,
        1,
        "the downgrade is reported"
    );

    // On a reconnect too; what is written meanwhile is caught up.
    emulator.connect_next_realtime_as_guest(1);
    emulator.drop_realtime_connections();
    direct.create_with_id("g2", &parcel("private", 0)).await.unwrap();
    tests::eventually(
        "the write made meanwhile is delivered",
        Duration::from_secs(10),
        || seen.lock().unwrap().events.len() == 2,
    )
    .await;
    assert_eq!(seen.lock().unwrap().wrong_identity, 2);
    let state = orm.connection_state();
    tests::eventually("connected again", Duration::from_secs(10), || {
        *state.borrow() == ConnectionState::Connected
    })
    .await;
}
