//! [`WorkQueue`]: each event handled by one live instance (feature `redis`).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use redis::aio::MultiplexedConnection;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::watch;

use super::handler::{Delivery, HandlerOptions, ListenerHandle};
use super::{Event, EventKind, ListenError, Names, Origin};
use crate::document::decode_with_defaults;
use crate::{Collection, CollectionHandle, Document, Error, Result};

mod leader;

/// Each event handled by one live instance: a Redis Streams consumer group shared by every
/// instance of a service (feature `redis`).
///
/// Every instance receives every realtime event over its own socket. With a [`WorkQueue`], each
/// instance *offers* each event to a Redis Stream, which adds it only if no instance has added
/// it yet, so each event is added once as long as one instance is alive to see it. On Redis 8.6
/// and later the stream itself remembers what was added (idempotent `XADD … IDMP`, configured
/// with `XCFGSET`); on older servers a Lua script does (`SET NX` and `XADD` in one atomic step,
/// one key per event, kept for a day). Redis bounds what a stream remembers: a day at most, and
/// 10 000 ids per producer, so the queue spreads its ids over 64 producers and remembers the
/// last 640 000 offers of the past day; beyond that rate the oldest are forgotten sooner, which
/// matters only to an instance that offers such an old event again. Instances then consume the stream as one consumer group
/// (`XREADGROUP`): each entry goes to one of them, is acknowledged and deleted after its handler
/// has finished (or has been given up on), and an entry left unacknowledged by an instance that
/// died is taken over by a live one after [`WorkQueue::claim_idle`] (`XAUTOCLAIM`).
///
/// Delivery is at least once: an instance that dies after its handler's effect but before the
/// acknowledgement leaves the entry to be handled again, so effects should be idempotent (a
/// unique index, a conditional write). What the queue removes is the N-fold handling of plain
/// fan-out and the loss of events when an instance dies.
///
/// ```no_run
/// use appwrite_orm::WorkQueue;
/// # #[derive(appwrite_orm::Collection, serde::Serialize, serde::Deserialize, Clone, Debug)]
/// # #[collection(id = "orders")]
/// # struct Order { total: f64 }
/// # async fn run(orders: appwrite_orm::CollectionHandle<Order>) -> appwrite_orm::Result<()> {
///
/// let redis = redis::Client::open("redis://127.0.0.1:6379").expect("a valid URL");
/// let queue = WorkQueue::new(redis, "billing");
/// // Run in every instance: each order event is charged by exactly one of them.
/// let worker = orders
///     .on_documents_once(&queue, |event| async move {
///         println!("charging {}", event.document.total);
///     })
///     .await?;
/// worker.ready().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WorkQueue {
    client: redis::Client,
    name: String,
    consumer: String,
    claim_idle: Duration,
    remember_offers: Duration,
    /// [`WorkQueue::single_listener`]: the lease of the one instance that listens.
    lease: Option<Duration>,
    /// Whether offers use idempotent `XADD` (Redis 8.6+), found out when the queue is joined.
    idempotent_add: bool,
}

// The client holds the Redis URL, which may carry a password: never print it.
impl fmt::Debug for WorkQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkQueue")
            .field("name", &self.name)
            .field("consumer", &self.consumer)
            .field("claim_idle", &self.claim_idle)
            .finish_non_exhaustive()
    }
}

impl WorkQueue {
    /// The queue `name` (the same in every instance of the service) on this Redis. Its keys
    /// start with `appwrite-orm:{name}:`.
    pub fn new(client: redis::Client, name: &str) -> Self {
        let mut random = [0u8; 4];
        let _ = getrandom::getrandom(&mut random);
        WorkQueue {
            client,
            name: name.to_owned(),
            consumer: format!("{}-{}", std::process::id(), u32::from_le_bytes(random)),
            claim_idle: Duration::from_secs(30),
            remember_offers: Duration::from_secs(24 * 3600),
            lease: None,
            idempotent_add: false,
        }
    }

    /// This instance's consumer name (unique per live instance; by default the process id and a
    /// random number). A restarted instance that reuses its name resumes its own pending entries
    /// at once instead of after [`WorkQueue::claim_idle`].
    pub fn consumer(mut self, name: impl Into<String>) -> Self {
        self.consumer = name.into();
        self
    }

    /// How long an entry may stay unacknowledged before another instance takes it over (30 s by
    /// default). Longer than the slowest handler, or slow handlers get a second run elsewhere.
    pub fn claim_idle(mut self, after: Duration) -> Self {
        self.claim_idle = after.max(Duration::from_millis(1));
        self
    }

