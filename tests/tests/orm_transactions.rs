//! Typed transactions against the emulator: all or nothing across collections, typed errors,
//! and realtime events for committed writes only.

use std::time::Duration;

use appwrite_emulator::{AppwriteVersion, Config, Emulator};
use appwrite_orm::{Collection, CollectionHandle, Error, ErrorKind, Event, EventKind, ListenError, Orm};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[collection(id = "orders")]
struct Order {
    item: String,
    quantity: i32,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[collection(id = "stock")]
struct Stock {
    #[collection(min = 0)]
    available: i32,
}

struct Shop {
    _emulator: Emulator,
    orm: Orm,
    orders: CollectionHandle<Order>,
    stock: CollectionHandle<Stock>,
}

async fn shop(version: AppwriteVersion) -> Shop {
    let emulator = Emulator::start(Config {
        appwrite_version: version,
        ..Config::default()
    })
    .await
    .unwrap();
    let orm = tests::client(&emulator);
    let db = orm
        .connect()
        .register::<Order>()
        .register::<Stock>()
        .auto_migrate(true)
        .await
        .unwrap();
    let (orders, stock) = (db.collection::<Order>(), db.collection::<Stock>());
    stock
        .create_with_id("lamp", &Stock { available: 3 })
        .await
        .unwrap();
    Shop {
        _emulator: emulator,
        orm,
        orders,
        stock,
    }
}

fn order(quantity: i32) -> Order {
    Order {
        item: "lamp".into(),
        quantity,
    }
}

/// Places an order and takes its quantity from the stock, atomically.
async fn place(shop: &Shop, quantity: i32) -> appwrite_orm::Result<String> {
    shop.orm
        .transaction(|tx| async move {
            let id = tx.create(&order(quantity))?;
            tx.decrement::<Stock, _>("lamp", Stock::AVAILABLE, quantity, Some(0))?;
            Ok(id)
        })
        .await
}

async fn next_event<T>(
    events: &mut (impl futures_util::Stream<Item = Result<Event<T>, ListenError>> + Unpin),
) -> Option<Event<T>> {
    match tokio::time::timeout(Duration::from_secs(5), events.next()).await {
        Ok(Some(Ok(event))) => Some(event),
        _ => None,
    }
}

#[tokio::test]
async fn a_committed_transaction_writes_every_collection_and_listeners_see_each_document() {
    let shop = shop(tests::appwrite_version()).await;
    let mut order_events = shop.orders.listen_documents();
    let mut stock_events = shop.stock.listen_documents();
    order_events.ready().await.unwrap();
    stock_events.ready().await.unwrap();

    let id = place(&shop, 2).await.unwrap();
    assert_eq!(shop.orders.get_or_fail(&id).await.unwrap().quantity, 2);
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 1);

    let created = next_event(&mut order_events).await.expect("the order's event");
    assert_eq!(
        (created.kind, created.document.id()),
        (EventKind::Create, id.as_str())
    );
    let taken = next_event(&mut stock_events).await.expect("the stock's event");
    assert_eq!(taken.kind, EventKind::Update);
    assert_eq!(taken.document.available, 1);
}

#[tokio::test]
async fn a_decrement_past_its_minimum_fails_the_whole_transaction_and_publishes_nothing() {
    let shop = shop(tests::appwrite_version()).await;
    let mut order_events = shop.orders.listen_documents();
    order_events.ready().await.unwrap();

    let refused = place(&shop, 4).await.unwrap_err();
    assert!(refused.is(ErrorKind::AttributeLimitExceeded), "{refused}");
    assert_eq!(
        shop.orders.count(None).await.unwrap(),
        0,
        "the order was not kept"
    );
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 3);

    // The next event is a later write's: the refused transaction published none.
    let later = shop.orders.create(&order(1)).await.unwrap();
    let event = next_event(&mut order_events)
        .await
        .expect("the later write's event");
    assert_eq!(event.document.id(), later.id());
}

#[tokio::test]
async fn an_error_in_the_body_sends_nothing() {
    let shop = shop(tests::appwrite_version()).await;
    let failed: appwrite_orm::Result<()> = shop
        .orm
        .transaction(|tx| async move {
            tx.create(&order(1))?;
            Err(Error::Config {
                setting: "test",
                reason: "the body gave up".into(),
            })
        })
        .await;
    assert!(matches!(failed, Err(Error::Config { .. })));
    assert_eq!(shop.orders.count(None).await.unwrap(), 0);
    let listed: serde_json::Value = raw(&shop, reqwest::Method::GET, "/databases/transactions", None)
        .await
        .1;
    assert_eq!(listed["total"], 0, "no transaction was opened: {listed}");
}

