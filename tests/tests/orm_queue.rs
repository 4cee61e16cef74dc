//! `on_documents_once`: several instances (each its own `Orm` and socket) share one Redis work
//! queue; each event is handled by exactly one of them, and an entry held by an instance that
//! stops responding is taken over. Needs Redis (see `tests::redis`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use appwrite_emulator::{Config, Emulator};
use appwrite_orm::{Collection, HandlerOptions, ListenError, RealtimeOptions, WorkQueue};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "charges")]
struct Charge {
    amount: i32,
}

async fn charges_of(orm: &appwrite_orm::Orm) -> appwrite_orm::CollectionHandle<Charge> {
    orm.connect()
        .register::<Charge>()
        .auto_migrate(true)
        .await
        .unwrap()
        .collection::<Charge>()
}

type Done = Arc<Mutex<Vec<(&'static str, String)>>>;

/// Creates a charge of each amount; returns their ids.
async fn write_charges(
    charges: &appwrite_orm::CollectionHandle<Charge>,
    amounts: std::ops::Range<i32>,
) -> Vec<String> {
    let mut created = Vec::new();
    for amount in amounts {
        created.push(charges.create(&Charge { amount }).await.unwrap().id().to_owned());
    }
    created
}

/// `XINFO STREAM` of queue `name`'s stream of charges.
async fn stream_info(
    connection: &mut redis::aio::MultiplexedConnection,
    name: &str,
) -> HashMap<String, redis::Value> {
    redis::cmd("XINFO")
        .arg("STREAM")
        .arg(format!("appwrite-orm:{name}:charges:stream"))
        .query_async(connection)
        .await
        .unwrap()
}

/// A number from [`stream_info`].
fn number(info: &HashMap<String, redis::Value>, field: &str) -> i64 {
    match info.get(field) {
        Some(redis::Value::Int(n)) => *n,
        other => panic!("XINFO STREAM {field}: {other:?}"),
    }
}

/// Gives queue `name`'s listening lease to a holder that never listens, for `ms`: what a
/// partition looks like to the instance that held it.
async fn lease_taken_away(connection: &mut redis::aio::MultiplexedConnection, name: &str, ms: u64) {
    let _: () = redis::cmd("SET")
        .arg(format!("appwrite-orm:{name}:charges:leader"))
        .arg(INTRUDER)
        .arg("PX")
        .arg(ms)
        .query_async(connection)
        .await
        .unwrap();
}

const INTRUDER: &str = "intruder:999999999";

/// Who holds queue `name`'s listening lease (`{consumer}:{token}`), if anyone.
async fn lease_holder(connection: &mut redis::aio::MultiplexedConnection, name: &str) -> Option<String> {
    redis::cmd("GET")
        .arg(format!("appwrite-orm:{name}:charges:leader"))
        .query_async(connection)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_event_is_handled_once_and_a_stuck_instances_entry_is_taken_over() {
    let redis = tests::redis().await;
    let emulator = Emulator::start(Config {
        attribute_delay: Duration::from_millis(10),
        appwrite_version: tests::appwrite_version(),
        ..Config::default()
    })
    .await
    .unwrap();
    let name = tests::unique_name("queue");
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let done: Done = Arc::default();

    let mut instances = Vec::new();
    let stuck = Arc::new(AtomicBool::new(false));
    for consumer in ["a", "b"] {
        let orm = tests::client(&emulator);
        let charges = charges_of(&orm).await;
        let queue = WorkQueue::new(client.clone(), &name)
            .consumer(consumer)
            .claim_idle(Duration::from_millis(500));
        let (done, stuck) = (Arc::clone(&done), Arc::clone(&stuck));
        let worker = charges
            .on_documents_once(&queue, move |event| {
                let (done, stuck) = (Arc::clone(&done), Arc::clone(&stuck));
                async move {
                    // Instance `a` stops responding in the middle of its first entry.
                    if consumer == "a" && !stuck.swap(true, Ordering::SeqCst) {
                        std::future::pending::<()>().await;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    done.lock()
                        .unwrap()
                        .push((consumer, event.document.id().to_owned()));
                }
            })
            .await
            .unwrap();
        worker.ready().await.unwrap();
        instances.push((orm, charges, worker));
    }

    let mut created = Vec::new();
    for amount in 0..12 {
        let charge = instances[0].1.create(&Charge { amount }).await.unwrap();
        created.push(charge.id().to_owned());
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while done.lock().unwrap().len() < created.len() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "handled: {:?}",
            done.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A moment more, so that a late duplicate would show.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let done = done.lock().unwrap().clone();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, id) in &done {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    assert_eq!(counts.len(), created.len(), "{done:?}");
    assert!(counts.values().all(|n| *n == 1), "handled twice: {done:?}");
    assert!(
        stuck.load(Ordering::SeqCst),
        "instance a took an entry and stopped"
    );
    assert!(done.iter().any(|(by, _)| *by == "b"));

    // Both instances offered every event; the queue took each once: on Redis 8.6+ by the
    // stream's own idempotent adds, before that by one short-lived key per event.
    let mut connection = redis.connection.clone();
    let offered: Vec<String> = redis::cmd("KEYS")
        .arg(format!("appwrite-orm:{name}:charges:offered:*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    if tests::redis_takes_idempotent_add(&mut connection).await {
        assert!(offered.is_empty(), "keys of the script path: {offered:?}");
        let info = stream_info(&mut connection, &name).await;
        assert_eq!(
            number(&info, "idmp-duration"),
            86_400,
            "a day, as the offers are remembered"
        );
        assert_eq!(number(&info, "idmp-maxsize"), 10_000);
        assert_eq!(number(&info, "iids-added") as usize, created.len());
        assert!(
            number(&info, "iids-duplicates") as usize >= created.len(),
            "the second instance's offers were recognised as duplicates"
        );
    } else {
        assert_eq!(offered.len(), created.len());
    }
    // Finished entries are removed; only the one `a` holds is still in the stream.
    let length: usize = redis::cmd("XLEN")
        .arg(format!("appwrite-orm:{name}:charges:stream"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(length <= 1, "{length} entries left");

    let (orm_b, _, worker_b) = instances.pop().unwrap();
    worker_b.unsubscribe().await;
    assert!(orm_b.shutdown(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn an_entry_that_is_not_an_event_is_reported_and_dropped() {
    let redis = tests::redis().await;
    let emulator = Emulator::start(Config {
        appwrite_version: tests::appwrite_version(),
        ..Config::default()
    })
    .await
    .unwrap();
    let name = tests::unique_name("poison");
    let orm = tests::client(&emulator);
    let charges = charges_of(&orm).await;
    let queue = WorkQueue::new(redis::Client::open(redis.url.as_str()).unwrap(), &name);
    assert!(
        !format!("{queue:?}").contains("redis://"),
        "the URL may hold a password"
    );
    let reports: Arc<Mutex<Vec<String>>> = Arc::default();
    let options = HandlerOptions::default().on_listen_error({
        let reports = Arc::clone(&reports);
        move |report: &ListenError| reports.lock().unwrap().push(report.to_string())
    });
    let worker = charges
        .on_documents_once_with(&queue, options, |_| async {})
        .await
        .unwrap();
    let stream = format!("appwrite-orm:{name}:charges:stream");
    let mut connection = redis.connection.clone();
    let _: String = redis::cmd("XADD")
        .arg(&stream)
        .arg("*")
        .arg("kind")
        .arg("create")
        .arg("document")
        .arg(r#"{"$id":"x","amount":"not a number"}"#)
        .query_async(&mut connection)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while reports.lock().unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no report");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        reports.lock().unwrap()[0].contains("\"x\""),
        "{:?}",
        reports.lock().unwrap()
    );
    // Acknowledged and removed, so it does not come back.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let length: usize = redis::cmd("XLEN")
            .arg(&stream)
            .query_async(&mut connection)
            .await
            .unwrap();
        if length == 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the entry stays");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.unsubscribe().await;
    assert!(orm.shutdown(Duration::from_secs(5)).await);
}

/// An instance of a `single_listener` group: its client, its handle and its worker.
struct Member {
    orm: appwrite_orm::Orm,
    worker: appwrite_orm::ListenerHandle,
}

impl Member {
    /// Stops cleanly, as a deploy stops an instance.
    async fn stop(self) {
        self.worker.unsubscribe().await;
        assert!(self.orm.shutdown(Duration::from_secs(5)).await);
    }
}

async fn member(emulator: &Emulator, queue: &WorkQueue, done: &Done, who: &'static str) -> Member {
    // An instance that stops listening closes its socket soon, so the group's count shows it.
    let orm = tests::client_builder(emulator)
        .realtime(RealtimeOptions::default().idle_close(Duration::from_millis(200)))
        .build()
        .expect("valid settings");
    let charges = charges_of(&orm).await;
    let done = Arc::clone(done);
    let worker = charges
        .on_documents_once(queue, move |event| {
            let done = Arc::clone(&done);
            async move {
                done.lock().unwrap().push((who, event.document.id().to_owned()));
            }
        })
        .await
        .unwrap();
    worker.ready().await.unwrap();
    Member { orm, worker }
}

async fn all_handled_once(done: &Done, created: &[String]) {
    let wanted: std::collections::HashSet<&String> = created.iter().collect();
    tests::eventually("every charge is handled", Duration::from_secs(30), || {
        let done = done.lock().unwrap();
        wanted
            .iter()
            .all(|id| done.iter().any(|(_, handled)| handled == *id))
    })
    .await;
    // A moment more, so that a late duplicate would show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let done = done.lock().unwrap();
    for id in created {
        let times = done.iter().filter(|(_, handled)| handled == id).count();
        assert_eq!(times, 1, "{id} handled {times} times: {done:?}");
    }
}

#[tokio::test]
async fn a_single_listener_group_holds_one_socket_and_hands_over_when_its_leader_stops_or_dies() {
    let redis = tests::redis().await;
    let emulator = tests::emulator().await;
    let name = tests::unique_name("leader");
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let lease = Duration::from_millis(600);
    let queue = |consumer: &str| {
        WorkQueue::new(client.clone(), &name)
            .consumer(consumer)
            .single_listener(lease)
    };
    let done: Done = Arc::default();
    let mut members = vec![
        member(&emulator, &queue("a"), &done, "a").await,
        member(&emulator, &queue("b"), &done, "b").await,
        member(&emulator, &queue("c"), &done, "c").await,
    ];
    // Three instances, one realtime connection.
    assert_eq!(emulator.realtime_connections(), 1);
    let writer = tests::client(&emulator);
    let charges = charges_of(&writer).await;
    let mut created = write_charges(&charges, 0..10).await;
    all_handled_once(&done, &created).await;
    let mut connection = redis.connection.clone();
    let leader_of = |holder: String| holder.split(':').next().unwrap_or_default().to_owned();
    let holder = lease_holder(&mut connection, &name).await.expect("a leader");
    let first = leader_of(holder);

    // The leader stops cleanly: it gives the lease up, another takes it and catches up on the
    // charges written in between. (A leader that dies without giving it up is the
    // multi_instance example's scenario: a process killed with SIGKILL.)
    let index = ["a", "b", "c"].iter().position(|c| *c == first).unwrap();
    members.remove(index).stop().await;
    created.extend(write_charges(&charges, 10..20).await);
    let takeover = std::time::Instant::now();
    all_handled_once(&done, &created).await;
    println!(
        "after a clean stop, every charge was handled {:?} after the last write",
        takeover.elapsed()
    );
    let holder = lease_holder(&mut connection, &name).await.expect("a leader");
    assert_ne!(leader_of(holder), first);
    tests::eventually("one realtime connection again", Duration::from_secs(10), || {
        emulator.realtime_connections() == 1
    })
    .await;

    // A partition, staged: the listening instance's lease runs out while it still listens,
    // and some other holder takes it (here one that never listens, for 1.5 s). Its next offer
    // is refused by the fence, so the stream gets nothing while the lease is not its own; it
    // stops listening and closes its socket; once the lease is free again, an instance takes
    // it and catches up on what was written meanwhile.
    lease_taken_away(&mut connection, &name, 1500).await;
    // `entries-added` counts every entry ever added (consumers delete what they acknowledged).
    let offered_before = number(&stream_info(&mut connection, &name).await, "entries-added");
    let mut no_socket = false;
    created.extend(write_charges(&charges, 20..30).await);
    loop {
        let holder = lease_holder(&mut connection, &name).await;
        let offered = number(&stream_info(&mut connection, &name).await, "entries-added");
        if holder.as_deref() != Some(INTRUDER) {
            break;
        }
        assert_eq!(
            offered, offered_before,
            "an instance offered an event while another held the lease"
        );
        // The intruder does not listen: zero connections means the demoted one closed its own.
        no_socket |= emulator.realtime_connections() == 0;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(no_socket, "the demoted listener kept its realtime socket");
    all_handled_once(&done, &created).await;
    tests::eventually(
        "one realtime connection after the partition",
        Duration::from_secs(10),
        || emulator.realtime_connections() == 1,
    )
    .await;
    assert!(number(&stream_info(&mut connection, &name).await, "entries-added") > offered_before);

    for member in members {
        member.stop().await;
    }
    assert!(writer.shutdown(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_group_whose_first_listener_is_cut_off_before_any_event_loses_nothing() {
    let redis = tests::redis().await;
    let emulator = tests::emulator().await;
    let name = tests::unique_name("first-leader");
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let queue = |consumer: &str| {
        WorkQueue::new(client.clone(), &name)
            .consumer(consumer)
            .single_listener(Duration::from_millis(600))
    };
    let done: Done = Arc::default();
    let members = vec![
        member(&emulator, &queue("a"), &done, "a").await,
        member(&emulator, &queue("b"), &done, "b").await,
    ];
    // The first listener has offered nothing yet when a partition takes its lease away; the
    // charges written meanwhile were seen by no listener of the group. Whoever listens next
    // must catch up on them, from where the first one started.
    lease_taken_away(&mut redis.connection.clone(), &name, 1500).await;
    let writer = tests::client(&emulator);
    let charges = charges_of(&writer).await;
    let created = write_charges(&charges, 0..5).await;
    all_handled_once(&done, &created).await;
    for member in members {
        member.stop().await;
    }
    assert!(writer.shutdown(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn offers_are_remembered_for_as_long_as_the_queue_says() {
    let redis = tests::redis().await;
    let emulator = tests::emulator().await;
    let name = tests::unique_name("remember");
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let queue = WorkQueue::new(client, &name).remember_offers(Duration::from_secs(120));
    let done: Done = Arc::default();
    let instance = member(&emulator, &queue, &done, "a").await;
    let writer = tests::client(&emulator);
    let charges = charges_of(&writer).await;
    let created = write_charges(&charges, 1..2).await;
    all_handled_once(&done, &created).await;

    let mut connection = redis.connection.clone();
    if tests::redis_takes_idempotent_add(&mut connection).await {
        let info = stream_info(&mut connection, &name).await;
        assert_eq!(number(&info, "idmp-duration"), 120);
    } else {
        let offered: Vec<String> = redis::cmd("KEYS")
            .arg(format!("appwrite-orm:{name}:charges:offered:*"))
            .query_async(&mut connection)
            .await
            .unwrap();
        assert_eq!(offered.len(), 1, "{offered:?}");
        let left: i64 = redis::cmd("PTTL")
            .arg(&offered[0])
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!(
            (100_000..=120_000).contains(&left),
            "remembered for {left} ms more"
        );
    }
    instance.stop().await;
    assert!(writer.shutdown(Duration::from_secs(5)).await);
}