    /// How long the queue remembers that an event was offered, so that an instance offering it
    /// again adds nothing (a day by default). Longer than any instance can lag behind another:
    /// an event offered again after this is added, and handled, a second time. On Redis 8.6+
    /// this is the stream's idempotency window, which Redis keeps between 1 s and a day.
    pub fn remember_offers(mut self, for_how_long: Duration) -> Self {
        self.remember_offers = for_how_long.max(Duration::from_secs(1));
        self
    }

    /// One instance of the group holds the realtime subscription and offers the events; the
    /// others only consume. The listening instance is elected by a lease in Redis, renewed every
    /// third of `lease`; when it dies or is cut off, another takes the lease once it expires and
    /// first catches up, from the group's checkpoint in Redis, on what changed meanwhile.
    ///
    /// Without it every instance listens and offers every event (N sockets and N times the
    /// realtime messages for N instances). With it the group holds one realtime connection,
    /// except for a moment during a takeover. Every offer carries the leader's fencing token, so
    /// an instance that lost the lease without knowing it (a long pause, a partition) cannot add
    /// events any more; once it notices, it stops listening, and its socket closes after
    /// [`RealtimeOptions::idle_close`](crate::RealtimeOptions::idle_close) unless the process
    /// listens to something else. Changes made while no instance of the group ran are caught up by the
    /// next leader too; deletions among them are reported as a
    /// [`ListenError::Gap`](crate::ListenError::Gap).
    pub fn single_listener(mut self, lease: Duration) -> Self {
        self.lease = Some(lease.max(Duration::from_millis(30)));
        self
    }

    fn key(&self, collection: &str, part: &str) -> String {
        format!("appwrite-orm:{}:{collection}:{part}", self.name)
    }

    /// This queue as an instance joining it on `redis` uses it: with idempotent adds when the
    /// server takes them, the window of `stream` set for them.
    async fn joined(&self, redis: &mut MultiplexedConnection, stream: &str) -> Result<WorkQueue> {
        let idempotent_add = takes_idempotent_add(redis)
            .await
            .map_err(|e| redis_error("cannot read the Redis server's version", e))?;
        if idempotent_add {
            let seconds = self.remember_offers.as_secs().clamp(1, IDEMPOTENCE_MAX_SECONDS);
            redis::Script::new(CONFIGURE_IDEMPOTENCE)
                .key(stream)
                .arg(seconds)
                .arg(IDEMPOTENCE_MAXSIZE)
                .invoke_async::<i64>(redis)
                .await
                .map_err(|e| redis_error("cannot configure the stream's idempotent adds", e))?;
        }
        Ok(WorkQueue {
            idempotent_add,
            ..self.clone()
        })
    }
}

/// Adds an event to the stream unless some instance already did; Redis runs a script as one
/// step, so no instance can fail between the check and the add. With a leader (ARGV[7] is its
/// lease's value, KEYS[3] the lease), only the instance holding the lease may add.
const OFFER: &str = r"
if ARGV[7] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[7] then
  return redis.error_reply('FENCED this instance does not hold the lease')
end
if ARGV[8] ~= '' then
  return redis.call('XADD', KEYS[2], 'IDMP', ARGV[8], ARGV[9], '*', 'kind', ARGV[2], 'origin', ARGV[3], 'timestamp', ARGV[4], 'event', ARGV[5], 'document', ARGV[6])
end
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', 'kind', ARGV[2], 'origin', ARGV[3], 'timestamp', ARGV[4], 'event', ARGV[5], 'document', ARGV[6])
end
return false
";

/// Sets the stream's idempotency window (`IDMP-DURATION` seconds, `IDMP-MAXSIZE` ids per
/// producer) unless it already has it: `XCFGSET` forgets the ids remembered so far, so instances
/// joining the queue must not call it once the setting is right.
const CONFIGURE_IDEMPOTENCE: &str = r"
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local duration, maxsize
for i = 1, #info, 2 do
  if info[i] == 'idmp-duration' then duration = info[i + 1] end
  if info[i] == 'idmp-maxsize' then maxsize = info[i + 1] end
end
if duration == tonumber(ARGV[1]) and maxsize == tonumber(ARGV[2]) then
  return 0
end
redis.call('XCFGSET', KEYS[1], 'IDMP-DURATION', ARGV[1], 'IDMP-MAXSIZE', ARGV[2])
return 1
";

/// Idempotency ids are remembered per producer, at most [`IDEMPOTENCE_MAXSIZE`] each; the ids
/// are spread over this many producers so that the stream remembers that many times more.
const IDEMPOTENCE_PRODUCERS: u64 = 64;

