//! The realtime endpoint over real WebSockets: which events reach which socket, and the fault
//! hooks client tests rely on.

mod common;

use std::time::Duration;

use appwrite_emulator::{AppwriteVersion, Config, Emulator};
use common::Api;
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

struct Socket(WebSocketStream<MaybeTlsStream<TcpStream>>);

impl Socket {
    async fn open(emulator: &Emulator, query: &str) -> Self {
        Socket::connect(emulator, query).await.0
    }

    /// A socket and its `connected` frame.
    async fn connect(emulator: &Emulator, query: &str) -> (Self, Value) {
        let url = format!(
            "{}?project={}{query}",
            emulator.realtime_endpoint(),
            emulator.project_id()
        );
        let (stream, _) = tokio_tungstenite::connect_async(url).await.expect("connects");
        let mut socket = Socket(stream);
        let connected = socket.next().await.expect("connected frame");
        assert_eq!(connected["type"], "connected");
        (socket, connected)
    }

    async fn subscribe(emulator: &Emulator, jwt: Option<&str>, channels: &[&str]) -> Self {
        let query = jwt.map(|j| format!("&jwt={j}")).unwrap_or_default();
        let mut socket = Socket::open(emulator, &query).await;
        socket.send(json!({"type": "subscribe", "data": [{"subscriptionId": "s1", "channels": channels, "queries": []}]})).await;
        let ack = socket.next().await.expect("ack");
        assert_eq!(ack["data"]["to"], "subscribe");
        socket
    }

    async fn send(&mut self, value: Value) {
        self.0
            .send(Message::Text(value.to_string().into()))
            .await
            .expect("send");
    }

    /// The next JSON frame within a second; `None` when the socket closed or stayed silent.
    async fn next(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(Duration::from_secs(1), self.0.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Some(serde_json::from_str(&text).expect("JSON frame"))
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                _ => return None,
            }
        }
    }

    /// Reads until the socket closes (`true`) or stays silent for two seconds (`false`).
    async fn drain_until_closed(&mut self, frames: &mut Vec<Value>) -> bool {
        loop {
            match tokio::time::timeout(Duration::from_secs(2), self.0.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(Message::Text(text)))) => {
                    frames.push(serde_json::from_str(&text).expect("JSON frame"))
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Whether the socket stays silent (and open) for a while.
    async fn silent(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.0.next()).await.is_err()
    }

    async fn events(&mut self, count: usize) -> Vec<Value> {
        let mut events = Vec::new();
        while events.len() < count {
            let frame = self
                .next()
                .await
                .unwrap_or_else(|| panic!("only {} of {count} events arrived", events.len()));
            if frame["type"] == "event" {
                events.push(frame["data"].clone());
            }
        }
        events
    }
}

async fn setup(config: Config) -> (Emulator, Api, String) {
    let emulator = Emulator::start(Config {
        attribute_delay: Duration::ZERO,
        ..config
    })
    .await
    .expect("starts");
    let api = Api::of(&emulator);
    let col = api
        .collection(
            json!(["read(\"label:ops\")"]),
            true,
            &[
                ("string", json!({"key": "t", "size": 20, "required": false})),
                ("integer", json!({"key": "n", "required": false})),
            ],
        )
        .await;
    for (user, labels) in [("u1", json!([])), ("ops", json!(["ops"]))] {
        api.post("/users", json!({"userId": user})).await;
        api.call(
            Method::PUT,
            &format!("/users/{user}/labels"),
            Some(json!({"labels": labels})),
        )
        .await;
    }
    (emulator, api, col)
}

