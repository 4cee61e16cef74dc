//! What speaking TablesDB costs next to the collections API, in the same process against the
//! same embedded emulator: `get`, a 25-document `find` and `create`, each timed in both
//! dialects in alternating rounds, with the TablesDB / collections ratio of the medians.
//!
//! `cargo bench -p appwrite-orm --bench dialect` (`BENCH_RUNS` per round, default 300). The
//! ratio includes the emulator's own renaming of TablesDB requests; against a real Appwrite
//! that part is the server's.

use std::time::{Duration, Instant};

use appwrite_emulator::{Config, Emulator};
use appwrite_orm::{Collection, CollectionHandle, Dialect, Orm, Query};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "items", rename_all = "camelCase")]
struct Item {
    #[collection(size = 64)]
    name: String,
    quantity: i32,
    tags: Vec<String>,
}

fn item(n: usize) -> Item {
    Item {
        name: format!("item {n}"),
        quantity: n as i32,
        tags: vec!["a".into(), "b".into()],
    }
}

async fn handle(emulator: &Emulator, dialect: Dialect) -> CollectionHandle<Item> {
    let orm = Orm::builder()
        .endpoint(emulator.endpoint())
        .project(emulator.project_id())
        .database("main")
        .api_key(emulator.api_key())
        .dialect(dialect)
        .build()
        .expect("valid settings");
    let db = orm
        .connect()
        .register::<Item>()
        .auto_migrate(true)
        .await
        .expect("migrated");
    db.collection::<Item>()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300);
    let emulator = Emulator::start(Config::default()).await.expect("emulator");
    let collections = handle(&emulator, Dialect::Collections).await;
    let tablesdb = handle(&emulator, Dialect::TablesDb).await;
    let seeded = collections
        .create_many(&(0..200).map(item).collect::<Vec<_>>())
        .await
        .expect("seeded");
    let id = seeded[100].id().to_owned();

    let mut rows: Vec<(&str, Vec<Duration>, Vec<Duration>)> = ["get", "find 25", "create"]
        .into_iter()
        .map(|name| (name, Vec::new(), Vec::new()))
        .collect();
    // Alternating rounds, so that drift in the machine's speed hits both dialects alike.
    for round in 0..6 {
        for (which, handle) in [(0, &collections), (1, &tablesdb)] {
            for (op, samples) in rows.iter_mut().enumerate() {
                let samples = if which == 0 {
                    &mut samples.1
                } else {
                    &mut samples.2
                };
                for i in 0..runs / 6 {
                    let start = Instant::now();
                    match op {
                        0 => drop(handle.get_or_fail(&id).await.expect("get")),
                        1 => drop(handle.find(Query::limit(25)).await.expect("find")),
                        _ => drop(
                            handle
                                .create(&item(10_000 + round * runs + i))
                                .await
                                .expect("create"),
                        ),
                    }
                    samples.push(start.elapsed());
                }
            }
        }
    }
    println!(
        "{:<10} {:>16} {:>16} {:>8}",
        "", "collections µs", "tablesdb µs", "ratio"
    );
    for (name, base, tables) in rows {
        let (base, tables) = (median(base), median(tables));
        println!(
            "{name:<10} {:>16.1} {:>16.1} {:>8.2}",
            base.as_secs_f64() * 1e6,
            tables.as_secs_f64() * 1e6,
            tables.as_secs_f64() / base.as_secs_f64()
        );
    }
}