/// Redis's largest `IDMP-MAXSIZE`.
const IDEMPOTENCE_MAXSIZE: u64 = 10_000;

/// Redis's largest `IDMP-DURATION`, in seconds.
const IDEMPOTENCE_MAX_SECONDS: u64 = 86_400;

/// Whether the server takes `XADD … IDMP` (Redis 8.6 and later).
async fn takes_idempotent_add(redis: &mut MultiplexedConnection) -> redis::RedisResult<bool> {
    let info: String = redis::cmd("INFO").arg("server").query_async(redis).await?;
    let version = info
        .lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .unwrap_or_default()
        .trim();
    let mut parts = version.split('.').map(|part| part.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    Ok((major, minor) >= (8, 6))
}

const GROUP: &str = "workers";

/// The document as Appwrite sends it: the attributes plus the `$` metadata. Serialized from the
/// typed document, so that a live event and a catch-up of the same version give the same text.
fn document_json<T: Serialize>(document: &Document<T>) -> Result<String> {
    let unserializable = |source| Error::Encode {
        what: "the document for the work queue",
        source,
    };
    let mut object = match serde_json::to_value(document.data()).map_err(unserializable)? {
        Value::Object(object) => object,
        _ => Map::new(),
    };
    let meta = document.meta();
    object.insert("$id".into(), meta.id().into());
    object.insert("$collectionId".into(), meta.collection_id().into());
    object.insert("$databaseId".into(), meta.database_id().into());
    object.insert(
        "$createdAt".into(),
        crate::datetime::format(&meta.created_at()).into(),
    );
    object.insert(
        "$updatedAt".into(),
        crate::datetime::format(&meta.updated_at()).into(),
    );
    object.insert("$permissions".into(), meta.raw_permissions().into());
    if let Some(sequence) = meta.sequence() {
        object.insert("$sequence".into(), sequence.into());
    }
    serde_json::to_string(&object).map_err(unserializable)
}

// FNV-1a: stable across processes and compiler versions, unlike the standard library's hasher.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn redis_error(context: &'static str, source: redis::RedisError) -> Error {
    Error::Queue { context, source }
}

impl<T: Collection> CollectionHandle<T> {
    /// Runs `handler` for every document event of the collection, in exactly one of the
    /// instances sharing `queue`; see [`WorkQueue`]. Each instance must call this with the same
    /// queue name; events seen by no live instance (all were down) are still lost.
    pub async fn on_documents_once<F, Fut>(&self, queue: &WorkQueue, handler: F) -> Result<ListenerHandle>
    where
        F: Fn(Arc<Event<T>>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: crate::realtime::HandlerOutcome,
    {
        self.on_documents_once_with(queue, HandlerOptions::default(), handler)
            .await
    }

    /// [`CollectionHandle::on_documents_once`] with a retry policy, a dead-letter sink and a
    /// callback for reports. An entry is acknowledged once its handler succeeded or the event
    /// went to the dead-letter sink.
    pub async fn on_documents_once_with<F, Fut>(
        &self,
        queue: &WorkQueue,
        options: HandlerOptions<T>,
        handler: F,
    ) -> Result<ListenerHandle>
    where
        F: Fn(Arc<Event<T>>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: crate::realtime::HandlerOutcome,
    {
        let stream_key = queue.key(T::_COLLECTION_ID, "stream");
        let mut redis = queue
            .client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| redis_error("cannot connect to Redis", e))?;
        // From the stream's start, so entries added before this group existed are not skipped.
        let created = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&stream_key)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async::<()>(&mut redis)
            .await;
        if let Err(err) = created {
            if err.code() != Some("BUSYGROUP") {
                return Err(redis_error("cannot create the consumer group", err));
            }
        }
        let queue = &queue.joined(&mut redis, &stream_key).await?;
        // Blocking reads get their own connection: on a shared one they would hold up offers.
        let reader = queue
            .client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| redis_error("cannot connect to Redis", e))?;

