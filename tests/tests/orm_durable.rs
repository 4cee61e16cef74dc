//! Durable listeners (`on_documents_durable`): a listener that stops — cleanly, or in the middle
//! of a handler as a crash would stop it — and starts again in a new `Orm` (a new socket, as a
//! restarted service would have) catches up on everything written meanwhile, reports the
//! deletions it cannot recover, and loses nothing. With both checkpoint stores: Redis (needs
//! Redis, see `tests::redis`) and a collection in the Appwrite database itself.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use appwrite_emulator::Emulator;
use appwrite_orm::{
    Checkpoint, CheckpointStore, Collection, CollectionCheckpoints, HandlerOptions, ListenError,
    ListenerCheckpoint, ListenerHandle, Origin, Orm, RedisCheckpoints,
};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "invoices")]
struct Invoice {
    number: i32,
}

/// A fresh client (a restarted service has its own socket), its schema migrated.
async fn client(emulator: &Emulator) -> (Orm, appwrite_orm::CollectionHandle<Invoice>) {
    let orm = tests::client(emulator);
    let db = orm
        .connect()
        .register::<Invoice>()
        .register::<ListenerCheckpoint>()
        .auto_migrate(true)
        .await
        .unwrap();
    let invoices = db.collection::<Invoice>();
    (orm, invoices)
}

/// Creates invoice `number`; returns its id.
async fn write(invoices: &appwrite_orm::CollectionHandle<Invoice>, number: i32) -> String {
    invoices
        .create(&Invoice { number })
        .await
        .unwrap()
        .id()
        .to_owned()
}

/// What a listener saw: the invoices it handled (with how they came) and its reports.
#[derive(Default)]
struct Seen {
    handled: Mutex<Vec<(String, Origin)>>,
    gaps: Mutex<usize>,
}

