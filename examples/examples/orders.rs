//! The quickstart: a struct becomes an Appwrite collection.
//!
//! Run with `cargo run -p examples --example orders`. It prints the requests that create the
//! `orders` collection, a typed query and a typed partial update, and decodes a document as the
//! server sends it. (Connecting to a server and listening to events arrive with the emulator and
//! realtime work; this example grows with them.)

use appwrite_orm::migration::payload;
use appwrite_orm::{AttributeEnum, Collection, Document, Patch, Query};
use chrono::{DateTime, Utc};
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "Requests that create the `{}` collection in database `main`:",
        Order::ID
    );
    for request in payload::create_all("main", Order::schema()) {
        println!("  POST /v1{} {}", request.path, request.body);
    }

    let unpaid_big = Query::and([Order::STATUS.ne(OrderStatus::Paid), Order::TOTAL.gte(100.0)]);
    println!("\nA typed query: {unpaid_big}");

    let patch: Patch<Order> = Order::patch().status(OrderStatus::Paid).attempts(2).into();
    println!("A typed partial update: {}", patch.to_json());

    let json = r#"{"$id":"o1","$sequence":1,"$createdAt":"2024-05-01T10:20:30.123+00:00",
        "$updatedAt":"2024-05-01T10:20:30.123+00:00","$permissions":[],"$databaseId":"main",
        "$collectionId":"orders","userId":"u1","status":"pending","total":120.5,"note":null,
        "attempts":0,"tags":["gift"],"placedAt":"2024-05-01T10:20:30.000+00:00",
        "contact":"buyer@example.com"}"#;
    let order: Document<Order> = serde_json::from_str(json)?;
    println!(
        "\nDecoded document {} (created {}): {:?}, total {}",
        order.id(),
        appwrite_orm::datetime::format(&order.created_at()),
        order.status,
        order.total
    );
    Ok(())
}
