//! `Collection<Order>` (appwrite-orm) against the official `appwrite` crate 0.22 (untyped
//! `serde_json` documents), same in-process emulator, same run.
//!
//! `cargo run --release --manifest-path benches/sdk-compare/Cargo.toml`
//!
//! Each round runs one call of each client, alternating which goes first, so that drift in the
//! machine's speed hits both equally. Prints medians and the SDK / ORM ratio (above 1 means the
//! ORM is faster).

use std::time::{Duration, Instant};

use appwrite::query::Query as SdkQuery;
use appwrite_emulator::{Config, Emulator};
use appwrite_orm::{AttributeEnum, Collection, Orm, Query};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Status {
    Pending,
    Paid,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "orders", index(key = "by_status", fields(status)))]
struct Order {
    #[collection(size = 64)]
    user_id: String,
    status: Status,
    total: f64,
    note: Option<String>,
    tags: Vec<String>,
    #[serde(with = "appwrite_orm::datetime::appwrite_format")]
    placed_at: DateTime<Utc>,
    #[collection(format = "email")]
    contact: String,
}

fn order(n: usize) -> Order {
    Order {
        user_id: format!("user-{n}"),
        status: if n % 2 == 0 { Status::Paid } else { Status::Pending },
        total: n as f64 * 1.25,
        note: Some("leave at the door".into()),
        tags: vec!["express".into(), "gift".into()],
        placed_at: Utc::now(),
        contact: "buyer@example.com".into(),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn report(name: &str, orm: Vec<Duration>, sdk: Vec<Duration>) {
    let (orm, sdk) = (median(orm), median(sdk));
    println!(
        "{name:<28} orm {:>8.1} µs   sdk {:>8.1} µs   sdk/orm {:.2}",
        orm.as_secs_f64() * 1e6,
        sdk.as_secs_f64() * 1e6,
        sdk.as_secs_f64() / orm.as_secs_f64()
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(Config { attribute_delay: Duration::ZERO, ..Config::default() }).await?;
    let orm = Orm::builder()
        .endpoint(emulator.endpoint())
        .project(emulator.project_id())
        .database("main")
        .api_key(emulator.api_key())
        .build()?;
    let db = orm.connect().register::<Order>().auto_migrate(true).await?;
    let orders = db.collection::<Order>();
    orders.create_many(&(0..1000).map(order).collect::<Vec<_>>()).await?;

    let client = appwrite::Client::new()
        .set_endpoint(emulator.endpoint())
        .set_project(emulator.project_id())
        .set_key(emulator.api_key());
    let sdk = appwrite::services::databases::Databases::new(&client);

    let rounds = 400;
    let (mut orm_create, mut sdk_create) = (Vec::new(), Vec::new());
    let mut ids = Vec::new();
    for round in 0..rounds {
        let data = order(round);
        let json = serde_json::to_value(&data)?;
        let orm_call = async {
            let start = Instant::now();
            let created = orders.create(&data).await.expect("orm create");
            (start.elapsed(), created.id().to_owned())
        };
        let sdk_call = async {
            let start = Instant::now();
            sdk.create_document("main", "orders", appwrite::id::ID::unique(), json.clone(), None, None)
                .await
                .expect("sdk create");
            start.elapsed()
        };
        let (o, s) = if round % 2 == 0 {
            let o = orm_call.await;
            (o, sdk_call.await)
        } else {
            let s = sdk_call.await;
            (orm_call.await, s)
        };
        orm_create.push(o.0);
        sdk_create.push(s);
        ids.push(o.1);
    }
    report("create one document", orm_create, sdk_create);

    let (mut orm_get, mut sdk_get) = (Vec::new(), Vec::new());
    for (round, id) in ids.iter().cycle().take(1000).enumerate() {
        let orm_call = async {
            let start = Instant::now();
            let doc = orders.get_or_fail(id).await.expect("orm get");
            std::hint::black_box(doc.total);
            start.elapsed()
        };
        let sdk_call = async {
            let start = Instant::now();
            let doc = sdk.get_document("main", "orders", id.as_str(), None, None).await.expect("sdk get");
            std::hint::black_box(doc);
            start.elapsed()
        };
        if round % 2 == 0 {
            orm_get.push(orm_call.await);
            sdk_get.push(sdk_call.await);
        } else {
            sdk_get.push(sdk_call.await);
            orm_get.push(orm_call.await);
        }
    }
    report("get one document by id", orm_get, sdk_get);

    let (mut orm_list, mut sdk_list) = (Vec::new(), Vec::new());
    for round in 0..200 {
        let orm_call = async {
            let start = Instant::now();
            let page = orders.find([Order::STATUS.eq(Status::Paid), Query::limit(100)]).await.expect("orm find");
            assert_eq!(page.len(), 100);
            start.elapsed()
        };
        let sdk_call = async {
            let start = Instant::now();
            let queries = vec![SdkQuery::equal("status", "paid").to_string(), SdkQuery::limit(100).to_string()];
            let page = sdk.list_documents("main", "orders", Some(queries), None, None, None).await.expect("sdk list");
            assert_eq!(page.documents.len(), 100);
            start.elapsed()
        };
        if round % 2 == 0 {
            orm_list.push(orm_call.await);
            sdk_list.push(sdk_call.await);
        } else {
            sdk_list.push(sdk_call.await);
            orm_list.push(orm_call.await);
        }
    }
    report("query 100 documents", orm_list, sdk_list);
    emulator.shutdown().await;
    Ok(())
}
