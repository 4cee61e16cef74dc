//! Server-sent events with axum: `GET /notifications/stream/{user_id}` streams that user's new
//! notifications as they are stored, whichever process stores them; `POST /notifications`
//! stores one.
//!
//! `cargo run -p examples --example sse_notifications`, then in two terminals:
//! `curl -N http://127.0.0.1:8081/notifications/stream/ann` and
//! `curl -d '{"userId":"ann","message":"hi"}' -H 'content-type: application/json' http://127.0.0.1:8081/notifications`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::{Collection, CollectionHandle, Event, EventKind};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{self, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{stream, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "notifications", rename_all = "camelCase")]
#[collection(index(key = "by_user", fields(user_id)))]
struct Notification {
    #[collection(size = 64)]
    user_id: String,
    #[collection(size = 1000)]
    message: String,
    #[collection(default = false)]
    read: Option<bool>,
}

#[derive(Clone)]
struct App {
    notifications: CollectionHandle<Notification>,
    /// Every notification event, from the one realtime listener this process holds.
    events: broadcast::Sender<Arc<Event<Notification>>>,
    /// Becomes `true` on shutdown, so open streams end and the server can stop.
    stopping: watch::Receiver<bool>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<Notification>()
        .auto_migrate(true)
        .await?;
    let notifications = db.collection::<Notification>();

    // One subscription for the whole process, fanned out to the streams in memory: a thousand
    // open streams cost a thousand channel receivers, not a thousand subscriptions.
    let (events, _) = broadcast::channel(1024);
    let listener = {
        let events = events.clone();
        notifications.on_documents(move |event| {
            let events = events.clone();
            async move {
                // No open stream is not an error.
                let _ = events.send(event);
            }
        })
    };
    listener.ready().await?;

    let (stop, stopping) = watch::channel(false);
    let app = App {
        notifications,
        events,
        stopping,
    };
    let router = Router::new()
        .route("/notifications", post(create))
        .route("/notifications/stream/{user_id}", get(stream_for))
        .with_state(app);
    let tcp = tokio::net::TcpListener::bind(examples::listen_addr("127.0.0.1:8081")).await?;
    println!("sse_notifications listening on http://{}", tcp.local_addr()?);
    axum::serve(tcp, router)
        .with_graceful_shutdown(async move {
            examples::shutdown_signal().await;
            let _ = stop.send(true);
        })
        .await?;
    listener.unsubscribe().await;
    orm.shutdown(Duration::from_secs(5)).await;
    println!("sse_notifications stopped");
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewNotification {
    user_id: String,
    message: String,
}

async fn create(
    State(app): State<App>,
    Json(input): Json<NewNotification>,
) -> Result<(StatusCode, Json<serde_json::Value>), (StatusCode, String)> {
    let notification = Notification {
        user_id: input.user_id,
        message: input.message,
        read: Some(false),
    };
    match app.notifications.create(&notification).await {
        Ok(stored) => Ok((StatusCode::CREATED, Json(serde_json::json!({"id": stored.id()})))),
        // Appwrite's own message says what was wrong (an id, a size, …).
        Err(err) => Err((StatusCode::BAD_REQUEST, err.to_string())),
    }
}

async fn stream_for(
    State(app): State<App>,
    Path(user_id): Path<String>,
) -> Sse<impl Stream<Item = Result<sse::Event, Infallible>>> {
    let hello = sse::Event::default().event("connected").data(&user_id);
    let mut stopping = app.stopping.clone();
    let updates = stream::unfold(app.events.subscribe(), move |mut events| {
        let user_id = user_id.clone();
        async move {
            loop {
                match events.recv().await {
                    Ok(event) if event.kind == EventKind::Create && event.document.user_id == user_id => {
                        let data = serde_json::json!({
                            "id": event.document.id(),
                            "message": event.document.message,
                            "createdAt": appwrite_orm::datetime::format(&event.document.created_at()),
                        });
                        let item = sse::Event::default()
                            .event("notification")
                            .id(event.document.id())
                            .data(data.to_string());
                        return Some((Ok(item), events));
                    }
                    Ok(_) => continue,
                    // This stream fell behind: say so, so the client can refetch, and go on.
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let item = sse::Event::default().event("lagged").data(missed.to_string());
                        return Some((Ok(item), events));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    let until_shutdown = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    let events = stream::once(async move { Ok(hello) }).chain(updates.take_until(until_shutdown));
    Sse::new(events).keep_alive(KeepAlive::default())
}
