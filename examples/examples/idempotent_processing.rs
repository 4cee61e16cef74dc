//! Exactly-once effects from at-least-once events. An event can reach a handler more than once:
//! several instances each receive it, a reconnect's catch-up replays recent changes, a retry runs
//! a handler again. Checking "was it done?" and then doing it races; instead the effect itself
//! carries a unique key, and the database refuses the second write.
//!
//! Here each payment credits a ledger entry whose `paymentId` is under a unique index. Two
//! listeners (standing in for two instances) and a full replay all try to credit every payment;
//! each payment is credited once.
//!
//! `cargo run -p examples --example idempotent_processing`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::{Collection, CollectionHandle, Document, ErrorKind, EventKind};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "incoming_payments", rename_all = "camelCase")]
struct Payment {
    #[collection(size = 36)]
    account: String,
    #[collection(min = 0.0)]
    amount: f64,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "ledger", rename_all = "camelCase")]
#[collection(index(key = "one_entry_per_payment", unique, fields(payment_id)))]
struct LedgerEntry {
    #[collection(size = 36)]
    payment_id: String,
    #[collection(size = 36)]
    account: String,
    amount: f64,
}

#[derive(Clone)]
struct Ledger {
    entries: CollectionHandle<LedgerEntry>,
    credited: Arc<AtomicU64>,
    refused: Arc<AtomicU64>,
}

impl Ledger {
    /// Credits a payment once, however often it is called.
    async fn credit(&self, payment: &Document<Payment>, by: &str) -> appwrite_orm::Result<()> {
        let entry = LedgerEntry {
            payment_id: payment.id().to_owned(),
            account: payment.account.clone(),
            amount: payment.amount,
        };
        match self.entries.create(&entry).await {
            Ok(_) => {
                self.credited.fetch_add(1, Ordering::Relaxed);
                println!(
                    "{by}: credited {} with {} for payment {}",
                    payment.account,
                    payment.amount,
                    payment.id()
                );
                Ok(())
            }
            // The unique index refused a second entry for this payment: already applied.
            Err(err) if err.kind() == Some(ErrorKind::DocumentAlreadyExists) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                println!("{by}: payment {} was already credited", payment.id());
                Ok(())
            }
            Err(err) => Err(err),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<Payment>()
        .register::<LedgerEntry>()
        .auto_migrate(true)
        .await?;
    let payments = db.collection::<Payment>();
    let ledger = Ledger {
        entries: db.collection(),
        credited: Arc::default(),
        refused: Arc::default(),
    };

    let mut listeners = Vec::new();
    for name in ["instance-1", "instance-2"] {
        let ledger = ledger.clone();
        let listener = payments.on_documents(move |event| {
            let ledger = ledger.clone();
            async move {
                if event.kind == EventKind::Create {
                    ledger.credit(&event.document, name).await?;
                }
                Ok(())
            }
        });
        listener.ready().await?;
        listeners.push(listener);
    }

    for (account, amount) in [
        ("acc-1", 25.0),
        ("acc-2", 10.5),
        ("acc-1", 4.5),
        ("acc-3", 99.0),
        ("acc-2", 1.0),
    ] {
        payments
            .create(&Payment {
                account: account.to_owned(),
                amount,
            })
            .await?;
    }
    // Both instances try every payment: wait until each has had its go.
    let total = payments.count([]).await?;
    while ledger.credited.load(Ordering::Relaxed) + ledger.refused.load(Ordering::Relaxed) < 2 * total {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A replay, as after a crash: run every payment through again.
    for payment in payments.find([]).await? {
        ledger.credit(&payment, "replay").await?;
    }

    let entries = ledger.entries.find([]).await?;
    println!(
        "{} payments, {} ledger entries, {} duplicate deliveries refused, balance total {}",
        total,
        entries.len(),
        ledger.refused.load(Ordering::Relaxed),
        entries.iter().map(|e| e.amount).sum::<f64>()
    );
    for listener in listeners {
        listener.unsubscribe().await;
    }
    orm.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
