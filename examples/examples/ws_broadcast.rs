//! A chat-style WebSocket server with rooms: clients join a room and send messages; every
//! message is stored as a document, and the realtime event of that document — not the sender's
//! socket — broadcasts it to the room. Messages written by any other process reach the room too.
//!
//! `cargo run -p examples --example ws_broadcast`, then connect to `ws://127.0.0.1:8080` and send
//! `{"type":"join-room","roomId":"lobby","userId":"ann"}` and `{"type":"send","text":"hi"}`.
//! `EXAMPLE_ADDR` changes the address; Ctrl-C stops it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use appwrite_orm::{Collection, CollectionHandle, EventKind};
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Frame;

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "messages", rename_all = "camelCase")]
#[collection(index(key = "by_room", fields(room_id, sent_at)))]
struct Message {
    #[collection(size = 64)]
    room_id: String,
    #[collection(size = 64)]
    user_id: String,
    #[collection(size = 2000)]
    text: String,
    sent_at: DateTime<Utc>,
}

/// What a client sends.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum Command {
    JoinRoom {
        #[serde(rename = "roomId")]
        room_id: String,
        #[serde(rename = "userId")]
        user_id: String,
    },
    Send {
        text: String,
    },
}

/// Each room's sockets, by connection number. A socket's task owns the socket; the broadcaster
/// only holds the sending half of its queue.
type Rooms = Arc<Mutex<HashMap<String, HashMap<u64, mpsc::Sender<String>>>>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;
    let db = orm.connect().register::<Message>().auto_migrate(true).await?;
    let messages = db.collection::<Message>();
    let rooms: Rooms = Arc::default();

    let mut events = messages.listen_documents();
    events.ready().await?;
    let broadcaster = {
        let rooms = Arc::clone(&rooms);
        tokio::spawn(async move {
            while let Some(item) = events.next().await {
                match item {
                    Ok(event) => broadcast(&rooms, &event.document, event.kind),
                    Err(report) => eprintln!("listener report: {report}"),
                }
            }
        })
    };

    let listener = TcpListener::bind(examples::listen_addr("127.0.0.1:8080")).await?;
    println!("ws_broadcast listening on ws://{}", listener.local_addr()?);
    let mut next_id = 0u64;
    let shutdown = examples::shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                next_id += 1;
                tokio::spawn(serve(stream, next_id, Arc::clone(&rooms), messages.clone()));
            }
            () = &mut shutdown => break,
        }
    }
    broadcaster.abort();
    orm.shutdown(std::time::Duration::from_secs(5)).await;
    println!("ws_broadcast stopped");
    Ok(())
}

fn broadcast(rooms: &Rooms, message: &appwrite_orm::Document<Message>, kind: EventKind) {
    let frame = serde_json::json!({
        "type": "message-update",
        "event": kind.action(),
        "data": {"id": message.id(), "roomId": message.room_id, "userId": message.user_id,
                 "text": message.text, "sentAt": message.sent_at},
    })
    .to_string();
    let mut rooms = rooms.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(sockets) = rooms.get_mut(&message.room_id) {
        // A client whose queue is full is too slow to follow the room: it leaves the room
        // rather than hold everyone else up.
        sockets.retain(|_, queue| queue.try_send(frame.clone()).is_ok());
    }
}

async fn serve(stream: TcpStream, id: u64, rooms: Rooms, messages: CollectionHandle<Message>) {
    let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut incoming) = socket.split();
    let (queue, mut outgoing) = mpsc::channel::<String>(256);
    let mut joined: Option<(String, String)> = None;
    loop {
        tokio::select! {
            frame = incoming.next() => {
                let text = match frame {
                    Some(Ok(Frame::Text(text))) => text,
                    Some(Ok(Frame::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                let reply = match serde_json::from_str::<Command>(&text) {
                    Ok(Command::JoinRoom { room_id, user_id }) => {
                        leave(&rooms, joined.as_ref().map(|(room, _)| room.as_str()), id);
                        rooms.lock().unwrap_or_else(|p| p.into_inner())
                            .entry(room_id.clone()).or_default().insert(id, queue.clone());
                        let reply = serde_json::json!({"type": "joined", "roomId": room_id});
                        joined = Some((room_id, user_id));
                        reply
                    }
                    Ok(Command::Send { text }) => match &joined {
                        Some((room_id, user_id)) => {
                            let message = Message {
                                room_id: room_id.clone(),
                                user_id: user_id.clone(),
                                text,
                                sent_at: Utc::now(),
                            };
                            // The broadcast comes from the realtime event, so the sender sees
                            // its own message arrive like everyone else.
                            match messages.create(&message).await {
                                Ok(stored) => serde_json::json!({"type": "sent", "id": stored.id()}),
                                Err(err) => serde_json::json!({"type": "error", "message": err.to_string()}),
                            }
                        }
                        None => serde_json::json!({"type": "error", "message": "join a room first"}),
                    },
                    Err(err) => serde_json::json!({"type": "error", "message": format!("bad command: {err}")}),
                };
                if sink.send(Frame::Text(reply.to_string().into())).await.is_err() {
                    break;
                }
            }
            frame = outgoing.recv() => match frame {
                Some(frame) => {
                    if sink.send(Frame::Text(frame.into())).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
        }
    }
    leave(&rooms, joined.as_ref().map(|(room, _)| room.as_str()), id);
}

fn leave(rooms: &Rooms, room: Option<&str>, id: u64) {
    if let Some(room) = room {
        let mut rooms = rooms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sockets) = rooms.get_mut(room) {
            sockets.remove(&id);
            if sockets.is_empty() {
                rooms.remove(room);
            }
        }
    }
}
