//! `GET /v1/realtime`: Appwrite's realtime WebSocket, with both subscription protocols
//! (channels in the URL, and `subscribe` / `unsubscribe` messages), permission filtering and
//! the fault hooks tests need.

mod events;
mod filter;
mod url;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use futures_util::SinkExt;
use serde_json::{json, Value};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Caller;
use crate::faults::Faults;
use crate::query::{self, Query};
use crate::store::documents::Change;
use crate::Config;

/// The largest frame a client may send (Appwrite's `setPackageMaxLength(64000)`).
pub(crate) const MAX_INBOUND: usize = 64_000;

/// The realtime side of the server, owned by its state: every committed write's event goes out
/// through it to every socket.
#[derive(Debug)]
pub(crate) struct Hub {
    /// Every document event, in commit order.
    pub(crate) changes: broadcast::Sender<Arc<Event>>,
    /// Fault hooks for the sockets (drop, inject, replay).
    pub(crate) control: broadcast::Sender<Control>,
    /// Open sockets and their message-protocol subscriptions, for tests.
    pub(crate) counts: Counts,
    /// The release whose protocol and event names the sockets speak.
    pub(crate) version: crate::AppwriteVersion,
    /// The most subscriptions one socket may hold ([`Config::realtime_max_subscriptions`]).
    pub(crate) max_subscriptions: usize,
    pub(crate) faults: Arc<Faults>,
}

impl Hub {
    pub(crate) fn new(config: &Config, faults: Arc<Faults>) -> Self {
        Hub {
            changes: broadcast::channel(config.realtime_buffer.max(1)).0,
            control: broadcast::channel(64).0,
            counts: Counts::default(),
            version: config.appwrite_version,
            max_subscriptions: config.realtime_max_subscriptions,
            faults,
        }
    }

    /// Publishes the events of committed writes, in commit order (the caller holds the storage
    /// lock). Nothing is built when no socket listens.
    pub(crate) fn publish(&self, changes: Vec<Change>) {
        if self.changes.receiver_count() == 0 {
            return;
        }
        for change in changes {
            self.faults
                .publish(Event::from_change(change, self.version), |event| {
                    let _ = self.changes.send(event);
                });
        }
    }
}

/// One document event, serialized once for every socket.
#[derive(Debug)]
pub(crate) struct Event {
    /// Roles that may read the document.
    readers: Vec<String>,
    channels: Vec<String>,
    /// The document, for subscription queries.
    document: Value,
    /// `{"type":"event","data":{…` without the closing braces, so that each socket only appends
    /// its own `subscriptions`.
    prefix: String,
}

impl Event {
    /// A `create` event for a document readable by anyone, as a benchmark replays it.
    pub(crate) fn replayed(
        database_id: &str,
        collection_id: &str,
        document: Value,
        version: crate::AppwriteVersion,
    ) -> Self {
        Event::from_change(
            Change {
                action: crate::store::documents::Action::Create,
                database_id: database_id.to_owned(),
                collection_id: collection_id.to_owned(),
                document,
                readers: vec!["any".to_owned()],
                tablesdb: false,
            },
            version,
        )
    }

