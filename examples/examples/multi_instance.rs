//! Several instances of one service, each with its own realtime socket, sharing one Redis.
//!
//! Every instance receives every event. Work that must happen once (charge a card, send a mail)
//! goes through a [`WorkQueue`]: each instance offers each event to a Redis Stream, which keeps
//! it once; the instances consume the stream as one consumer group, so each event is handled by
//! one of them; an entry held by an instance that died is taken over by a live one after
//! `CLAIM_IDLE`. Delivery is at least once, so the effect below is keyed by task: a second run
//! of the same task (the rare death between effect and acknowledgement) changes nothing.
//!
//! `MODE=single` keeps the queue but lets one instance listen: the instances elect a listener
//! through a lease in Redis (`WorkQueue::single_listener`), so the group holds one realtime
//! socket instead of one per instance; when the listener dies, another takes the lease within
//! `LEASE` and catches up on what changed meanwhile.
//!
//! `MODE=fanout` shows the plain alternative, right for per-instance work such as cache
//! invalidation: every instance handles every event.
//!
//! Settings: `REDIS_URL` (default `redis://127.0.0.1:6379`), `INSTANCE` (a name; without it the
//! example runs two instances in this process, creates ten tasks and exits), `MODE` (`queue`,
//! `single` or `fanout`), `KEY_PREFIX` (the queue name and Redis key prefix), `HANDLE_MS` (how long one task
//! takes).
//!
//! `cargo run -p examples --example multi_instance` needs a Redis server.

use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::{Collection, CollectionHandle, EventKind, ListenerHandle, WorkQueue};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "tasks")]
struct Task {
    #[collection(size = 128)]
    name: String,
}

/// How long an entry may stay unacknowledged before another instance takes it over.
const CLAIM_IDLE: Duration = Duration::from_millis(1500);

/// How long the listening instance's lease lasts without renewal (`MODE=single`).
const LEASE: Duration = Duration::from_millis(1000);

struct Settings {
    redis: redis::Client,
    prefix: String,
    fan_out: bool,
    single_listener: bool,
    handle_time: Duration,
}

impl Settings {
    /// Which instance handled each task (queue mode).
    fn handled(&self) -> String {
        format!("{}:handled", self.prefix)
    }
    /// How many times each task's effect ran (queue mode): every value must be 1.
    fn effects(&self) -> String {
        format!("{}:handled-count", self.prefix)
    }
    /// The tasks one instance saw (fan-out mode).
    fn seen_by(&self, instance: &str) -> String {
        format!("{}:seen:{instance}", self.prefix)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The ORM reports takeovers and Redis trouble through `tracing`.
    examples::log_to_stdout();
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let settings = Arc::new(Settings {
        redis: redis::Client::open(env("REDIS_URL", "redis://127.0.0.1:6379"))?,
        prefix: env("KEY_PREFIX", "appwrite-orm-example"),
        fan_out: env("MODE", "queue") == "fanout",
        single_listener: env("MODE", "queue") == "single",
        handle_time: Duration::from_millis(env("HANDLE_MS", "50").parse()?),
    });
    let (orm, _emulator) = examples::backend().await?;
    let db = orm.connect().register::<Task>().auto_migrate(true).await?;
    let tasks = db.collection::<Task>();

    match std::env::var("INSTANCE") {
        // One instance of a real deployment: run until told to stop.
        Ok(name) => {
            let worker = start(&name, &tasks, &settings).await?;
            println!("instance {name} ready");
            examples::shutdown_signal().await;
            worker.unsubscribe().await;
            println!("instance {name} stopped");
        }
        // The demo: two instances (two subscriptions) in this process, ten tasks.
        Err(_) => {
            let mut redis = settings.redis.get_multiplexed_async_connection().await?;
            let _: () = redis::cmd("DEL")
                .arg(settings.handled())
                .arg(settings.effects())
                .query_async(&mut redis)
                .await?;
            let a = start("a", &tasks, &settings).await?;
            let b = start("b", &tasks, &settings).await?;
            for n in 1..=10 {
                tasks
                    .create(&Task {
                        name: format!("task {n}"),
                    })
                    .await?;
            }
            while redis::cmd("HLEN")
                .arg(settings.handled())
                .query_async::<usize>(&mut redis)
                .await?
                < 10
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            a.unsubscribe().await;
            b.unsubscribe().await;
            let handled: Vec<(String, String)> = redis::cmd("HGETALL")
                .arg(settings.handled())
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

async fn start(
    name: &str,
    tasks: &CollectionHandle<Task>,
    settings: &Arc<Settings>,
) -> Result<ListenerHandle, Box<dyn std::error::Error>> {
    let instance = name.to_owned();
    let settings_for_handler = Arc::clone(settings);
    // One multiplexed connection per instance, shared by its handler calls.
    let connection = settings.redis.get_multiplexed_async_connection().await?;
    let handler = move |event: Arc<appwrite_orm::Event<Task>>| {
        let (settings, instance) = (Arc::clone(&settings_for_handler), instance.clone());
        let mut redis = connection.clone();
        async move {
            if event.kind != EventKind::Create {
                return Ok(());
            }
            let task = event.document.id();
            println!("instance {instance} handling {task} ({})", event.document.name);
            // The work itself; a real service would charge, mail, call an API, …
            tokio::time::sleep(settings.handle_time).await;
            if settings.fan_out {
                let _: () = redis::cmd("SADD")
                    .arg(settings.seen_by(&instance))
                    .arg(task)
                    .query_async(&mut redis)
                    .await?;
            } else {
                // The effect, keyed by task, and a count of how often it ran (for the tests).
                let _: () = redis::pipe()
                    .atomic()
                    .cmd("HSET")
                    .arg(settings.handled())
                    .arg(task)
                    .arg(&instance)
                    .ignore()
                    .cmd("HINCRBY")
                    .arg(settings.effects())
                    .arg(task)
                    .arg(1)
                    .ignore()
                    .query_async(&mut redis)
                    .await?;
            }
            println!("instance {instance} handled {task}");
            Ok(())
        }
    };
    let worker = if settings.fan_out {
        tasks.on_documents(handler)
    } else {
        let mut queue = WorkQueue::new(settings.redis.clone(), &settings.prefix)
            .consumer(name)
            .claim_idle(CLAIM_IDLE);
        if settings.single_listener {
            queue = queue.single_listener(LEASE);
        }
        tasks.on_documents_once(&queue, handler).await?
    };
    worker.ready().await?;
    Ok(worker)
}
