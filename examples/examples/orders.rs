//! The quickstart: a struct becomes an Appwrite collection, migrated at startup, with typed
//! reads, writes and realtime events.
//!
//! `cargo run -p examples --example orders` runs it against the embedded emulator; set
//! `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID`, `APPWRITE_DATABASE_ID` and `APPWRITE_API_KEY` to
//! run it against a real Appwrite.

use std::time::Duration;

use appwrite_orm::{AttributeEnum, Collection, Query};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Pending,
    Paid,
    Shipped,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "orders", name = "Orders", rename_all = "camelCase")]
#[collection(permissions(read = "users", create = "users"))]
#[collection(index(key = "by_user", fields(user_id, placed_at = "desc")))]
pub struct Order {
    #[collection(size = 64)]
    user_id: String,
    status: OrderStatus,
    #[collection(min = 0.0)]
    total: f64,
    note: Option<String>,
    #[collection(default = 0)]
    attempts: u8,
    tags: Vec<String>,
    placed_at: DateTime<Utc>,
    #[collection(format = "email")]
    contact: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;

    // Auto-migration: creates the database, collection, attributes and index, and waits until
    // the server reports them available. Print the plan first to see what it does.
    println!(
        "migration plan:\n{}",
        orm.connect().register::<Order>().plan().await?
    );
    let db = orm.connect().register::<Order>().auto_migrate(true).await?;
    let orders = db.collection::<Order>();

    // Typed realtime events from this server process, over one shared socket.
    let mut events = orders.listen_documents();
    // Subscribing is asynchronous; once `ready` returns, every later write is delivered.
    events.ready().await?;
    let printer = tokio::spawn(async move {
        let mut seen = 0;
        while let Some(item) = events.next().await {
            match item {
                Ok(event) => {
                    println!(
                        "  event: {:?} {} → {:?}, total {}",
                        event.kind,
                        event.document.id(),
                        event.document.status,
                        event.document.total
                    );
                    seen += 1;
                    if seen == 3 {
                        break;
                    }
                }
                Err(report) => println!("  listener report: {report}"),
            }
        }
    });
    let created = orders
        .create(&Order {
            user_id: "u1".into(),
            status: OrderStatus::Pending,
            total: 120.5,
            note: Some("leave at the door".into()),
            attempts: 0,
            tags: vec!["gift".into()],
            placed_at: Utc::now(),
            contact: "buyer@example.com".into(),
        })
        .await?;
    println!(
        "created {} ({:?}, total {})",
        created.id(),
        created.status,
        created.total
    );

    let paid = orders
        .update(
            created.id(),
            Order::patch().status(OrderStatus::Paid).attempts(1u8),
        )
        .await?;
    println!(
        "updated {} → {:?} at {}",
        paid.id(),
        paid.status,
        appwrite_orm::datetime::format(&paid.updated_at())
    );

    let big = orders
        .find([
            Order::STATUS.eq(OrderStatus::Paid),
            Order::TOTAL.gte(100.0),
            Query::limit(10),
        ])
        .await?;
    println!("paid orders of 100 or more: {}", big.len());

    orders.delete(created.id()).await?;
    println!(
        "deleted {}; {} orders left",
        created.id(),
        orders.count([]).await?
    );

    // Wait for the three events, then stop listening gracefully.
    tokio::time::timeout(Duration::from_secs(10), printer).await??;
    orm.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