impl Seen {
    fn ids(&self) -> HashSet<String> {
        self.handled
            .lock()
            .unwrap()
            .iter()
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// Starts the durable listener `name`; `stall` makes the handler never finish with that invoice
/// number (a crash in the middle of handling it).
async fn listen(
    invoices: &appwrite_orm::CollectionHandle<Invoice>,
    name: &str,
    store: impl CheckpointStore,
    seen: &Arc<Seen>,
    stall: Option<i32>,
) -> ListenerHandle {
    let reports = Arc::clone(seen);
    let options = HandlerOptions::default().on_listen_error(move |report| {
        if matches!(report, ListenError::Gap { .. }) {
            *reports.gaps.lock().unwrap() += 1;
        }
    });
    let seen = Arc::clone(seen);
    let listener = invoices
        .on_documents_durable_with(name, store, options, move |event| {
            let seen = Arc::clone(&seen);
            async move {
                if Some(event.document.number) == stall {
                    std::future::pending::<()>().await;
                }
                seen.handled
                    .lock()
                    .unwrap()
                    .push((event.document.id().to_owned(), event.origin));
            }
        })
        .await
        .unwrap();
    listener.ready().await.unwrap();
    listener
}

async fn handled(seen: &Seen, ids: &[&String]) {
    tests::eventually("the invoices are handled", Duration::from_secs(20), || {
        let handled = seen.ids();
        ids.iter().all(|id| handled.contains(*id))
    })
    .await;
}

/// The scenario, with `store` making the checkpoint store of each run.
async fn restarts_lose_nothing<S: CheckpointStore>(store: impl Fn(&Orm) -> S) {
    let emulator = tests::emulator().await;
    let name = "billing";

    // First run: invoice 1 is handled, then the service stops.
    let (orm, invoices) = client(&emulator).await;
    let first = Arc::new(Seen::default());
    let listener = listen(&invoices, name, store(&orm), &first, None).await;
    let one = write(&invoices, 1).await;
    handled(&first, &[&one]).await;
    listener.unsubscribe().await;
    assert!(orm.shutdown(Duration::from_secs(5)).await);

    // While nothing listens: two invoices written, invoice 1 deleted.
    let (writer, writes) = client(&emulator).await;
    let two = write(&writes, 2).await;
    let three = write(&writes, 3).await;
    writes.delete(&one).await.unwrap();

    // Second run: it catches up on 2 and 3, says deletions may be missing, then goes live; it
    // is stopped in the middle of handling invoice 4, as by a crash.
    let (orm, invoices) = client(&emulator).await;
    let second = Arc::new(Seen::default());
    let listener = listen(&invoices, name, store(&orm), &second, Some(4)).await;
    handled(&second, &[&two, &three]).await;
    for (id, origin) in second.handled.lock().unwrap().iter() {
        assert_eq!(*origin, Origin::CatchUp, "{id} was written while no listener ran");
    }
    tests::eventually("the gap is reported", Duration::from_secs(10), || {
        *second.gaps.lock().unwrap() > 0
    })
    .await;
    let four = write(&writes, 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !second.ids().contains(&four),
        "the handler of invoice 4 never finishes"
    );
    drop(listener);
    assert!(
        !orm.shutdown(Duration::from_millis(200)).await,
        "a handler was still running"
    );

    // Third run: invoice 4, whose handler never finished, comes again; so does a new one.
    let (orm, invoices) = client(&emulator).await;
    let third = Arc::new(Seen::default());
    let listener = listen(&invoices, name, store(&orm), &third, None).await;
    let five = write(&writes, 5).await;
    handled(&third, &[&four, &five]).await;
    assert!(!third.ids().contains(&one), "a deleted invoice cannot come back");
    listener.unsubscribe().await;
    assert!(orm.shutdown(Duration::from_secs(5)).await);

    // The checkpoint is at invoice 5, the newest handled.
    let saved = store(&writer).load(name).await.unwrap().expect("a checkpoint");
    let newest = writes.get(&five).await.unwrap().expect("invoice 5").updated_at();
    assert_eq!(
        saved,
        Checkpoint {
            updated_at: newest,
            ids: vec![five]
        }
    );
    assert!(writer.shutdown(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_durable_listener_on_redis_catches_up_after_a_restart_and_a_crash() {
    let redis = tests::redis().await;
    let prefix = tests::unique_name("durable");
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    // The names are the test's own: the Redis may be shared with other runs.
    restarts_lose_nothing(|_| PrefixedRedis {
        inner: RedisCheckpoints::new(client.clone()),
        prefix: prefix.clone(),
    })
    .await;
}

#[tokio::test]
async fn a_durable_listener_keeping_its_checkpoint_in_appwrite_catches_up_too() {
    restarts_lose_nothing(CollectionCheckpoints::new).await;
}

#[tokio::test]
async fn a_listener_name_that_is_not_an_appwrite_id_is_refused() {
    let emulator = tests::emulator().await;
    let (orm, invoices) = client(&emulator).await;
    let attempt = invoices
        .on_documents_durable("not a valid name!", CollectionCheckpoints::new(&orm), |_| async {
        })
        .await;
    let Err(refused) = attempt else {
        panic!("a listener named `not a valid name!` started");
    };
    assert!(
        matches!(refused, appwrite_orm::Error::InvalidId { .. }),
        "{refused}"
    );
}

/// [`RedisCheckpoints`] under names of this test run only.
struct PrefixedRedis {
    inner: RedisCheckpoints,
    prefix: String,
}

impl CheckpointStore for PrefixedRedis {
    fn load<'a>(&'a self, name: &'a str) -> appwrite_orm::StoreFuture<'a, Option<Checkpoint>> {
        Box::pin(async move { self.inner.load(&format!("{}-{name}", self.prefix)).await })
    }

    fn save<'a>(&'a self, name: &'a str, checkpoint: &'a Checkpoint) -> appwrite_orm::StoreFuture<'a, ()> {
        Box::pin(async move {
            self.inner
                .save(&format!("{}-{name}", self.prefix), checkpoint)
                .await
        })
    }
}

/// A store whose saves take a while, as a far-away database's would.
struct Slow(CollectionCheckpoints);

impl CheckpointStore for Slow {
    fn load<'a>(&'a self, name: &'a str) -> appwrite_orm::StoreFuture<'a, Option<Checkpoint>> {
        self.0.load(name)
    }

    fn save<'a>(&'a self, name: &'a str, checkpoint: &'a Checkpoint) -> appwrite_orm::StoreFuture<'a, ()> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.0.save(name, checkpoint).await
        })
    }
}

#[tokio::test]
async fn a_stop_returns_once_the_last_position_is_saved() {
    let emulator = tests::emulator().await;
    let (orm, invoices) = client(&emulator).await;
    let seen = Arc::new(Seen::default());
    let listener = listen(
        &invoices,
        "ledger",
        Slow(CollectionCheckpoints::new(&orm)),
        &seen,
        None,
    )
    .await;
    let mut written = Vec::new();
    for number in 1..=3 {
        written.push(write(&invoices, number).await);
    }
    handled(&seen, &written.iter().collect::<Vec<_>>()).await;
    // Saves run behind the handler; the stop waits for the one that carries the last event.
    listener.unsubscribe().await;
    let saved = CollectionCheckpoints::new(&orm)
        .load("ledger")
        .await
        .unwrap()
        .expect("a checkpoint");
    let newest = invoices.get_or_fail(&written[2]).await.unwrap().updated_at();
    assert_eq!(saved.updated_at, newest, "the stop left an older checkpoint");
    assert!(saved.ids.contains(&written[2]), "{saved:?}");
    assert!(orm.shutdown(Duration::from_secs(5)).await);
}
