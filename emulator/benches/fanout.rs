//! Realtime fan-out: 10 000 document events delivered to 1, 100 and 1 000 sockets.
//!
//! `cargo bench -p appwrite-emulator --bench fanout` prints, per socket count, the events
//! delivered per second (all sockets together) and the write → receive latency (p50 / p99),
//! measured from the moment the bulk request carrying the document was sent. Set
//! `FANOUT_EVENTS` and `FANOUT_SOCKETS` (comma-separated) to change the run.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use appwrite_emulator::{Config, Emulator};
use common::Api;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

// The `sent` attribute of a payload, read without parsing the whole frame.
fn sent_micros(frame: &str) -> Option<u64> {
    let start = frame.find("\"sent\":")? + 7;
    let digits: String = frame[start..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

async fn run(sockets: usize, events: usize) {
    let config = Config {
        attribute_delay: Duration::ZERO,
        realtime_buffer: events + 1024,
        ..Config::default()
    };
    let emulator = Emulator::start(config).await.expect("emulator starts");
    let api = Api::of(&emulator);
    let col = api
        .collection(
            json!(["read(\"any\")"]),
            false,
            &[("integer", json!({"key": "sent", "required": true}))],
        )
        .await;
    let epoch = Arc::new(Instant::now());
    let url = format!(
        "{}?project={}",
        emulator.realtime_endpoint(),
        emulator.project_id()
    );

    let mut readers = Vec::with_capacity(sockets);
    for _ in 0..sockets {
        let (mut socket, _) = tokio_tungstenite::connect_async(&url).await.expect("connects");
        socket.next().await; // connected
        let subscribe =
            json!({"type": "subscribe", "data": [{"subscriptionId": "s", "channels": ["documents"]}]});
        socket
            .send(Message::Text(subscribe.to_string().into()))
            .await
            .expect("subscribes");
        socket.next().await; // acknowledgement
        let epoch = Arc::clone(&epoch);
        readers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(events);
            while latencies.len() < events {
                match socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(sent) = sent_micros(&text) {
                            latencies.push(epoch.elapsed().as_micros() as u64 - sent);
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                }
            }
            (latencies, epoch.elapsed())
        }));
    }

    let started = epoch.elapsed();
    let docs = format!("{col}/documents");
    for _ in 0..events / 100 {
        let sent = epoch.elapsed().as_micros() as u64;
        let batch: Vec<Value> = (0..100).map(|_| json!({"sent": sent})).collect();
        let (status, body) = api.post(&docs, json!({"documents": batch})).await;
        assert_eq!(status, 201, "{body}");
    }
    let mut latencies = Vec::with_capacity(sockets * events);
    let mut finished = started;
    for reader in readers {
        let (mut got, done) = reader.await.expect("reader");
        assert_eq!(got.len(), events, "a socket missed events");
        latencies.append(&mut got);
        finished = finished.max(done);
    }
    latencies.sort_unstable();
    let seconds = (finished - started).as_secs_f64();
    let delivered = latencies.len();
    println!(
        "{sockets:>5} sockets: {delivered:>9} events delivered in {seconds:6.2} s = {:>9.0} events/s   latency p50 {:>8.1} ms   p99 {:>8.1} ms",
        delivered as f64 / seconds,
        latencies[delivered / 2] as f64 / 1000.0,
        latencies[(delivered * 99 / 100).min(delivered - 1)] as f64 / 1000.0,
    );
    emulator.shutdown().await;
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::var("FANOUT_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let counts: Vec<usize> = std::env::var("FANOUT_SOCKETS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 100, 1000]);
    for sockets in counts {
        run(sockets, events).await;
    }
}
