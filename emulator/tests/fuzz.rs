//! A seeded fuzz of the emulator's REST and realtime surface: hostile input on every route
//! (NUL and control characters, invalid UTF-8, SQL and FTS5 syntax, huge and deeply nested
//! values, huge and nested query sets, wrong types, bad credentials), then the checks that
//! matter to a client: no answer is a 5xx, every error is shaped as Appwrite shapes them
//! (`message`, `code` equal to the status, `type`, `version`), nothing hangs, and the server
//! still serves normal work afterwards.
//!
//! The seed is fixed so a failure reproduces; `FUZZ_SEED=n` and `FUZZ_ROUNDS=n` explore more.

mod common;

use std::time::Duration;

use appwrite_emulator::{Config, Emulator};
use common::Api;
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// A small deterministic generator (xorshift64*): the fuzz needs reproducibility, not quality.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ATOMS: &[&str] = &[
    "",
    "\0",
    "a\0b",
    "\u{1}\u{2}\u{7f}",
    "' OR 1=1 --",
    "\"; DROP TABLE d1; --",
    "NEAR(a b, 2)",
    "\"unterminated",
    "a* OR b^ NOT c",
    "col:abc",
    "💥🦀",
    "%",
    "_",
    "\\",
    "{}",
    "[]",
    "null",
    "$id",
    "$sequence",
    "a.b.c",
    "../../etc/passwd",
    "unique()",
    "s",
    "n",
    "arr",
    "1975-06-12",
    "2022-08-01 13:09:23.040",
    "9999-99-99",
    "-1",
    "1e309",
    "true",
    "any",
    "users",
    "read(\"any\")",
];

const METHODS: &[&str] = &[
    "equal",
    "notEqual",
    "lessThan",
    "lessThanEqual",
    "greaterThan",
    "greaterThanEqual",
    "contains",
    "notContains",
    "search",
    "notSearch",
    "isNull",
    "isNotNull",
    "between",
    "notBetween",
    "startsWith",
    "notStartsWith",
    "endsWith",
    "notEndsWith",
    "select",
    "orderAsc",
    "orderDesc",
    "orderRandom",
    "limit",
    "offset",
    "cursorAfter",
    "cursorBefore",
    "and",
    "or",
    "nope",
    "",
];

fn text(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "x".repeat(*rng.pick(&[256, 4097, 70_000])),
        1 => (0..rng.below(40))
            .map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?'))
            .collect(),
        _ => (*rng.pick(ATOMS)).to_owned(),
    }
}