    /// Builds the event of a committed write.
    pub(crate) fn from_change(change: Change, version: crate::AppwriteVersion) -> Self {
        let doc_id = change.document["$id"].as_str().unwrap_or_default().to_owned();
        let (db, col, action) = (&change.database_id, &change.collection_id, change.action.as_str());
        let events = match change.tablesdb {
            true => events::row_event_names(db, col, &doc_id, action, version),
            false => events::event_names(db, col, &doc_id, action, version),
        };
        let channels = events::channels(db, col, &doc_id, action, version);
        let mut payload = crate::http::Format::realtime(version).shape(change.document);
        if change.tablesdb {
            crate::http::tablesdb::as_row(&mut payload);
        }
        let data = json!({
            "events": events,
            "channels": channels,
            "timestamp": crate::ids::now(),
            "payload": payload,
        });
        let mut prefix = String::from(r#"{"type":"event","data":"#);
        let body = data.to_string();
        // Drop the closing brace of `data`: each socket appends `,"subscriptions":[…]}}`.
        prefix.push_str(&body[..body.len() - 1]);
        Event {
            readers: change.readers,
            channels,
            document: data["payload"].clone(),
            prefix,
        }
    }

    fn frame(&self, subscriptions: &[&str]) -> String {
        let mut frame = self.prefix.clone();
        if !subscriptions.is_empty() {
            frame.push_str(r#","subscriptions":"#);
            frame.push_str(&json!(subscriptions).to_string());
        }
        frame.push_str("}}");
        frame
    }
}

/// Commands the in-process handle sends to every socket.
#[derive(Debug, Clone)]
pub(crate) enum Control {
    /// Drop the connection without a close frame, like a network failure.
    DropAll,
    /// Send this raw text frame, for testing how clients handle malformed input.
    Inject(Arc<str>),
    /// Route these events to every socket as if they had just been written, for client
    /// throughput benchmarks.
    Replay(Arc<Vec<Event>>),
}

/// How many realtime sockets are open and how many subscriptions they hold.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub sockets: std::sync::atomic::AtomicUsize,
    pub subscriptions: std::sync::atomic::AtomicUsize,
    /// Event messages sent to sockets, all sockets together.
    pub events_sent: std::sync::atomic::AtomicU64,
}

struct Subscription {
    id: String,
    channels: Vec<String>,
    queries: Vec<Query>,
}

/// A socket's subscriptions in the order they were made, with an index by id: replacing or
/// removing one is constant-time (a removal moves the last one into its place).
#[derive(Default)]
struct Subscriptions {
    all: Vec<Subscription>,
    index: HashMap<String, usize>,
}

impl Subscriptions {
    fn len(&self) -> usize {
        self.all.len()
    }

    fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    fn insert(&mut self, subscription: Subscription) {
        match self.index.get(&subscription.id) {
            Some(&at) => self.all[at] = subscription,
            None => {
                self.index.insert(subscription.id.clone(), self.all.len());
                self.all.push(subscription);
            }
        }
    }

    /// Removes the subscription; whether there was one.
    fn remove(&mut self, id: &str) -> bool {
        let Some(at) = self.index.remove(id) else {
            return false;
        };
        self.all.swap_remove(at);
        if let Some(moved) = self.all.get(at) {
            self.index.insert(moved.id.clone(), at);
        }
        true
    }
}

struct Connection {
    caller: Caller,
    url_channels: Vec<String>,
    subscriptions: Subscriptions,
    /// Whether `subscribe`/`unsubscribe` messages exist (Appwrite 1.9.5+) or not.
    messages: bool,
    version: crate::AppwriteVersion,
    max_subscriptions: usize,
}

fn error_frame(code: u16, message: &str) -> String {
    json!({"type": "error", "data": {"code": code, "message": message}}).to_string()
}

/// Who a new socket connects as, as the HTTP layer resolved it: the caller and the user object
/// for `connected` (`null` for a guest), or the error frame to close with.
pub(crate) type Admission = Result<(Caller, Value), (u16, String)>;

/// The entries of a `subscribe` message, checked as Appwrite's `SubscribePayload` validator
/// checks them, with its messages.
fn subscribe_entries(data: Option<&Value>) -> Result<&Vec<Value>, &'static str> {
    let items = data.and_then(Value::as_array).ok_or("Payload is not valid.")?;
    for item in items {
        let entry = item
            .as_object()
            .ok_or("Each subscribe payload must be an object.")?;
        if let Some(id) = entry.get("subscriptionId") {
            let valid = id
                .as_str()
                .is_some_and(|id| crate::ids::check_key("subscriptionId", id).is_ok());
            if !valid {
                return Err("subscriptionId is not a valid id.");
            }
        }
        let channels = entry
            .get("channels")
            .ok_or("channels is not present in payload.")?;
        let channels = channels.as_array().ok_or("channels is not a valid array.")?;
        if !channels.iter().all(Value::is_string) {
            return Err("channels must contain only strings.");
        }
        if entry.get("queries").is_some_and(|q| !q.is_array()) {
            return Err("queries is not a valid array.");
        }
    }
    Ok(items)
}