        let (stop_offers, offers_stopped) = watch::channel(());
        let ready = match queue.lease {
            None => {
                let events = self.listen_documents();
                let ready = events.ready_signal();
                tokio::spawn(offer(events, queue.clone(), redis.clone(), offers_stopped));
                ready
            }
            Some(lease) => {
                let (registration, ready) = super::ready::pair();
                let leader =
                    leader::Leader::new(self.clone(), queue.clone(), lease, redis.clone(), registration);
                tokio::spawn(leader.run(offers_stopped));
                ready
            }
        };
        let consumer = Consumer {
            redis: reader,
            acks: redis,
            stream: stream_key,
            name: queue.consumer.clone(),
            claim_idle: queue.claim_idle,
            collection: T::_COLLECTION_ID,
            defaults: &T::schema().null_as_default,
            _stop_offers: stop_offers,
        };
        let deliveries = stream::unfold(consumer, |mut consumer| async move {
            let item = consumer.next::<T>().await;
            Some((item, consumer))
        });
        Ok(crate::realtime::spawn_handler(
            self.orm().listeners(),
            Box::pin(deliveries),
            ready,
            handler,
            options,
            None,
        ))
    }
}

/// Offers every event this instance receives, until the consumer side is dropped.
async fn offer<T: Collection>(
    mut events: crate::Subscription<T>,
    queue: WorkQueue,
    mut redis: MultiplexedConnection,
    mut stopped: watch::Receiver<()>,
) {
    let script = redis::Script::new(OFFER);
    loop {
        let item = tokio::select! {
            _ = stopped.changed() => return,
            item = events.next() => item,
        };
        match item {
            None => return,
            Some(Ok(event)) => {
                if offer_one(&script, &mut redis, &queue, &event, "", &mut stopped).await == Offered::Stopped
                {
                    return;
                }
            }
            Some(Err(report)) => {
                tracing::warn!(%report, queue = %queue.name, "listener report while offering events");
            }
        }
    }
}

/// How offering one event ended.
#[derive(Debug, PartialEq, Eq)]
enum Offered {
    /// In the stream (now, or already by another instance), or impossible to serialize.
    Done,
    /// Refused: `holder` no longer holds the group's lease.
    Fenced,
    /// The listener stopped while Redis was away.
    Stopped,
}

