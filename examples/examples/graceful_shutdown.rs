//! Graceful shutdown: on SIGINT (Ctrl-C) or SIGTERM the service stops taking new events, lets
//! the handler in flight finish (up to a deadline), closes the realtime connection and exits 0.
//!
//! Events that arrive after the signal are not lost: the sender is a durable listener, whose
//! checkpoint moves only past emails it has finished, so the next start catches up on whatever
//! came after it before it listens for new work.
//!
//! `cargo run -p examples --example graceful_shutdown` queues three emails and sends them slowly;
//! press Ctrl-C while one is being sent and watch it finish before the process exits.

use std::time::Duration;

use appwrite_orm::{
    AttributeEnum, Collection, CollectionCheckpoints, CollectionHandle, Document, ListenerCheckpoint,
};
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum EmailStatus {
    Queued,
    Sent,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "emails")]
struct Email {
    #[collection(format = "email")]
    to: String,
    #[collection(size = 256)]
    subject: String,
    status: EmailStatus,
}

async fn send(
    emails: &CollectionHandle<Email>,
    email: &Document<Email>,
    takes: Duration,
) -> appwrite_orm::Result<()> {
    println!("started {}", email.id());
    // Sending takes a while: this is the work a shutdown must not cut off.
    tokio::time::sleep(takes).await;
    emails
        .update(email.id(), Email::patch().status(EmailStatus::Sent))
        .await?;
    println!("finished {}", email.id());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let takes = Duration::from_millis(std::env::var("HANDLE_MS").map_or(Ok(1500), |ms| ms.parse())?);
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<Email>()
        .register::<ListenerCheckpoint>()
        .auto_migrate(true)
        .await?;
    let emails = db.collection::<Email>();

    // Sends what is queued, first what a previous run left (its checkpoint says where it
    // stopped). An email's events can come again (its own `sent` update, a catch-up after a
    // restart), so it is sent only if it is still queued when read now.
    let sender = {
        let emails = emails.clone();
        emails
            .clone()
            .on_documents_durable("email-sender", CollectionCheckpoints::new(&orm), move |event| {
                let emails = emails.clone();
                async move {
                    if event.document.status != EmailStatus::Queued {
                        return Ok(());
                    }
                    let current = emails.get(event.document.id()).await?;
                    if let Some(email) = current.filter(|email| email.status == EmailStatus::Queued) {
                        send(&emails, &email, takes).await?;
                    }
                    Ok(())
                }
            })
            .await?
    };
    sender.ready().await?;
    println!("ready; press Ctrl-C to stop");

    if std::env::var_os("APPWRITE_ENDPOINT").is_none() {
        for to in ["ann@example.com", "bob@example.com", "cat@example.com"] {
            let email = Email {
                to: to.to_owned(),
                subject: "Your receipt".to_owned(),
                status: EmailStatus::Queued,
            };
            emails.create(&email).await?;
        }
    }

    examples::shutdown_signal().await;
    println!("signal received: finishing the email in flight");
    // Stops every listener, waits for running handlers, closes the socket.
    let drained = orm.shutdown(Duration::from_secs(10)).await;
    println!("shut down (every handler finished: {drained})");
    let stats = sender.stats();
    println!("sent {} emails in this run", stats.handled());
    if drained {
        Ok(())
    } else {
        Err("a handler did not finish before the deadline".into())
    }
}
