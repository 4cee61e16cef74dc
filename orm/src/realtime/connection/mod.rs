//! The connection task: one WebSocket per [`Orm`](crate::Orm), owned by one [`ConnectionHandler`]. Handles
//! talk to it over a command channel; it routes each event to the subscriptions the server says
//! it matched, without decoding the document.
//!
//! It notices a dead connection three ways: the socket ends, a send does not complete, or no
//! frame at all (pongs included) arrives within the read deadline — the last is the only sign
//! of a half-open connection, one a NAT or load balancer stopped forwarding without a word.

mod dial;
mod overlap;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use self::dial::{DialError, Socket};
use self::overlap::{Dedupe, Held, MAX_OVERLAP, OVERLAP};
use super::identity::ServiceIdentity;
use super::protocol::{self, Frame, RawEvent, Subscribe};
use super::{ConnectionState, RealtimeOptions};
use crate::transport::Transport;

/// What the connection task hands a subscription.
#[derive(Debug)]
pub(crate) enum Raw {
    Event(Arc<RawEvent>),
    /// The server holds the subscription again after a disconnection: whatever happened
    /// meanwhile was not seen, and a catch-up query now covers all of it.
    Reconnected,
    // Rare variants behind one shared pointer, so that a queue slot stays two words.
    Malformed(Arc<String>),
    ServerError(Arc<(i64, String)>),
    /// The server connected a socket as someone other than the service identity (expected,
    /// connected as); that socket was closed.
    WrongUser(Arc<(String, Option<String>)>),
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
    Subscribe { id: u64, entry: Entry },
    Unsubscribe { id: u64 },
    Shutdown,
}

pub(crate) struct Entry {
    channels: Vec<String>,
    queries: Vec<String>,
    sink: Sink,
    /// The connection dropped since the server last held this subscription: once it holds it
    /// again, the subscriber must catch up.
    resync: bool,
}