fn action(event: &Value) -> (String, String) {
    let first = event["events"][0].as_str().unwrap();
    (
        event["payload"]["$id"].as_str().unwrap().to_owned(),
        first.rsplit('.').next().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn every_kind_of_write_produces_its_events_in_commit_order() {
    let (emulator, api, col) = setup(Config::default()).await;
    let docs = format!("{col}/documents");
    let ops = api.jwt("ops").await;
    let mut socket = Socket::subscribe(
        &emulator,
        Some(&ops),
        &["databases.main.collections.col.documents"],
    )
    .await;

    api.post(&docs, json!({"documentId": "a", "data": {"t": "x", "n": 1}}))
        .await;
    api.call(
        Method::PATCH,
        &format!("{docs}/a"),
        Some(json!({"data": {"t": "y"}})),
    )
    .await;
    api.call(
        Method::PATCH,
        &format!("{docs}/a"),
        Some(json!({"data": {"t": "y"}})),
    )
    .await; // no change: no event
    api.call(
        Method::PUT,
        &format!("{docs}/b"),
        Some(json!({"data": {"t": "new"}})),
    )
    .await;
    api.call(
        Method::PATCH,
        &format!("{docs}/a/n/increment"),
        Some(json!({"value": 2})),
    )
    .await;
    api.post(
        &docs,
        json!({"documents": [{"$id": "c", "t": "1"}, {"$id": "d", "t": "2"}]}),
    )
    .await;
    api.call(Method::PATCH, &docs, Some(json!({"data": {"n": 9}, "queries": [json!({"method": "equal", "attribute": "$id", "values": ["c", "d"]}).to_string()]}))).await;
    api.call(
        Method::DELETE,
        &docs,
        Some(
            json!({"queries": [json!({"method": "equal", "attribute": "$id", "values": ["c"]}).to_string()]}),
        ),
    )
    .await;
    api.call(Method::DELETE, &format!("{docs}/a"), None).await;

    let events = socket.events(10).await;
    let seen: Vec<(String, String)> = events.iter().map(action).collect();
    let expected = [
        ("a", "create"),
        ("a", "update"),
        ("b", "upsert"),
        ("a", "update"),
        ("c", "create"),
        ("d", "create"),
        ("c", "update"),
        ("d", "update"),
        ("c", "delete"),
        ("a", "delete"),
    ];
    assert_eq!(seen, expected.map(|(d, a)| (d.to_owned(), a.to_owned())));
    assert_eq!(
        events[3]["payload"]["n"], 3,
        "the increment's event carries the new value"
    );
    assert_eq!(
        events[9]["payload"]["t"], "y",
        "a delete carries the document as it was"
    );
    for event in &events {
        assert_eq!(event["events"].as_array().unwrap().len(), 42);
        // 1.9.5: documents, rows and tablesdb channels, each also with the action's suffix.
        assert_eq!(event["channels"].as_array().unwrap().len(), 16);
        assert_eq!(event["subscriptions"], json!(["s1"]));
    }
    assert!(
        socket.silent(Duration::from_millis(200)).await,
        "nothing else arrives"
    );
}

#[tokio::test]
async fn events_reach_only_sockets_whose_roles_may_read_the_document() {
    let (emulator, api, col) = setup(Config::default()).await;
    let docs = format!("{col}/documents");
    let channels = ["documents"];
    let mut ops = Socket::subscribe(&emulator, Some(&api.jwt("ops").await), &channels).await;
    let mut u1 = Socket::subscribe(&emulator, Some(&api.jwt("u1").await), &channels).await;
    let mut guest = Socket::subscribe(&emulator, None, &channels).await;
    // The API key gives no realtime identity: this socket is a guest.
    let mut keyed = Socket::subscribe(&emulator, None, &channels).await;

    api.post(&docs, json!({"documentId": "staff", "data": {"t": "ops only"}}))
        .await;
    api.post(
        &docs,
        json!({"documentId": "mine", "data": {"t": "u1"}, "permissions": ["read(\"user:u1\")"]}),
    )
    .await;
    api.post(
        &docs,
        json!({"documentId": "open", "data": {"t": "all"}, "permissions": ["read(\"any\")"]}),
    )
    .await;

    let ids = |events: Vec<Value>| {
        events
            .iter()
            .map(|e| e["payload"]["$id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(ops.events(3).await), ["staff", "mine", "open"]);
    assert_eq!(ids(u1.events(2).await), ["mine", "open"]);
    assert_eq!(ids(guest.events(1).await), ["open"]);
    assert_eq!(ids(keyed.events(1).await), ["open"]);
    for socket in [&mut ops, &mut u1, &mut guest, &mut keyed] {
        assert!(socket.silent(Duration::from_millis(150)).await);
    }
}

#[tokio::test]
async fn one_frame_per_event_even_with_overlapping_subscriptions_and_url_channels() {
    let (emulator, api, col) = setup(Config::default()).await;
    let ops = api.jwt("ops").await;
    let (mut socket, connected) =
        Socket::connect(&emulator, &format!("&jwt={ops}&channels%5B%5D=documents")).await;
    // 1.9: the URL's channel is a subscription too, with an id `connected` gives.
    let url = connected["data"]["subscriptions"][0]
        .as_str()
        .expect("an id")
        .to_owned();
    socket
        .send(json!({"type": "subscribe", "data": [
            {"subscriptionId": "all", "channels": ["documents", "rows"]},
            {"subscriptionId": "big", "channels": ["databases.main.collections.col.documents"], "queries": [json!({"method": "greaterThan", "attribute": "n", "values": [5]}).to_string()]},
        ]}))
        .await;
    // Appwrite 1.9.6 echoes each subscription: its id, its channels and its queries.
    let response = socket.next().await.unwrap();
    let echoed: Vec<&str> = response["data"]["subscriptions"]
        .as_array()
        .expect("subscriptions")
        .iter()
        .map(|s| s["subscriptionId"].as_str().expect("an id"))
        .collect();
    assert_eq!(echoed, ["all", "big"], "{response}");
    assert_eq!(
        response["data"]["subscriptions"][1]["queries"][0],
        json!({"method": "greaterThan", "attribute": "n", "values": [5]}).to_string()
    );
    api.post(
        &format!("{col}/documents"),
        json!({"documentId": "small", "data": {"n": 1}}),
    )
    .await;
    api.post(
        &format!("{col}/documents"),
        json!({"documentId": "large", "data": {"n": 10}}),
    )
    .await;
    let events = socket.events(2).await;
    assert_eq!(events[0]["subscriptions"], json!([url, "all"]));
    assert_eq!(events[1]["subscriptions"], json!([url, "all", "big"]));
    assert!(
        socket.silent(Duration::from_millis(150)).await,
        "exactly one frame per event"
    );

    socket
        .send(json!({"type": "unsubscribe", "data": [{"subscriptionId": "all"}, {"subscriptionId": "big"}]}))
        .await;
    assert_eq!(socket.next().await.unwrap()["data"]["to"], "unsubscribe");
    api.post(
        &format!("{col}/documents"),
        json!({"documentId": "later", "data": {"n": 10}}),
    )
    .await;
    let url_only = socket.events(1).await;
    assert_eq!(
        url_only[0]["subscriptions"],
        json!([url]),
        "the URL's subscription still matches"
    );
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_bad_subscriptions_are_refused() {
    let (emulator, _api, _col) = setup(Config::default()).await;
    let mut socket = Socket::open(&emulator, "").await;
    socket.0.send(Message::Text("{".into())).await.unwrap();
    assert_eq!(socket.next().await.unwrap()["data"]["code"], 1003);
    socket
        .send(json!({"type": "subscribe", "data": {"not": "a list"}}))
        .await;
    assert_eq!(
        socket.next().await.unwrap()["data"]["message"],
        "Payload is not valid."
    );
    socket.send(json!({"type": "subscribe", "data": [{"subscriptionId": "x", "channels": ["documents"], "queries": [json!({"method": "search", "attribute": "t", "values": ["a"]}).to_string()]}]})).await;
    let refused = socket.next().await.unwrap();
    assert_eq!(refused["type"], "error");
    assert!(refused["data"]["message"]
        .as_str()
        .unwrap()
        .contains("not supported"));
    socket.send(json!({"type": "ping"})).await;
    assert_eq!(
        socket.next().await.unwrap(),
        json!({"type": "pong"}),
        "errors do not close the socket"
    );
    socket
        .0
        .send(Message::Text("x".repeat(64_001).into()))
        .await
        .unwrap();
    assert_eq!(socket.next().await.unwrap()["data"]["code"], 1009);
    assert!(
        socket.next().await.is_none(),
        "an oversized frame closes the socket"
    );

    let bad_jwt = format!(
        "{}?project={}&jwt=abc",
        emulator.realtime_endpoint(),
        emulator.project_id()
    );
    let (mut refused, _) = tokio_tungstenite::connect_async(bad_jwt).await.unwrap();
    let Some(Ok(Message::Text(text))) = refused.next().await else {
        panic!("an error frame")
    };
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["data"]["code"],
        1008
    );
}

#[tokio::test]
async fn fault_hooks_drop_inject_and_restart() {
    let (mut emulator, api, col) = setup(Config::default()).await;
    let ops = api.jwt("ops").await;
    let mut socket = Socket::subscribe(&emulator, Some(&ops), &["documents"]).await;
    emulator.inject_realtime_frame("this is not JSON");
    let Some(Ok(Message::Text(raw))) = socket.0.next().await else {
        panic!("the injected frame")
    };
    assert_eq!(raw.as_str(), "this is not JSON");
    emulator.drop_realtime_connections();
    assert!(socket.next().await.is_none(), "the socket is gone");

    let mut socket = Socket::subscribe(&emulator, Some(&ops), &["documents"]).await;
    let address = emulator.address();
    emulator.restart(Duration::from_millis(100)).await.unwrap();
    assert!(socket.next().await.is_none(), "a restart drops sockets");
    assert_eq!(emulator.address(), address, "same port");
    // Data and JWTs survive the restart.
    let mut socket = Socket::subscribe(&emulator, Some(&ops), &["documents"]).await;
    let (status, _) = api
        .post(
            &format!("{col}/documents"),
            json!({"documentId": "after", "data": {"t": "x"}}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(socket.events(1).await[0]["payload"]["$id"], "after");
}

#[tokio::test]
async fn a_slow_socket_is_closed_without_stalling_writers_or_other_sockets() {
    let (emulator, api, col) = setup(Config {
        realtime_buffer: 64,
        ..Config::default()
    })
    .await;
    api.post(
        &format!("{col}/attributes/string"),
        json!({"key": "blob", "size": 20000, "required": false}),
    )
    .await;
    api.wait_available(&col).await;
    let ops = api.jwt("ops").await;
    // This socket does not read while the writes happen: its kernel buffers fill, then its
    // queue of 64 events, and the server must drop it rather than wait.
    let mut stalled = Socket::subscribe(&emulator, Some(&ops), &["documents"]).await;
    let mut healthy = Socket::subscribe(&emulator, Some(&ops), &["documents"]).await;
    let blob = "x".repeat(16_000);
    let total = 1500;
    let reader = tokio::spawn(async move { healthy.events(total).await.len() });
    let started = std::time::Instant::now();
    for batch in 0..total / 100 {
        let documents: Vec<Value> = (0..100)
            .map(|i| json!({"$id": format!("d{batch}-{i}"), "blob": blob}))
            .collect();
        assert_eq!(
            api.post(&format!("{col}/documents"), json!({"documents": documents}))
                .await
                .0,
            201
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "writes were not held up"
    );
    assert_eq!(reader.await.unwrap(), total, "the reading socket got every event");
    let mut frames = Vec::new();
    assert!(
        stalled.drain_until_closed(&mut frames).await,
        "the slow socket was closed, not left open"
    );
    let events = frames.iter().filter(|f| f["type"] == "event").count();
    assert!(events < total, "the slow socket did not get everything: {events}");
}

// A socket holds at most `realtime_max_subscriptions` (a guest too): more is refused with an
// error frame and the socket goes on; re-subscribing an id replaces it rather than adding one.
#[tokio::test]
async fn subscriptions_per_socket_are_capped_and_an_id_is_replaced_not_added() {
    let (emulator, _api, _col) = setup(Config {
        realtime_max_subscriptions: 1_000,
        ..Config::default()
    })
    .await;
    let mut socket = Socket::open(&emulator, "").await;
    // Batches under Appwrite's 64 000-byte frame limit.
    for batch in 0..2 {
        let items: Vec<Value> = (0..500)
            .map(|i| json!({"subscriptionId": format!("s{}", batch * 500 + i), "channels": ["documents"], "queries": []}))
            .collect();
        socket.send(json!({"type": "subscribe", "data": items})).await;
        assert_eq!(socket.next().await.unwrap()["data"]["to"], "subscribe");
    }
    assert_eq!(emulator.realtime_subscriptions(), 1_000);
    // The same ids again: replaced, so still within the cap.
    let again: Vec<Value> = (0..500)
        .map(|i| json!({"subscriptionId": format!("s{i}"), "channels": ["files"], "queries": []}))
        .collect();
    socket.send(json!({"type": "subscribe", "data": again})).await;
    assert_eq!(socket.next().await.unwrap()["data"]["to"], "subscribe");
    assert_eq!(emulator.realtime_subscriptions(), 1_000);
    // One more is refused.
    socket
        .send(json!({"type": "subscribe", "data": [{"subscriptionId": "extra", "channels": ["documents"], "queries": []}]}))
        .await;
    let refused = socket.next().await.unwrap();
    assert_eq!(
        (refused["type"].as_str(), refused["data"]["code"].as_i64()),
        (Some("error"), Some(1008))
    );
    assert_eq!(emulator.realtime_subscriptions(), 1_000);
    socket.send(json!({"type": "ping"})).await;
    assert_eq!(
        socket.next().await.unwrap(),
        json!({"type": "pong"}),
        "the socket goes on"
    );
}

// Appwrite's channel rewrite: `account` also means `account.<the caller's id>`, and an
// `account.<id>` the client sends is dropped; a guest gets no account channel of its own.
#[tokio::test]
async fn the_account_channel_is_expanded_to_the_callers_own_account() {
    let (emulator, api, _col) = setup(Config::default()).await;
    let token = api.jwt("u1").await;
    let connected = |query: String| {
        let url = format!(
            "{}?project={}{query}&channels[]=account&channels[]=account.someone-else&channels[]=documents",
            emulator.realtime_endpoint(),
            emulator.project_id()
        );
        async move {
            let (mut stream, _) = tokio_tungstenite::connect_async(url).await.expect("connects");
            let Some(Ok(Message::Text(text))) = stream.next().await else {
                panic!("a connected frame")
            };
            let frame: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(frame["type"], "connected");
            frame["data"]["channels"].clone()
        }
    };
    assert_eq!(
        connected(format!("&jwt={token}")).await,
        json!(["account", "documents", "account.u1"])
    );
    assert_eq!(connected(String::new()).await, json!(["account", "documents"]));
}

// `$permissions` in a bulk update's data replaces the documents' permissions, and realtime
// filters the update's events by the new ones: a guest now allowed to read gets them.
#[tokio::test]
async fn a_bulk_update_of_permissions_applies_and_realtime_follows_it() {
    let (emulator, api, col) = setup(Config::default()).await;
    let docs = format!("{col}/documents");
    for id in ["p1", "p2"] {
        let (status, body) = api
            .post(&docs, json!({"documentId": id, "data": {"t": "private"}}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let mut guest = Socket::subscribe(&emulator, None, &["documents"]).await;
    let (status, body) = api
        .call(
            Method::PATCH,
            &docs,
            Some(json!({"data": {"t": "public", "$permissions": ["read(\"any\")"]}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for document in body["documents"].as_array().unwrap() {
        assert_eq!(document["$permissions"], json!(["read(\"any\")"]), "{document}");
    }
    let events = guest.events(2).await;
    let mut ids: Vec<&str> = events
        .iter()
        .map(|e| e["payload"]["$id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["p1", "p2"]);
    let (_, stored) = api.get(&format!("{docs}/p1")).await;
    assert_eq!(stored["$permissions"], json!(["read(\"any\")"]));
}

/// Percent-encodes a query parameter's value.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn release_1_9_0_reads_queries_from_the_url_and_has_no_subscribe_messages() {
    let (emulator, api, col) = setup(Config {
        appwrite_version: AppwriteVersion::V1_9_0,
        ..Config::default()
    })
    .await;
    let ops = api.jwt("ops").await;
    let big = json!({"method": "greaterThan", "attribute": "n", "values": [5]}).to_string();
    // Slot 1 of `documents` filters big values; `rows` has no queries, so it sits in slot 0.
    let query = format!(
        "&jwt={ops}&channels%5B%5D=documents&channels%5B%5D=rows&documents%5B1%5D%5B%5D={}&documents%5B1%5D%5B%5D={}",
        encoded(&big),
        encoded(&json!({"method": "isNotNull", "attribute": "n"}).to_string()),
    );
    let (mut socket, connected) = Socket::connect(&emulator, &query).await;
    assert_eq!(connected["data"]["channels"], json!(["documents", "rows"]));
    let slots = connected["data"]["subscriptions"]
        .as_object()
        .expect("slot 1 comes first, so a map");
    let (filtered, everything) = (slots["1"].as_str().unwrap(), slots["0"].as_str().unwrap());

    for (id, n) in [("one", 1), ("ten", 10)] {
        api.post(
            &format!("{col}/documents"),
            json!({"documentId": id, "data": {"n": n}}),
        )
        .await;
    }
    let events = socket.events(2).await;
    assert_eq!(events[0]["subscriptions"], json!([everything]));
    assert_eq!(events[1]["subscriptions"], json!([filtered, everything]));
    // 1.9.0 adds the `tablesdb.…` channels, not yet the action-suffixed ones.
    assert_eq!(events[0]["channels"].as_array().unwrap().len(), 8);
    let tablesdb = events[0]["channels"].as_array().unwrap().iter();
    assert_eq!(
        tablesdb
            .filter(|c| c.as_str().unwrap().starts_with("tablesdb."))
            .count(),
        2
    );

    // No `subscribe` messages before 1.9.5.
    socket
        .send(json!({"type": "subscribe", "data": [{"channels": ["documents"]}]}))
        .await;
    assert_eq!(
        socket.next().await.unwrap()["data"]["message"],
        "Message type is not valid."
    );

    // A refused query method refuses the socket, naming the method.
    let (mut refused, error) = {
        let url = format!(
            "{}?project={}&channels%5B%5D=documents&documents%5B0%5D%5B%5D={}",
            emulator.realtime_endpoint(),
            emulator.project_id(),
            encoded(&json!({"method": "search", "attribute": "t", "values": ["a"]}).to_string()),
        );
        let (stream, _) = tokio_tungstenite::connect_async(url).await.expect("connects");
        let mut socket = Socket(stream);
        let error = socket.next().await.expect("an error frame");
        (socket, error)
    };
    assert_eq!(error["type"], "error");
    assert_eq!(error["data"]["code"], 1008);
    assert!(error["data"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Query method 'search' is not supported"));
    assert!(
        refused.drain_until_closed(&mut Vec::new()).await,
        "the server closes it"
    );
}

/// Opens a socket with an `Origin` header and returns its first frame.
async fn first_frame_with_origin(emulator: &Emulator, origin: &str) -> Value {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!(
        "{}?project={}&channels%5B%5D=documents",
        emulator.realtime_endpoint(),
        emulator.project_id()
    );
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("origin", origin.parse().unwrap());
    let (stream, _) = tokio_tungstenite::connect_async(request).await.expect("connects");
    Socket(stream).next().await.expect("a frame")
}

#[tokio::test]
async fn browser_origins_must_be_web_platforms_of_the_project() {
    let (emulator, _api, _col) = setup(Config {
        web_platforms: vec!["*.shop.test".to_owned()],
        ..Config::default()
    })
    .await;
    let refused = first_frame_with_origin(&emulator, "https://evil.test").await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["data"]["code"], 1008);
    assert_eq!(
        refused["data"]["message"],
        "Invalid Origin. Register your new client (evil.test) as a new Web platform on your project console dashboard"
    );
    let welcome = first_frame_with_origin(&emulator, "https://www.shop.test").await;
    assert_eq!(welcome["type"], "connected", "{welcome}");
    // The host the client connected to always passes, as Appwrite's "current host" platform.
    let own = first_frame_with_origin(&emulator, "http://127.0.0.1:5173").await;
    assert_eq!(own["type"], "connected", "{own}");
}
