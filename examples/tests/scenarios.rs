//! End-to-end tests of the examples: each runs the example's own binary against an emulator the
//! test owns, plays the part of its clients, and checks the effects it should have.

mod common;

use std::time::Duration;

use appwrite_emulator::Emulator;
use appwrite_orm::{Collection, Document, Query};
use chrono::{DateTime, Utc};
use common::{client, collection, emulator, eventually, random_below, run};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn ws_send(socket: &mut Socket, value: Value) {
    socket
        .send(tokio_tungstenite::tungstenite::Message::Text(
            value.to_string().into(),
        ))
        .await
        .expect("sent");
}

/// The next JSON frame of type `kind`, skipping others.
async fn ws_next(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = tokio::time::timeout(common::PATIENCE, socket.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("valid frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            let value: Value = serde_json::from_str(&text).expect("JSON");
            if value["type"] == kind {
                return value;
            }
        }
    }
}

// The example's collection, as another process writing to it would declare it.
#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "messages", rename_all = "camelCase")]
struct ChatMessage {
    room_id: String,
    user_id: String,
    text: String,
    sent_at: DateTime<Utc>,
}

#[tokio::test]
async fn ws_broadcast_delivers_room_messages_to_that_room_only() {
    let emulator = emulator().await;
    let mut server = run("ws_broadcast", &emulator, &[("EXAMPLE_ADDR", "127.0.0.1:0")]);
    let line = server.line_with("listening on ws://").await;
    let url = line.rsplit(' ').next().expect("address").to_owned();

    let mut sockets = Vec::new();
    for (room, user) in [("lobby", "ann"), ("lobby", "bob"), ("kitchen", "cat")] {
        let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("connects");
        ws_send(
            &mut socket,
            json!({"type": "join-room", "roomId": room, "userId": user}),
        )
        .await;
        assert_eq!(ws_next(&mut socket, "joined").await["roomId"], room);
        sockets.push(socket);
    }
    let [ann, bob, cat] = &mut sockets[..] else {
        unreachable!()
    };

    ws_send(ann, json!({"type": "send", "text": "hello lobby"})).await;
    assert!(ws_next(ann, "sent").await["id"].is_string());
    for socket in [&mut *ann, &mut *bob] {
        let update = ws_next(socket, "message-update").await;
        assert_eq!(update["event"], "create");
        assert_eq!(update["data"]["text"], "hello lobby");
        assert_eq!(update["data"]["userId"], "ann");
    }
    // Cat's first broadcast is the kitchen's own message: the lobby's never reached it.
    ws_send(cat, json!({"type": "send", "text": "hello kitchen"})).await;
    assert_eq!(
        ws_next(cat, "message-update").await["data"]["text"],
        "hello kitchen"
    );

    // A message written by another process reaches the room as well.
    let orm = client(&emulator);
    let messages = orm
        .connect()
        .register::<ChatMessage>()
        .await
        .unwrap()
        .collection::<ChatMessage>();
    messages
        .create(&ChatMessage {
            room_id: "lobby".into(),
            user_id: "system".into(),
            text: "written elsewhere".into(),
            sent_at: Utc::now(),
        })
        .await
        .unwrap();
    assert_eq!(
        ws_next(bob, "message-update").await["data"]["text"],
        "written elsewhere"
    );
    // A command before joining, or malformed, gets an error reply, not a dropped socket.
    ws_send(cat, json!({"type": "dance"})).await;
    assert!(ws_next(cat, "error").await["message"]
        .as_str()
        .unwrap()
        .contains("bad command"));

    server.stop_cleanly("ws_broadcast stopped").await;
}

/// A server-sent-events reader over a plain socket: the test sees exactly what a browser would.
struct SseReader {
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::net::TcpStream>>,
}

impl SseReader {
    async fn open(addr: &str, path: &str) -> SseReader {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connects");
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut lines = tokio::io::BufReader::new(stream).lines();
        let status = lines.next_line().await.unwrap().expect("a status line");
        assert!(status.contains("200"), "{status}");
        SseReader { lines }
    }

