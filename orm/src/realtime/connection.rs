//! The connection task: one WebSocket per [`Orm`], owned by one task. Handles talk to it over a
//! command channel; it routes each event to the subscriptions the server says it matched,
//! without decoding the document.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::identity::ServiceIdentity;
use super::protocol::{self, Frame, RawEvent};
use super::{ConnectionState, RealtimeOptions};
use crate::client::Orm;
use crate::error::{Error, Result};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the connection task hands a subscription.
#[derive(Debug)]
pub(crate) enum Raw {
    Event(Arc<RawEvent>),
    /// The socket came back after a disconnection: whatever happened meanwhile was not seen.
    Reconnected,
    // Rare variants behind one shared pointer, so that a queue slot stays two words.
    Malformed(Arc<String>),
    ServerError(Arc<(i64, String)>),
}

/// The receiving side's state the connection task updates.
pub(crate) struct Sink {
    pub(crate) tx: mpsc::Sender<Raw>,
    /// Events dropped because the queue was full; the subscriber resyncs when it sees > 0.
    pub(crate) missed: Arc<AtomicU64>,
    /// Set once the server has registered the subscription.
    pub(crate) ready: super::ready::Registration,
}

/// What a new subscription receives from [`Realtime::subscribe`].
pub(crate) struct Receiving {
    pub(crate) id: u64,
    pub(crate) rx: mpsc::Receiver<Raw>,
    pub(crate) missed: Arc<AtomicU64>,
    pub(crate) ready: super::ready::Ready,
}

pub(crate) enum Command {
    Subscribe {
        id: u64,
        channels: Vec<String>,
        queries: Vec<String>,
        sink: Sink,
    },
    Unsubscribe {
        id: u64,
    },
    Shutdown,
}

struct Entry {
    channels: Vec<String>,
    queries: Vec<String>,
    sink: Sink,
}

/// The handle side: cheap to clone, shared by every listener of one [`Orm`].
#[derive(Clone, Debug)]
pub(crate) struct Realtime {
    commands: mpsc::UnboundedSender<Command>,
    state: watch::Receiver<ConnectionState>,
    next_id: Arc<AtomicU64>,
    capacity: usize,
}

impl Realtime {
    pub(crate) fn start(orm: Orm, identity: Option<ServiceIdentity>, options: RealtimeOptions) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        let (state_tx, state) = watch::channel(ConnectionState::Connecting);
        let capacity = options.subscription_capacity;
        tokio::spawn(run(orm, identity, options, receiver, state_tx));
        Realtime {
            commands,
            state,
            next_id: Arc::new(AtomicU64::new(1)),
            capacity,
        }
    }

    pub(crate) fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    pub(crate) fn subscribe(&self, channels: Vec<String>, queries: Vec<String>) -> Receiving {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(self.capacity);
        let missed = Arc::new(AtomicU64::new(0));
        let (ready_tx, ready) = super::ready::pair();
        let sink = Sink {
            tx,
            missed: Arc::clone(&missed),
            ready: ready_tx,
        };
        // A closed task means the Orm shut down; the receiver then simply ends.
        let _ = self.commands.send(Command::Subscribe {
            id,
            channels,
            queries,
            sink,
        });
        Receiving {
            id,
            rx,
            missed,
            ready,
        }
    }

    pub(crate) fn unsubscribe(&self, id: u64) {
        let _ = self.commands.send(Command::Unsubscribe { id });
    }

    pub(crate) fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown);
    }
}

fn realtime_url(orm: &Orm, channels: &[String]) -> String {
    let endpoint = orm
        .endpoint()
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("project", orm.project());
    for channel in channels {
        query.append_pair("channels[]", channel);
    }
    format!("{endpoint}/realtime?{}", query.finish())
}

