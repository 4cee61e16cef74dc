//! The soak of a `single_listener` work-queue group, with real processes: three instances of
//! the `multi_instance` example (`MODE=single`) share one Redis while 5 000 tasks are written.
//! Meanwhile instances are killed with SIGKILL and started again 20 times (the listening one at
//! least twice), and the whole group is down twice for 5 s. Every task must be handled at least
//! once, the idempotent sink (a hash keyed by task) must hold each exactly once, and the group
//! must hold at most one realtime connection except during a takeover.
//!
//! Needs Redis (see `tests::redis`). `SOAK_WRITES` and `SOAK_SEED` change the size and the
//! random choices; the figures are printed (`--nocapture`).

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use appwrite_orm::Collection;
use common::{client, emulator, run, Running};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "tasks")]
struct TaskView {
    name: String,
}

/// xorshift64*: reproducible choices from a printed seed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// Writes `count` tasks one after another and returns their ids.
async fn write_tasks(
    tasks: &appwrite_orm::CollectionHandle<TaskView>,
    count: usize,
    label: &str,
) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for n in 0..count {
        let task = TaskView {
            name: format!("{label} {n}"),
        };
        let stored = tasks.create(&task).await.expect("the write succeeds");
        ids.push(stored.id().to_owned());
    }
    ids
}