    /// The next event's name and data.
    async fn next(&mut self) -> (String, String) {
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let line = tokio::time::timeout(common::PATIENCE, self.lines.next_line())
                .await
                .expect("an event in time")
                .unwrap()
                .expect("stream open");
            if let Some(value) = line.strip_prefix("event: ") {
                name = value.to_owned();
            } else if let Some(value) = line.strip_prefix("data: ") {
                data = value.to_owned();
            } else if line.is_empty() && !name.is_empty() {
                return (name, data);
            }
        }
    }
}

#[tokio::test]
async fn sse_notifications_streams_each_users_own_notifications() {
    let emulator = emulator().await;
    let mut server = run("sse_notifications", &emulator, &[("EXAMPLE_ADDR", "127.0.0.1:0")]);
    let line = server.line_with("listening on http://").await;
    let base = line.rsplit(' ').next().expect("address").to_owned();
    let addr = base.trim_start_matches("http://").to_owned();

    let mut ann = SseReader::open(&addr, "/notifications/stream/ann").await;
    let mut bob = SseReader::open(&addr, "/notifications/stream/bob").await;
    assert_eq!(ann.next().await, ("connected".to_owned(), "ann".to_owned()));
    assert_eq!(bob.next().await, ("connected".to_owned(), "bob".to_owned()));

    let http = reqwest::Client::new();
    let post = |user: &str, message: &str| {
        http.post(format!("{base}/notifications"))
            .json(&json!({"userId": user, "message": message}))
            .send()
    };
    let created = post("ann", "your order shipped").await.unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (name, data) = ann.next().await;
    assert_eq!(name, "notification");
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(
        (data["id"].as_str(), data["message"].as_str()),
        (Some(id.as_str()), Some("your order shipped"))
    );
    // Bob's first notification is his own: Ann's never reached his stream.
    post("bob", "welcome").await.unwrap();
    let (_, data) = bob.next().await;
    assert_eq!(
        serde_json::from_str::<Value>(&data).unwrap()["message"],
        "welcome"
    );
    // Invalid input is refused with Appwrite's reason.
    let bad = post(
        "not a valid user id because it is far too long for the attribute size of sixty-four",
        "x",
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 400);

    server.stop_cleanly("sse_notifications stopped").await;
}

// Only the fields a test reads: the rest of each stored document is ignored when decoding.
#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "jobs")]
struct JobView {
    kind: String,
    input: String,
    status: String,
    attempts: Option<u8>,
    max_attempts: u8,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "job_logs")]
struct JobLogView {
    job_id: String,
    attempt: u8,
    level: String,
}

/// Stores `job` while no worker runs, starts the next worker and checks that it resumed that
/// job and exited once nothing was open; returns every job then.
async fn next_worker_resumes(emulator: &Emulator, job: JobView) -> Vec<Document<JobView>> {
    let jobs = client(emulator).connect().await.unwrap().collection::<JobView>();
    let staged = jobs.create(&job).await.unwrap();
    let (ok, output) = run("job_queue", emulator, &[]).finish().await;
    assert!(ok, "{}", output.join("\n"));
    let resumed = format!("resuming job {}", staged.id());
    assert!(
        output.iter().any(|l| l.starts_with(&resumed)),
        "job {} ({}) is not resumed:\n{}",
        staged.id(),
        job.status,
        output.join("\n")
    );
    jobs.find([Query::limit(100)]).await.unwrap()
}

/// How a job of `kind` ends: `broken` ones fail, the others complete.
fn final_status(kind: &str) -> &'static str {
    if kind == "broken" {
        "failed"
    } else {
        "completed"
    }
}