fn value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 4 { 5 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(*rng.pick(&[
            0_i64,
            -1,
            i64::MAX,
            i64::MIN,
            2_147_483_648,
            9_007_199_254_740_993
        ])),
        3 => json!(*rng.pick(&[0.5_f64, -0.0, 1e308, -1e308, 3.999_999_999_999])),
        4 => Value::String(text(rng)),
        5 | 6 => Value::Array((0..rng.below(6)).map(|_| value(rng, depth + 1)).collect()),
        7 => Value::Array(vec![json!(1); *rng.pick(&[600, 5_000])]),
        _ => {
            let mut map = serde_json::Map::new();
            for _ in 0..rng.below(5) {
                let key = field(rng, 50);
                map.insert(key, value(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

/// An attribute or system key of the fixture `percent` of the time, any text otherwise.
fn field(rng: &mut Rng, percent: u64) -> String {
    const FIELDS: &[&str] = &[
        "s",
        "n",
        "f",
        "b",
        "d",
        "e",
        "arr",
        "$id",
        "$createdAt",
        "$sequence",
        "$permissions",
    ];
    if rng.chance(percent) {
        (*rng.pick(FIELDS)).to_owned()
    } else {
        text(rng)
    }
}

/// A query, well-formed or not, possibly nested `and`/`or` several levels deep.
fn query(rng: &mut Rng, depth: usize) -> String {
    match rng.below(12) {
        0 => text(rng),
        1 => format!("{{\"method\":\"{}\",\"values\":[", rng.pick(METHODS)),
        2 if depth < 8 => {
            let inner: Vec<Value> = (0..1 + rng.below(4))
                .map(|_| serde_json::from_str(&query(rng, depth + 1)).unwrap_or(Value::Null))
                .collect();
            json!({"method": rng.pick(&["and", "or"]), "values": inner}).to_string()
        }
        _ => {
            let attribute = field(rng, 70);
            let values: Vec<Value> = (0..rng.below(4)).map(|_| value(rng, 3)).collect();
            let values = if rng.chance(5) {
                vec![json!("v"); 501]
            } else {
                values
            };
            json!({"method": rng.pick(METHODS), "attribute": attribute, "values": values}).to_string()
        }
    }
}

fn queries(rng: &mut Rng) -> Vec<String> {
    let n = *rng.pick(&[0, 1, 2, 3, 5, 101, 150]);
    (0..n).map(|_| query(rng, 0)).collect()
}

/// A path segment: a normal id, a hostile one (percent-encoded), or raw invalid UTF-8.
fn id(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 | 1 => (*rng.pick(&["fz", "c", "doc1", "s", "missing"])).to_owned(),
        2 => "%FF%FE%00".to_owned(),
        3 => "x".repeat(300),
        _ => form_urlencoded::byte_serialize(text(rng).as_bytes()).collect(),
    }
}

fn route(rng: &mut Rng) -> (Method, String) {
    let db = if rng.chance(70) { "fz".to_owned() } else { id(rng) };
    let col = if rng.chance(70) { "c".to_owned() } else { id(rng) };
    let doc = if rng.chance(50) {
        "doc1".to_owned()
    } else {
        id(rng)
    };
    let base = format!("/databases/{db}/collections/{col}");
    let kind = rng.pick(&[
        "string",
        "integer",
        "float",
        "boolean",
        "datetime",
        "email",
        "url",
        "ip",
        "enum",
        "relationship",
        "nope",
    ]);
    let options: Vec<(Method, String)> = vec![
        (Method::GET, "/databases".into()),
        (Method::POST, "/databases".into()),
        (Method::GET, format!("/databases/{db}")),
        (Method::PUT, format!("/databases/{db}")),
        (Method::GET, format!("/databases/{db}/collections")),
        (Method::POST, format!("/databases/{db}/collections")),
        (Method::PUT, base.clone()),
        (Method::GET, format!("{base}/attributes")),
        (Method::POST, format!("{base}/attributes/{kind}")),
        (Method::PATCH, format!("{base}/attributes/{kind}/{}", id(rng))),
        (Method::GET, format!("{base}/indexes")),
        (Method::POST, format!("{base}/indexes")),
        (Method::GET, format!("{base}/documents")),
        (Method::POST, format!("{base}/documents")),
        (Method::PATCH, format!("{base}/documents")),
        (Method::PUT, format!("{base}/documents")),
        (Method::DELETE, format!("{base}/documents")),
        (Method::GET, format!("{base}/documents/{doc}")),
        (Method::PATCH, format!("{base}/documents/{doc}")),
        (Method::PUT, format!("{base}/documents/{doc}")),
        (Method::DELETE, format!("{base}/documents/{doc}")),
        (
            Method::PATCH,
            format!(
                "{base}/documents/{doc}/{}/{}",
                id(rng),
                rng.pick(&["increment", "decrement", "sideways"])
            ),
        ),
        (Method::POST, "/users".into()),
        (Method::POST, format!("/users/{}/jwts", id(rng))),
        (Method::GET, format!("/{}", id(rng))),
    ];
    rng.pick(&options).clone()
}

/// A request body: usually JSON built from the generator, sometimes bytes no JSON parser takes.
fn body(rng: &mut Rng) -> Vec<u8> {
    match rng.below(12) {
        0 => vec![0xFF, 0xFE, b'{', 0x00],
        1 => b"{\"data\": {\"s\": \"unterminated".to_vec(),
        2 => b"documentId=a&data=b".to_vec(),
        3 => "[".repeat(3000).into_bytes(),
        _ => {
            let mut object = match value(rng, 0) {
                Value::Object(map) => map,
                other => serde_json::Map::from_iter([("data".to_owned(), other)]),
            };
            for key in [
                "queries",
                "documentId",
                "data",
                "documents",
                "permissions",
                "key",
                "attributes",
                "lengths",
                "orders",
                "default",
                "elements",
                "size",
                "min",
                "max",
                "value",
            ] {
                if rng.chance(25) {
                    let v = if key == "queries" {
                        json!(queries(rng))
                    } else {
                        value(rng, 1)
                    };
                    object.insert(key.to_owned(), v);
                }
            }
            Value::Object(object).to_string().into_bytes()
        }
    }
}

/// At most `n` bytes of `text`, on a character boundary.
fn cut(text: &str, n: usize) -> &str {
    let mut end = text.len().min(n);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Sends one request; the answer must not be a 5xx and an error must be Appwrite-shaped.
async fn probe(http: &reqwest::Client, emulator: &Emulator, rng: &mut Rng, failures: &mut Vec<String>) {
    let (method, path) = route(rng);
    let mut url = format!("{}{path}", emulator.endpoint());
    if method == Method::GET && rng.chance(70) {
        let mut params = form_urlencoded::Serializer::new(String::new());
        for (i, q) in queries(rng).iter().enumerate() {
            params.append_pair(&format!("queries[{i}]"), q);
        }
        if rng.chance(30) {
            params.append_pair("search", &text(rng));
        }
        if rng.chance(10) {
            params.append_pair("total", &text(rng));
        }
        let query = params.finish();
        // Long enough to stress the parsers, short enough for the HTTP layer to accept; beyond
        // that the request line itself is refused (414), before the API sees it.
        if query.len() < 32_000 {
            url = format!("{url}?{query}");
        }
    }
    let mut request = http
        .request(method.clone(), &url)
        .header("X-Appwrite-Project", emulator.project_id());
    request = match rng.below(5) {
        0 => request,
        1 => request.header("X-Appwrite-JWT", text(rng).replace(['\n', '\r', '\0'], "")),
        2 => request.header("X-Appwrite-Key", "not-the-key"),
        _ => request.header("X-Appwrite-Key", emulator.api_key()),
    };
    if rng.chance(10) {
        request = request.header("X-Appwrite-Timestamp", text(rng).replace(['\n', '\r', '\0'], ""));
    }
    if method != Method::GET {
        let content_type = if rng.chance(90) {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        request = request.header("Content-Type", content_type).body(body(rng));
    }
    let what = format!("{method} {}", cut(&url, 200));
    let response = match tokio::time::timeout(Duration::from_secs(10), request.send()).await {
        Err(_) => return failures.push(format!("{what}: no answer in 10 s")),
        // A request the client library will not build never reached the server.
        Ok(Err(err)) if err.is_builder() => return,
        Ok(Err(err)) => return failures.push(format!("{what}: {}", cut(&err.to_string(), 200))),
        Ok(Ok(response)) => response,
    };
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    if status >= 500 {
        return failures.push(format!("{what}: {status} {}", cut(&text, 300)));
    }
    if status >= 400 {
        let shaped = serde_json::from_str::<Value>(&text).is_ok_and(|e| {
            e["code"] == status
                && e["type"].as_str().is_some_and(|t| !t.is_empty())
                && e["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty() && !m.contains("SQL"))
                && e["version"].is_string()
        });
        if !shaped {
            failures.push(format!(
                "{what}: {status} is not an Appwrite error: {}",
                &text[..text.len().min(300)]
            ));
        }
    }
}

/// A database `fz` and collection `c` with one attribute of every kind and a fulltext index, so
/// that hostile input reaches the query and write paths, not only the not-found checks.
async fn fixture(api: &Api) {
    assert_eq!(
        api.post("/databases", json!({"databaseId": "fz", "name": "Fuzz"}))
            .await
            .0,
        201
    );
    let col = "/databases/fz/collections/c";
    let (status, body) = api
        .post("/databases/fz/collections", json!({"collectionId": "c", "name": "C", "permissions": ["read(\"any\")", "create(\"any\")", "update(\"any\")", "delete(\"any\")"], "documentSecurity": true}))
        .await;
    assert_eq!(status, 201, "{body}");
    for (kind, attribute) in [
        ("string", json!({"key": "s", "size": 64, "required": false})),
        ("integer", json!({"key": "n", "required": false})),
        ("float", json!({"key": "f", "required": false})),
        ("boolean", json!({"key": "b", "required": false})),
        ("datetime", json!({"key": "d", "required": false})),
        ("email", json!({"key": "e", "required": false})),
        (
            "string",
            json!({"key": "arr", "size": 16, "required": false, "array": true}),
        ),
    ] {
        assert_eq!(
            api.post(&format!("{col}/attributes/{kind}"), attribute).await.0,
            202
        );
    }
    api.wait_available(col).await;
    let (status, body) = api
        .post(
            &format!("{col}/indexes"),
            json!({"key": "ft", "type": "fulltext", "attributes": ["s"]}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    api.wait_available(col).await;
    let (status, body) = api
        .post(
            &format!("{col}/documents"),
            json!({"documentId": "doc1", "data": {"s": "hello world", "n": 1}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// After the fuzz the server still does normal work.
async fn still_serves(api: &Api) {
    let col = "/databases/fz/collections/c";
    let (status, body) = api
        .post(
            &format!("{col}/documents"),
            json!({"documentId": "after", "data": {"s": "after the storm", "n": 2}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = api
        .list(
            &format!("{col}/documents"),
            &[json!({"method": "search", "attribute": "s", "values": ["storm"]})],
        )
        .await;
    assert_eq!((status, body["total"].as_i64()), (200, Some(1)), "{body}");
}

/// An emulator with the fixture, and a client holding its key.
async fn start() -> (Emulator, Api) {
    let config = Config {
        attribute_delay: Duration::from_millis(1),
        ..Config::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let api = Api::of(&emulator);
    fixture(&api).await;
    (emulator, api)
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_1234_ABCD_0001)
}

fn rounds(default: usize) -> usize {
    std::env::var("FUZZ_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn hostile_requests_get_appwrite_errors_and_the_server_keeps_serving() {
    let (emulator, api) = start().await;
    let http = reqwest::Client::new();
    let mut rng = Rng(seed());
    let mut failures = Vec::new();
    let total = rounds(3_000);
    for _ in 0..total {
        probe(&http, &emulator, &mut rng, &mut failures).await;
    }
    assert!(
        failures.is_empty(),
        "{} of {total} requests failed (seed {:#x}):\n{}",
        failures.len(),
        seed(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    let (status, _) = api.get("/health/version").await;
    assert_eq!(status, 200);
    // The fuzz may have disabled, renamed or deleted the fixture: restore it, then do normal work.
    let _ = api.call(Method::DELETE, "/databases/fz", None).await;
    fixture(&api).await;
    still_serves(&api).await;
}

/// A realtime frame the server may send: JSON with a known `type`.
fn known_frame(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|f| {
        matches!(
            f["type"].as_str(),
            Some("connected" | "event" | "error" | "response" | "pong")
        )
    })
}

#[tokio::test]
async fn hostile_realtime_sockets_get_error_frames_and_the_server_keeps_serving() {
    let (emulator, api) = start().await;
    let mut rng = Rng(seed() ^ 0xA5A5);
    let mut failures = Vec::new();
    let ws = emulator.endpoint().replacen("http", "ws", 1);
    for _ in 0..rounds(3_000) / 60 {
        let mut params = form_urlencoded::Serializer::new(String::new());
        params.append_pair(
            "project",
            if rng.chance(90) {
                emulator.project_id()
            } else {
                "nope"
            },
        );
        for i in 0..*rng.pick(&[0, 1, 3, 200]) {
            let channel = if rng.chance(50) {
                (*rng.pick(&[
                    "documents",
                    "rows",
                    "databases.fz.collections.c.documents",
                    "account",
                    "files",
                ]))
                .to_owned()
            } else {
                cut(&text(&mut rng), 40).to_owned()
            };
            params.append_pair(&format!("channels[{i}]"), &channel);
        }
        if rng.chance(30) {
            params.append_pair("jwt", cut(&text(&mut rng), 2_000));
        }
        // 1.9's per-channel queries in the URL: valid, hostile and oddly bracketed slots.
        for _ in 0..*rng.pick(&[0, 0, 1, 4, 50]) {
            let channel = *rng.pick(&[
                "documents",
                "rows",
                "databases_fz_collections_c_documents",
                "project",
            ]);
            let slot = rng.pick(&["[0][]", "[]", "", "[1]", "[x][y][z]", "[", "[]]]", "[0][0][0]"]);
            let value = if rng.chance(60) {
                query(&mut rng, 2)
            } else {
                cut(&text(&mut rng), 300).to_owned()
            };
            params.append_pair(&format!("{channel}{slot}"), &value);
        }
        let url = format!("{ws}/realtime?{}", params.finish());
        // A URL past what the HTTP library will send (64 KiB) never reaches the server.
        let Ok(mut request) =
            tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url.as_str())
        else {
            continue;
        };
        if rng.chance(20) {
            let origin = rng.pick(&[
                "http://localhost",
                "https://evil.test",
                "null",
                "appwrite-ios://x",
                "::",
                "chrome-extension://",
            ]);
            request
                .headers_mut()
                .insert("origin", origin.parse().expect("a header value"));
        }
        let mut socket =
            match tokio::time::timeout(Duration::from_secs(10), tokio_tungstenite::connect_async(request))
                .await
            {
                Ok(Ok((socket, _))) => socket,
                Ok(Err(err)) => {
                    failures.push(format!(
                        "{}: the upgrade failed: {}",
                        cut(&url, 200),
                        cut(&err.to_string(), 200)
                    ));
                    continue;
                }
                Err(_) => {
                    failures.push(format!("{}: no upgrade in 10 s", cut(&url, 200)));
                    continue;
                }
            };
        for _ in 0..20 {
            let frame = match rng.below(8) {
                0 => Message::Binary(vec![0xFF, 0x00, 0xFE].into()),
                1 => Message::Text("x".repeat(*rng.pick(&[10, 70_000])).into()),
                2 => Message::Text(json!({"type": "ping"}).to_string().into()),
                3 | 4 => {
                    let subscriptions: Vec<Value> = (0..rng.below(4))
                        .map(|_| json!({"subscriptionId": text(&mut rng), "channels": [text(&mut rng), "documents"], "queries": queries(&mut rng)}))
                        .collect();
                    Message::Text(
                        json!({"type": rng.pick(&["subscribe", "unsubscribe"]), "data": subscriptions})
                            .to_string()
                            .into(),
                    )
                }
                5 => Message::Text(
                    json!({"type": "authentication", "data": value(&mut rng, 2)})
                        .to_string()
                        .into(),
                ),
                _ => Message::Text(value(&mut rng, 0).to_string().into()),
            };
            if socket.send(frame).await.is_err() {
                break; // the server closed the socket, which is an answer too
            }
        }
        // Read what came back until the socket goes quiet or closes.
        while let Ok(Some(message)) = tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
            match message {
                Ok(Message::Text(text)) if !known_frame(&text) => {
                    failures.push(format!("unknown frame: {}", &text[..text.len().min(200)]))
                }
                Ok(Message::Close(_)) | Err(_) => break,
                _ => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} realtime failures (seed {:#x}):\n{}",
        failures.len(),
        seed(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    // A normal socket still connects and hears a write.
    let (mut socket, _) = tokio_tungstenite::connect_async(format!(
        "{ws}/realtime?project={}&channels[]=documents",
        emulator.project_id()
    ))
    .await
    .unwrap();
    let first = socket.next().await.unwrap().unwrap().into_text().unwrap();
    assert!(first.contains("\"connected\""), "{first}");
    let (status, body) = api
        .post(
            "/databases/fz/collections/c/documents",
            json!({"documentId": "heard", "data": {"s": "heard"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let event = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .into_text()
        .unwrap();
    assert!(event.contains("\"heard\""), "{event}");
}
