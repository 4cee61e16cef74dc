//! The no-loss soak: 10 000 writes over 500 documents by four writers of their own, while a
//! listener behind a fault-injecting proxy suffers 100 faults — connection resets, FIN closes,
//! half-open connections, events published out of order, subscriptions registered late, a
//! connection whose downstream is 200 ms late, sockets connected as a guest — and the server
//! restarts twice. Every document's final
//! version must be delivered, and no version twice or after a newer one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appwrite_emulator::{Config, Emulator, Release};
use appwrite_orm::{
    Collection, CollectionHandle, ConnectionState, EventKind, ListenError, Origin, RealtimeOptions,
};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tests::proxy::FaultProxy;

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "meters", permissions(create = "users"))]
struct Meter {
    #[collection(default = 0)]
    version: i32,
}

const DOCUMENTS: usize = 500;
const WRITES: usize = 10_000;
const WRITERS: usize = 4;
const FAULTS: usize = 100;
/// RST, FIN, half-open, reordered events, late registration, a slow downstream, guest downgrade.
const KINDS: usize = 7;

/// What the listener delivered, checked as it arrives.
#[derive(Default)]
struct Tally {
    latest: HashMap<String, i32>,
    delivered: usize,
    caught_up: usize,
    duplicates: usize,
    regressions: usize,
    gaps: usize,
    wrong_identity: usize,
}

/// One writer: creates its documents, then rewrites them in turns (a document is written again
/// only after every other one of the writer, so never twice within one millisecond). Retries
/// ride out server restarts; each write sets a version, so a retry is harmless.
/// Writes between two faults.
const INTERVAL: usize = WRITES / (FAULTS + 1);

/// Writers run at most half an interval past a fault's start until it is over, so that every
/// fault meets writes during it and after it.
fn may_write(written: usize, faults_done: usize) -> bool {
    faults_done >= FAULTS || written < (faults_done + 1) * INTERVAL + INTERVAL / 2
}

