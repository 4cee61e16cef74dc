//! Typed realtime listeners.
//!
//! Every listener of one [`Orm`](crate::Orm) shares one WebSocket, owned by one connection task
//! that reconnects with backoff, re-subscribes, and routes events by subscription without
//! decoding them. Each listener decodes its own documents into `Event<T>`, catches up after a
//! reconnect or an overflow (documents whose `$updatedAt` moved while it was not listening), and
//! says so explicitly when something could not be recovered ([`ListenError::Gap`]).
//!
//! Appwrite's realtime endpoint takes no API keys: the ORM listens as a [`ServiceIdentity`]
//! (a user it creates, with a label that migration grants read access), minting a fresh JWT
//! through the API key (scope `users.write`) for every connection.
//!
//! # Delivery guarantees
//!
//! What every listener (`listen_documents`, `listen_document`, `listen_collection`,
//! `listen_database`, and the callback listeners built on them) guarantees:
//!
//! - **The final state of every document changed while it listens** is delivered: live, or
//!   recovered by a catch-up query after a reconnect or an overflow ([`Origin::CatchUp`]).
//!   Appwrite keeps no event log, so versions overwritten while disconnected are not recovered;
//!   the catch-up delivers the version it reads.
//! - **No duplicates, and per-document order**: a version of a document is never delivered
//!   twice, nor after a newer version of that document — whether it came live, from a catch-up,
//!   or out of order (Appwrite publishes each write's event after its own commit, so events of
//!   concurrent writes arrive in any order). The last delivered version is remembered per
//!   document for 5 minutes behind the newest live event, up to 100 000 documents (about 100
//!   bytes each); an event later than that is delivered unchecked.
//! - **Deletes** are delivered when their event arrives, and are final for the version they
//!   deleted. A delete that happened while disconnected cannot be queried: it is covered by an
//!   explicit [`ListenError::Gap`] after the catch-up (a single-document listener reports it as
//!   a `Delete` event with the last version it saw).
//! - **A dead connection is detected** within `ping_interval × (dead_after_pings + ½)` — 50 s
//!   with the defaults, see [`RealtimeOptions::dead_after_pings`] — even when the network drops
//!   it silently (half-open: no FIN, no RST). The state leaves [`ConnectionState::Connected`] at
//!   once and the read cache stops trusting itself.
//! - **A catch-up covers the whole window**: it starts once the server holds the subscription
//!   again (its answer to `subscribe`, or the new socket on the URL-channel protocol) and reads
//!   everything changed since 5 s before the newest live event, paged on (`$updatedAt`, `$id`)
//!   values — never on a cursor document that a write could move — one page of 100 at a time,
//!   retrying transient failures with backoff.
//! - **The socket listens as the service identity**: Appwrite connects a socket as a guest,
//!   without an error, when its JWT's session expired or was deleted; such a socket would only
//!   see public events. The ORM checks who `connected` names, closes a socket that is not the
//!   service identity, reports [`ListenError::WrongIdentity`], and connects again with a new
//!   JWT.
//!
//! What is **not** guaranteed: any order between different documents; intermediate versions
//! during a disconnection; telling apart two writes of one document within the same millisecond
//! (they share `$updatedAt`: both are delivered when both events arrive, in arrival order, but
//! if the second event is lost, the catch-up cannot tell its version from the first); an event
//! that Appwrite publishes more than 5 s after its write's `$updatedAt` and that a disconnection
//! loses; anything that changed while the listening process was not running — unless the
//! listener is durable.
//!
//! # Across restarts
//!
//! A durable listener ([`CollectionHandle::on_documents_durable`](crate::CollectionHandle::on_documents_durable))
//! keeps a [`Checkpoint`] in a [`CheckpointStore`] and, at start, catches up on everything
//! changed since it (from 5 s before it, as after a reconnect) before going live. The checkpoint
//! moves only after the handler has finished with an event, so a crash at any moment loses
//! nothing: delivery is **at least once** across restarts, and events handled just before the
//! last checkpoint may come again. Deletes made while no instance ran are reported as a
//! [`ListenError::Gap`]. A `WorkQueue::single_listener` group (feature `redis`) keeps the same kind of checkpoint in Redis for whichever instance listens next.
//!
//! ```
//! use appwrite_orm::{Collection, EventKind, Orm};
//! use futures_util::StreamExt;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Collection, Serialize, Deserialize, Debug)]
//! #[collection(id = "messages")]
//! struct Message { room: String, text: String }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = appwrite_emulator::Emulator::start(Default::default()).await?;
//! # let orm = Orm::builder().endpoint(emulator.endpoint()).project(emulator.project_id())
//! #     .database("main").api_key(emulator.api_key()).build()?;
//! let db = orm.connect().register::<Message>().auto_migrate(true).await?;
//! let messages = db.collection::<Message>();
//!
//! // A stream of typed events…
//! let mut events = messages.listen_documents();
//! // …or a handler per event, with errors and panics captured.
//! let printer = messages.on_documents(|event| async move {
//!     println!("{:?} {}", event.kind, event.document.text);
//! });
//!
//! // Once the server holds the subscription, every later write reaches it.
//! events.ready().await?;
//! messages.create(&Message { room: "lobby".into(), text: "hello".into() }).await?;
//!
//! let event = events.next().await.expect("open")?;
//! assert_eq!(event.kind, EventKind::Create);
//! assert_eq!(event.document.text, "hello");
//!
//! drop(printer);
//! assert!(orm.shutdown(std::time::Duration::from_secs(5)).await);
//! # Ok(())
//! # }
//! ```