/// Appwrite's channel rewrite (`convertChannels`): `account` stands for the caller's own
/// account, so a signed-in caller also gets `account.<id>`; from 1.9.5 `account.<action>`
/// becomes `account.<id>.<action>` (kept as it is for a guest); any other `account.…` is
/// dropped (nobody subscribes to another user's account). Repeated channels count once.
fn account_channels(channels: Vec<String>, caller: &Caller, version: crate::AppwriteVersion) -> Vec<String> {
    let user = match caller {
        Caller::User { id, .. } => Some(id.as_str()),
        _ => None,
    };
    // A URL may name thousands of channels: the duplicate check is a set, not a scan.
    let mut seen: std::collections::HashSet<String> =
        std::collections::HashSet::with_capacity(channels.len() + 1);
    let mut kept: Vec<String> = Vec::with_capacity(channels.len() + 1);
    let mut appended: Vec<String> = Vec::new();
    for channel in channels {
        if !seen.insert(channel.clone()) {
            continue;
        }
        let action = channel
            .strip_prefix("account.")
            .filter(|a| version.action_channels() && ACTIONS.contains(a));
        match (channel.as_str(), action, user) {
            ("account", _, Some(id)) => {
                appended.push(format!("account.{id}"));
                kept.push(channel);
            }
            (_, Some(action), Some(id)) => appended.push(format!("account.{id}.{action}")),
            (_, Some(_), None) => kept.push(channel),
            (c, None, _) if c.starts_with("account.") => {}
            _ => kept.push(channel),
        }
    }
    for channel in appended {
        if seen.insert(channel.clone()) {
            kept.push(channel);
        }
    }
    kept
}

/// The actions a channel may be suffixed with (Appwrite's `SUPPORTED_ACTIONS`).
const ACTIONS: [&str; 4] = ["create", "update", "upsert", "delete"];

/// What a socket's URL asks for: its channels and every query parameter (1.9 reads a
/// channel's queries from the parameter named after it).
pub(crate) struct UrlRequest {
    pub channels: Vec<String>,
    pub params: Vec<(String, String)>,
}

/// `connected`'s map from slot to subscription id: a list when the slots are 0, 1, 2, … in
/// order, an object otherwise (as PHP encodes an array).
fn slot_map(ids: Vec<(String, String)>) -> Value {
    let listed = ids.iter().enumerate().all(|(i, (k, _))| *k == i.to_string());
    if listed {
        Value::Array(ids.into_iter().map(|(_, id)| Value::String(id)).collect())
    } else {
        Value::Object(ids.into_iter().map(|(k, id)| (k, Value::String(id))).collect())
    }
}