impl Entry {
    fn tell(&self, raw: Raw) {
        if self.sink.tx.try_send(raw).is_err() {
            self.sink.missed.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// The server holds the subscription (again).
    fn registered(&mut self) {
        self.sink.ready.set();
        if std::mem::take(&mut self.resync) {
            self.tell(Raw::Reconnected);
        }
    }
}

/// The handle side: cheap to clone, shared by every listener of one [`Orm`](crate::Orm).
#[derive(Clone, Debug)]
pub(crate) struct Realtime {
    transport: Arc<Transport>,
    options: Arc<RealtimeOptions>,
    commands: mpsc::UnboundedSender<Command>,
    state: watch::Receiver<ConnectionState>,
    next_id: Arc<AtomicU64>,
    capacity: usize,
}

impl Realtime {
    pub(crate) fn start(
        transport: Arc<Transport>,
        identity: Option<ServiceIdentity>,
        options: RealtimeOptions,
    ) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        let (state_tx, state) = watch::channel(ConnectionState::Connecting);
        let capacity = options.subscription_capacity;
        let shared_options = Arc::new(options.clone());
        let handler = ConnectionHandler {
            transport: Arc::clone(&transport),
            identity,
            identity_ensured: false,
            options,
            commands: receiver,
            state: state_tx,
            subscriptions: HashMap::new(),
            protocol: Protocol::Messages,
            attempt: 0,
            dedupe: Dedupe::default(),
            previous: None,
        };
        tokio::spawn(handler.run());
        Realtime {
            transport,
            options: shared_options,
            commands,
            state,
            next_id: Arc::new(AtomicU64::new(1)),
            capacity,
        }
    }

    /// The REST transport, for catch-up queries.
    pub(crate) fn transport(&self) -> &Arc<Transport> {
        &self.transport
    }

    pub(crate) fn options(&self) -> &Arc<RealtimeOptions> {
        &self.options
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
        let entry = Entry {
            channels,
            queries,
            sink,
            resync: false,
        };
        // A closed task means the Orm shut down; the receiver then simply ends.
        let _ = self.commands.send(Command::Subscribe { id, entry });
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

/// How subscriptions reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// `subscribe` / `unsubscribe` messages on one socket (Appwrite 1.9 and later).
    Messages,
    /// Channels in the URL (Appwrite 1.6–1.8): a new channel set needs a new socket.
    UrlChannels,
}

/// Why [`ConnectionHandler::serve`] stopped serving a socket.
enum Exit {
    Disconnected,
    /// The server refused `subscribe` messages: it is Appwrite 1.6–1.8.
    OnlyUrlChannels,
    /// URL-channel protocol: the channel set changed, so a new socket is needed.
    ChannelsChanged,
    /// No subscription for `idle_close`: the socket is closed until the next one.
    Idle,
    Shutdown,
}

/// The socket in use, and the one it replaces while they overlap.
struct Link {
    socket: Socket,
    previous: Option<Socket>,
    channels: Vec<String>,
    /// The ids of each `subscribe` message sent and not yet answered, oldest first: the server
    /// answers a socket's messages in order.
    awaiting: VecDeque<Vec<u64>>,
    held: Held,
    /// A channel change during an overlap waits for it to end: a third socket would leave the
    /// first one unread.
    change_pending: bool,
}

/// The connection task's state, in the shape of async-nats's `ConnectionHandler`: one owner of
/// the socket, with connect, resubscribe, command and frame handling as its methods.
struct ConnectionHandler {
    transport: Arc<Transport>,
    identity: Option<ServiceIdentity>,
    identity_ensured: bool,
    options: RealtimeOptions,
    commands: mpsc::UnboundedReceiver<Command>,
    state: watch::Sender<ConnectionState>,
    subscriptions: HashMap<u64, Entry>,
    protocol: Protocol,
    /// Failed attempts since the last connection.
    attempt: u32,
    dedupe: Dedupe,
    /// A socket being replaced (URL-channel protocol): still read for a moment, so nothing sent
    /// to it is lost.
    previous: Option<Socket>,
}

impl ConnectionHandler {
    async fn run(mut self) {
        loop {
            let channels = match self.protocol {
                Protocol::UrlChannels => self.channel_set(),
                Protocol::Messages => Vec::new(),
            };
            if self.subscriptions.is_empty() || channels.is_empty() && self.protocol == Protocol::UrlChannels
            {
                // No socket without a subscription: it would only count against the project's
                // connections (and an old server refuses a socket without channels).
                if let Some(mut old) = self.previous.take() {
                    tracing::debug!("no subscription left: closing the realtime socket");
                    let _ = old.close(None).await;
                    let _ = self.state.send(ConnectionState::Idle);
                }
                let command = self.commands.recv().await;
                if !self.handle_offline(command) {
                    break;
                }
                continue;
            }
            // Subscriptions made meanwhile belong to this attempt (and hear of its failure).
            while let Ok(command) = self.commands.try_recv() {
                if !self.handle_offline(Some(command)) {
                    let _ = self.state.send(ConnectionState::Closed);
                    return;
                }
            }
            tracing::debug!(attempt = self.attempt, protocol = ?self.protocol, "connecting to Appwrite realtime");
            let socket = match self.connect(&channels).await {
                Ok(socket) => socket,
                Err(err) if self.protocol == Protocol::Messages && err.wants_url_channels() => {
                    tracing::info!("the server takes channels in the URL only; switching protocol");
                    self.protocol = Protocol::UrlChannels;
                    continue;
                }
                Err(err) => {
                    tracing::warn!(%err, attempt = self.attempt + 1, "realtime connection failed");
                    if let DialError::WrongUser {
                        expected,
                        connected_as,
                    } = &err
                    {
                        let raw = Arc::new((expected.clone(), connected_as.clone()));
                        self.tell_all(|| Raw::WrongUser(Arc::clone(&raw)));
                    }
                    if self.previous.take().is_some() {
                        self.lost_connection();
                    }
                    if !self.wait_to_retry().await {
                        break;
                    }
                    continue;
                }
            };
            self.attempt = 0;
            let mut link = Link {
                socket,
                previous: self.previous.take(),
                channels,
                awaiting: VecDeque::new(),
                held: Held::default(),
                change_pending: false,
            };
            let exit = match self.resubscribe(&mut link).await {
                true => self.serve(&mut link).await,
                false => Exit::Disconnected,
            };
            match exit {
                Exit::Disconnected => {
                    self.lost_connection();
                    if !self.wait_to_retry().await {
                        break;
                    }
                }
                Exit::OnlyUrlChannels => {
                    tracing::info!("the server takes channels in the URL only; switching protocol");
                    self.protocol = Protocol::UrlChannels;
                    self.previous = Some(link.socket);
                }
                Exit::ChannelsChanged => self.previous = Some(link.socket),
                // Closed at the top of the loop, as no subscription is left.
                Exit::Idle => self.previous = Some(link.socket),
                Exit::Shutdown => {
                    let _ = link.socket.close(None).await;
                    break;
                }
            }
        }
        let _ = self.state.send(ConnectionState::Closed);
    }

    /// Opens a socket, making sure the service identity exists the first time.
    async fn connect(&mut self, url_channels: &[String]) -> Result<Socket, DialError> {
        if let (Some(identity), false) = (&self.identity, self.identity_ensured) {
            identity
                .ensure(&self.transport)
                .await
                .map_err(DialError::Identity)?;
            self.identity_ensured = true;
        }
        dial::connect(
            &self.transport,
            self.identity.as_ref(),
            &self.options,
            url_channels,
        )
        .await
    }

    /// Marks every subscription for a catch-up once the server holds it again.
    fn lost_connection(&mut self) {
        for entry in self.subscriptions.values_mut() {
            entry.resync = true;
        }
    }

    /// Says at once that the connection is down (so that nothing, the read cache included,
    /// keeps trusting it), then waits before the next attempt, serving commands meanwhile so
    /// that subscribing never blocks; `false` means shut down.
    async fn wait_to_retry(&mut self) -> bool {
        self.attempt += 1;
        let _ = self.state.send(ConnectionState::Reconnecting {
            attempt: self.attempt,
        });
        let delay = crate::backoff::delay(
            self.attempt,
            self.options.reconnect_base,
            self.options.reconnect_max,
        );
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => return true,
                command = self.commands.recv() => {
                    if !self.handle_offline(command) {
                        return false;
                    }
                }
            }
        }
    }

