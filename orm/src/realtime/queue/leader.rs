//! [`WorkQueue::single_listener`]: one instance of the group listens and offers, elected by a
//! lease in Redis; the others only consume.
//!
//! The lease is the key `…:{collection}:leader`, set with an expiry to `{consumer}:{token}`,
//! where the token comes from `INCR …:fence` when the lease is taken: every later holder has a
//! larger one. The holder renews it every third of the lease; every offer checks, in the same
//! Redis script as the `XADD`, that the lease still holds this exact value, so an instance that
//! lost it while paused or cut off cannot add events. Each new holder resumes from the group's
//! checkpoint (`…:{collection}:leader:checkpoint`, a [`RedisCheckpoints`] entry): the newest
//! `$updatedAt` it has offered.

use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::MultiplexedConnection;
use tokio::sync::watch;

use super::{offer_one, Offered, WorkQueue, OFFER};
use crate::realtime::durable::{starting_point, Checkpoint, CheckpointStore, RedisCheckpoints};
use crate::realtime::ready::Registration;
use crate::{Collection, CollectionHandle};

/// Takes the lease if nobody holds it; returns the new holder's value.
const ACQUIRE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
local holder = ARGV[1] .. ':' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], holder, 'PX', ARGV[2])
return holder
";

/// Extends the lease if this holder still has it (and marks it listening, once it is).
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] == '1' then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
end
return 1
";

/// Gives the lease up if this holder still has it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
end
return 1
";

/// Whether the lease is held by a holder that is listening already.
const LISTENING: &str = r"
local holder = redis.call('GET', KEYS[1])
if holder and redis.call('GET', KEYS[2]) == holder then
  return 1
end
return 0
";

/// How a term as leader ended.
enum Term {
    /// The listener stopped.
    Stopped,
    /// The lease was lost (or could not be kept): campaign again.
    Lost,
}

pub(super) struct Leader<T: Collection> {
    handle: CollectionHandle<T>,
    queue: WorkQueue,
    lease: Duration,
    redis: MultiplexedConnection,
    ready: Option<Registration>,
    /// The group's checkpoint: the newest `$updatedAt` offered, under the name `checkpoint`.
    checkpoints: RedisCheckpoints,
    checkpoint: String,
}

impl<T: Collection> Leader<T> {
    pub(super) fn new(
        handle: CollectionHandle<T>,
        queue: WorkQueue,
        lease: Duration,
        redis: MultiplexedConnection,
        ready: Registration,
    ) -> Self {
        let checkpoint = format!("{}:{}:leader", queue.name, T::_COLLECTION_ID);
        Leader {
            handle,
            checkpoints: RedisCheckpoints::new(queue.client.clone()),
            checkpoint,
            queue,
            lease,
            redis,
            ready: Some(ready),
        }
    }

    fn key(&self, part: &str) -> String {
        self.queue.key(T::_COLLECTION_ID, part)
    }