#[tokio::test]
async fn job_queue_finishes_every_job_with_its_logs_and_resumes_leftovers() {
    let emulator = emulator().await;
    let (ok, output) = run("job_queue", &emulator, &[]).finish().await;
    assert!(ok, "{}", output.join("\n"));

    // A job enqueued while no worker runs is picked up by the next start.
    let leftover = JobView {
        kind: "resize".into(),
        input: "while-down.png".into(),
        status: "pending".into(),
        attempts: Some(0),
        max_attempts: 2,
    };
    let jobs = next_worker_resumes(&emulator, leftover).await;
    let db = client(&emulator).connect().await.unwrap();
    let logs = db
        .collection::<JobLogView>()
        .find([Query::limit(100)])
        .await
        .unwrap();
    assert_eq!(jobs.len(), 9, "two runs of four, and the leftover");
    for job in &jobs {
        let mut attempts: Vec<(u8, String)> = logs
            .iter()
            .filter(|log| log.job_id == job.id())
            .map(|log| (log.attempt, log.level.clone()))
            .collect();
        attempts.sort();
        let expected: Vec<(u8, String)> = match job.kind.as_str() {
            "resize" => vec![(1, "info".into())],
            "flaky" => vec![(1, "error".into()), (2, "info".into())],
            _ => (1..=job.max_attempts).map(|n| (n, "error".into())).collect(),
        };
        assert_eq!(attempts, expected, "logs of {} job {}", job.kind, job.id());
        assert_eq!(job.status, final_status(&job.kind), "{} job", job.kind);
        assert_eq!(job.attempts, Some(expected.len() as u8));
    }
}

#[tokio::test]
async fn job_queue_killed_at_a_random_point_finishes_every_job_after_a_restart() {
    let emulator = emulator().await;
    // SIGKILL, as a crash or an OOM kill would stop the worker: no handler finishes, no
    // checkpoint is saved on the way out.
    let mut first = run("job_queue", &emulator, &[]);
    first.line_with("enqueued").await;
    let delay = random_below(Duration::from_millis(250));
    println!("killing the worker {delay:?} after its first enqueue");
    tokio::time::sleep(delay).await;
    first.child.start_kill().expect("the worker is running");
    let (ok, output) = first.finish().await;
    assert!(!ok, "the worker was killed:\n{}", output.join("\n"));

    // Whatever instant the kill hit, add the one state a random instant rarely hits: a job cut
    // off during its last allowed attempt (`running`, attempts = max). The attempt left no
    // outcome, so the next worker must run it again rather than skip it and wait forever.
    // The next worker resumes from the checkpoint: it exits only once no job of either run is
    // pending or running.
    let cut_off = JobView {
        kind: "resize".into(),
        input: "cut-off.png".into(),
        status: "running".into(),
        attempts: Some(1),
        max_attempts: 1,
    };
    let jobs = next_worker_resumes(&emulator, cut_off).await;
    assert_eq!(jobs.len(), 9, "two runs of four and the cut-off job");
    for job in &jobs {
        assert_eq!(
            job.status,
            final_status(&job.kind),
            "{} job {}",
            job.kind,
            job.id()
        );
        assert!(job.attempts.unwrap_or(0) <= job.max_attempts, "{job:?}");
    }
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "pipeline_orders")]
struct PipelineOrderView {
    quantity: u8,
    status: String,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "inventory")]
struct StockView {
    available: i32,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "payments")]
struct PaymentView {
    order_id: String,
    amount: f64,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "customer_notifications")]
struct NotificationView {
    order_id: String,
}

#[tokio::test]
async fn order_pipeline_ships_what_is_in_stock_and_charges_nothing_else() {
    let emulator = emulator().await;
    let (ok, output) = run("order_pipeline", &emulator, &[]).finish().await;
    assert!(ok, "{}", output.join("\n"));

    let db = client(&emulator).connect().await.unwrap();
    let orders = db.collection::<PipelineOrderView>().find([]).await.unwrap();
    let payments = db.collection::<PaymentView>().find([]).await.unwrap();
    let notes = db.collection::<NotificationView>().find([]).await.unwrap();
    let mut statuses: Vec<(u8, String)> = orders.iter().map(|o| (o.quantity, o.status.clone())).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            (1, "cancelled".into()),
            (1, "shipped".into()),
            (2, "shipped".into())
        ]
    );
    // One payment per shipped order, none for the cancelled one; one notification per order.
    let shipped: Vec<&str> = orders
        .iter()
        .filter(|o| o.status == "shipped")
        .map(|o| o.id())
        .collect();
    let mut paid: Vec<&str> = payments.iter().map(|p| p.order_id.as_str()).collect();
    paid.sort();
    let mut expected = shipped.clone();
    expected.sort();
    assert_eq!(paid, expected);
    assert_eq!(payments.iter().map(|p| p.amount).sum::<f64>(), 39.0 + 78.0);
    let mut told: Vec<&str> = notes.iter().map(|n| n.order_id.as_str()).collect();
    told.sort();
    let mut all: Vec<&str> = orders.iter().map(|o| o.id()).collect();
    all.sort();
    assert_eq!(told, all);
    let stock = db.collection::<StockView>().get_or_fail("lamp").await.unwrap();
    assert_eq!(stock.available, 0);
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "tasks")]
struct TaskView {
    name: String,
}

