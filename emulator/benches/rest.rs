//! REST throughput of the emulator on a collection of 100 000 documents.
//!
//! `cargo bench -p appwrite-emulator --bench rest` prints, for each operation, the median and
//! p99 latency over real HTTP (in-process server, loopback), and the indexed / unindexed ratio of
//! the same equality query. Set `BENCH_DOCUMENTS` to change the collection size.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use appwrite_emulator::{Config, Emulator};
use common::Api;
use serde_json::{json, Value};

fn summary(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
    println!(
        "{name:<34} median {:>9.1} µs   p99 {:>9.1} µs   ({} runs)",
        micros(median),
        micros(p99),
        samples.len()
    );
    median
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

async fn time<F, Fut>(runs: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let start = Instant::now();
        f(i).await;
        samples.push(start.elapsed());
    }
    samples
}

#[tokio::main]
async fn main() {
    let documents: usize = std::env::var("BENCH_DOCUMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("appwrite-emulator-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = Config {
        data: Some(dir.join("bench.db")),
        attribute_delay: Duration::ZERO,
        ..Config::default()
    };
    let emulator = Emulator::start(config).await.expect("emulator starts");
    let api = Api::of(&emulator);
    let col = api
        .collection(
            json!(["read(\"any\")"]),
            false,
            &[
                ("string", json!({"key": "sku", "size": 32, "required": true})),
                ("string", json!({"key": "skuPlain", "size": 32, "required": true})),
                ("integer", json!({"key": "n", "required": true})),
            ],
        )
        .await;
    api.post(
        &format!("{col}/indexes"),
        json!({"key": "by_sku", "type": "key", "attributes": ["sku"]}),
    )
    .await;
    api.wait_available(&col).await;
    let docs = format!("{col}/documents");

    let fill = Instant::now();
    for batch in 0..documents / 100 {
        let items: Vec<Value> = (0..100)
            .map(|i| {
                let n = batch * 100 + i;
                json!({"$id": format!("doc{n}"), "sku": format!("SKU-{n}"), "skuPlain": format!("SKU-{n}"), "n": n})
            })
            .collect();
        let (status, body) = api.post(&docs, json!({"documents": items})).await;
        assert_eq!(status, 201, "{body}");
    }
    println!(
        "filled {documents} documents in {:.1} s\n",
        fill.elapsed().as_secs_f64()
    );

    summary(
        "create one document",
        time(300, |i| {
            let (api, docs) = (&api, &docs);
            async move {
                let (status, _) = api.post(docs, json!({"documentId": format!("new{i}"), "data": {"sku": "x", "skuPlain": "x", "n": i}})).await;
                assert_eq!(status, 201);
            }
        })
        .await,
    );
    summary(
        "get one document by id",
        time(1000, |i| {
            let (api, docs) = (&api, &docs);
            async move {
                let (status, _) = api.get(&format!("{docs}/doc{}", (i * 97) % documents)).await;
                assert_eq!(status, 200);
            }
        })
        .await,
    );
    let query = |attribute: &'static str| {
        let (api, docs) = (&api, &docs);
        move |i: usize| async move {
            let value = format!("SKU-{}", (i * 7919) % documents);
            let (status, list) = api
                .list(
                    docs,
                    &[json!({"method": "equal", "attribute": attribute, "values": [value]})],
                )
                .await;
            assert_eq!(status, 200);
            assert_eq!(list["total"], 1);
        }
    };
    let indexed = summary("equality query, indexed attribute", time(300, query("sku")).await);
    let unindexed = summary(
        "equality query, unindexed attribute",
        time(30, query("skuPlain")).await,
    );
    summary(
        "bulk create of 100 documents",
        time(30, |b| {
            let (api, docs) = (&api, &docs);
            async move {
                let items: Vec<Value> = (0..100)
                    .map(|i| json!({"sku": format!("B{b}-{i}"), "skuPlain": "b", "n": i}))
                    .collect();
                let (status, _) = api.post(docs, json!({"documents": items})).await;
                assert_eq!(status, 201);
            }
        })
        .await,
    );
    println!(
        "\nindexed query is {:.1}x faster than the unindexed one",
        unindexed.as_secs_f64() / indexed.as_secs_f64()
    );
    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
