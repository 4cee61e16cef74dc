//! Retries with exponential backoff, and a dead-letter collection for events that fail every
//! attempt — stored in Appwrite, so they survive a restart and can be inspected and replayed.
//!
//! `cargo run -p examples --example resilient_processing` sends three webhooks: one succeeds at
//! once, one succeeds on its third attempt, one never does and ends in `dead_letters`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use appwrite_orm::{
    AttributeEnum, Collection, CollectionHandle, DeadLetter, EventKind, HandlerError, HandlerOptions,
    RetryPolicy,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Delivery {
    Queued,
    Delivered,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "webhooks")]
struct Webhook {
    #[collection(format = "url")]
    target: String,
    #[collection(size = 1024)]
    body: String,
    status: Delivery,
}

/// An event whose handler failed on every attempt.
#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "dead_letters", rename_all = "camelCase")]
struct DeadLetterRecord {
    #[collection(size = 64)]
    collection_id: String,
    #[collection(size = 36)]
    document_id: String,
    #[collection(size = 16)]
    action: String,
    #[collection(size = 1024)]
    error: String,
    attempts: u8,
    failed_at: DateTime<Utc>,
}

/// Stands in for an HTTP call: `flaky` targets fail twice, `down` targets always fail.
#[derive(Default)]
struct FakeNetwork {
    calls: Mutex<HashMap<String, u32>>,
}

impl FakeNetwork {
    fn post(&self, webhook: &Webhook, id: &str) -> Result<(), String> {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let call = calls.entry(id.to_owned()).or_default();
        *call += 1;
        if webhook.target.contains("down") {
            Err(format!("{}: connection refused", webhook.target))
        } else if webhook.target.contains("flaky") && *call < 3 {
            Err(format!(
                "{}: 503 Service Unavailable (call {call})",
                webhook.target
            ))
        } else {
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<Webhook>()
        .register::<DeadLetterRecord>()
        .auto_migrate(true)
        .await?;
    let webhooks = db.collection::<Webhook>();
    let dead_letters: CollectionHandle<DeadLetterRecord> = db.collection();
    let failed = dead_letters.clone();
    let network = Arc::new(FakeNetwork::default());

    let options = HandlerOptions::default()
        // 4 attempts in all: after 50 ms, 100 ms and 200 ms.
        .retry(RetryPolicy::exponential(
            4,
            Duration::from_millis(50),
            Duration::from_secs(2),
        ))
        .dead_letter(move |letter: DeadLetter<Webhook>| {
            let dead_letters = dead_letters.clone();
            async move {
                let record = DeadLetterRecord {
                    collection_id: Webhook::_COLLECTION_ID.to_owned(),
                    document_id: letter.event.document.id().to_owned(),
                    action: letter.event.kind.action().to_owned(),
                    error: letter.error.chars().take(1024).collect(),
                    attempts: u8::try_from(letter.attempts).unwrap_or(u8::MAX),
                    failed_at: Utc::now(),
                };
                match dead_letters.create(&record).await {
                    Ok(stored) => println!("dead-lettered {} as {}", record.document_id, stored.id()),
                    Err(err) => eprintln!("could not store dead letter for {}: {err}", record.document_id),
                }
            }
        });
    let handler = {
        let webhooks = webhooks.clone();
        webhooks.clone().on_documents_with(options, move |event| {
            let (webhooks, network) = (webhooks.clone(), Arc::clone(&network));
            async move {
                if event.kind != EventKind::Create {
                    return Ok(());
                }
                let id = event.document.id();
                network.post(&event.document, id).map_err(HandlerError::msg)?;
                webhooks
                    .update(id, Webhook::patch().status(Delivery::Delivered))
                    .await?;
                println!("delivered {id} to {}", event.document.target);
                Ok(())
            }
        })
    };
    handler.ready().await?;

    for target in [
        "https://shop.example.com/hooks/order",
        "https://flaky.example.com/hooks/order",
        "https://down.example.com/hooks/order",
    ] {
        let webhook = Webhook {
            target: target.to_owned(),
            body: r#"{"order":"A-1001","status":"paid"}"#.to_owned(),
            status: Delivery::Queued,
        };
        webhooks.create(&webhook).await?;
    }

    // Every webhook ends delivered or dead-lettered.
    loop {
        let delivered = webhooks.count([Webhook::STATUS.eq(Delivery::Delivered)]).await?;
        if delivered + failed.count([]).await? == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stats = handler.stats();
    println!(
        "events handled {}, failed attempts {}, dead-lettered {}",
        stats.handled(),
        stats.failed_attempts(),
        stats.dead_lettered()
    );
    handler.unsubscribe().await;
    orm.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
