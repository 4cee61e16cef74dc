//! Realtime intake: events/s decoded into `Event<Order>` and delivered by a listener, against
//! (a) the floor — a bare tokio-tungstenite read loop decoding the same frames with serde_json
//! into an equivalent typed struct — and (b) Appwrite's official web SDK (`appwrite` 27,
//! `Realtime` service, Node 20 + `ws`), all fed the same frames by the emulator in the same run;
//! plus the memory of 10 000 subscriptions.
//!
//! `cargo bench -p appwrite-orm --bench realtime`. The SDK part needs
//! `npm ci` in `tests/conformance` and is skipped (and says so) without it. `BENCH_EVENTS` sets
//! the number of events (default 100 000).

// The counting allocator below is the one unsafe block of the workspace: a benchmark-only
// wrapper around the system allocator that measures heap bytes exactly.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

struct Counting;

static HEAP: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`; only a counter is updated besides.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        HEAP.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same layout as the caller's, forwarded to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HEAP.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        HEAP.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn heap() -> isize {
    HEAP.load(Ordering::Relaxed)
}

use appwrite_emulator::{Config, Emulator};
use appwrite_orm::{AttributeEnum, Collection, Orm, RealtimeOptions};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio_tungstenite::tungstenite::Message;

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Status {
    Pending,
    Paid,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "orders")]
struct Order {
    #[collection(size = 64)]
    user_id: String,
    status: Status,
    total: f64,
    note: Option<String>,
    tags: Vec<String>,
    placed_at: DateTime<Utc>,
    #[collection(format = "email")]
    contact: String,
}

// The floor's typed view of the same frame.
#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorFrame {
    #[serde(rename = "type")]
    kind: String,
    data: FloorData,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorData {
    events: Vec<String>,
    channels: Vec<String>,
    timestamp: String,
    payload: FloorDocument,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorDocument {
    #[serde(rename = "$id")]
    id: String,
    #[serde(rename = "$createdAt")]
    created_at: String,
    #[serde(rename = "$updatedAt")]
    updated_at: String,
    #[serde(rename = "$permissions")]
    permissions: Vec<String>,
    #[serde(rename = "$collectionId")]
    collection_id: String,
    #[serde(rename = "$databaseId")]
    database_id: String,
    #[serde(rename = "$sequence")]
    sequence: u64,
    #[serde(rename = "userId")]
    user_id: String,
    status: Status,
    total: f64,
    note: Option<String>,
    tags: Vec<String>,
    #[serde(rename = "placedAt")]
    placed_at: DateTime<Utc>,
    contact: String,
}

const CHANNEL: &str = "databases.main.collections.orders.documents";

// The documents the emulator replays as `create` events (it builds the 42 events and 6 channels).
fn documents(count: usize) -> Vec<serde_json::Value> {
    (0..count)
        .map(|n| {
            // Each document written a millisecond after the previous one, as a busy writer would.
            let at = chrono::DateTime::parse_from_rfc3339("2024-05-01T10:20:30.123+00:00").expect("valid")
                + chrono::Duration::milliseconds(n as i64);
            let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
            serde_json::json!({
                "$id": format!("doc{n:016}"), "$sequence": n, "$createdAt": at, "$updatedAt": at,
                "$permissions": ["read(\"user:6650f1c2a9e3b4d5c6e7\")", "update(\"user:6650f1c2a9e3b4d5c6e7\")"],
                "$databaseId": "main", "$collectionId": "orders",
                "userId": "6650f1c2a9e3b4d5c6e7", "status": "paid", "total": 149.95, "note": "leave at the door",
                "tags": ["express", "gift"], "placedAt": "2024-05-01T10:20:30.000+00:00", "contact": "buyer@example.com"
            })
        })
        .collect()
}

async fn wait_for_subscriptions(emulator: &Emulator, count: usize) {
    for _ in 0..3000 {
        if emulator.realtime_subscriptions() == count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server never saw {count} subscriptions");
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let emulator = Emulator::start(Config {
        realtime_buffer: 1024,
        ..Config::default()
    })
    .await
    .expect("emulator");
    let orm = Orm::builder()
        .endpoint(emulator.endpoint())
        .project(emulator.project_id())
        .database("main")
        .api_key(emulator.api_key())
        .realtime(RealtimeOptions::default().subscription_capacity(count + 16))
        .build()
        .expect("settings");
    let db = orm
        .connect()
        .register::<Order>()
        .auto_migrate(true)
        .await
        .expect("migrated");
    let documents = documents(count);
    let replay = |emulator: &Emulator| emulator.replay_realtime_events("main", "orders", documents.clone());

    // (a) the floor and the ORM, alternating over several rounds: on a small machine the
    // emulator's sender shares the CPU, so single runs vary; the medians are reported.
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let (mut floors, mut orms) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        // The floor: a bare socket and serde_json into a typed struct.
        let url = format!(
            "{}?project={}&channels[]={CHANNEL}",
            emulator.realtime_endpoint(),
            emulator.project_id()
        );
        let (mut socket, _) = tokio_tungstenite::connect_async_with_config(&url, None, true)
            .await
            .expect("connects");
        socket.next().await;
        replay(&emulator);
        let mut received = 0;
        let mut started = None;
        while received < count {
            let Some(Ok(Message::Text(text))) = socket.next().await else {
                panic!("floor socket ended")
            };
            started.get_or_insert_with(Instant::now);
            let frame: FloorFrame = serde_json::from_str(&text).expect("typed frame");
            std::hint::black_box(frame.data.payload.total);
            received += 1;
        }
        floors.push(count as f64 / started.expect("started").elapsed().as_secs_f64());
        let _ = socket.close(None).await;

        // The ORM: Event<Order> through the connection task and a typed listener.
        let mut listener = db.collection::<Order>().listen_documents();
        wait_for_subscriptions(&emulator, 1).await;
        replay(&emulator);
        let mut received = 0;
        let mut started = None;
        while received < count {
            let event = listener.next().await.expect("open").expect("decodes");
            started.get_or_insert_with(Instant::now);
            std::hint::black_box(event.document.total);
            received += 1;
        }
        orms.push(count as f64 / started.expect("started").elapsed().as_secs_f64());
        drop(listener);
        wait_for_subscriptions(&emulator, 0).await;
    }
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let ratios: Vec<String> = floors
        .iter()
        .zip(&orms)
        .map(|(f, o)| format!("{:.0}%", o / f * 100.0))
        .collect();
    let (floor, orm_rate) = (median(&mut floors), median(&mut orms));
    println!("{count} events per run, {rounds} rounds (medians)\n");
    println!("floor (tokio-tungstenite + serde_json)  {floor:>10.0} events/s");
    println!(
        "appwrite-orm Event<Order>               {orm_rate:>10.0} events/s   {:.0}% of the floor (per round: {})",
        orm_rate / floor * 100.0,
        ratios.join(", ")
    );

    // (b) the official web SDK in Node, fed the same frames.
    let conformance = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/conformance");
    if std::path::Path::new(conformance)
        .join("node_modules/appwrite")
        .exists()
    {
        let mut child = tokio::process::Command::new("node")
            .current_dir(conformance)
            .args([
                "throughput.mjs",
                &emulator.endpoint(),
                emulator.project_id(),
                CHANNEL,
                &count.to_string(),
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("node starts");
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(
            child.stdout.take().expect("stdout"),
        ));
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("subscribed"));
        wait_for_subscriptions(&emulator, 1).await;
        replay(&emulator);
        let done = lines.next_line().await.unwrap().expect("a result line");
        let seconds: f64 = done
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .expect("seconds");
        let sdk = count as f64 / seconds;
        println!(
            "official web SDK (appwrite 27, Node)    {sdk:>10.0} events/s   appwrite-orm is {:.1}x",
            orm_rate / sdk
        );
        let _ = child.wait().await;
    } else {
        println!("official web SDK: skipped (run `npm ci` in tests/conformance)");
    }

    // Heap per subscription, client side. The emulator shares the process, so its own cost of
    // 10 000 subscriptions (held for a bare socket) is measured first and subtracted.
    let channels: Vec<String> = (0..10_000).map(|n| format!("{CHANNEL}.doc{n:016}")).collect();
    let url = format!(
        "{}?project={}",
        emulator.realtime_endpoint(),
        emulator.project_id()
    );
    let (mut bare, _) = tokio_tungstenite::connect_async_with_config(&url, None, true)
        .await
        .expect("connects");
    bare.next().await;
    let before = heap();
    // Appwrite takes frames of at most 64 000 bytes: 500 subscriptions per message.
    for (chunk_index, chunk) in channels.chunks(500).enumerate() {
        let data: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(i, c)| serde_json::json!({"subscriptionId": (chunk_index * 500 + i).to_string(), "channels": [c]}))
            .collect();
        let message = serde_json::json!({"type": "subscribe", "data": data}).to_string();
        futures_util::SinkExt::send(&mut bare, Message::Text(message.into()))
            .await
            .expect("sent");
    }
    wait_for_subscriptions(&emulator, 10_000).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let server_side = heap() - before;
    let _ = bare.close(None).await;
    drop(bare);
    wait_for_subscriptions(&emulator, 0).await;

    let orm = Orm::builder()
        .endpoint(emulator.endpoint())
        .project(emulator.project_id())
        .database("main")
        .api_key(emulator.api_key())
        .build()
        .expect("settings");
    let orders = orm
        .connect()
        .register::<Order>()
        .await
        .expect("db")
        .collection::<Order>();
    let warm = orders.listen_document("warm-up");
    wait_for_subscriptions(&emulator, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = heap();
    let subscriptions: Vec<_> = (0..10_000)
        .map(|n| orders.listen_document(&format!("doc{n:016}")))
        .collect();
    wait_for_subscriptions(&emulator, 10_001).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let total = heap() - before;
    println!(
        "\n10 000 subscriptions: {:.0} bytes each in appwrite-orm ({:.0} with the emulator's own {:.0})",
        (total - server_side) as f64 / 10_000.0,
        total as f64 / 10_000.0,
        server_side as f64 / 10_000.0
    );
    drop(subscriptions);
    drop(warm);
}