    /// Applies a command while no socket is open; `false` means shut down.
    fn handle_offline(&mut self, command: Option<Command>) -> bool {
        match command {
            Some(Command::Subscribe { id, entry }) => {
                self.subscriptions.insert(id, entry);
                true
            }
            Some(Command::Unsubscribe { id }) => {
                self.subscriptions.remove(&id);
                true
            }
            Some(Command::Shutdown) | None => false,
        }
    }

    /// The union of every subscription's channels, sorted.
    fn channel_set(&self) -> Vec<String> {
        let mut channels: Vec<String> = self
            .subscriptions
            .values()
            .flat_map(|e| e.channels.iter().cloned())
            .collect();
        channels.sort();
        channels.dedup();
        channels
    }

    fn send_limit(&self) -> std::time::Duration {
        self.options.read_deadline()
    }

    /// Registers every subscription on a new socket; `false` if the socket failed meanwhile.
    async fn resubscribe(&mut self, link: &mut Link) -> bool {
        match self.protocol {
            Protocol::Messages => {
                let entries: Vec<Subscribe<'_>> = self
                    .subscriptions
                    .iter()
                    .map(|(id, e)| Subscribe {
                        id: *id,
                        channels: &e.channels,
                        queries: &e.queries,
                    })
                    .collect();
                let messages = protocol::subscribe_messages(&entries);
                let limit = self.send_limit();
                for (message, ids) in messages {
                    if !dial::send(&mut link.socket, message, limit).await {
                        return false;
                    }
                    link.awaiting.push_back(ids);
                }
            }
            Protocol::UrlChannels => {
                // The server registers URL channels when it accepts the socket.
                for entry in self.subscriptions.values_mut() {
                    entry.registered();
                }
            }
        }
        let _ = self.state.send(ConnectionState::Connected);
        tracing::info!(subscriptions = self.subscriptions.len(), protocol = ?self.protocol, "realtime connected");
        true
    }

