//! Several instances of one service, each with its own realtime socket, sharing one Redis.
//!
//! Every instance receives every event. For work that must happen once (charge a card, send a
//! mail), the instances hand events to a Redis Stream with a consumer group:
//!
//! 1. each instance offers each event to the stream; a Lua script adds it only if no instance
//!    has added it before (`SET NX` and `XADD` in one atomic step), so it is added exactly once
//!    as long as one instance is alive to see it;
//! 2. `XREADGROUP` gives each entry to one consumer;
//! 3. the effect and the `XACK` commit together (`MULTI`), so an entry is either done and
//!    acknowledged or neither;
//! 4. an entry left pending by an instance that died is taken over by a live one
//!    (`XAUTOCLAIM` after `CLAIM_IDLE`), so nothing is lost and nothing is done twice.
//!
//! `MODE=fanout` shows the plain alternative: every instance handles every event (right for
//! per-instance work such as cache invalidation or pushing to the instance's own sockets).
//!
//! Settings: `REDIS_URL` (default `redis://127.0.0.1:6379`), `INSTANCE` (a name; without it the
//! example runs a self-contained demo of two instances and exits), `MODE` (`queue` or `fanout`),
//! `KEY_PREFIX` (Redis key prefix), `HANDLE_MS` (how long handling one task takes).
//!
//! `cargo run -p examples --example multi_instance` needs a Redis server.

use std::time::Duration;

use appwrite_orm::{Collection, CollectionHandle, Event, EventKind, ListenerHandle};
use redis::aio::MultiplexedConnection;
use redis::streams::{StreamAutoClaimReply, StreamReadReply};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "tasks")]
struct Task {
    #[collection(size = 128)]
    name: String,
}

/// How long an entry may stay unacknowledged before another instance takes it over.
const CLAIM_IDLE: Duration = Duration::from_millis(1500);

/// Adds the event to the stream unless some instance already did. Atomic: Redis runs a script
/// as one step, so no instance can die between the check and the add.
const OFFER: &str = r"
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', 86400) then
  return redis.call('XADD', KEYS[2], '*', 'task', ARGV[1], 'name', ARGV[2], 'kind', ARGV[3])
end
return false
";

#[derive(Clone)]
struct Keys {
    prefix: String,
}

impl Keys {
    fn stream(&self) -> String {
        format!("{}:stream", self.prefix)
    }
    fn group(&self) -> String {
        format!("{}:workers", self.prefix)
    }
    /// Who handled each task (queue mode).
    fn handled(&self) -> String {
        format!("{}:handled", self.prefix)
    }
    /// How many times each task was handled (queue mode): every value must be 1.
    fn handled_count(&self) -> String {
        format!("{}:handled-count", self.prefix)
    }
    /// Fan-out mode: the tasks one instance saw.
    fn seen_by(&self, instance: &str) -> String {
        format!("{}:seen:{instance}", self.prefix)
    }
    fn offered(&self, event: &Event<Task>) -> String {
        let at = appwrite_orm::datetime::format(&event.document.updated_at());
        format!(
            "{}:offered:{}:{at}:{}",
            self.prefix,
            event.document.id(),
            event.kind.action()
        )
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Queue,
    FanOut,
}

struct Settings {
    redis: redis::Client,
    keys: Keys,
    mode: Mode,
    handle_time: Duration,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let settings = Settings {
        redis: redis::Client::open(env("REDIS_URL", "redis://127.0.0.1:6379"))?,
        keys: Keys {
            prefix: env("KEY_PREFIX", "appwrite-orm-example"),
        },
        mode: if env("MODE", "queue") == "fanout" {
            Mode::FanOut
        } else {
            Mode::Queue
        },
        handle_time: Duration::from_millis(env("HANDLE_MS", "50").parse()?),
    };
    let (orm, _emulator) = examples::backend().await?;
    let db = orm.connect().register::<Task>().auto_migrate(true).await?;
    let tasks = db.collection::<Task>();