#[tokio::test]
async fn reads_in_the_body_see_what_it_staged_and_nobody_else_does_until_the_commit() {
    let shop = std::sync::Arc::new(shop(tests::appwrite_version()).await);
    let outside = std::sync::Arc::clone(&shop);
    let (id, seen) = shop
        .orm
        .transaction(|tx| async move {
            tx.decrement::<Stock, _>("lamp", Stock::AVAILABLE, 2, Some(0))?;
            let id = tx.create(&order(2))?;
            let stock = tx.get::<Stock>("lamp").await?.expect("the lamp's stock");
            let orders = tx.find::<Order>(Order::ITEM.eq("lamp")).await?;
            // Staged after the first read: sent at the commit, or by a later read.
            tx.update::<Stock>("lamp", Stock::patch().available(stock.available - 1))?;
            let again = tx.get::<Stock>("lamp").await?.expect("the lamp's stock");
            // Outside the transaction nothing has changed yet.
            let before = outside.stock.get_or_fail("lamp").await?.available;
            let absent = outside.orders.get(&id).await?.is_none();
            let ids: Vec<String> = orders.iter().map(|o| o.id().to_owned()).collect();
            Ok((id, (stock.available, ids, again.available, before, absent)))
        })
        .await
        .unwrap();
    let (read, orders, reread, before, absent) = seen;
    assert_eq!(read, 1, "3 in stock less the 2 staged");
    assert_eq!(orders, vec![id.clone()], "the staged order is found");
    assert_eq!(reread, 0, "the update staged after the first read");
    assert_eq!((before, absent), (3, true), "invisible outside before the commit");
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 0);
    assert_eq!(shop.orders.get_or_fail(&id).await.unwrap().quantity, 2);
}

#[tokio::test]
async fn an_error_after_a_read_rolls_the_servers_transaction_back() {
    let shop = shop(tests::appwrite_version()).await;
    let failed: appwrite_orm::Result<()> = shop
        .orm
        .transaction(|tx| async move {
            tx.decrement::<Stock, _>("lamp", Stock::AVAILABLE, 1, Some(0))?;
            let stock = tx.get::<Stock>("lamp").await?.expect("the lamp's stock");
            assert_eq!(stock.available, 2);
            Err(Error::Config {
                setting: "test",
                reason: "the body gave up after reading".into(),
            })
        })
        .await;
    assert!(matches!(failed, Err(Error::Config { .. })));
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 3);
    let listed: serde_json::Value = raw(&shop, reqwest::Method::GET, "/databases/transactions", None)
        .await
        .1;
    let pending: Vec<&serde_json::Value> = listed["transactions"]
        .as_array()
        .expect("a list of transactions")
        .iter()
        .filter(|t| t["status"] == "pending")
        .collect();
    assert!(
        pending.is_empty(),
        "the read's transaction is still pending: {listed}"
    );
    assert_eq!(listed["total"], 1, "the read opened one: {listed}");
}

#[tokio::test]
async fn creating_an_id_that_exists_is_a_typed_conflict_and_nothing_else_is_written() {
    let shop = shop(tests::appwrite_version()).await;
    shop.orders.create_with_id("o1", &order(1)).await.unwrap();
    let conflict = shop
        .orm
        .transaction(|tx| async move {
            tx.decrement::<Stock, _>("lamp", Stock::AVAILABLE, 1, Some(0))?;
            tx.create_with_id("o1", &order(1))
        })
        .await
        .unwrap_err();
    assert!(conflict.is(ErrorKind::TransactionConflict), "{conflict}");
    assert_eq!(
        shop.stock.get_or_fail("lamp").await.unwrap().available,
        3,
        "rolled back"
    );
}