mod cache;
mod connection;
mod delivery;
pub(crate) mod durable;
mod handler;
mod identity;
mod listen;
mod listener;
mod outcome;
mod protocol;
#[cfg(feature = "redis")]
mod queue;
pub(crate) mod ready;
mod schema_watch;

pub use cache::{CacheStats, CachedCollection};
pub(crate) use connection::Realtime;
#[cfg(feature = "redis")]
pub use durable::RedisCheckpoints;
pub use durable::{Checkpoint, CheckpointStore, CollectionCheckpoints, ListenerCheckpoint, StoreFuture};
pub(crate) use handler::{drain, spawn as spawn_handler, Delivery, Registry};
pub use handler::{DeadLetter, HandlerOptions, HandlerStats, ListenerHandle, RetryPolicy};
pub use identity::ServiceIdentity;
pub(crate) use listener::Scope;
pub use listener::Subscription;
pub use outcome::{HandlerError, HandlerOutcome};
#[cfg(feature = "redis")]
pub use queue::WorkQueue;
pub use schema_watch::{CollectionEvent, CollectionSubscription, SchemaItem, SchemaStatus};

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::Document;

/// The state of the shared realtime connection. More states may come (`Idle` did): match
/// with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Opening the first connection.
    Connecting,
    /// Connected and subscribed.
    Connected,
    /// The connection dropped; this is the attempt number of the reconnection.
    Reconnecting {
        /// 1 for the first retry.
        attempt: u32,
    },
    /// No listener is subscribed, so no socket is open (see
    /// [`RealtimeOptions::idle_close`]); the next listener opens one.
    Idle,
    /// Shut down for good.
    Closed,
}

/// Settings of the realtime connection.
#[derive(Debug, Clone)]
pub struct RealtimeOptions {
    pub(crate) ping_interval: Duration,
    pub(crate) subscription_capacity: usize,
    pub(crate) reconnect_base: Duration,
    pub(crate) reconnect_max: Duration,
    pub(crate) schema_poll: Duration,
    pub(crate) dead_after_pings: u32,
    pub(crate) idle_close: Duration,
}

impl Default for RealtimeOptions {
    fn default() -> Self {
        RealtimeOptions {
            ping_interval: Duration::from_secs(20),
            subscription_capacity: 1024,
            reconnect_base: Duration::from_millis(250),
            reconnect_max: Duration::from_secs(30),
            schema_poll: Duration::from_secs(15),
            dead_after_pings: 2,
            idle_close: Duration::from_secs(5),
        }
    }
}

