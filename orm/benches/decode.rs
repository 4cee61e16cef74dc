//! Decoding cost of `Document<Order>` against the plain struct, from the same documents.
//!
//! Run with `cargo bench -p appwrite-orm --bench decode`. Four decoders, one document:
//! - `document`: `Document<Order>` from the document exactly as the server sends it;
//! - `plain_struct_same_bytes`: the plain `Order` from the same bytes, skipping the `$` keys;
//! - `plain_struct`: the plain `Order` from the document with the `$` keys removed beforehand
//!   (fewer bytes: the metadata is about half of a typical document);
//! - `flatten_wrapper`: the common `#[serde(flatten)]` wrapper, for comparison.

use appwrite_orm::{AttributeEnum, Collection, Document};
use chrono::{DateTime, Utc};
use divan::{black_box, Bencher};
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum OrderStatus {
    Pending,
    Paid,
    Shipped,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "orders")]
struct Order {
    #[collection(size = 64)]
    user_id: String,
    status: OrderStatus,
    total: f64,
    note: Option<String>,
    attempts: u8,
    tags: Vec<String>,
    placed_at: DateTime<Utc>,
    #[collection(format = "email")]
    contact: String,
}

const FULL: &str = r#"{"userId":"6650f1c2a9e3b4d5c6e7","status":"paid","total":149.95,"note":"leave at the door, ring twice","attempts":2,"tags":["express","gift","priority"],"placedAt":"2024-05-01T10:20:30.123+00:00","contact":"buyer@example.com","$id":"6650f1d0e4b2c3a1f9d8","$sequence":48213,"$createdAt":"2024-05-01T10:20:30.456+00:00","$updatedAt":"2024-05-01T11:02:11.789+00:00","$permissions":["read(\"user:6650f1c2a9e3b4d5c6e7\")","update(\"user:6650f1c2a9e3b4d5c6e7\")","delete(\"user:6650f1c2a9e3b4d5c6e7\")"],"$databaseId":"main","$collectionId":"orders"}"#;

fn plain_bytes() -> String {
    let mut value: serde_json::Value = serde_json::from_str(FULL).expect("valid fixture");
    value
        .as_object_mut()
        .expect("object")
        .retain(|key, _| !key.starts_with('$'));
    serde_json::to_string(&value).expect("serializable")
}

fn main() {
    // Both decoders must agree on the user data before their speed means anything.
    let document: Document<Order> = serde_json::from_str(FULL).expect("document decodes");
    let plain: Order = serde_json::from_str(&plain_bytes()).expect("plain decodes");
    assert_eq!(
        serde_json::to_value(document.data()).ok(),
        serde_json::to_value(&plain).ok()
    );
    assert_eq!(Order::_COLLECTION_ID, "orders");
    divan::main();
}

#[divan::bench(sample_count = 2000, sample_size = 64)]
fn plain_struct(bencher: Bencher<'_, '_>) {
    let bytes = plain_bytes();
    bencher.bench(|| serde_json::from_str::<Order>(black_box(&bytes)).expect("decodes"));
}

#[divan::bench(sample_count = 2000, sample_size = 64)]
fn document(bencher: Bencher<'_, '_>) {
    bencher.bench(|| serde_json::from_str::<Document<Order>>(black_box(FULL)).expect("decodes"));
}

#[divan::bench(sample_count = 2000, sample_size = 64)]
fn plain_struct_same_bytes(bencher: Bencher<'_, '_>) {
    bencher.bench(|| serde_json::from_str::<Order>(black_box(FULL)).expect("decodes"));
}

/// What `Document<T>` avoids: the usual `#[serde(flatten)]` wrapper, which buffers every entry.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Flattened {
    #[serde(rename = "$id")]
    id: String,
    #[serde(rename = "$createdAt")]
    created_at: DateTime<Utc>,
    #[serde(rename = "$updatedAt")]
    updated_at: DateTime<Utc>,
    #[serde(rename = "$permissions")]
    permissions: Vec<String>,
    #[serde(rename = "$sequence")]
    sequence: u64,
    #[serde(rename = "$collectionId")]
    collection_id: String,
    #[serde(rename = "$databaseId")]
    database_id: String,
    #[serde(flatten)]
    data: Order,
}

#[divan::bench(sample_count = 2000, sample_size = 64)]
fn flatten_wrapper(bencher: Bencher<'_, '_>) {
    bencher.bench(|| serde_json::from_str::<Flattened>(black_box(FULL)).expect("decodes"));
}