    fn lease_ms(&self) -> u64 {
        u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX)
    }

    /// This instance is ready once some instance of the group listens: events from then on
    /// reach the stream.
    fn set_ready(&mut self) {
        if let Some(ready) = self.ready.take() {
            ready.set();
        }
    }

    /// Campaigns for the lease until the listener stops; leads while holding it.
    pub(super) async fn run(mut self, mut stopped: watch::Receiver<()>) {
        let acquire = redis::Script::new(ACQUIRE);
        let listening = redis::Script::new(LISTENING);
        loop {
            let taken = acquire
                .key(self.key("leader"))
                .key(self.key("fence"))
                .arg(&self.queue.consumer)
                .arg(self.lease_ms())
                .invoke_async::<Option<String>>(&mut self.redis)
                .await;
            match taken {
                Ok(Some(holder)) => {
                    tracing::info!(queue = %self.queue.name, %holder, "took the work queue's listening lease");
                    if let Term::Stopped = self.lead(&holder, &mut stopped).await {
                        return;
                    }
                    continue;
                }
                Ok(None) => {
                    let someone_listens = listening
                        .key(self.key("leader"))
                        .key(self.key("listening"))
                        .invoke_async::<i64>(&mut self.redis)
                        .await;
                    if someone_listens.unwrap_or(0) == 1 {
                        self.set_ready();
                    }
                }
                Err(err) => {
                    tracing::warn!(%err, queue = %self.queue.name, "cannot campaign for the listening lease")
                }
            }
            tokio::select! {
                _ = stopped.changed() => return,
                () = tokio::time::sleep(self.lease / 3) => {}
            }
        }
    }

    /// One term: listens from the group's checkpoint, offers with this holder's value, renews
    /// the lease, until the lease is lost or the listener stops.
    async fn lead(&mut self, holder: &str, stopped: &mut watch::Receiver<()>) -> Term {
        // An unreadable checkpoint stops the group here, loudly, rather than skip what it covers.
        let (mut position, resume) = match starting_point(&self.checkpoints, &self.checkpoint).await {
            Ok(start) => start,
            Err(err) => {
                tracing::warn!(%err, "cannot read the work queue's checkpoint");
                return Term::Lost;
            }
        };
        let mut events = self.handle.listen_documents_from(resume);
        let subscribed = events.ready_signal().wait();
        tokio::pin!(subscribed);
        let mut listening = false;
        let offer = redis::Script::new(OFFER);
        let renew = redis::Script::new(RENEW);
        let mut renewal = tokio::time::interval(self.lease / 3);
        renewal.tick().await;
        let term = loop {
            tokio::select! {
                _ = stopped.changed() => break Term::Stopped,
                result = &mut subscribed, if !listening => {
                    listening = result.is_ok();
                    if !listening {
                        break Term::Lost;
                    }
                    if !self.renew(&renew, holder, true).await {
                        break Term::Lost;
                    }
                    self.set_ready();
                }
                _ = renewal.tick() => {
                    if !self.renew(&renew, holder, listening).await {
                        tracing::warn!(queue = %self.queue.name, %holder, "lost the work queue's listening lease");
                        break Term::Lost;
                    }
                }
                item = events.next() => match item {
                    None => break Term::Lost,
                    Some(Err(report)) => {
                        tracing::warn!(%report, queue = %self.queue.name, "listener report while offering events");
                    }
                    Some(Ok(event)) => {
                        let queue = self.queue.clone();
                        match offer_one(&offer, &mut self.redis, &queue, &event, holder, stopped).await {
                            Offered::Done => {
                                if position.advance(event.document.updated_at(), event.document.id()) {
                                    self.save(&position).await;
                                }
                            }
                            Offered::Fenced => break Term::Lost,
                            Offered::Stopped => break Term::Stopped,
                        }
                    }
                },
            }
        };
        drop(events);
        if let Term::Stopped = term {
            let released = redis::Script::new(RELEASE)
                .key(self.key("leader"))
                .key(self.key("listening"))
                .arg(holder)
                .invoke_async::<i64>(&mut self.redis)
                .await;
            if let Err(err) = released {
                tracing::warn!(%err, "cannot give the work queue's listening lease up; it expires");
            }
        }
        term
    }

    async fn renew(&mut self, script: &redis::Script, holder: &str, listening: bool) -> bool {
        script
            .key(self.key("leader"))
            .key(self.key("listening"))
            .arg(holder)
            .arg(self.lease_ms())
            .arg(if listening { "1" } else { "0" })
            .invoke_async::<i64>(&mut self.redis)
            .await
            .map(|held| held == 1)
            .unwrap_or(false)
    }

    /// Saves the group's checkpoint; a failure only means a next leader starts further back.
    async fn save(&self, position: &Checkpoint) {
        if let Err(err) = self.checkpoints.save(&self.checkpoint, position).await {
            tracing::warn!(%err, "cannot save the work queue's checkpoint");
        }
    }
}