impl RealtimeOptions {
    /// How often a ping keeps the connection alive (default 20 s, like Appwrite's SDKs).
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.ping_interval = interval;
        self
    }

    /// How many ping intervals may pass without any frame from the server (a pong included)
    /// before the connection counts as dead and is replaced (default 2, at least 1). This is
    /// what notices a half-open connection — one that a NAT or load balancer stopped forwarding
    /// without closing it — so a dead connection is detected within
    /// `ping_interval × (dead_after_pings + ½)` (50 s by default).
    pub fn dead_after_pings(mut self, pings: u32) -> Self {
        self.dead_after_pings = pings.max(1);
        self
    }

    /// How long the socket stays open once no listener is subscribed (default 5 s); after
    /// that it is closed and the state is [`ConnectionState::Idle`] until the next listener
    /// opens a new one. A service that subscribes in bursts keeps its socket between them; one
    /// that stopped listening — a `WorkQueue` instance that lost the
    /// listening lease, say — stops holding a connection, which Appwrite Cloud counts and caps.
    pub fn idle_close(mut self, after: Duration) -> Self {
        self.idle_close = after;
        self
    }

    /// How long the connection may stay silent before it counts as dead.
    pub(crate) fn read_deadline(&self) -> Duration {
        // A pong needs a moment to come back after the last ping of the window.
        self.ping_interval * self.dead_after_pings + self.ping_interval / 2
    }

    /// How many undelivered events one listener may hold before it is `Lagged` (default 1024).
    pub fn subscription_capacity(mut self, capacity: usize) -> Self {
        self.subscription_capacity = capacity.max(1);
        self
    }

    /// How often collection and database listeners look for schema changes (default 15 s).
    pub fn schema_poll(mut self, every: Duration) -> Self {
        self.schema_poll = every;
        self
    }

    /// The first reconnection delay and the largest one (defaults 250 ms and 30 s); delays
    /// double per attempt, with jitter.
    pub fn reconnect_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.reconnect_base = base;
        self.reconnect_max = max.max(base);
        self
    }
}

/// What happened to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Created.
    Create,
    /// Updated (including increments and bulk updates).
    Update,
    /// Written through an upsert.
    Upsert,
    /// Deleted; the document is as it was.
    Delete,
}

impl EventKind {
    fn from_action(action: &str) -> Option<Self> {
        Some(match action {
            "create" => EventKind::Create,
            "update" => EventKind::Update,
            "upsert" => EventKind::Upsert,
            "delete" => EventKind::Delete,
            _ => return None,
        })
    }

    /// The kind named by Appwrite's event strings: the action of the most specific
    /// `databases.<db>.collections.<col>.documents.<id>.<action>` (or `tables`/`rows`) entry.
    pub fn from_events(events: &[String]) -> Option<Self> {
        events.iter().find_map(|event| Self::from_event(event))
    }

    pub(crate) fn from_event(event: &str) -> Option<Self> {
        let mut parts = event.split('.');
        let mut next = || parts.next();
        match (next(), next(), next(), next(), next(), next(), next(), next()) {
            (
                Some("databases"),
                Some(_),
                Some("collections" | "tables"),
                Some(_),
                Some("documents" | "rows"),
                Some(_),
                Some(action),
                None,
            ) => Self::from_action(action),
            _ => None,
        }
    }

    /// The action as Appwrite names it at the end of an event name: `create`, `update`,
    /// `upsert` or `delete`.
    pub fn action(self) -> &'static str {
        match self {
            EventKind::Create => "create",
            EventKind::Update => "update",
            EventKind::Upsert => "upsert",
            EventKind::Delete => "delete",
        }
    }
}

/// Whether an event arrived over the socket or was recovered afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Sent by the server as it happened.
    Live,
    /// Recovered by querying after a reconnect or an overflow: the document's state at the time
    /// of the query (intermediate versions are not recoverable).
    CatchUp,
}

/// One typed document event.
#[derive(Debug, Clone)]
pub struct Event<T> {
    /// What happened.
    pub kind: EventKind,
    /// The document (for a delete, as it was).
    pub document: Document<T>,
    /// When the server sent it (for catch-up events, the document's `$updatedAt`).
    pub timestamp: DateTime<Utc>,
    /// Live or recovered.
    pub origin: Origin,
    pub(crate) names: Names,
}

