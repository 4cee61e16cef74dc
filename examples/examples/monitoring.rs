//! Watching a listener at work: the ORM's own `tracing` output (connects, subscriptions,
//! catch-ups), a line per event with its delivery delay, handler timings, the connection state
//! as it changes, and whether the read cache can be trusted right now.
//!
//! `cargo run -p examples --example monitoring` runs a short scenario against the embedded
//! emulator, including a dropped connection, and exits. Against a real Appwrite
//! (`APPWRITE_ENDPOINT` set) it monitors until Ctrl-C. `RUST_LOG` tunes the ORM's log level.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appwrite_orm::{CachedCollection, Collection, ConnectionState, HandlerStats, Orm};
use chrono::Utc;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "readings")]
struct Reading {
    #[collection(size = 64)]
    sensor: String,
    value: f64,
}

/// Handler durations, for the report.
#[derive(Default)]
struct Timings {
    count: u32,
    total: Duration,
    max: Duration,
}

impl Timings {
    fn record(&mut self, took: Duration) {
        self.count += 1;
        self.total += took;
        self.max = self.max.max(took);
    }
}

fn report(orm: &Orm, stats: &HandlerStats, timings: &Mutex<Timings>, cache: &CachedCollection<Reading>) {
    let timings = timings.lock().unwrap_or_else(|p| p.into_inner());
    let average = timings.total.checked_div(timings.count).unwrap_or_default();
    let cached = cache.stats();
    println!(
        "report: state={:?} events={} failed={} in_flight={} handler_avg={average:?} handler_max={:?} \
         cache_fresh={} cache_hits={} cache_misses={} cache_bypassed={}",
        *orm.connection_state().borrow(),
        stats.handled(),
        stats.failed_attempts(),
        stats.in_flight(),
        timings.max,
        cache.is_fresh(),
        cached.hits,
        cached.misses,
        cached.bypassed,
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::log_to_stdout();
    let (orm, emulator) = examples::backend().await?;
    let db = orm.connect().register::<Reading>().auto_migrate(true).await?;
    let readings = db.collection::<Reading>();
    let cache = Arc::new(readings.cached());

    // Every change of the connection state, as it happens, with what it means for the cache.
    let mut state = orm.connection_state();
    let watched = Arc::clone(&cache);
    let watcher = tokio::spawn(async move {
        let mut last = None;
        loop {
            let now = *state.borrow_and_update();
            if last != Some(now) {
                println!("state: {now:?} cache_fresh={}", watched.is_fresh());
                last = Some(now);
            }
            if now == ConnectionState::Closed || state.changed().await.is_err() {
                break;
            }
        }
    });

    let timings = Arc::new(Mutex::new(Timings::default()));
    let listener = {
        let (timings, cache) = (Arc::clone(&timings), Arc::clone(&cache));
        readings.on_documents(move |event| {
            let (timings, cache) = (Arc::clone(&timings), Arc::clone(&cache));
            async move {
                let started = Instant::now();
                // How long the event took from the server's commit to this handler.
                let delay = (Utc::now() - event.timestamp).num_milliseconds();
                println!(
                    "event {} {} ({:?}) delay={delay}ms",
                    event.kind.action(),
                    event.document.id(),
                    event.origin
                );
                // The handler's work: reads through the cache (the second one is a hit).
                for _ in 0..2 {
                    let _ = cache.get(event.document.id()).await?;
                }
                timings
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .record(started.elapsed());
                Ok(())
            }
        })
    };
    listener.ready().await?;
    println!("ready");
    let stats = listener.stats();

    match emulator {
        // The scripted tour: some events, cached reads, a dropped connection, more events.
        Some(emulator) => {
            let first = readings
                .create(&Reading {
                    sensor: "t1".into(),
                    value: 20.5,
                })
                .await?;
            for n in 0..3 {
                cache.get(first.id()).await?;
                readings
                    .create(&Reading {
                        sensor: format!("t{n}"),
                        value: 21.0 + f64::from(n),
                    })
                    .await?;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            report(&orm, &stats, &timings, &cache);
            println!("dropping the realtime connection");
            emulator.drop_realtime_connections();
            orm.connection_state()
                .wait_for(|s| *s != ConnectionState::Connected)
                .await?;
            // While disconnected the cache cannot be trusted, so reads bypass it.
            report(&orm, &stats, &timings, &cache);
            orm.connection_state()
                .wait_for(|s| *s == ConnectionState::Connected)
                .await?;
            readings
                .create(&Reading {
                    sensor: "t9".into(),
                    value: 19.0,
                })
                .await?;
            tokio::time::sleep(Duration::from_millis(500)).await;
            report(&orm, &stats, &timings, &cache);
        }
        // A live system: report every few seconds until stopped.
        None => {
            let every = Duration::from_millis(std::env::var("REPORT_MS").map_or(Ok(5000), |v| v.parse())?);
            let mut ticks = tokio::time::interval(every);
            let stop = examples::shutdown_signal();
            tokio::pin!(stop);
            loop {
                tokio::select! {
                    _ = ticks.tick() => report(&orm, &stats, &timings, &cache),
                    () = &mut stop => break,
                }
            }
        }
    }
    orm.shutdown(Duration::from_secs(5)).await;
    // The watcher ends after reporting `Closed`.
    let _ = tokio::time::timeout(Duration::from_secs(5), watcher).await;
    Ok(())
}