/// Waits until the sink of the group with key prefix `prefix` holds every task of `ids`. (It
/// may hold more: a group's first catch-up starts a margin before the group did, so tasks
/// written just before it, by another test phase, can be handled too.)
async fn wait_handled(redis: &mut redis::aio::MultiplexedConnection, prefix: &str, ids: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let found: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(format!("{prefix}:handled"))
            .arg(ids)
            .query_async(redis)
            .await
            .unwrap();
        let handled = found.iter().flatten().count();
        if handled == ids.len() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{handled} of {} tasks handled",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Instance `name` of the `multi_instance` group `prefix` in `mode`, once it is ready.
async fn instance(
    emulator: &appwrite_emulator::Emulator,
    url: &str,
    prefix: &str,
    name: &str,
    mode: &str,
) -> Running {
    let env = [
        ("REDIS_URL", url),
        ("KEY_PREFIX", prefix),
        ("INSTANCE", name),
        ("MODE", mode),
        ("HANDLE_MS", "1"),
    ];
    let mut instance = run("multi_instance", emulator, &env);
    instance.line_with(&format!("instance {name} ready")).await;
    instance
}

/// Realtime messages the emulator sent per task written, while a calm group of three instances
/// in `mode` handles `count` tasks: the cost of one mode against another.
async fn messages_per_event(
    emulator: &appwrite_emulator::Emulator,
    redis: &mut redis::aio::MultiplexedConnection,
    url: &str,
    mode: &str,
    count: usize,
) -> f64 {
    let prefix = tests::unique_name(&format!("calm-{mode}"));
    let mut group = Vec::new();
    for name in ["a", "b", "c"] {
        group.push((name, instance(emulator, url, &prefix, name, mode).await));
    }
    let tasks = client(emulator).connect().await.unwrap().collection::<TaskView>();
    let before = emulator.realtime_events_sent();
    let written = write_tasks(&tasks, count, mode).await;
    wait_handled(redis, &prefix, &written).await;
    let sent = emulator.realtime_events_sent() - before;
    for (name, instance) in group {
        instance.stop_cleanly(&format!("instance {name} stopped")).await;
    }
    sent as f64 / count as f64
}

#[tokio::test]
async fn a_single_listener_group_loses_nothing_through_kills_restarts_and_outages() {
    let writes: usize =
        std::env::var("SOAK_WRITES").map_or(5_000, |n| n.parse().expect("SOAK_WRITES is a number"));
    let seed: u64 = std::env::var("SOAK_SEED").map_or_else(
        |_| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64 | 1)
        },
        |s| s.parse().expect("SOAK_SEED is a number"),
    );
    println!("soak: {writes} writes, seed {seed}");
    let mut random = Random(seed);
    let server = tests::redis().await;
    let (url, mut redis) = (server.url.clone(), server.connection.clone());
    let prefix = tests::unique_name("soak");
    let emulator = Arc::new(emulator().await);

    // The cost in realtime messages, calm: every instance listening (the `queue` mode, one
    // message per instance and event) against one listener per group.
    let calm = 300;
    let every_instance = messages_per_event(&emulator, &mut redis, &url, "queue", calm).await;
    let one_listener = messages_per_event(&emulator, &mut redis, &url, "single", calm).await;
    println!(
        "calm, {calm} tasks, three instances: {every_instance:.2} realtime messages per event \
         with every instance listening, {one_listener:.2} with one listener per group"
    );
    assert!(
        one_listener < every_instance,
        "one listener costs {one_listener:.2} messages per event, every instance {every_instance:.2}"
    );
    let start = |name: &'static str| instance(&emulator, &url, &prefix, name, "single");
    let names = ["a", "b", "c"];
    let mut instances: HashMap<&'static str, Running> = HashMap::new();
    for name in names {
        instances.insert(name, start(name).await);
    }

    // The writer, as fast as the server answers.
    let sent_before = emulator.realtime_events_sent();
    let tasks = client(&emulator)
        .connect()
        .await
        .unwrap()
        .collection::<TaskView>();
    let writer = tokio::spawn(async move { write_tasks(&tasks, writes, "task").await });
    // Realtime connections, sampled while the chaos runs.
    let sampling = Arc::new(AtomicBool::new(true));
    let (samples, above_one, most) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let sampler = {
        let (sampling, samples, above_one, most) = (
            Arc::clone(&sampling),
            Arc::clone(&samples),
            Arc::clone(&above_one),
            Arc::clone(&most),
        );
        let emulator = Arc::clone(&emulator);
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                let open = emulator.realtime_connections();
                samples.fetch_add(1, Ordering::Relaxed);
                if open > 1 {
                    above_one.fetch_add(1, Ordering::Relaxed);
                }
                most.fetch_max(open, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };

    // The chaos: 20 kills and restarts, the listener among them, and two outages of the group.
    let lease_key = format!("appwrite-orm:{prefix}:tasks:leader");
    let mut takeovers = Vec::new();
    for round in 0..20 {
        tokio::time::sleep(Duration::from_millis(100 + random.below(300))).await;
        if round == 6 || round == 13 {
            for name in names {
                let mut instance = instances.remove(name).expect("running");
                instance.child.start_kill().unwrap();
                let _ = instance.finish().await;
            }
            println!("round {round}: the whole group is down for 5 s");
            tokio::time::sleep(Duration::from_secs(5)).await;
            for name in names {
                instances.insert(name, start(name).await);
            }
            continue;
        }
        let holder: Option<String> = redis::cmd("GET")
            .arg(&lease_key)
            .query_async(&mut redis)
            .await
            .unwrap();
        let listener = holder
            .as_deref()
            .and_then(|h| h.split(':').next())
            .map(str::to_owned);
        // The listener every fourth round, a random instance otherwise.
        let victim = match &listener {
            Some(listener) if round % 4 == 0 => names.into_iter().find(|n| n == listener).unwrap(),
            _ => names[random.below(3) as usize],
        };
        let mut instance = instances.remove(victim).expect("running");
        instance.child.start_kill().unwrap();
        let killed_at = Instant::now();
        let _ = instance.finish().await;
        if listener.as_deref() == Some(victim) {
            // How long until another instance holds the lease.
            let old = holder.clone();
            loop {
                let now: Option<String> = redis::cmd("GET")
                    .arg(&lease_key)
                    .query_async(&mut redis)
                    .await
                    .unwrap();
                if now.is_some() && now != old {
                    takeovers.push(killed_at.elapsed());
                    break;
                }
                assert!(killed_at.elapsed() < Duration::from_secs(30), "no takeover");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        instances.insert(victim, start(victim).await);
    }
    let written = writer.await.unwrap();

    // Every task handled: the sink holds each once.
    let handled_key = format!("{prefix}:handled");
    wait_handled(&mut redis, &prefix, &written).await;
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.await;
    let handled: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(&handled_key)
        .query_async(&mut redis)
        .await
        .unwrap();
    for id in &written {
        assert!(handled.contains_key(id), "task {id} was never handled");
    }
    println!(
        "soak: {} tasks of the calm phases, written less than the catch-up margin before this group \
         started, were handled by it too",
        handled.len() - written.len()
    );
    let effects: HashMap<String, u32> = redis::cmd("HGETALL")
        .arg(format!("{prefix}:handled-count"))
        .query_async(&mut redis)
        .await
        .unwrap();
    let again = effects.values().filter(|n| **n > 1).count();
    let sent = emulator.realtime_events_sent() - sent_before;
    let (samples, above_one, most) = (
        samples.load(Ordering::Relaxed),
        above_one.load(Ordering::Relaxed),
        most.load(Ordering::Relaxed),
    );
    takeovers.sort();
    println!(
        "soak: {writes} tasks, each handled (0 lost); {again} effects ran twice or more (at least once); \
         {:.3} realtime messages per event ({sent} sent); connections: at most {most}, above one in \
         {above_one} of {samples} samples; takeovers after killing the listener: {takeovers:?}",
        sent as f64 / writes as f64
    );
    assert!(most <= 2, "the group held {most} realtime connections at once");
    assert!(!takeovers.is_empty(), "the listener was killed at least once");
    for (name, instance) in instances {
        instance.stop_cleanly(&format!("instance {name} stopped")).await;
    }
}
