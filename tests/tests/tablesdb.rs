//! Writes made through TablesDB, seen by the ORM's listeners (which subscribe through the
//! collections API's channels) with the right kind on every release that has TablesDB, and the
//! emulator's event names per release: on 1.8 a TablesDB write is named after tables and rows
//! only, from 1.9 after both.

use std::time::Duration;

use appwrite_emulator::{AppwriteVersion, Config, Emulator};
use appwrite_orm::{Collection, EventKind};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[collection(id = "items", permissions(read = "any"))]
struct Item {
    name: String,
    #[collection(min = 0)]
    stock: i32,
}

async fn tablesdb(emulator: &Emulator, method: reqwest::Method, path: &str, body: Value) -> Value {
    let (status, answer) = tablesdb_answer(emulator, method, &format!("/tables/items{path}"), body).await;
    assert!((200..300).contains(&status), "{status}: {answer}");
    answer
}

async fn emulator(version: AppwriteVersion) -> Emulator {
    Emulator::start(Config {
        appwrite_version: version,
        ..Config::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn listeners_see_tablesdb_writes_with_their_kind_on_every_release_that_has_tablesdb() {
    for version in [
        AppwriteVersion::V1_8,
        AppwriteVersion::V1_9_0,
        AppwriteVersion::NEWEST,
    ] {
        let emulator = emulator(version).await;
        let orm = tests::client(&emulator);
        let items = tests::migrated::<Item>(&orm).await;
        let mut events = items.listen_documents();
        events.ready().await.unwrap();

        let post = reqwest::Method::POST;
        tablesdb(
            &emulator,
            post,
            "/rows",
            json!({"rowId": "lamp", "data": {"name": "Lamp", "stock": 3}}),
        )
        .await;
        let patch = reqwest::Method::PATCH;
        tablesdb(
            &emulator,
            patch.clone(),
            "/rows/lamp",
            json!({"data": {"stock": 4}}),
        )
        .await;
        let put = reqwest::Method::PUT;
        tablesdb(
            &emulator,
            put,
            "/rows/lamp",
            json!({"data": {"name": "Lamp", "stock": 5}}),
        )
        .await;
        tablesdb(
            &emulator,
            patch,
            "/rows/lamp/stock/decrement",
            json!({"value": 1}),
        )
        .await;
        tablesdb(&emulator, reqwest::Method::DELETE, "/rows/lamp", json!({})).await;

        let mut seen = Vec::new();
        while seen.len() < 5 {
            let event = tokio::time::timeout(Duration::from_secs(5), events.next())
                .await
                .unwrap_or_else(|_| panic!("{version}: only {seen:?} arrived"))
                .expect("the stream goes on")
                .expect("an event");
            seen.push((event.kind, event.document.stock));
        }
        assert_eq!(
            seen,
            [
                (EventKind::Create, 3),
                (EventKind::Update, 4),
                (EventKind::Upsert, 5),
                (EventKind::Update, 4),
                (EventKind::Delete, 4)
            ],
            "{version}"
        );
    }
}

async fn next_frame<S, E>(socket: &mut S) -> Value
where
    S: futures_util::Stream<Item = Result<tokio_tungstenite::tungstenite::Message, E>> + Unpin,
    E: std::fmt::Debug,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame in time")
            .expect("open")
            .expect("readable");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            return serde_json::from_str::<Value>(&text).unwrap();
        }
    }
}