/// Waits a moment after `counts` were read from the hash `key`, so that a late duplicate would
/// show: they must not have changed.
async fn no_late_duplicates(
    redis: &mut redis::aio::MultiplexedConnection,
    key: &str,
    counts: &std::collections::HashMap<String, u32>,
) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again: std::collections::HashMap<String, u32> =
        redis::cmd("HGETALL").arg(key).query_async(redis).await.unwrap();
    assert_eq!(&again, counts);
}

#[tokio::test]
async fn multi_instance_handles_each_event_once_even_when_an_instance_dies() {
    let server = tests::redis().await;
    let (url, mut redis) = (server.url.clone(), server.connection.clone());
    let prefix = tests::unique_name("queue");
    let emulator = emulator().await;
    // `a` is slow, so that the kill surely lands while it holds an unacknowledged entry.
    let spawn = |name: &str, handle_ms: &str| {
        let env = [
            ("REDIS_URL", url.as_str()),
            ("KEY_PREFIX", prefix.as_str()),
            ("INSTANCE", name),
            ("HANDLE_MS", handle_ms),
        ];
        run("multi_instance", &emulator, &env)
    };
    let mut a = spawn("a", "2000");
    a.line_with("instance a ready").await;
    let mut b = spawn("b", "100");
    b.line_with("instance b ready").await;

    let db = client(&emulator).connect().await.unwrap();
    let tasks = db.collection::<TaskView>();
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(
            tasks
                .create(&TaskView {
                    name: format!("task {n}"),
                })
                .await
                .unwrap()
                .id()
                .to_owned(),
        );
    }
    // Kill `a` in the middle of handling an entry: it never acknowledges it.
    a.line_with("instance a handling").await;
    a.child.start_kill().unwrap();
    let _ = a.finish().await;

    let handled_count = format!("{prefix}:handled-count");
    let counts: std::collections::HashMap<String, u32> = eventually("every task handled", || {
        let mut redis = redis.clone();
        let key = handled_count.clone();
        async move {
            let counts: std::collections::HashMap<String, u32> = redis::cmd("HGETALL")
                .arg(&key)
                .query_async(&mut redis)
                .await
                .ok()?;
            (counts.len() == 12).then_some(counts)
        }
    })
    .await;
    no_late_duplicates(&mut redis, &handled_count, &counts).await;
    let mut handled: Vec<&String> = counts.keys().collect();
    handled.sort();
    ids.sort();
    assert_eq!(handled, ids.iter().collect::<Vec<_>>());
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let _: () = redis::cmd("DEL")
        .arg(format!("appwrite-orm:{prefix}:tasks:stream"))
        .arg(format!("{prefix}:handled"))
        .arg(&handled_count)
        .query_async(&mut redis)
        .await
        .unwrap();
    // The ORM logs the takeover of `a`'s pending entry.
    b.stop_cleanly("took over an abandoned work-queue entry").await;
}