/// Where an event's names come from: the frame (shared by every listener it reached, parsed
/// only when asked for) or one name kept on its own — what Appwrite would have sent for a
/// catch-up event, the frame's first name for an event that went through a work queue.
#[derive(Debug, Clone)]
pub(crate) enum Names {
    Frame(std::sync::Arc<protocol::RawEvent>),
    Single(String),
}

impl<T> Event<T> {
    /// Appwrite's event strings (for a catch-up event, the one it would have sent; for an event
    /// from a work queue, the first and most specific one).
    pub fn events(&self) -> Vec<String> {
        match &self.names {
            Names::Frame(raw) => raw.event_names(),
            Names::Single(name) => vec![name.clone()],
        }
    }

    /// The channels it was sent on (empty for catch-up and work-queue events).
    pub fn channels(&self) -> Vec<String> {
        match &self.names {
            Names::Frame(raw) => raw.channel_names(),
            Names::Single(_) => Vec::new(),
        }
    }

    /// Whether the event brought the document into existence: a `Create`, or an `Upsert` that
    /// created it (Appwrite names both halves of an upsert `upsert`; a document it created has
    /// `$updatedAt` equal to `$createdAt`, to the millisecond — an update within the same
    /// millisecond as the creation would count as one too).
    pub fn created_document(&self) -> bool {
        match self.kind {
            EventKind::Create => true,
            EventKind::Upsert => self.document.created_at() == self.document.updated_at(),
            _ => false,
        }
    }
}

/// Why a listener yields an error item; the listener keeps going after every one of them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenError {
    /// The payload does not match the listener's type; `path` names the field.
    #[error("event for document {document_id:?} does not match the type at `{path}`: {source}")]
    Decode {
        /// The document id, when the payload had one.
        document_id: Option<String>,
        /// The field path.
        path: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// The server sent a frame that is not Appwrite's protocol.
    #[error("malformed realtime frame: {frame}")]
    Malformed {
        /// The frame (at most 200 characters of it).
        frame: String,
    },
    /// The server sent an error frame.
    #[error("realtime error {code}: {message}")]
    Server {
        /// Appwrite's realtime error code (1003, 1008, …).
        code: i64,
        /// The message.
        message: String,
    },
    /// The listener fell behind and `missed` events were dropped; a catch-up follows.
    #[error("the listener fell behind and missed {missed} events; catching up")]
    Lagged {
        /// How many events were dropped.
        missed: u64,
    },
    /// Changes since `since` were recovered by querying, but deletions in that window cannot
    /// be: Appwrite keeps no event log.
    #[error("events since {since} were recovered, but deletions in that window cannot be")]
    Gap {
        /// The start of the window.
        since: DateTime<Utc>,
    },
    /// A catch-up query failed. A transient failure (no answer, 5xx, 429) is retried with
    /// backoff and the scan resumes where it stopped; any other ends the catch-up, and a
    /// [`ListenError::Gap`] follows. Live events keep flowing meanwhile.
    #[error("catching up failed: {0}")]
    CatchUp(#[source] crate::Error),
    /// The server connected the realtime socket as someone other than the service identity —
    /// Appwrite does this silently, as a guest, when the JWT's session has expired or was
    /// deleted — so the socket was closed and the connection task reconnects with a new JWT.
    #[error("the realtime server connected us as {}, not as `{expected}`; reconnecting", connected_as.as_deref().unwrap_or("a guest"))]
    WrongIdentity {
        /// The service identity's user id.
        expected: String,
        /// Who the server took the socket for (`None`: a guest).
        connected_as: Option<String>,
    },
    /// A durable listener could not save its checkpoint; the next save carries the position
    /// on, and a restart before it catches up from the last checkpoint saved (events may then
    /// come again, none is lost).
    #[error("listener {listener} could not save its checkpoint: {message}")]
    Checkpoint {
        /// The durable listener's name.
        listener: String,
        /// What the store said.
        message: String,
    },
}