/// The raw frame of one TablesDB write, as a socket subscribed to the rows channel gets it.
async fn raw_event(version: AppwriteVersion) -> Value {
    let emulator = emulator(version).await;
    let orm = tests::client(&emulator);
    tests::migrated::<Item>(&orm).await;
    let url = format!(
        "{}/realtime?project={}&channels[]=rows",
        emulator.endpoint().replacen("http", "ws", 1),
        emulator.project_id()
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert_eq!(next_frame(&mut socket).await["type"], "connected");
    tablesdb(
        &emulator,
        reqwest::Method::POST,
        "/rows",
        json!({"rowId": "r1", "data": {"name": "A", "stock": 1}}),
    )
    .await;
    let frame = next_frame(&mut socket).await;
    let _ = socket.close(None).await;
    frame
}

#[tokio::test]
async fn a_tablesdb_write_is_named_after_rows_on_1_8_and_after_both_from_1_9() {
    let names = |frame: &Value| -> Vec<String> {
        frame["data"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_owned())
            .collect()
    };
    let on_1_8 = raw_event(AppwriteVersion::V1_8).await;
    let events = names(&on_1_8);
    assert_eq!(events[0], "databases.main.tables.items.rows.r1.create");
    assert!(events.iter().all(|e| !e.contains("collections")), "{events:?}");
    assert_eq!(events.len(), 22);
    let channels = on_1_8["data"]["channels"].to_string();
    assert!(
        channels.contains("databases.main.collections.items.documents")
            && channels.contains("databases.main.tables.items.rows"),
        "{channels}"
    );
    assert_eq!(on_1_8["data"]["payload"]["$tableId"], "items");
    assert!(on_1_8["data"]["payload"].get("$collectionId").is_none());

    let on_1_9 = raw_event(AppwriteVersion::NEWEST).await;
    let events = names(&on_1_9);
    assert_eq!(events.len(), 42, "each name with a table in it has its twin");
    assert_eq!(events[0], "databases.main.tables.items.rows.r1.create");
    assert_eq!(events[1], "databases.main.collections.items.documents.r1.create");
}

#[tokio::test]
async fn each_dialect_speaks_its_own_routes_and_errors_read_the_same() {
    use appwrite_orm::{Dialect, ErrorKind};

    // 1.6 has no TablesDB: a client told to speak it fails there, the others do not.
    let old = emulator(AppwriteVersion::V1_6).await;
    let builder = || tests::client_builder(&old);
    let tablesdb = builder().dialect(Dialect::TablesDb).build().unwrap();
    let refused = tablesdb
        .connect()
        .register::<Item>()
        .auto_migrate(true)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("route"), "{refused}");
    for dialect in [Dialect::Collections, Dialect::Auto] {
        let orm = builder().dialect(dialect).build().unwrap();
        let items = tests::migrated::<Item>(&orm).await;
        items
            .create_with_id(
                "a",
                &Item {
                    name: "A".into(),
                    stock: 1,
                },
            )
            .await
            .unwrap();
        items.delete("a").await.unwrap();
    }

    // On a server with both, the same calls work either way and a missing row is the same kind.
    let both = emulator(AppwriteVersion::NEWEST).await;
    for dialect in [Dialect::Collections, Dialect::TablesDb] {
        let orm = tests::client_builder(&both).dialect(dialect).build().unwrap();
        let items = tests::migrated::<Item>(&orm).await;
        let id = format!("{dialect:?}").to_lowercase();
        items
            .create_with_id(
                &id,
                &Item {
                    name: id.clone(),
                    stock: 2,
                },
            )
            .await
            .unwrap();
        assert_eq!(items.get_or_fail(&id).await.unwrap().stock, 2);
        let missing = items.get_or_fail("nope").await.unwrap_err();
        assert!(missing.is(ErrorKind::DocumentNotFound), "{dialect:?}: {missing}");
        let expected = match dialect {
            Dialect::TablesDb => "Row with the requested ID",
            _ => "Document with the requested ID",
        };
        assert!(missing.to_string().contains(expected), "{dialect:?}: {missing}");
    }
    let orm = tests::client_builder(&both).build().unwrap();
    assert_eq!(
        tests::migrated::<Item>(&orm).await.count(None).await.unwrap(),
        2,
        "one storage"
    );
}

/// A TablesDB request's status and answer, successful or not.
async fn tablesdb_answer(
    emulator: &Emulator,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}/tablesdb/main{path}", emulator.endpoint()))
        .header("X-Appwrite-Project", emulator.project_id())
        .header("X-Appwrite-Key", emulator.api_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn tablesdb_errors_quote_their_subject_in_tablesdb_words_from_1_9() {
    for (version, column, index) in [
        (
            AppwriteVersion::V1_8,
            "Column with the requested ID could not be found.",
            "Unknown column: ghost. Verify the column name or create the column.",
        ),
        (
            AppwriteVersion::NEWEST,
            "Column with the requested key 'nope' could not be found.",
            "The column 'ghost' required for the index could not be found. Please confirm all your columns are in the available state.",
        ),
    ] {
        let emulator = emulator(version).await;
        let orm = tests::client_builder(&emulator).build().unwrap();
        tests::migrated::<Item>(&orm).await;
        let (status, missing) =
            tablesdb_answer(&emulator, reqwest::Method::GET, "/tables/items/columns/nope", json!({})).await;
        assert_eq!(
            (status, missing["type"].as_str(), missing["message"].as_str()),
            (404, Some("column_not_found"), Some(column)),
            "{version:?}"
        );
        let (status, unknown) = tablesdb_answer(
            &emulator,
            reqwest::Method::POST,
            "/tables/items/indexes",
            json!({"key": "by_ghost", "type": "key", "columns": ["ghost"]}),
        )
        .await;
        assert_eq!(
            (status, unknown["type"].as_str(), unknown["message"].as_str()),
            (400, Some("column_unknown"), Some(index)),
            "{version:?}"
        );
        let (status, table) =
            tablesdb_answer(&emulator, reqwest::Method::GET, "/tables/nope", json!({})).await;
        assert_eq!((status, table["type"].as_str()), (404, Some("table_not_found")));
        let expected = if version >= AppwriteVersion::V1_9_0 {
            "Table with the requested ID 'nope' could not be found."
        } else {
            "Table with the requested ID could not be found."
        };
        assert_eq!(table["message"], expected, "{version:?}");
    }
}