#[tokio::test]
async fn concurrent_orders_for_the_last_items_win_exactly_as_many_times_as_there_is_stock() {
    let shop = std::sync::Arc::new(shop(tests::appwrite_version()).await);
    let attempts = (0..12).map(|_| {
        let shop = std::sync::Arc::clone(&shop);
        tokio::spawn(async move { place(&shop, 1).await })
    });
    let results: Vec<_> = futures_util::future::join_all(attempts).await;
    let (won, lost): (Vec<_>, Vec<_>) = results.into_iter().map(|r| r.unwrap()).partition(Result::is_ok);
    assert_eq!(won.len(), 3, "three lamps in stock");
    for refused in lost {
        let err = refused.unwrap_err();
        assert!(err.is(ErrorKind::AttributeLimitExceeded), "{err}");
    }
    assert_eq!(shop.orders.count(None).await.unwrap(), 3);
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 0);
}

#[tokio::test]
async fn servers_before_1_8_have_no_transactions_and_say_so() {
    let shop = shop(AppwriteVersion::V1_6).await;
    let err = place(&shop, 1).await.unwrap_err();
    assert!(err.is(ErrorKind::GeneralRouteNotFound), "{err}");
    assert_eq!(shop.orders.count(None).await.unwrap(), 0);
}

// ---- the emulator's transaction routes, as Appwrite answers them ----------------------------