/// Serves one accepted socket until it closes.
pub(crate) async fn serve(hub: Arc<Hub>, mut socket: WebSocket, admission: Admission, url: UrlRequest) {
    let (caller, user) = match admission {
        Ok(admitted) => admitted,
        Err((code, message)) => {
            // Like Appwrite: the error frame, then the TCP connection closes without a close frame.
            let _ = socket
                .send(Message::Text(error_frame(code, &message).into()))
                .await;
            return;
        }
    };
    // Channels in the URL are registered before `connected` is sent: a staged delay of that
    // registration holds `connected` back, and what is published meanwhile never reaches this
    // socket.
    let delay = hub.faults.registration_delay();
    if !url.channels.is_empty() && !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let version = hub.version;
    let names = account_channels(url.channels, &caller, version);
    let mut connection = Connection {
        caller,
        url_channels: Vec::new(),
        subscriptions: Subscriptions::default(),
        messages: !version.url_channels_only(),
        version,
        max_subscriptions: hub.max_subscriptions,
    };
    let connected = if version.subscription_ids() {
        let slots = match url::subscriptions(&names, &url.params) {
            Ok(slots) if slots.len() <= hub.max_subscriptions => slots,
            Ok(_) => return refuse(&mut socket, "Too many subscriptions.").await,
            Err(message) => return refuse(&mut socket, &message).await,
        };
        let mut ids = Vec::with_capacity(slots.len());
        for slot in slots {
            let id = crate::ids::unique();
            ids.push((slot.key, id.clone()));
            connection.subscriptions.insert(Subscription {
                id,
                channels: slot.channels,
                queries: slot.queries,
            });
        }
        json!({"type": "connected", "data": {"channels": names, "subscriptions": slot_map(ids), "user": user}})
    } else {
        connection.url_channels = names;
        json!({"type": "connected", "data": {"channels": connection.url_channels, "user": user}})
    };
    let mut events = hub.changes.subscribe();
    let mut control = hub.control.subscribe();
    if socket
        .send(Message::Text(connected.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let counts = &hub.counts;
    counts.sockets.fetch_add(1, Ordering::Relaxed);
    counts
        .subscriptions
        .fetch_add(connection.subscriptions.len(), Ordering::Relaxed);
    serve_frames(&mut socket, &mut connection, &mut events, &mut control, &hub).await;
    counts.sockets.fetch_sub(1, Ordering::Relaxed);
    counts
        .subscriptions
        .fetch_sub(connection.subscriptions.len(), Ordering::Relaxed);
}

/// Refuses a socket as Appwrite's policy violation does: the error frame, then the connection
/// closes without a close frame.
async fn refuse(socket: &mut WebSocket, message: &str) {
    let _ = socket
        .send(Message::Text(error_frame(1008, message).into()))
        .await;
}

type Delayed = std::collections::VecDeque<(tokio::time::Instant, String)>;

async fn serve_frames(
    socket: &mut WebSocket,
    connection: &mut Connection,
    events: &mut tokio::sync::broadcast::Receiver<Arc<Event>>,
    control: &mut tokio::sync::broadcast::Receiver<Control>,
    hub: &Hub,
) {
    let counts = &hub.counts;
    // `subscribe` messages whose registration a fault hook delays, with when to register them.
    let mut delayed = Delayed::new();
    loop {
        let next_delayed = delayed.front().map(|(at, _)| *at);
        let text = tokio::select! {
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text.to_string(),
                    Some(Ok(Message::Binary(bytes))) => String::from_utf8_lossy(&bytes).into_owned(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                };
                let delay = hub.faults.registration_delay();
                if !delay.is_zero() && text.contains(r#""subscribe""#) {
                    delayed.push_back((tokio::time::Instant::now() + delay, text));
                    continue;
                }
                text
            }
            () = tokio::time::sleep_until(next_delayed.unwrap_or_else(tokio::time::Instant::now)), if next_delayed.is_some() => {
                match delayed.pop_front() {
                    Some((_, text)) => text,
                    None => continue,
                }
            }
            event = events.recv() => {
                match event {
                    Ok(event) => {
                        if let Some(frame) = connection.frame_for(&event) {
                            if socket.send(Message::Text(frame.into())).await.is_err() {
                                return;
                            }
                            hub.counts.events_sent.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    // This socket fell too far behind: close it, as a real server drops a client
                    // that cannot keep up, rather than stall writers or other sockets.
                    Err(RecvError::Lagged(_)) => {
                        let _ = socket.send(Message::Text(error_frame(1013, "Too many pending events: the client is too slow.").into())).await;
                        return;
                    }
                    Err(RecvError::Closed) => return,
                }
                continue;
            }
            command = control.recv() => {
                match command {
                    Ok(Control::DropAll) | Err(RecvError::Closed) => return,
                    Ok(Control::Inject(text)) => {
                        if socket.send(Message::Text(text.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                    Ok(Control::Replay(events)) => {
                        for event in events.iter() {
                            if let Some(frame) = connection.frame_for(event) {
                                if socket.feed(Message::Text(frame.into())).await.is_err() {
                                    return;
                                }
                                hub.counts.events_sent.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        if socket.flush().await.is_err() {
                            return;
                        }
                    }
                    Err(RecvError::Lagged(_)) => {}
                }
                continue;
            }
        };
        let before = connection.subscriptions.len();
        let (reply, close) = connection.handle(&text);
        let after = connection.subscriptions.len();
        if after >= before {
            counts.subscriptions.fetch_add(after - before, Ordering::Relaxed);
        } else {
            counts.subscriptions.fetch_sub(before - after, Ordering::Relaxed);
        }
        if let Some(reply) = reply {
            if socket.send(Message::Text(reply.into())).await.is_err() {
                return;
            }
        }
        if close {
            return;
        }
    }
}

impl Connection {
    /// Handles one client frame: the reply to send, and whether to close afterwards.
    fn handle(&mut self, text: &str) -> (Option<String>, bool) {
        if text.len() > MAX_INBOUND {
            return (Some(error_frame(1009, "Message is too big.")), true);
        }
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            return (Some(error_frame(1003, "Message format is not valid.")), false);
        };
        let (Some(kind), data) = (message.get("type").and_then(Value::as_str), message.get("data")) else {
            return (Some(error_frame(1003, "Message format is not valid.")), false);
        };
        match kind {
            "ping" => (Some(json!({"type": "pong"}).to_string()), false),
            "subscribe" if self.messages => (Some(self.subscribe(data)), false),
            "unsubscribe" if self.messages => (Some(self.unsubscribe(data)), false),
            "authentication" => match data.and_then(|d| d.get("session")) {
                // 1.9.5's message dispatcher names the missing parameter.
                None if self.version.action_channels() => (
                    Some(error_frame(1003, "Payload is not valid. Session is required")),
                    false,
                ),
                None => (Some(error_frame(1003, "Payload is not valid.")), false),
                // The emulator has no sessions: JWTs authenticate at the handshake.
                Some(_) => (Some(error_frame(1003, "Session is not valid.")), false),
            },
            _ => (Some(error_frame(1003, "Message type is not valid.")), false),
        }
    }

    /// `subscribe` (Appwrite 1.9.5+): every entry is checked before any is applied; an entry
    /// without `subscriptionId` gets a new one, one with a known id replaces that subscription.
    fn subscribe(&mut self, data: Option<&Value>) -> String {
        let items = match subscribe_entries(data) {
            Ok(items) => items,
            Err(message) => return error_frame(1003, message),
        };
        let mut parsed = Vec::with_capacity(items.len());
        let mut echoed = Vec::with_capacity(items.len());
        for item in items {
            let id = item
                .get("subscriptionId")
                .and_then(Value::as_str)
                .map_or_else(crate::ids::unique, str::to_owned);
            let channels: Vec<String> = item["channels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect();
            let texts: Vec<&Value> = item
                .get("queries")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            let mut queries = Vec::with_capacity(texts.len());
            for text in &texts {
                let parsed_query = match text {
                    Value::String(s) => query::parse(s).map_err(|e| e.message),
                    _ => Err("Invalid query: Syntax error".to_owned()),
                };
                let checked = parsed_query.and_then(|q| {
                    filter::check(&q)
                        .map(|()| q)
                        .map_err(|why| format!("Invalid query: {why}"))
                });
                match checked {
                    Ok(q) => queries.push(q),
                    Err(message) => return error_frame(1003, &message),
                }
            }
            let channels = account_channels(channels, &self.caller, self.version);
            echoed.push(json!({"subscriptionId": id, "channels": channels, "queries": texts}));
            parsed.push(Subscription {
                id,
                channels,
                queries,
            });
        }
        let mut ids: Vec<&str> = parsed.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let new = ids.iter().filter(|id| !self.subscriptions.contains(id)).count();
        let max = self.max_subscriptions;
        if self.subscriptions.len() + new > max {
            return error_frame(
                1008,
                &format!("Too many subscriptions: a connection may hold at most {max}."),
            );
        }
        for subscription in parsed {
            self.subscriptions.insert(subscription);
        }
        json!({"type": "response", "data": {"to": "subscribe", "success": true, "subscriptions": echoed}})
            .to_string()
    }

    /// `unsubscribe`: checked whole first, then each id removed; the answer says which were held.
    fn unsubscribe(&mut self, data: Option<&Value>) -> String {
        let Some(items) = data.and_then(Value::as_array) else {
            return error_frame(1003, "Payload is not valid.");
        };
        let ids: Option<Vec<&str>> = items
            .iter()
            .map(|item| {
                item.get("subscriptionId")
                    .and_then(Value::as_str)
                    .filter(|id| !id.is_empty())
            })
            .collect();
        let Some(ids) = ids else {
            return error_frame(
                1003,
                "Each unsubscribe payload must include a non-empty subscriptionId.",
            );
        };
        let results: Vec<Value> = ids
            .into_iter()
            .map(|id| json!({"subscriptionId": id, "removed": self.subscriptions.remove(id)}))
            .collect();
        json!({"type": "response", "data": {"to": "unsubscribe", "success": true, "subscriptions": results}})
            .to_string()
    }

    /// The frame this socket gets for `event`, if any: one per event, at most.
    fn frame_for(&self, event: &Event) -> Option<String> {
        let roles = self.caller.roles();
        let readable = event.readers.iter().any(|r| r == "any" || roles.contains(r));
        if !readable {
            return None;
        }
        let subscribed = |channels: &[String]| channels.iter().any(|c| event.channels.contains(c));
        let matched: Vec<&str> = self
            .subscriptions
            .all
            .iter()
            .filter(|s| subscribed(&s.channels) && filter::matches_all(&s.queries, &event.document))
            .map(|s| s.id.as_str())
            .collect();
        if matched.is_empty() && !subscribed(&self.url_channels) {
            return None;
        }
        Some(event.frame(&matched))
    }
}