#[tokio::test]
async fn multi_instance_single_listener_holds_one_socket_and_survives_its_listener_being_killed() {
    let server = tests::redis().await;
    let (url, mut redis) = (server.url.clone(), server.connection.clone());
    let prefix = tests::unique_name("single");
    let emulator = emulator().await;
    let spawn = |name: &str| {
        let env = [
            ("REDIS_URL", url.as_str()),
            ("KEY_PREFIX", prefix.as_str()),
            ("INSTANCE", name),
            ("MODE", "single"),
            ("HANDLE_MS", "20"),
        ];
        run("multi_instance", &emulator, &env)
    };
    let mut instances = std::collections::HashMap::new();
    for name in ["a", "b", "c"] {
        let mut instance = spawn(name);
        instance.line_with(&format!("instance {name} ready")).await;
        instances.insert(name, instance);
    }
    assert_eq!(
        emulator.realtime_connections(),
        1,
        "three instances, one listener"
    );

    let db = client(&emulator).connect().await.unwrap();
    let tasks = db.collection::<TaskView>();
    let handled_count = format!("{prefix}:handled-count");
    let poll = redis.clone();
    let counts_when = |n: usize| {
        let (redis, key) = (poll.clone(), handled_count.clone());
        eventually("the tasks handled", move || {
            let (mut redis, key) = (redis.clone(), key.clone());
            async move {
                let counts: std::collections::HashMap<String, u32> = redis::cmd("HGETALL")
                    .arg(&key)
                    .query_async(&mut redis)
                    .await
                    .ok()?;
                (counts.len() >= n).then_some(counts)
            }
        })
    };
    let create = |range: std::ops::Range<u32>| {
        let tasks = tasks.clone();
        async move {
            for n in range {
                let task = TaskView {
                    name: format!("task {n}"),
                };
                tasks.create(&task).await.unwrap();
            }
        }
    };
    create(0..6).await;
    counts_when(6).await;

    // SIGKILL the listener: it gives nothing up, its lease expires.
    let lease_key = format!("appwrite-orm:{prefix}:tasks:leader");
    let holder: String = redis::cmd("GET")
        .arg(&lease_key)
        .query_async(&mut redis)
        .await
        .unwrap();
    let listener = holder.split(':').next().unwrap().to_owned();
    let mut killed = instances
        .remove(listener.as_str())
        .expect("the listener is one of them");
    killed.child.start_kill().unwrap();
    let kill_time = std::time::Instant::now();
    let _ = killed.finish().await;
    // Written while no instance listens: the next listener catches up on them.
    create(6..12).await;
    let new_holder: String = eventually("another instance takes the lease", || {
        let (mut redis, key, old) = (poll.clone(), lease_key.clone(), holder.clone());
        async move {
            let now: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut redis).await.ok()?;
            now.filter(|now| *now != old)
        }
    })
    .await;
    println!(
        "takeover: {new_holder} holds the lease {:?} after {holder} was killed",
        kill_time.elapsed()
    );
    let counts = counts_when(12).await;
    no_late_duplicates(&mut redis, &handled_count, &counts).await;
    assert_eq!(counts.len(), 12, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    eventually("one realtime connection again", || async {
        (emulator.realtime_connections() == 1).then_some(())
    })
    .await;
    for (name, instance) in instances {
        instance.stop_cleanly(&format!("instance {name} stopped")).await;
    }
}

#[tokio::test]
async fn multi_instance_fan_out_gives_every_instance_every_event() {
    let server = tests::redis().await;
    let (url, mut redis) = (server.url.clone(), server.connection.clone());
    let prefix = tests::unique_name("fanout");
    let emulator = emulator().await;
    let mut instances = Vec::new();
    for name in ["a", "b"] {
        let env = [
            ("REDIS_URL", url.as_str()),
            ("KEY_PREFIX", prefix.as_str()),
            ("INSTANCE", name),
            ("MODE", "fanout"),
        ];
        let mut instance = run("multi_instance", &emulator, &env);
        instance.line_with("ready").await;
        instances.push(instance);
    }
    let tasks = collection::<TaskView>(&emulator).await;
    for n in 0..4 {
        tasks
            .create(&TaskView {
                name: format!("task {n}"),
            })
            .await
            .unwrap();
    }
    for name in ["a", "b"] {
        let key = format!("{prefix}:seen:{name}");
        eventually("every event seen by every instance", || {
            let mut redis = redis.clone();
            let key = key.clone();
            async move {
                let seen: usize = redis::cmd("SCARD").arg(&key).query_async(&mut redis).await.ok()?;
                (seen == 4).then_some(())
            }
        })
        .await;
    }
    let _: () = redis::cmd("DEL")
        .arg(format!("{prefix}:seen:a"))
        .arg(format!("{prefix}:seen:b"))
        .query_async(&mut redis)
        .await
        .unwrap();
    for instance in instances {
        instance.stop_cleanly("stopped").await;
    }
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "webhooks")]
struct WebhookView {
    target: String,
    status: String,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "dead_letters")]