async fn connect(
    orm: &Orm,
    identity: Option<&ServiceIdentity>,
    ensured: &mut bool,
    url_channels: &[String],
) -> Result<Socket> {
    let mut request = realtime_url(orm, url_channels)
        .into_client_request()
        .map_err(|e| Error::Config {
            setting: "endpoint",
            reason: e.to_string(),
        })?;
    if let Some(identity) = identity {
        if !*ensured {
            identity.ensure(orm).await?;
            *ensured = true;
        }
        let jwt = identity.mint(orm).await?;
        let value = jwt.parse().map_err(|_| Error::Config {
            setting: "jwt",
            reason: "not a header value".to_owned(),
        })?;
        request.headers_mut().insert("X-Appwrite-JWT", value);
    }
    // No Nagle: pings and subscribe messages are small and should leave at once.
    let connecting = tokio_tungstenite::connect_async_with_config(request, None, true);
    let (mut socket, _) = tokio::time::timeout(Duration::from_secs(10), connecting)
        .await
        .map_err(|_| Error::Realtime("timed out opening the realtime socket".to_owned()))?
        .map_err(|e| Error::Realtime(format!("cannot open the realtime socket: {e}")))?;
    // The server speaks first: `connected`, or an error frame before closing.
    let first = tokio::time::timeout(Duration::from_secs(10), socket.next()).await;
    match first {
        Ok(Some(Ok(Message::Text(text)))) => match protocol::parse(text.clone()) {
            Frame::Connected => Ok(socket),
            Frame::Error { code, message } => Err(Error::Realtime(format!(
                "refused by the server ({code}): {message}"
            ))),
            _ => Err(Error::Realtime(format!("unexpected first frame: {text}"))),
        },
        _ => Err(Error::Realtime(
            "the realtime socket closed before `connected`".to_owned(),
        )),
    }
}

fn backoff(attempt: u32, options: &RealtimeOptions) -> Duration {
    let exponential = options
        .reconnect_base
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(16)));
    let capped = exponential.min(options.reconnect_max);
    let mut byte = [0u8; 1];
    let _ = getrandom::getrandom(&mut byte);
    // Full jitter on the upper half, so many instances do not reconnect in lockstep.
    capped / 2 + capped.mul_f64(f64::from(byte[0]) / 510.0)
}

// Appwrite refuses frames over 64 000 bytes, so re-subscribing thousands of listeners after a
// reconnect takes several messages.
const MAX_FRAME: usize = 60_000;

/// The `subscribe` messages for `entries`, each with the subscription ids it carries.
fn subscribe_messages(entries: &[(u64, &Entry)]) -> Vec<(Message, Vec<u64>)> {
    let mut messages = Vec::new();
    let mut batch: Vec<serde_json::Value> = Vec::new();
    let mut ids = Vec::new();
    let mut size = 0;
    for (id, entry) in entries {
        let item =
            json!({"subscriptionId": id.to_string(), "channels": entry.channels, "queries": entry.queries});
        let item_size = item.to_string().len() + 1;
        if !batch.is_empty() && size + item_size > MAX_FRAME {
            messages.push((
                json!({"type": "subscribe", "data": std::mem::take(&mut batch)}),
                std::mem::take(&mut ids),
            ));
            size = 0;
        }
        size += item_size;
        batch.push(item);
        ids.push(*id);
    }
    if !batch.is_empty() {
        messages.push((json!({"type": "subscribe", "data": batch}), ids));
    }
    messages
        .into_iter()
        .map(|(m, ids)| (Message::Text(m.to_string().into()), ids))
        .collect()
}

fn unsubscribe_message(id: u64) -> Message {
    Message::Text(
        json!({"type": "unsubscribe", "data": [{"subscriptionId": id.to_string()}]})
            .to_string()
            .into(),
    )
}

enum Exit {
    Disconnected,
    /// The server refused `subscribe` messages: it is Appwrite 1.6–1.8.
    OnlyUrlChannels,
    /// URL-channel protocol: the channel set changed, so a new socket is needed.
    ChannelsChanged,
    Shutdown,
}