    async fn serve(&mut self, link: &mut Link) -> Exit {
        let read_deadline = self.options.read_deadline();
        let mut ping = tokio::time::interval(self.options.ping_interval);
        ping.tick().await;
        let silence = tokio::time::sleep(read_deadline);
        tokio::pin!(silence);
        let overlap_ends = tokio::time::sleep(OVERLAP);
        tokio::pin!(overlap_ends);
        let overlap_cap = Instant::now() + MAX_OVERLAP;
        let idle = tokio::time::sleep(self.options.idle_close);
        tokio::pin!(idle);
        let mut idle_armed = false;
        loop {
            // The idle clock runs from the moment the last subscription went away.
            match (self.subscriptions.is_empty(), idle_armed) {
                (true, false) => {
                    idle.as_mut().reset(Instant::now() + self.options.idle_close);
                    idle_armed = true;
                }
                (false, true) => idle_armed = false,
                _ => {}
            }
            let exit = tokio::select! {
                biased;
                command = self.commands.recv() => self.handle_command(link, command).await,
                () = &mut idle, if idle_armed && link.previous.is_none() => Some(Exit::Idle),
                frame = link.socket.next() => {
                    silence.as_mut().reset(Instant::now() + read_deadline);
                    match frame {
                        Some(Ok(Message::Text(text))) => self.handle_frame(link, text).await,
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                            self.end_overlap(link).await;
                            Some(Exit::Disconnected)
                        }
                        Some(Ok(_)) => None,
                    }
                }
                frame = async { link.previous.as_mut()?.next().await }, if link.previous.is_some() => {
                    let caught_up = match frame {
                        Some(Ok(Message::Text(text))) => {
                            let quiet_until = Instant::now() + OVERLAP;
                            overlap_ends.as_mut().reset(quiet_until.min(overlap_cap));
                            let key = Dedupe::key(text.as_str());
                            if self.dedupe.first_time(key) {
                                self.route(protocol::parse(text));
                            }
                            link.held.contains(key)
                        }
                        Some(Ok(_)) => false,
                        // The old socket ended: nothing more can come from it.
                        _ => true,
                    };
                    if caught_up { self.overlap_over(link).await } else { None }
                }
                () = &mut overlap_ends, if link.previous.is_some() => self.overlap_over(link).await,
                _ = ping.tick() => {
                    let sent = dial::send(&mut link.socket, protocol::ping_message(), read_deadline).await;
                    (!sent).then_some(Exit::Disconnected)
                }
                () = &mut silence => {
                    tracing::warn!(?read_deadline, "no frame from the realtime server, not even a pong: the connection is dead");
                    Some(Exit::Disconnected)
                }
            };
            if let Some(exit) = exit {
                return exit;
            }
        }
    }

    async fn handle_command(&mut self, link: &mut Link, command: Option<Command>) -> Option<Exit> {
        let url = self.protocol == Protocol::UrlChannels;
        let limit = self.send_limit();
        match command {
            Some(Command::Subscribe { id, entry }) => {
                if !url {
                    let one = [Subscribe {
                        id,
                        channels: &entry.channels,
                        queries: &entry.queries,
                    }];
                    for (message, ids) in protocol::subscribe_messages(&one) {
                        if !dial::send(&mut link.socket, message, limit).await {
                            self.subscriptions.insert(id, entry);
                            return Some(Exit::Disconnected);
                        }
                        link.awaiting.push_back(ids);
                    }
                }
                self.subscriptions.insert(id, entry);
                if url {
                    if self.channel_set() != link.channels {
                        return self.change_channels(link);
                    }
                    // Its channels are already on this socket's URL.
                    if let Some(entry) = self.subscriptions.get_mut(&id) {
                        entry.registered();
                    }
                }
                None
            }
            Some(Command::Unsubscribe { id }) => {
                self.subscriptions.remove(&id)?;
                if url {
                    if self.channel_set() != link.channels {
                        return self.change_channels(link);
                    }
                    None
                } else if dial::send(&mut link.socket, protocol::unsubscribe_message(id), limit).await {
                    None
                } else {
                    Some(Exit::Disconnected)
                }
            }
            Some(Command::Shutdown) | None => Some(Exit::Shutdown),
        }
    }

    fn change_channels(&self, link: &mut Link) -> Option<Exit> {
        if link.previous.is_none() {
            return Some(Exit::ChannelsChanged);
        }
        link.change_pending = true;
        None
    }

    async fn handle_frame(&mut self, link: &mut Link, text: Utf8Bytes) -> Option<Exit> {
        if link.previous.is_some() {
            link.held.hold(text);
            return None;
        }
        let url = self.protocol == Protocol::UrlChannels;
        if url && !self.dedupe.first_time(Dedupe::key(text.as_str())) {
            return None;
        }
        let frame = protocol::parse(text);
        if matches!(frame, Frame::Response { to_subscribe: true }) {
            for id in link.awaiting.pop_front().unwrap_or_default() {
                if let Some(entry) = self.subscriptions.get_mut(&id) {
                    entry.registered();
                }
            }
            return None;
        }
        if !url
            && matches!(&frame, Frame::Error { code: 1003, message } if message == "Message type is not valid.")
        {
            return Some(Exit::OnlyUrlChannels);
        }
        for id in self.route(frame) {
            self.subscriptions.remove(&id);
            if !url
                && !dial::send(
                    &mut link.socket,
                    protocol::unsubscribe_message(id),
                    self.send_limit(),
                )
                .await
            {
                return Some(Exit::Disconnected);
            }
        }
        None
    }

    /// Closes the replaced socket and delivers what the new one received meanwhile.
    async fn end_overlap(&mut self, link: &mut Link) {
        if let Some(mut old) = link.previous.take() {
            let _ = old.close(None).await;
        }
        let frames: Vec<Utf8Bytes> = link.held.release(&mut self.dedupe).collect();
        for frame in frames {
            self.route(protocol::parse(frame));
        }
    }

    async fn overlap_over(&mut self, link: &mut Link) -> Option<Exit> {
        self.end_overlap(link).await;
        let change = std::mem::take(&mut link.change_pending);
        (change && self.channel_set() != link.channels).then_some(Exit::ChannelsChanged)
    }

    fn tell_all(&self, raw: impl Fn() -> Raw) {
        for entry in self.subscriptions.values() {
            entry.tell(raw());
        }
    }

    /// Delivers a frame; returns the subscriptions whose receiver is gone.
    fn route(&self, frame: Frame) -> Vec<u64> {
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
                    for (id, entry) in &self.subscriptions {
                        if event.on_any_channel(&entry.channels) {
                            deliver(*id, entry, Raw::Event(Arc::clone(&event)));
                        }
                    }
                } else {
                    for id in &event.subscriptions {
                        if let Some(entry) = self.subscriptions.get(id) {
                            deliver(*id, entry, Raw::Event(Arc::clone(&event)));
                        }
                    }
                }
            }
            Frame::Malformed(text) => {
                tracing::warn!(frame = %text, "malformed realtime frame");
                let text = Arc::new(text);
                for (id, entry) in &self.subscriptions {
                    deliver(*id, entry, Raw::Malformed(Arc::clone(&text)));
                }
            }
            Frame::Error { code, message } => {
                tracing::warn!(code, %message, "realtime error frame");
                let error = Arc::new((code, message));
                for (id, entry) in &self.subscriptions {
                    deliver(*id, entry, Raw::ServerError(Arc::clone(&error)));
                }
            }
            Frame::Connected { .. } | Frame::Response { .. } | Frame::Pong => {}
        }
        closed
    }
}