/// Offers `event` to the stream, retrying while Redis is away; `holder` is the lease value of
/// a leader ([`WorkQueue::single_listener`]), empty without one.
async fn offer_one<T: Collection>(
    script: &redis::Script,
    redis: &mut MultiplexedConnection,
    queue: &WorkQueue,
    event: &Event<T>,
    holder: &str,
    stopped: &mut watch::Receiver<()>,
) -> Offered {
    let document = match document_json(&event.document) {
        Ok(document) => document,
        Err(err) => {
            tracing::error!(%err, "cannot serialize an event for the work queue");
            return Offered::Done;
        }
    };
    let action = event.kind.action();
    let offer_id = format!("{}:{action}:{:016x}", event.document.id(), fingerprint(&document));
    let marker = queue.key(T::_COLLECTION_ID, &format!("offered:{offer_id}"));
    let producer = if queue.idempotent_add {
        format!("p{}", fingerprint(&offer_id) % IDEMPOTENCE_PRODUCERS)
    } else {
        String::new()
    };
    let origin = match event.origin {
        Origin::Live => "live",
        Origin::CatchUp => "catchup",
    };
    let name = event.events().into_iter().next().unwrap_or_default();
    let timestamp = crate::datetime::format(&event.timestamp);
    let remember_ms = u64::try_from(queue.remember_offers.as_millis()).unwrap_or(u64::MAX);
    // Redis being briefly away must not lose the event: retry until it is in, or stopping.
    let mut delay = Duration::from_millis(100);
    loop {
        let offered = script
            .key(&marker)
            .key(queue.key(T::_COLLECTION_ID, "stream"))
            .key(queue.key(T::_COLLECTION_ID, "leader"))
            .arg(remember_ms)
            .arg(action)
            .arg(origin)
            .arg(&timestamp)
            .arg(&name)
            .arg(&document)
            .arg(holder)
            .arg(&producer)
            .arg(&offer_id)
            .invoke_async::<Option<String>>(redis)
            .await;
        match offered {
            Ok(_) => return Offered::Done,
            Err(err) if err.code() == Some("FENCED") => return Offered::Fenced,
            Err(err) => {
                tracing::warn!(%err, ?delay, "cannot offer an event to the work queue; retrying");
                tokio::select! {
                    _ = stopped.changed() => return Offered::Stopped,
                    () = tokio::time::sleep(delay) => {}
                }
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

struct Consumer {
    redis: MultiplexedConnection,
    acks: MultiplexedConnection,
    stream: String,
    name: String,
    claim_idle: Duration,
    collection: &'static str,
    /// Keys whose `null` decodes as serde's default.
    defaults: &'static [String],
    // Dropped with the consumer, which stops this instance's offering too.
    _stop_offers: watch::Sender<()>,
}

impl Consumer {
    /// The next entry for this consumer: one abandoned by a dead consumer first, else a new one.
    async fn next<T: serde::de::DeserializeOwned>(
        &mut self,
    ) -> std::result::Result<Delivery<T>, ListenError> {
        loop {
            match self.read().await {
                Ok(Some(entry)) => return self.delivery(entry),
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(%err, stream = %self.stream, "cannot read the work queue; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }

    async fn read(&mut self) -> redis::RedisResult<Option<StreamId>> {
        let claimed: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(&self.stream)
            .arg(GROUP)
            .arg(&self.name)
            .arg(u64::try_from(self.claim_idle.as_millis()).unwrap_or(u64::MAX))
            .arg("0-0")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut self.redis)
            .await?;
        if let Some(entry) = claimed.claimed.into_iter().next() {
            tracing::info!(entry = %entry.id, consumer = %self.name, "took over an abandoned work-queue entry");
            return Ok(Some(entry));
        }
        let read: Option<StreamReadReply> = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(&self.name)
            // One at a time, so that an idle instance gets the next entry, not a busy one.
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(1000)
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(">")
            .query_async(&mut self.redis)
            .await?;
        Ok(read
            .into_iter()
            .flat_map(|reply| reply.keys)
            .flat_map(|key| key.ids)
            .next())
    }

    fn acknowledge(&self, entry: &str) -> super::handler::BoxFuture {
        let (mut redis, stream, entry) = (self.acks.clone(), self.stream.clone(), entry.to_owned());
        Box::pin(async move {
            // Acknowledged and removed together, so the stream holds only unfinished work.
            let done = redis::pipe()
                .atomic()
                .cmd("XACK")
                .arg(&stream)
                .arg(GROUP)
                .arg(&entry)
                .ignore()
                .cmd("XDEL")
                .arg(&stream)
                .arg(&entry)
                .ignore()
                .query_async::<()>(&mut redis)
                .await;
            if let Err(err) = done {
                // The entry stays pending and is handled again after `claim_idle`.
                tracing::warn!(%err, %entry, "cannot acknowledge a work-queue entry");
            }
        })
    }

    fn delivery<T: serde::de::DeserializeOwned>(
        &self,
        entry: StreamId,
    ) -> std::result::Result<Delivery<T>, ListenError> {
        let field = |name: &str| entry.get::<String>(name).unwrap_or_default();
        let document = field("document");
        let decoded =
            decode_with_defaults::<Document<T>>(document.as_bytes(), self.collection, self.defaults);
        let kind = EventKind::from_action(&field("kind"));
        let (document, kind) = match (decoded, kind) {
            (Ok(document), Some(kind)) => (document, kind),
            (Err(Error::Decode { path, source, .. }), _) => {
                // It can never be handled: acknowledge it rather than let it come back forever.
                tokio::spawn(self.acknowledge(&entry.id));
                let document_id = serde_json::from_str::<Value>(&document)
                    .ok()
                    .and_then(|v| v["$id"].as_str().map(str::to_owned));
                return Err(ListenError::Decode {
                    document_id,
                    path,
                    source,
                });
            }
            _ => {
                tokio::spawn(self.acknowledge(&entry.id));
                return Err(ListenError::Malformed {
                    frame: format!("work-queue entry {} is not an event", entry.id),
                });
            }
        };
        let timestamp = crate::datetime::parse(&field("timestamp")).unwrap_or_else(|_| document.updated_at());
        let origin = match field("origin").as_str() {
            "catchup" => Origin::CatchUp,
            _ => Origin::Live,
        };
        let event = Event {
            kind,
            document,
            timestamp,
            origin,
            names: Names::Single(field("event")),
        };
        Ok(Delivery {
            event,
            then: Some(self.acknowledge(&entry.id)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_fnv1a() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_document_serializes_back_to_appwrite_shape() {
        #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Note {
            text: String,
        }
        let json = r#"{"$id":"n1","$createdAt":"2024-05-01T10:20:30.123+00:00","$updatedAt":"2024-05-01T10:20:31.000+00:00","$permissions":["read(\"any\")"],"$sequence":7,"$collectionId":"notes","$databaseId":"main","text":"hi"}"#;
        let document: Document<Note> = serde_json::from_str(json).unwrap();
        let again = document_json(&document).unwrap();
        let back: Document<Note> = serde_json::from_str(&again).unwrap();
        assert_eq!(back, document);
        assert_eq!(
            serde_json::from_str::<Value>(&again).unwrap(),
            serde_json::from_str::<Value>(json).unwrap()
        );
    }
}