struct DeadLetterView {
    document_id: String,
    error: String,
    attempts: u8,
}

#[tokio::test]
async fn resilient_processing_retries_and_dead_letters_what_never_succeeds() {
    let emulator = emulator().await;
    let (ok, output) = run("resilient_processing", &emulator, &[]).finish().await;
    assert!(ok, "{}", output.join("\n"));
    let db = client(&emulator).connect().await.unwrap();
    let webhooks = db.collection::<WebhookView>().find([]).await.unwrap();
    let letters = db.collection::<DeadLetterView>().find([]).await.unwrap();
    assert_eq!(webhooks.len(), 3);
    let down = webhooks.iter().find(|w| w.target.contains("down")).unwrap();
    for webhook in &webhooks {
        let expected = if webhook.id() == down.id() {
            "queued"
        } else {
            "delivered"
        };
        assert_eq!(webhook.status, expected, "{}", webhook.target);
    }
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].document_id, down.id());
    assert_eq!(letters[0].attempts, 4);
    assert!(
        letters[0].error.contains("connection refused"),
        "{}",
        letters[0].error
    );
    // Four attempts for the dead one, three for the flaky one.
    assert!(
        output.iter().any(|l| l.contains("failed attempts 6")),
        "{}",
        output.join("\n")
    );
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "page_stats")]
struct PageStatsView {
    views: i64,
}

#[tokio::test]
async fn batching_aggregates_every_event_in_bounded_batches() {
    let emulator = emulator().await;
    let (ok, output) = run("batching", &emulator, &[]).finish().await;
    assert!(ok, "{}", output.join("\n"));
    let stats = collection::<PageStatsView>(&emulator).await;
    // 25 views round-robin over three pages.
    for (page, expected) in [("home", 9), ("pricing", 8), ("docs", 8)] {
        assert_eq!(stats.get_or_fail(page).await.unwrap().views, expected, "{page}");
    }
    let sizes: Vec<usize> = output
        .iter()
        .filter_map(|l| l.strip_prefix("batch of "))
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 25);
    assert!(sizes.iter().all(|n| (1..=10).contains(n)), "{sizes:?}");
    // The 12-event burst cannot fit one batch; the time limit closes batches before the limit.
    assert!(sizes.len() >= 4, "{sizes:?}");
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "emails")]
struct EmailView {
    to: String,
    subject: String,
    status: String,
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_handler_in_flight_and_exits_zero() {
    let emulator = emulator().await;
    let mut service = run("graceful_shutdown", &emulator, &[("HANDLE_MS", "700")]);
    service.line_with("ready").await;
    let emails = collection::<EmailView>(&emulator).await;
    for to in ["ann@example.com", "bob@example.com", "cat@example.com"] {
        let email = EmailView {
            to: to.into(),
            subject: "hi".into(),
            status: "queued".into(),
        };
        emails.create(&email).await.unwrap();
    }
    // Signal while the first email is being sent.
    let started = service.line_with("started").await;
    service.terminate().await;
    let (ok, output) = service.finish().await;
    assert!(ok, "{}", output.join("\n"));
    let id = started.trim_start_matches("started ").to_owned();
    assert!(
        output.iter().any(|l| *l == format!("finished {id}")),
        "{}",
        output.join("\n")
    );
    // Every email that started also finished, and nothing started after the signal.
    let all = [vec![started.clone()], output.clone()].concat();
    for line in all.iter().filter(|l| l.starts_with("started ")) {
        let id = line.trim_start_matches("started ");
        assert!(
            all.iter().any(|l| *l == format!("finished {id}")),
            "{id} was cut off"
        );
    }
    assert!(output.iter().any(|l| l.contains("every handler finished: true")));
    let sent = emails.find([]).await.unwrap();
    assert_eq!(sent.iter().find(|e| e.id() == id).unwrap().status, "sent");
    // The rest stay queued for the next start, which sends them first.
    let queued = sent.iter().filter(|e| e.status == "queued").count();
    assert!(queued >= 1, "the signal came before the later emails were taken");
    // The next start catches up on them (after it is ready: a durable listener resumes from
    // its checkpoint while listening), then stops cleanly.
    let mut waiting: Vec<String> = sent
        .iter()
        .filter(|e| e.status == "queued")
        .map(|e| e.id().to_owned())
        .collect();
    let mut next = run("graceful_shutdown", &emulator, &[("HANDLE_MS", "10")]);
    next.line_with("ready").await;
    while !waiting.is_empty() {
        let line = next.line_with("finished ").await;
        waiting.retain(|id| line != format!("finished {id}"));
    }
    next.stop_cleanly("every handler finished: true").await;
    let left = emails.find([]).await.unwrap();
    assert!(left.iter().all(|e| e.status == "sent"), "{left:?}");
}

#[tokio::test]
async fn graceful_shutdown_killed_at_a_random_point_sends_every_email_after_a_restart() {
    let emulator = emulator().await;
    let mut service = run("graceful_shutdown", &emulator, &[("HANDLE_MS", "100")]);
    service.line_with("ready").await;
    let emails = collection::<EmailView>(&emulator).await;
    let mut written = Vec::new();
    for n in 0..5 {
        let email = EmailView {
            to: format!("user{n}@example.com"),
            subject: "hi".into(),
            status: "queued".into(),
        };
        written.push(emails.create(&email).await.unwrap().id().to_owned());
    }
    // SIGKILL: no handler finishes, no checkpoint is saved on the way out.
    let delay = random_below(Duration::from_millis(600));
    println!("killing the service {delay:?} after the last email was queued");
    tokio::time::sleep(delay).await;
    service.child.start_kill().expect("the service is running");
    let (ok, _) = service.finish().await;
    assert!(!ok, "the service was killed");

    // The next start catches up from the checkpoint and sends whatever is still queued.
    let mut next = run("graceful_shutdown", &emulator, &[("HANDLE_MS", "10")]);
    next.line_with("ready").await;
    eventually("every email sent", || {
        let emails = emails.clone();
        async move {
            let all = emails.find([]).await.ok()?;
            all.iter().all(|e| e.status == "sent").then_some(all)
        }
    })
    .await;
    next.stop_cleanly("every handler finished: true").await;
    let sent = emails.find([]).await.unwrap();
    assert_eq!(sent.len(), written.len());
    for id in &written {
        assert!(
            sent.iter().any(|e| e.id() == id && e.status == "sent"),
            "{id} never sent"
        );
    }
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "ledger")]
struct LedgerView {
    payment_id: String,
    account: String,
    amount: f64,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "incoming_payments")]
