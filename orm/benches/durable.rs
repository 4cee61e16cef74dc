//! What a durable listener's checkpoint costs, in the same process against the same embedded
//! emulator: the same handler behind `on_documents_durable` with three stores — one in memory
//! (the baseline: the same code path, a save that costs nothing), Redis, and the
//! `appwrite_orm_checkpoints` collection — timed two ways:
//!
//! - live: events handled per second while documents are written (four writers);
//! - catch-up: a listener that starts after `BENCH_EVENTS` documents were written while it was
//!   stopped, until it has handled them all.
//!
//! `cargo bench -p appwrite-orm --bench durable --features redis,testing` (`BENCH_EVENTS`, default
//! 2 000; Redis at `REDIS_URL` or 127.0.0.1:6379, skipped when none answers).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appwrite_orm::{
    Checkpoint, CheckpointStore, Collection, CollectionCheckpoints, CollectionHandle, ListenerCheckpoint,
    RedisCheckpoints, StoreFuture,
};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "bench_events")]
struct Reading {
    value: i64,
}

/// The baseline store: keeps checkpoints in a map.
#[derive(Default, Clone)]
struct InMemory(Arc<Mutex<HashMap<String, Checkpoint>>>);

impl CheckpointStore for InMemory {
    fn load<'a>(&'a self, name: &'a str) -> StoreFuture<'a, Option<Checkpoint>> {
        let found = self.0.lock().unwrap().get(name).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn save<'a>(&'a self, name: &'a str, checkpoint: &'a Checkpoint) -> StoreFuture<'a, ()> {
        self.0.lock().unwrap().insert(name.to_owned(), checkpoint.clone());
        Box::pin(async { Ok(()) })
    }
}

async fn write(readings: &CollectionHandle<Reading>, count: usize) {
    let writers = 4;
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let readings = readings.clone();
            tokio::spawn(async move {
                for n in (w..count).step_by(writers) {
                    readings
                        .create(&Reading { value: n as i64 })
                        .await
                        .expect("written");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer");
    }
}

async fn until(handled: &AtomicUsize, count: usize) {
    while handled.load(Ordering::Relaxed) < count {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Events per second: live while written, then caught up after a stop.
async fn measure<S: CheckpointStore + Clone>(
    readings: &CollectionHandle<Reading>,
    name: &str,
    store: S,
    count: usize,
) -> (f64, f64) {
    let handled = Arc::new(AtomicUsize::new(0));
    let start = |handled: Arc<AtomicUsize>| {
        let (readings, store) = (readings.clone(), store.clone());
        let name = name.to_owned();
        async move {
            let listener = readings
                .on_documents_durable(&name, store, move |_event| {
                    handled.fetch_add(1, Ordering::Relaxed);
                    async {}
                })
                .await
                .expect("listening");
            listener.ready().await.expect("ready");
            listener
        }
    };
    let listener = start(Arc::clone(&handled)).await;
    let began = Instant::now();
    write(readings, count).await;
    until(&handled, count).await;
    let live = count as f64 / began.elapsed().as_secs_f64();
    listener.unsubscribe().await;

    write(readings, count).await;
    let handled = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let listener = start(Arc::clone(&handled)).await;
    until(&handled, count).await;
    let caught_up = count as f64 / began.elapsed().as_secs_f64();
    listener.unsubscribe().await;
    (live, caught_up)
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let (_emulator, orm) = appwrite_orm::testing::emulated().await.expect("an emulator");
    let db = orm
        .connect()
        .register::<Reading>()
        .register::<ListenerCheckpoint>()
        .auto_migrate(true)
        .await
        .expect("migrated");
    let readings = db.collection::<Reading>();

    let (base_live, base_catch_up) = measure(&readings, "memory", InMemory::default(), count).await;
    println!("{count} events each; events handled per second, live / caught up:");
    println!("  in memory (baseline)   {base_live:8.0} / {base_catch_up:8.0}");
    let report = |label: &str, (live, catch_up): (f64, f64)| {
        println!(
            "  {label:<22} {live:8.0} / {catch_up:8.0}   ratio to baseline {:.2} / {:.2}",
            live / base_live,
            catch_up / base_catch_up
        );
    };
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let client = redis::Client::open(url.as_str()).expect("a Redis URL");
    if client.get_multiplexed_async_connection().await.is_ok() {
        let name = format!("bench-{}", std::process::id());
        report(
            "Redis",
            measure(&readings, &name, RedisCheckpoints::new(client), count).await,
        );
    } else {
        println!("  Redis                  skipped: no server at {url}");
    }
    report(
        "collection",
        measure(&readings, "collection", CollectionCheckpoints::new(&orm), count).await,
    );
}