async fn raw(
    shop: &Shop,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", shop.orm.endpoint()))
        .header("X-Appwrite-Project", shop.orm.project())
        .header("X-Appwrite-Key", shop._emulator.api_key());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

async fn open(shop: &Shop) -> String {
    let (status, created) = raw(
        shop,
        reqwest::Method::POST,
        "/databases/transactions",
        Some(serde_json::json!({})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "pending");
    assert_eq!(created["operations"], 0);
    created["$id"].as_str().unwrap().to_owned()
}

fn update_stock(available: i32) -> serde_json::Value {
    serde_json::json!({"operations": [{
        "action": "update", "databaseId": "main", "collectionId": "stock", "documentId": "lamp",
        "data": {"available": available}
    }]})
}

#[tokio::test]
async fn a_document_changed_after_its_operation_was_staged_makes_the_commit_conflict() {
    let shop = shop(tests::appwrite_version()).await;
    let id = open(&shop).await;
    let path = format!("/databases/transactions/{id}");
    let (status, staged) = raw(
        &shop,
        reqwest::Method::POST,
        &format!("{path}/operations"),
        Some(update_stock(1)),
    )
    .await;
    assert_eq!(
        (status, staged["operations"].as_i64()),
        (201, Some(1)),
        "{staged}"
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    shop.stock
        .update("lamp", Stock::patch().available(2))
        .await
        .unwrap();
    let (status, refused) = raw(
        &shop,
        reqwest::Method::PATCH,
        &path,
        Some(serde_json::json!({"commit": true})),
    )
    .await;
    assert_eq!(
        (status, refused["type"].as_str()),
        (409, Some("transaction_conflict")),
        "{refused}"
    );
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 2);
    let (_, state) = raw(&shop, reqwest::Method::GET, &path, None).await;
    assert_eq!(state["status"], "failed");
    let (status, again) = raw(
        &shop,
        reqwest::Method::PATCH,
        &path,
        Some(serde_json::json!({"commit": true})),
    )
    .await;
    assert_eq!(
        (status, again["type"].as_str()),
        (400, Some("transaction_not_ready"))
    );
}

#[tokio::test]
async fn staging_is_checked_and_a_rollback_writes_nothing() {
    let shop = shop(tests::appwrite_version()).await;
    let id = open(&shop).await;
    let path = format!("/databases/transactions/{id}");
    let stage = |body: serde_json::Value| {
        let path = format!("{path}/operations");
        let shop = &shop;
        async move { raw(shop, reqwest::Method::POST, &path, Some(body)).await }
    };
    let (status, empty) = stage(serde_json::json!({"operations": []})).await;
    assert_eq!(
        (status, empty["message"].as_str()),
        (400, Some("Operations array cannot be empty"))
    );
    let missing = serde_json::json!({"operations": [{
        "action": "delete", "databaseId": "main", "collectionId": "stock", "documentId": "nope"
    }]});
    let (status, missing) = stage(missing).await;
    assert_eq!(
        (status, missing["type"].as_str()),
        (404, Some("document_not_found"))
    );
    let too_many: Vec<serde_json::Value> = (0..101)
        .map(|n| {
            serde_json::json!({"action": "create", "databaseId": "main", "collectionId": "orders",
            "documentId": format!("o{n}"), "data": {"item": "x", "quantity": 1}})
        })
        .collect();
    let (status, _) = stage(serde_json::json!({"operations": too_many[..100]})).await;
    assert_eq!(status, 201);
    let (status, over) = stage(serde_json::json!({"operations": [too_many[100].clone()]})).await;
    assert_eq!(
        (status, over["type"].as_str()),
        (400, Some("transaction_limit_exceeded")),
        "{over}"
    );

    let (status, rolled) = raw(
        &shop,
        reqwest::Method::PATCH,
        &path,
        Some(serde_json::json!({"rollback": true})),
    )
    .await;
    assert_eq!((status, rolled["status"].as_str()), (200, Some("failed")));
    assert_eq!(
        shop.orders.count(None).await.unwrap(),
        0,
        "nothing staged was written"
    );
    let (status, neither) = raw(&shop, reqwest::Method::PATCH, &path, Some(serde_json::json!({}))).await;
    assert_eq!(
        (status, neither["message"].as_str()),
        (400, Some("Either commit or rollback must be true"))
    );
    let (status, ttl) = raw(
        &shop,
        reqwest::Method::POST,
        "/databases/transactions",
        Some(serde_json::json!({"ttl": 30})),
    )
    .await;
    assert_eq!(
        (status, ttl["type"].as_str()),
        (400, Some("general_argument_invalid"))
    );
    let (status, gone) = raw(&shop, reqwest::Method::GET, "/databases/transactions/nope", None).await;
    assert_eq!(
        (status, gone["type"].as_str()),
        (404, Some("transaction_not_found"))
    );
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[collection(id = "badges", index(key = "one_per_code", unique, fields(code)))]
struct Badge {
    #[collection(size = 16)]
    code: String,
}

fn badges(codes: &[&str]) -> Vec<Badge> {
    codes.iter().map(|c| Badge { code: (*c).into() }).collect()
}

#[tokio::test]
async fn an_atomic_bulk_create_stores_every_item_or_none() {
    let shop = shop(tests::appwrite_version()).await;
    let badges_of = tests::migrated::<Badge>(&shop.orm).await;
    badges_of.create(&Badge { code: "taken".into() }).await.unwrap();

    let refused = badges_of
        .create_many_atomic(&badges(&["a", "b", "taken", "c"]))
        .await
        .unwrap_err();
    assert!(refused.is(ErrorKind::TransactionConflict), "{refused}");
    assert_eq!(
        badges_of.count(None).await.unwrap(),
        1,
        "none of the four was stored"
    );

    let ids = badges_of
        .create_many_atomic(&badges(&["a", "b", "c"]))
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    for (id, code) in ids.iter().zip(["a", "b", "c"]) {
        assert_eq!(badges_of.get_or_fail(id).await.unwrap().code, code);
    }

    let too_many: Vec<Badge> = (0..101)
        .map(|n| Badge {
            code: format!("x{n}"),
        })
        .collect();
    let err = badges_of.create_many_atomic(&too_many).await.unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err}");
    assert_eq!(badges_of.count(None).await.unwrap(), 4);
}

#[tokio::test]
async fn an_atomic_bulk_upsert_replaces_every_item_or_none() {
    let shop = shop(tests::appwrite_version()).await;
    let badges_of = tests::migrated::<Badge>(&shop.orm).await;
    badges_of
        .create_with_id("b1", &Badge { code: "one".into() })
        .await
        .unwrap();
    badges_of
        .create_with_id("b2", &Badge { code: "two".into() })
        .await
        .unwrap();

    // The second item would give b2 the code b1 keeps: neither changes.
    let clash = [
        ("b3".to_owned(), Badge { code: "three".into() }),
        ("b2".to_owned(), Badge { code: "one".into() }),
    ];
    let refused = badges_of.upsert_many_atomic(&clash).await.unwrap_err();
    assert!(refused.is(ErrorKind::TransactionConflict), "{refused}");
    assert!(badges_of.get("b3").await.unwrap().is_none());
    assert_eq!(badges_of.get_or_fail("b2").await.unwrap().code, "two");

    let fine = [
        ("b3".to_owned(), Badge { code: "three".into() }),
        ("b2".to_owned(), Badge { code: "deux".into() }),
    ];
    badges_of.upsert_many_atomic(&fine).await.unwrap();
    assert_eq!(badges_of.get_or_fail("b3").await.unwrap().code, "three");
    assert_eq!(badges_of.get_or_fail("b2").await.unwrap().code, "deux");
}

async fn next_held(hold: &mut appwrite_emulator::RequestHold) -> appwrite_emulator::HeldRequest {
    tokio::time::timeout(Duration::from_secs(10), hold.next())
        .await
        .expect("the transaction's next request in time")
}

/// Lets a transaction's operations through, then sets the stock to `available` while its commit
/// is held, and lets the commit go: the commit meets a document changed after it was staged.
async fn write_before_commit(shop: &Shop, hold: &mut appwrite_emulator::RequestHold, available: i32) {
    next_held(hold).await.release();
    let commit = next_held(hold).await;
    shop.stock
        .update("lamp", Stock::patch().available(available))
        .await
        .unwrap();
    commit.release();
}

/// A transaction whose body reads the stock and stages raising it by 10, so that a retry acts
/// on what it reads anew; `runs` counts how often the body ran.
async fn restock_note(
    shop: &Shop,
    attempts: u32,
    runs: &std::sync::atomic::AtomicU32,
) -> appwrite_orm::Result<i32> {
    let stock = shop.stock.clone();
    shop.orm
        .transaction_retrying(attempts, |tx| {
            let stock = stock.clone();
            runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                let seen = stock.get_or_fail("lamp").await?.available;
                tx.update::<Stock>("lamp", Stock::patch().available(seen + 10))?;
                Ok(seen + 10)
            }
        })
        .await
}

#[tokio::test]
async fn a_conflicting_commit_is_retried_from_the_body_and_then_succeeds() {
    use std::sync::atomic::{AtomicU32, Ordering};

    let shop = std::sync::Arc::new(shop(tests::appwrite_version()).await);
    let mut hold = shop._emulator.hold_requests("/transactions/");
    let runs = std::sync::Arc::new(AtomicU32::new(0));
    let attempt = {
        let (shop, runs) = (std::sync::Arc::clone(&shop), std::sync::Arc::clone(&runs));
        tokio::spawn(async move { restock_note(&shop, 3, &runs).await })
    };
    // First attempt: its operations go through, then, before its commit, someone else writes.
    write_before_commit(&shop, &mut hold, 7).await;
    // Second attempt: read 7 anew, nothing in the way.
    next_held(&mut hold).await.release();
    next_held(&mut hold).await.release();
    let result = attempt.await.unwrap().unwrap();
    assert_eq!(result, 17);
    assert_eq!(
        runs.load(Ordering::SeqCst),
        2,
        "the body ran again after the conflict"
    );
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 17);

    // Without retries the conflict is the caller's, typed.
    drop(hold);
    let mut hold = shop._emulator.hold_requests("/transactions/");
    let single = {
        let (shop, runs) = (std::sync::Arc::clone(&shop), std::sync::Arc::clone(&runs));
        tokio::spawn(async move { restock_note(&shop, 1, &runs).await })
    };
    write_before_commit(&shop, &mut hold, 1).await;
    let conflict = single.await.unwrap().unwrap_err();
    assert!(conflict.is(ErrorKind::TransactionConflict), "{conflict}");
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 1);
}

#[tokio::test]
async fn a_transaction_that_expires_before_its_commit_is_a_typed_expiry_and_writes_nothing() {
    let shop = std::sync::Arc::new(shop(tests::appwrite_version()).await);
    let mut hold = shop._emulator.hold_requests("/transactions/");
    let attempt = {
        let shop = std::sync::Arc::clone(&shop);
        tokio::spawn(async move { place(&shop, 1).await })
    };
    next_held(&mut hold).await.release();
    let commit = next_held(&mut hold).await;
    shop._emulator.expire_transactions();
    commit.release();
    let expired = attempt.await.unwrap().unwrap_err();
    assert!(expired.is(ErrorKind::TransactionExpired), "{expired}");
    assert!(
        matches!(expired, Error::Appwrite { code: 410, .. }),
        "{expired:?}"
    );
    assert_eq!(shop.orders.count(None).await.unwrap(), 0);
    assert_eq!(shop.stock.get_or_fail("lamp").await.unwrap().available, 3);
}