async fn write(
    meters: CollectionHandle<Meter>,
    writer: usize,
    written: Arc<AtomicUsize>,
    faults_done: Arc<AtomicUsize>,
) -> HashMap<String, i32> {
    let ids: Vec<String> = (0..DOCUMENTS / WRITERS)
        .map(|i| format!("m{writer}-{i:03}"))
        .collect();
    let mut versions: HashMap<String, i32> = HashMap::new();
    for n in 0..WRITES / WRITERS {
        let id = &ids[n % ids.len()];
        let version = versions.get(id).map_or(0, |v| v + 1);
        while !may_write(
            written.load(Ordering::Relaxed),
            faults_done.load(Ordering::Relaxed),
        ) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        loop {
            let outcome = if version == 0 {
                match meters.create_with_id(id, &Meter { version }).await {
                    Err(err) if err.is(appwrite_orm::ErrorKind::DocumentAlreadyExists) => Ok(()),
                    other => other.map(drop),
                }
            } else {
                meters.update(id, Meter::patch().version(version)).await.map(drop)
            };
            match outcome {
                Ok(()) => break,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        versions.insert(id.clone(), version);
        written.fetch_add(1, Ordering::Relaxed);
    }
    versions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_loss_10000_writes_500_documents_100_faults_of_every_kind_and_2_restarts() {
    let mut emulator = Emulator::start(Config {
        attribute_delay: Duration::from_millis(10),
        ..Config::default()
    })
    .await
    .unwrap();
    let proxy = FaultProxy::start(emulator.address()).await;
    let options = RealtimeOptions::default()
        .ping_interval(Duration::from_millis(300))
        .dead_after_pings(2);
    let orm = tests::client_via(&emulator, proxy.endpoint(), options);
    let meters = tests::migrated::<Meter>(&orm).await;
    let mut listener = meters.listen_documents();
    listener.ready().await.unwrap();

    let tally = Arc::new(Mutex::new(Tally::default()));
    let reader = {
        let tally = Arc::clone(&tally);
        tokio::spawn(async move {
            while let Some(item) = listener.next().await {
                let mut tally = tally.lock().unwrap();
                match item {
                    Ok(event) => {
                        assert_ne!(event.kind, EventKind::Delete);
                        let version = event.document.version;
                        tally.delivered += 1;
                        if event.origin == Origin::CatchUp {
                            tally.caught_up += 1;
                        }
                        match tally.latest.insert(event.document.id().to_owned(), version) {
                            Some(previous) if previous == version => tally.duplicates += 1,
                            Some(previous) if previous > version => tally.regressions += 1,
                            _ => {}
                        }
                    }
                    Err(ListenError::Gap { .. }) => tally.gaps += 1,
                    Err(ListenError::WrongIdentity { .. }) => tally.wrong_identity += 1,
                    Err(ListenError::Lagged { .. } | ListenError::CatchUp(_)) => {}
                    Err(other) => panic!("unexpected report: {other}"),
                }
            }
        })
    };

    let written = Arc::new(AtomicUsize::new(0));
    let faults_done = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let meters = tests::client(&emulator).connect().register::<Meter>();
            let (written, faults_done) = (Arc::clone(&written), Arc::clone(&faults_done));
            tokio::spawn(async move {
                let meters = meters.await.unwrap().collection::<Meter>();
                write(meters, writer, written, faults_done).await
            })
        })
        .collect();

    // One fault per hundredth of the writes, cycling through every kind; two restarts. The
    // state watch counts every transition, so "the client noticed" is "the state was sent
    // since the fault", however quickly it reconnected.
    let mut state = orm.connection_state();
    let mut half_open_detection = Vec::new();
    for fault in 0..FAULTS {
        let due = (fault + 1) * INTERVAL;
        tests::eventually("the writers progress", Duration::from_secs(120), || {
            written.load(Ordering::Relaxed) >= due
        })
        .await;
        proxy.delay_downstream(Duration::ZERO);
        state.borrow_and_update();
        let injected = Instant::now();
        match fault % KINDS {
            0 => proxy.reset_all(),
            1 => proxy.close_all(),
            2 => proxy.blackhole_open_connections(),
            3 => {
                emulator.hold_realtime_events();
                tokio::time::sleep(Duration::from_millis(30)).await;
                emulator.release_realtime_events(Release::Reversed);
            }
            4 => {
                emulator.delay_subscription_registration(Duration::from_millis(300));
                proxy.reset_all();
            }
            5 => {
                // The next connection carries everything from the server 200 ms late.
                proxy.delay_downstream(Duration::from_millis(200));
                proxy.reset_all();
            }
            _ => {
                emulator.connect_next_realtime_as_guest(1);
                proxy.reset_all();
            }
        }
        // Every kind but the reordering ends the connection: wait until the client noticed.
        if fault % KINDS != 3 {
            tests::eventually("the fault is noticed", Duration::from_secs(10), || {
                state.has_changed().unwrap_or(true)
            })
            .await;
            if fault % KINDS == 2 {
                half_open_detection.push(injected.elapsed());
            }
        }
        if fault == FAULTS / 3 || fault == 2 * FAULTS / 3 {
            tests::eventually("reconnected", Duration::from_secs(10), || {
                *state.borrow() == ConnectionState::Connected
            })
            .await;
            state.borrow_and_update();
            emulator.restart(Duration::from_millis(300)).await.unwrap();
            tests::eventually("the restart is noticed", Duration::from_secs(10), || {
                state.has_changed().unwrap_or(true)
            })
            .await;
        }
        tests::eventually("reconnected", Duration::from_secs(10), || {
            *state.borrow() == ConnectionState::Connected
        })
        .await;
        if fault % KINDS == 4 {
            // Past the delayed registration before the next fault.
            tokio::time::sleep(Duration::from_millis(350)).await;
            emulator.delay_subscription_registration(Duration::ZERO);
        }
        faults_done.store(fault + 1, Ordering::Relaxed);
    }

    let mut expected = HashMap::new();
    for writer in writers {
        expected.extend(writer.await.unwrap());
    }
    assert_eq!(
        (expected.len(), written.load(Ordering::Relaxed)),
        (DOCUMENTS, WRITES)
    );
    tests::eventually(
        "every final version is delivered",
        Duration::from_secs(60),
        || {
            let tally = tally.lock().unwrap();
            expected
                .iter()
                .all(|(id, version)| tally.latest.get(id) == Some(version))
        },
    )
    .await;
    reader.abort();
    let tally = tally.lock().unwrap();
    let lost = expected
        .iter()
        .filter(|(id, version)| tally.latest.get(*id) != Some(version))
        .count();
    assert_eq!(
        (lost, tally.duplicates, tally.regressions),
        (0, 0, 0),
        "lost, duplicated, regressed"
    );
    assert!(tally.caught_up > 0 && tally.gaps > 0, "catch-up really ran");
    assert!(tally.wrong_identity > 0, "the guest downgrades were reported");
    half_open_detection.sort();
    println!(
        "soak: {WRITES} writes, {FAULTS} faults, 2 restarts; delivered {} events ({} by catch-up), \
         0 lost, 0 duplicated, 0 regressions; half-open detected in {:?} (median), {:?} (max) \
         with a 300 ms ping and a 750 ms read deadline",
        tally.delivered,
        tally.caught_up,
        half_open_detection[half_open_detection.len() / 2],
        half_open_detection.last().unwrap()
    );
}