    let (stop, stopping) = watch::channel(false);
    match std::env::var("INSTANCE") {
        // One instance of a real deployment: run until told to stop.
        Ok(name) => {
            let instance = start(&name, &tasks, &settings, stopping).await?;
            println!("instance {name} ready");
            examples::shutdown_signal().await;
            let _ = stop.send(true);
            instance.stop().await;
            println!("instance {name} stopped");
        }
        // The demo: two instances in this process, ten tasks, each handled once.
        Err(_) => {
            let _: () = redis::cmd("DEL")
                .arg(settings.keys.stream())
                .arg(settings.keys.handled())
                .arg(settings.keys.handled_count())
                .query_async(&mut settings.redis.get_multiplexed_async_connection().await?)
                .await?;
            let a = start("a", &tasks, &settings, stopping.clone()).await?;
            let b = start("b", &tasks, &settings, stopping).await?;
            for n in 1..=10 {
                tasks
                    .create(&Task {
                        name: format!("task {n}"),
                    })
                    .await?;
            }
            let mut redis = settings.redis.get_multiplexed_async_connection().await?;
            while redis::cmd("HLEN")
                .arg(settings.keys.handled())
                .query_async::<usize>(&mut redis)
                .await?
                < 10
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = stop.send(true);
            a.stop().await;
            b.stop().await;
            let handled: Vec<(String, String)> = redis::cmd("HGETALL")
                .arg(settings.keys.handled())
                .query_async(&mut redis)
                .await?;
            for (task, instance) in handled {
                println!("task {task} was handled by instance {instance}");
            }
        }
    }
    orm.shutdown(Duration::from_secs(5)).await;
    Ok(())
}

/// A running instance: its realtime listener and, in queue mode, its stream consumer.
struct Instance {
    listener: ListenerHandle,
    consumer: Option<tokio::task::JoinHandle<()>>,
}

impl Instance {
    async fn stop(self) {
        self.listener.unsubscribe().await;
        if let Some(consumer) = self.consumer {
            let _ = consumer.await;
        }
    }
}

async fn start(
    name: &str,
    tasks: &CollectionHandle<Task>,
    settings: &Settings,
    stopping: watch::Receiver<bool>,
) -> Result<Instance, Box<dyn std::error::Error>> {
    let keys = settings.keys.clone();
    let mut redis = settings.redis.get_multiplexed_async_connection().await?;
    let name = name.to_owned();
    let consumer = if settings.mode == Mode::Queue {
        // Read from the beginning, so entries added before this group existed are not skipped.
        let created = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(keys.stream())
            .arg(keys.group())
            .arg("0")
            .arg("MKSTREAM")
            .query_async::<()>(&mut redis)
            .await;
        if let Err(err) = created {
            if err.code() != Some("BUSYGROUP") {
                return Err(err.into());
            }
        }
        // Its own connection: a blocking read would hold up other commands on a shared one.
        let connection = settings.redis.get_multiplexed_async_connection().await?;
        let consumer = consume(
            name.clone(),
            connection,
            keys.clone(),
            settings.handle_time,
            stopping,
        );
        Some(tokio::spawn(consumer))
    } else {
        None
    };
    let (mode, handle_time) = (settings.mode, settings.handle_time);
    let listener = tasks.on_documents(move |event| {
        let (mut redis, keys, name) = (redis.clone(), keys.clone(), name.clone());
        async move {
            if event.kind != EventKind::Create {
                return Ok(());
            }
            match mode {
                Mode::Queue => {
                    redis::Script::new(OFFER)
                        .key(keys.offered(&event))
                        .key(keys.stream())
                        .arg(event.document.id())
                        .arg(&event.document.name)
                        .arg(event.kind.action())
                        .invoke_async::<Option<String>>(&mut redis)
                        .await?;
                }
                Mode::FanOut => {
                    tokio::time::sleep(handle_time).await;
                    let _: () = redis::cmd("SADD")
                        .arg(keys.seen_by(&name))
                        .arg(event.document.id())
                        .query_async(&mut redis)
                        .await?;
                    println!(
                        "instance {name} saw {} ({})",
                        event.document.id(),
                        event.document.name
                    );
                }
            }
            Ok::<_, redis::RedisError>(())
        }
    });
    listener.ready().await?;
    Ok(Instance { listener, consumer })
}

/// The consumer loop: take over abandoned entries, read new ones, handle, acknowledge.
async fn consume(
    name: String,
    mut redis: MultiplexedConnection,
    keys: Keys,
    handle_time: Duration,
    stopping: watch::Receiver<bool>,
) {
    while !*stopping.borrow() {
        if let Err(err) = consume_once(&name, &mut redis, &keys, handle_time).await {
            eprintln!("instance {name}: {err}; retrying");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

async fn consume_once(
    name: &str,
    redis: &mut MultiplexedConnection,
    keys: &Keys,
    handle_time: Duration,
) -> redis::RedisResult<()> {
    let reclaimed: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
        .arg(keys.stream())
        .arg(keys.group())
        .arg(name)
        .arg(CLAIM_IDLE.as_millis() as u64)
        .arg("0-0")
        .arg("COUNT")
        .arg(10)
        .query_async(redis)
        .await?;
    let mut entries = reclaimed.claimed;
    if !entries.is_empty() {
        println!("instance {name} took over {} abandoned entries", entries.len());
    }
    let fresh: Option<StreamReadReply> = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg(keys.group())
        .arg(name)
        // One at a time, so an idle instance gets the next entry rather than a busy one.
        .arg("COUNT")
        .arg(1)
        .arg("BLOCK")
        .arg(200)
        .arg("STREAMS")
        .arg(keys.stream())
        .arg(">")
        .query_async(redis)
        .await?;
    entries.extend(fresh.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids));
    for entry in entries {
        let task: String = entry.get("task").unwrap_or_default();
        let task_name: String = entry.get("name").unwrap_or_default();
        println!("instance {name} handling {task} ({task_name})");
        // The work itself; a real service would charge, mail, call an API, …
        tokio::time::sleep(handle_time).await;
        // The effect and the acknowledgement commit together.
        let _: () = redis::pipe()
            .atomic()
            .cmd("HSET")
            .arg(keys.handled())
            .arg(&task)
            .arg(name)
            .ignore()
            .cmd("HINCRBY")
            .arg(keys.handled_count())
            .arg(&task)
            .arg(1)
            .ignore()
            .cmd("XACK")
            .arg(keys.stream())
            .arg(keys.group())
            .arg(&entry.id)
            .ignore()
            .query_async(redis)
            .await?;
        println!("instance {name} handled {task}");
    }
    Ok(())
}