/// How subscriptions reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// `subscribe` / `unsubscribe` messages on one socket (Appwrite 1.9 and later).
    Messages,
    /// Channels in the URL (Appwrite 1.6–1.8): a new channel set needs a new socket.
    UrlChannels,
}

/// The union of every subscription's channels, sorted.
fn channel_set(subscriptions: &HashMap<u64, Entry>) -> Vec<String> {
    let mut channels: Vec<String> = subscriptions
        .values()
        .flat_map(|e| e.channels.iter().cloned())
        .collect();
    channels.sort();
    channels.dedup();
    channels
}

async fn run(
    orm: Orm,
    identity: Option<ServiceIdentity>,
    options: RealtimeOptions,
    mut commands: mpsc::UnboundedReceiver<Command>,
    state: watch::Sender<ConnectionState>,
) {
    let mut subscriptions: HashMap<u64, Entry> = HashMap::new();
    let mut attempt = 0u32;
    let mut connected_before = false;
    let mut ensured = false;
    let mut protocol = Protocol::Messages;
    let mut dedupe = Dedupe::default();
    // A socket being replaced: still read for a moment, so nothing sent to it is lost.
    let mut previous: Option<Socket> = None;
    loop {
        let channels = if protocol == Protocol::UrlChannels {
            channel_set(&subscriptions)
        } else {
            Vec::new()
        };
        if protocol == Protocol::UrlChannels && channels.is_empty() {
            // An old server refuses a socket without channels: wait for a subscription.
            if let Some(mut old) = previous.take() {
                let _ = old.close(None).await;
            }
            if !apply_offline(commands.recv().await, &mut subscriptions) {
                let _ = state.send(ConnectionState::Closed);
                return;
            }
            continue;
        }
        let replacing = previous.is_some();
        if !replacing {
            let _ = state.send(if connected_before || attempt > 0 {
                ConnectionState::Reconnecting { attempt }
            } else {
                ConnectionState::Connecting
            });
        }
        tracing::debug!(attempt, ?protocol, "connecting to Appwrite realtime");
        let mut socket = match connect(&orm, identity.as_ref(), &mut ensured, &channels).await {
            Ok(socket) => socket,
            // Appwrite 1.6–1.8 refuses a socket without channels in the URL.
            Err(Error::Realtime(reason))
                if protocol == Protocol::Messages && reason.ends_with("(1008): Missing channels") =>
            {
                tracing::info!("the server takes channels in the URL only; switching protocol");
                protocol = Protocol::UrlChannels;
                continue;
            }
            Err(err) => {
                previous = None;
                attempt += 1;
                let delay = backoff(attempt, &options);
                tracing::warn!(%err, attempt, ?delay, "realtime connection failed");
                // Commands keep being served while waiting, so subscribing never blocks.
                let sleep = tokio::time::sleep(delay);
                tokio::pin!(sleep);
                loop {
                    tokio::select! {
                        () = &mut sleep => break,
                        command = commands.recv() => {
                            if !apply_offline(command, &mut subscriptions) {
                                let _ = state.send(ConnectionState::Closed);
                                return;
                            }
                        }
                    }
                }
                continue;
            }
        };
        attempt = 0;
        let mut awaiting = VecDeque::new();
        if protocol == Protocol::Messages {
            let entries: Vec<(u64, &Entry)> = subscriptions.iter().map(|(id, e)| (*id, e)).collect();
            let mut resubscribed = true;
            for (message, ids) in subscribe_messages(&entries) {
                if socket.send(message).await.is_err() {
                    resubscribed = false;
                    break;
                }
                awaiting.push_back(ids);
            }
            if !resubscribed {
                continue;
            }
        }
        if connected_before && !replacing {
            for entry in subscriptions.values() {
                if entry.sink.tx.try_send(Raw::Reconnected).is_err() {
                    entry.sink.missed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        connected_before = true;
        let _ = state.send(ConnectionState::Connected);
        tracing::info!(
            subscriptions = subscriptions.len(),
            ?protocol,
            "realtime connected"
        );
        if protocol == Protocol::UrlChannels {
            // The server registers URL channels when it accepts the socket.
            for entry in subscriptions.values() {
                entry.sink.ready.set();
            }
        }
        let mut link = Link {
            socket,
            previous: previous.take(),
            protocol,
            channels,
            awaiting: std::mem::take(&mut awaiting),
        };
        match serve(
            &mut link,
            &mut subscriptions,
            &mut commands,
            &options,
            &mut dedupe,
        )
        .await
        {
            Exit::Disconnected => {
                tracing::warn!("realtime disconnected; reconnecting");
                attempt = 1;
                tokio::time::sleep(backoff(attempt, &options)).await;
            }
            Exit::OnlyUrlChannels => {
                tracing::info!("the server takes channels in the URL only; switching protocol");
                protocol = Protocol::UrlChannels;
                previous = Some(link.socket);
            }
            Exit::ChannelsChanged => previous = Some(link.socket),
            Exit::Shutdown => {
                let _ = link.socket.close(None).await;
                let _ = state.send(ConnectionState::Closed);
                return;
            }
        }
    }
}

/// Recently routed frames of URL-channel sockets: while an old and a new socket overlap, the
/// server sends the same event on both.
#[derive(Default)]
struct Dedupe {
    seen: std::collections::HashSet<u64>,
    order: std::collections::VecDeque<u64>,
}

impl Dedupe {
    fn key(frame: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        frame.hash(&mut hasher);
        hasher.finish()
    }

    /// Whether the frame with this [`Dedupe::key`] is new, remembering it.
    fn first_time(&mut self, key: u64) -> bool {
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > 4096 {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// Frames of the new socket held while the old one is still read, with their dedupe keys.
type Held = Vec<(u64, tokio_tungstenite::tungstenite::Utf8Bytes)>;

/// The socket in use, and the one it replaces while they overlap.
struct Link {
    socket: Socket,
    previous: Option<Socket>,
    protocol: Protocol,
    channels: Vec<String>,
    /// The ids of each `subscribe` message sent and not yet answered, oldest first: the server
    /// answers a socket's messages in order.
    awaiting: VecDeque<Vec<u64>>,
}

impl Link {
    fn acknowledged(&mut self, subscriptions: &HashMap<u64, Entry>) {
        for id in self.awaiting.pop_front().unwrap_or_default() {
            if let Some(entry) = subscriptions.get(&id) {
                entry.sink.ready.set();
            }
        }
    }
}

/// A replaced socket is read until it delivers a frame the new socket also has (from then on
/// the new one has everything), or until it has been quiet this long, or at most `MAX_OVERLAP`
/// (the old socket may carry channels the new one dropped, which never overlap).
const OVERLAP: Duration = Duration::from_millis(300);
const MAX_OVERLAP: Duration = Duration::from_secs(3);

// Applies a command while disconnected; `false` means shut down.
fn apply_offline(command: Option<Command>, subscriptions: &mut HashMap<u64, Entry>) -> bool {
    match command {
        Some(Command::Subscribe {
            id,
            channels,
            queries,
            sink,
        }) => {
            subscriptions.insert(
                id,
                Entry {
                    channels,
                    queries,
                    sink,
                },
            );
            true
        }
        Some(Command::Unsubscribe { id }) => {
            subscriptions.remove(&id);
            true
        }
        Some(Command::Shutdown) | None => false,
    }
}

async fn serve(
    link: &mut Link,
    subscriptions: &mut HashMap<u64, Entry>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    options: &RealtimeOptions,
    dedupe: &mut Dedupe,
) -> Exit {
    let mut ping = tokio::time::interval(options.ping_interval);
    ping.tick().await;
    let overlap_ends = tokio::time::sleep(OVERLAP);
    tokio::pin!(overlap_ends);
    let overlap_cap = tokio::time::Instant::now() + MAX_OVERLAP;
    let url = link.protocol == Protocol::UrlChannels;
    // While the old socket is still read, the new one's frames wait: the old socket's are
    // older, so delivering them first keeps commit order, and the duplicates are dropped.
    let mut held: Held = Vec::new();
    let mut held_keys = std::collections::HashSet::new();
    // A channel change during an overlap waits for it to end: a third socket would leave the
    // first one unread.
    let mut change_pending = false;
    loop {
        tokio::select! {
            biased;
            command = commands.recv() => match command {
                Some(Command::Subscribe { id, channels, queries, sink }) => {
                    let entry = Entry { channels, queries, sink };
                    let messages = if url { Vec::new() } else { subscribe_messages(&[(id, &entry)]) };
                    subscriptions.insert(id, entry);
                    for (message, ids) in messages {
                        if link.socket.send(message).await.is_err() {
                            return Exit::Disconnected;
                        }
                        link.awaiting.push_back(ids);
                    }
                    if url && channel_set(subscriptions) != link.channels {
                        if link.previous.is_none() {
                            return Exit::ChannelsChanged;
                        }
                        change_pending = true;
                    } else if url {
                        // Its channels are already on this socket's URL.
                        if let Some(entry) = subscriptions.get(&id) {
                            entry.sink.ready.set();
                        }
                    }
                }
                Some(Command::Unsubscribe { id }) => {
                    if subscriptions.remove(&id).is_some() {
                        if url {
                            if channel_set(subscriptions) != link.channels {
                                if link.previous.is_none() {
                                    return Exit::ChannelsChanged;
                                }
                                change_pending = true;
                            }
                        } else if link.socket.send(unsubscribe_message(id)).await.is_err() {
                            return Exit::Disconnected;
                        }
                    }
                }
                Some(Command::Shutdown) | None => return Exit::Shutdown,
            },
            frame = link.socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if link.previous.is_some() {
                        let key = Dedupe::key(text.as_str());
                        held_keys.insert(key);
                        held.push((key, text));
                        continue;
                    }
                    if url && !dedupe.first_time(Dedupe::key(text.as_str())) {
                        continue;
                    }
                    let frame = protocol::parse(text);
                    if matches!(frame, Frame::Response { to_subscribe: true }) {
                        link.acknowledged(subscriptions);
                        continue;
                    }
                    if !url && matches!(&frame, Frame::Error { code: 1003, message } if message == "Message type is not valid.") {
                        return Exit::OnlyUrlChannels;
                    }
                    let closed = route(frame, subscriptions);
                    for id in closed {
                        subscriptions.remove(&id);
                        if !url && link.socket.send(unsubscribe_message(id)).await.is_err() {
                            return Exit::Disconnected;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    flush(&mut held, dedupe, subscriptions);
                    return Exit::Disconnected;
                }
                Some(Ok(_)) => {}
            },
            frame = async { link.previous.as_mut()?.next().await }, if link.previous.is_some() => {
                let caught_up = match frame {
                    Some(Ok(Message::Text(text))) => {
                        let quiet_until = tokio::time::Instant::now() + OVERLAP;
                        overlap_ends.as_mut().reset(quiet_until.min(overlap_cap));
                        let key = Dedupe::key(text.as_str());
                        let caught_up = held_keys.contains(&key);
                        if dedupe.first_time(key) {
                            route(protocol::parse(text), subscriptions);
                        }
                        caught_up
                    }
                    Some(Ok(_)) => false,
                    // The old socket ended: nothing more can come from it.
                    _ => true,
                };
                if caught_up {
                    end_overlap(link, &mut held, dedupe, subscriptions).await;
                    held_keys.clear();
                    if change_pending && channel_set(subscriptions) != link.channels {
                        return Exit::ChannelsChanged;
                    }
                }
            }
            () = &mut overlap_ends, if link.previous.is_some() => {
                end_overlap(link, &mut held, dedupe, subscriptions).await;
                held_keys.clear();
                if change_pending && channel_set(subscriptions) != link.channels {
                    return Exit::ChannelsChanged;
                }
            }
            _ = ping.tick() => {
                let ping = Message::Text(json!({"type": "ping"}).to_string().into());
                if link.socket.send(ping).await.is_err() {
                    return Exit::Disconnected;
                }
            }
        }
    }
}

// Closes the replaced socket and delivers what the new one received meanwhile.
async fn end_overlap(
    link: &mut Link,
    held: &mut Held,
    dedupe: &mut Dedupe,
    subscriptions: &HashMap<u64, Entry>,
) {
    if let Some(mut old) = link.previous.take() {
        let _ = old.close(None).await;
    }
    flush(held, dedupe, subscriptions);
}

// Delivers the new socket's frames held during an overlap, minus what the old one delivered.
fn flush(held: &mut Held, dedupe: &mut Dedupe, subscriptions: &HashMap<u64, Entry>) {
    for (key, text) in held.drain(..) {
        if dedupe.first_time(key) {
            route(protocol::parse(text), subscriptions);
        }
    }
}

/// Delivers a frame; returns the subscriptions whose receiver is gone.
fn route(frame: Frame, subscriptions: &HashMap<u64, Entry>) -> Vec<u64> {
    let mut closed = Vec::new();
    let mut deliver = |id: u64, entry: &Entry, raw: Raw| {
        // A subscription that fell behind gets nothing until it has resynced.
        if entry.sink.missed.load(Ordering::Acquire) > 0 {
            entry.sink.missed.fetch_add(1, Ordering::AcqRel);
            return;
        }
        match entry.sink.tx.try_send(raw) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                entry.sink.missed.fetch_add(1, Ordering::AcqRel);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => closed.push(id),
        }
    };
    match frame {
        Frame::Event(event) => {
            if event.subscriptions.is_empty() {
                // A server without subscription ids: route by channel.
                for (id, entry) in subscriptions {
                    if event.on_any_channel(&entry.channels) {
                        deliver(*id, entry, Raw::Event(Arc::clone(&event)));
                    }
                }
            } else {
                for id in &event.subscriptions {
                    if let Some(entry) = subscriptions.get(id) {
                        deliver(*id, entry, Raw::Event(Arc::clone(&event)));
                    }
                }
            }
        }
        Frame::Malformed(text) => {
            tracing::warn!(frame = %text, "malformed realtime frame");
            let text = Arc::new(text);
            for (id, entry) in subscriptions {
                deliver(*id, entry, Raw::Malformed(Arc::clone(&text)));
            }
        }
        Frame::Error { code, message } => {
            tracing::warn!(code, %message, "realtime error frame");
            let error = Arc::new((code, message));
            for (id, entry) in subscriptions {
                deliver(*id, entry, Raw::ServerError(Arc::clone(&error)));
            }
        }
        Frame::Connected | Frame::Response { .. } | Frame::Pong => {}
    }
    closed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resubscribing_thousands_of_listeners_stays_under_the_frame_limit() {
        let (tx, _rx) = mpsc::channel(1);
        let entry = Entry {
            channels: vec!["databases.main.collections.orders.documents.0123456789abcdef0123".to_owned()],
            queries: Vec::new(),
            sink: Sink {
                tx,
                missed: Arc::new(AtomicU64::new(0)),
                ready: super::super::ready::pair().0,
            },
        };
        let entries: Vec<(u64, &Entry)> = (0..10_000).map(|id| (id, &entry)).collect();
        let messages = subscribe_messages(&entries);
        assert!(messages.len() > 1);
        let mut total = 0;
        for (message, ids) in &messages {
            let Message::Text(text) = message else {
                panic!("text")
            };
            assert!(text.len() <= 64_000, "{}", text.len());
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(value["data"].as_array().unwrap().len(), ids.len());
            total += ids.len();
        }
        assert_eq!(total, 10_000);
    }
}