struct IncomingPaymentView {
    amount: f64,
}

#[tokio::test]
async fn idempotent_processing_credits_each_payment_exactly_once() {
    let emulator = emulator().await;
    let (ok, output) = run("idempotent_processing", &emulator, &[]).finish().await;
    assert!(ok, "{}", output.join("\n"));
    let db = client(&emulator).connect().await.unwrap();
    let payments = db.collection::<IncomingPaymentView>().find([]).await.unwrap();
    let entries = db.collection::<LedgerView>().find([]).await.unwrap();
    let mut credited: Vec<&str> = entries.iter().map(|e| e.payment_id.as_str()).collect();
    credited.sort();
    let mut paid: Vec<&str> = payments.iter().map(|p| p.id()).collect();
    paid.sort();
    assert_eq!(credited, paid, "one ledger entry per payment");
    let sum = |values: Vec<f64>| values.into_iter().sum::<f64>();
    assert_eq!(
        sum(entries.iter().map(|e| e.amount).collect()),
        sum(payments.iter().map(|p| p.amount).collect())
    );
    // Two listeners and a replay: every payment was offered three times, refused twice.
    let refused = output
        .iter()
        .filter(|l| l.contains("was already credited"))
        .count();
    assert_eq!(refused, 2 * payments.len(), "{}", output.join("\n"));
    // A second write with a used key is refused by the server itself, not by the example.
    let again = LedgerView {
        payment_id: entries[0].payment_id.clone(),
        account: entries[0].account.clone(),
        amount: 1.0,
    };
    let err = db.collection::<LedgerView>().create(&again).await.unwrap_err();
    assert_eq!(err.kind(), Some(appwrite_orm::ErrorKind::DocumentAlreadyExists));
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "readings")]
struct ReadingView {
    sensor: String,
    value: f64,
}

#[tokio::test]
async fn monitoring_reports_events_timings_connection_state_and_cache_freshness() {
    let emulator = emulator().await;
    let mut monitor = run("monitoring", &emulator, &[("REPORT_MS", "200")]);
    monitor.line_with("ready").await;
    let readings = collection::<ReadingView>(&emulator).await;
    for n in 0..3 {
        let reading = ReadingView {
            sensor: format!("s{n}"),
            value: f64::from(n),
        };
        readings.create(&reading).await.unwrap();
        let line = monitor.line_with("event create").await;
        assert!(line.contains("(Live) delay="), "{line}");
    }
    let report = monitor.line_with("report: state=Connected events=3").await;
    assert!(report.contains("handler_avg="), "{report}");
    assert!(report.contains("cache_fresh=true"), "{report}");

    emulator.drop_realtime_connections();
    // While the socket is down the cache cannot see invalidations, so it is not fresh.
    let down = monitor.line_with("state: Reconnecting").await;
    assert!(down.ends_with("cache_fresh=false"), "{down}");
    let up = monitor.line_with("state: Connected").await;
    assert!(up.ends_with("cache_fresh=true"), "{up}");
    let report = monitor.line_with("report: state=Connected").await;
    assert!(
        !report.contains("cache_hits=0 "),
        "the handler's second read is a hit: {report}"
    );
    // The ORM's own tracing output is part of what is monitored.
    assert!(monitor.output.iter().any(|l| l.contains("realtime connected")));

    monitor.stop_cleanly("state: Closed").await;
}

#[tokio::test]
async fn orders_quickstart_prints_three_typed_events_and_leaves_no_order() {
    let emulator = emulator().await;
    let (ok, output) = run("orders", &emulator, &[]).finish().await;
    assert!(ok, "{}", output.join("\n"));
    let events: Vec<&String> = output
        .iter()
        .filter(|l| l.trim_start().starts_with("event:"))
        .collect();
    assert_eq!(events.len(), 3, "{}", output.join("\n"));
    for (line, expected) in events.iter().zip(["Create", "Update", "Delete"]) {
        assert!(line.contains(expected), "{line}");
    }
    assert!(events[1].contains("Paid"), "{}", events[1]);
    assert!(output.iter().any(|l| l.contains("0 orders left")));
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "shop_orders")]
struct ShopOrderView {
    item: String,
    quantity: i32,
    customer: String,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "shop_stock")]
struct ShopStockView {
    available: i32,
}

#[tokio::test]
async fn transfer_stock_sells_exactly_the_stock_and_refuses_the_rest_cleanly() {
    let emulator = emulator().await;
    let (ok, output) = run("transfer_stock", &emulator, &[]).finish().await;
    assert!(ok, "{}", output.join("\n"));

    let db = client(&emulator).connect().await.unwrap();
    let orders = db
        .collection::<ShopOrderView>()
        .find(Query::limit(100))
        .await
        .unwrap();
    let stock = db
        .collection::<ShopStockView>()
        .get_or_fail("desk-lamp")
        .await
        .unwrap();
    assert_eq!(orders.len(), 5, "{}", output.join("\n"));
    assert_eq!(orders.iter().map(|o| o.quantity).sum::<i32>(), 5);
    assert_eq!(stock.available, 0);
    let mut customers: Vec<&str> = orders.iter().map(|o| o.customer.as_str()).collect();
    customers.sort();
    customers.dedup();
    assert_eq!(customers.len(), 5, "one order per winning customer");
    let said = |needle: &str| output.iter().filter(|l| l.contains(needle)).count();
    assert_eq!(said("placed"), 5 + 1, "five placements and the summary");
    assert_eq!(said(": sold out"), 15);
    // The listener announced each stored order once and nothing of a refused one.
    let announced: Vec<&String> = output.iter().filter(|l| l.starts_with("event: order")).collect();
    assert_eq!(announced.len(), 5, "{}", output.join("\n"));
    for order in &orders {
        assert!(
            announced.iter().any(|l| l.contains(order.id())),
            "no event for {}",
            order.id()
        );
    }
}
