//! The emulator's REST API over real HTTP, in-process.

mod common;

use std::time::Duration;

use appwrite_emulator::{Config, Emulator};
use common::{assert_error, Api};
use reqwest::Method;
use serde_json::{json, Value};

async fn start(delay_ms: u64) -> (Emulator, Api) {
    start_with(Config {
        attribute_delay: Duration::from_millis(delay_ms),
        ..Config::default()
    })
    .await
}

async fn start_with(config: Config) -> (Emulator, Api) {
    let emulator = Emulator::start(config).await.expect("emulator starts");
    let api = Api::of(&emulator);
    (emulator, api)
}

/// An emulator behaving as `version`.
async fn start_as(version: appwrite_emulator::AppwriteVersion) -> (Emulator, Api) {
    start_with(Config {
        appwrite_version: version,
        ..Config::default()
    })
    .await
}

/// An emulator whose collection (with these permissions) holds one optional string `s`.
async fn start_with_text(permissions: Value) -> (Emulator, Api, String) {
    let (emulator, api) = start(0).await;
    let col = api
        .collection(
            permissions,
            false,
            &[("string", json!({"key": "s", "size": 5, "required": false}))],
        )
        .await;
    (emulator, api, col)
}

fn ids(list: &Value) -> Vec<&str> {
    list["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["$id"].as_str().expect("id"))
        .collect()
}

#[tokio::test]
async fn attributes_are_processing_then_available_and_unusable_until_then() {
    let (_emulator, api) = start(300).await;
    api.post("/databases", json!({"databaseId": "main", "name": "Main"}))
        .await;
    api.post(
        "/databases/main/collections",
        json!({"collectionId": "col", "name": "Col"}),
    )
    .await;
    let (status, attribute) = api
        .post(
            "/databases/main/collections/col/attributes/string",
            json!({"key": "title", "size": 10, "required": true}),
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(attribute["status"], "processing");
    let early = api
        .post(
            "/databases/main/collections/col/documents",
            json!({"documentId": "d1", "data": {"title": "x"}}),
        )
        .await;
    assert_error(&early, 400, "document_invalid_structure");
    let index = api
        .post(
            "/databases/main/collections/col/indexes",
            json!({"key": "t", "type": "key", "attributes": ["title"]}),
        )
        .await;
    assert_error(&index, 400, "attribute_not_available");
    api.wait_available("/databases/main/collections/col").await;
    let (status, document) = api
        .post(
            "/databases/main/collections/col/documents",
            json!({"documentId": "d1", "data": {"title": "x"}}),
        )
        .await;
    assert_eq!(status, 201, "{document}");
}

#[tokio::test]
async fn attribute_rules_follow_appwrite() {
    let (_emulator, api) = start(0).await;
    let col = api
        .collection(
            json!([]),
            false,
            &[("string", json!({"key": "title", "size": 5, "required": false}))],
        )
        .await;
    let required_default = api
        .post(
            &format!("{col}/attributes/integer"),
            json!({"key": "n", "required": true, "default": 3}),
        )
        .await;
    assert_error(&required_default, 400, "attribute_default_unsupported");
    let array_default = api
        .post(
            &format!("{col}/attributes/string"),
            json!({"key": "tags", "size": 5, "required": false, "array": true, "default": "a"}),
        )
        .await;
    assert_error(&array_default, 400, "attribute_default_unsupported");
    let duplicate = api
        .post(
            &format!("{col}/attributes/string"),
            json!({"key": "title", "size": 5, "required": false}),
        )
        .await;
    assert_error(&duplicate, 409, "attribute_already_exists");
    let bad_key = api
        .post(
            &format!("{col}/attributes/string"),
            json!({"key": "_x", "size": 5, "required": false}),
        )
        .await;
    assert_error(&bad_key, 400, "general_argument_invalid");
    let no_size = api
        .post(
            &format!("{col}/attributes/string"),
            json!({"key": "x", "required": false}),
        )
        .await;
    assert_error(&no_size, 400, "general_argument_invalid");
    assert_eq!(no_size.1["message"], "Param \"size\" is not optional.");

    api.post(
        &format!("{col}/documents"),
        json!({"documentId": "d1", "data": {"title": "abcde"}}),
    )
    .await;
    let shrink = api
        .call(
            Method::PATCH,
            &format!("{col}/attributes/string/title"),
            Some(json!({"required": false, "default": null, "size": 3})),
        )
        .await;
    assert_error(&shrink, 400, "attribute_invalid_resize");
    let grow = api
        .call(
            Method::PATCH,
            &format!("{col}/attributes/string/title"),
            Some(json!({"required": false, "default": "hi", "size": 50})),
        )
        .await;
    assert_eq!(grow.0, 200, "{}", grow.1);
    assert_eq!(grow.1["size"], 50);
    assert_eq!(grow.1["default"], "hi");
    let (status, _) = api
        .call(Method::DELETE, &format!("{col}/attributes/title"), None)
        .await;
    assert_eq!(status, 204);
    assert_error(
        &api.get(&format!("{col}/attributes/title")).await,
        404,
        "attribute_not_found",
    );
}

#[tokio::test]
async fn documents_carry_every_attribute_defaults_and_metadata() {
    let (_emulator, api) = start(0).await;
    let col = api
        .collection(
            json!([]),
            false,
            &[
                ("string", json!({"key": "title", "size": 20, "required": true})),
                ("integer", json!({"key": "n", "required": false, "default": 7})),
                (
                    "string",
                    json!({"key": "tags", "size": 10, "required": false, "array": true}),
                ),
                ("datetime", json!({"key": "at", "required": false})),
            ],
        )
        .await;
    let (status, doc) = api
        .post(
            &format!("{col}/documents"),
            json!({"documentId": "unique()", "data": {"title": "t"}}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(doc["n"], 7);
    assert_eq!(doc["tags"], json!([]));
    assert_eq!(doc["at"], Value::Null);
    assert_eq!(doc["$id"].as_str().unwrap().len(), 20);
    // 1.9 (the default personality) sends `$sequence` as a string of digits.
    assert!(
        doc["$sequence"]
            .as_str()
            .is_some_and(|s| s.parse::<u64>().is_ok()),
        "{doc}"
    );
    let created = doc["$createdAt"].as_str().unwrap();
    assert!(created.ends_with("+00:00") && created.len() == 29, "{created}");

    // An update that changes nothing keeps $updatedAt.
    let id = doc["$id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (_, same) = api
        .call(
            Method::PATCH,
            &format!("{col}/documents/{id}"),
            Some(json!({"data": {"title": "t"}})),
        )
        .await;
    assert_eq!(same["$updatedAt"], doc["$updatedAt"]);
    let (_, changed) = api
        .call(
            Method::PATCH,
            &format!("{col}/documents/{id}"),
            Some(json!({"data": {"title": "u"}})),
        )
        .await;
    assert_ne!(changed["$updatedAt"], doc["$updatedAt"]);
    let empty = api
        .call(Method::PATCH, &format!("{col}/documents/{id}"), Some(json!({})))
        .await;
    assert_error(&empty, 400, "document_missing_payload");
    let with_id = api
        .post(
            &format!("{col}/documents"),
            json!({"documentId": "x", "data": {"$id": "y", "title": "t"}}),
        )
        .await;
    assert_error(&with_id, 400, "document_invalid_structure");
    let no_data = api
        .post(
            &format!("{col}/documents"),
            json!({"documentId": "x", "data": {}}),
        )
        .await;
    assert_error(&no_data, 400, "document_missing_data");
    let too_long = api
        .post(
            &format!("{col}/documents"),
            json!({"documentId": "x", "data": {"title": "x".repeat(21)}}),
        )
        .await;
    assert_error(&too_long, 400, "document_invalid_structure");
}

#[tokio::test]
async fn every_query_method_filters_as_specified() {
    let (_emulator, api) = start(0).await;
    let col = api
        .collection(
            json!([]),
            false,
            &[
                ("string", json!({"key": "name", "size": 40, "required": true})),
                ("integer", json!({"key": "n", "required": false})),
                (
                    "string",
                    json!({"key": "tags", "size": 10, "required": false, "array": true}),
                ),
            ],
        )
        .await;
    api.post(
        &format!("{col}/indexes"),
        json!({"key": "ft", "type": "fulltext", "attributes": ["name"]}),
    )
    .await;
    api.wait_available(&col).await;
    for (id, name, n, tags) in [
        ("a", "apple pie", Some(1), json!(["x"])),
        ("b", "banana split", Some(2), json!(["x", "y"])),
        ("c", "cherry tart", Some(3), json!([])),
        ("d", "date loaf", None, json!(["z"])),
    ] {
        let (status, body) = api
            .post(
                &format!("{col}/documents"),
                json!({"documentId": id, "data": {"name": name, "n": n, "tags": tags}}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let q = |method: &str, attribute: &str, values: Value| json!({"method": method, "attribute": attribute, "values": values});
    let docs = format!("{col}/documents");
    let cases: Vec<(Vec<Value>, Vec<&str>)> = vec![
        (vec![q("equal", "n", json!([1, 3]))], vec!["a", "c"]),
        (vec![q("notEqual", "n", json!([1]))], vec!["b", "c"]),
        (vec![q("lessThan", "n", json!([2]))], vec!["a"]),
        (vec![q("lessThanEqual", "n", json!([2]))], vec!["a", "b"]),
        (vec![q("greaterThan", "n", json!([2]))], vec!["c"]),
        (vec![q("greaterThanEqual", "n", json!([2]))], vec!["b", "c"]),
        (vec![q("between", "n", json!([2, 3]))], vec!["b", "c"]),
        (vec![q("notBetween", "n", json!([2, 3]))], vec!["a"]),
        (vec![json!({"method": "isNull", "attribute": "n"})], vec!["d"]),
        (
            vec![json!({"method": "isNotNull", "attribute": "n"})],
            vec!["a", "b", "c"],
        ),
        (vec![q("startsWith", "name", json!(["ch"]))], vec!["c"]),
        (
            vec![q("notStartsWith", "name", json!(["ch"]))],
            vec!["a", "b", "d"],
        ),
        (vec![q("endsWith", "name", json!(["loaf"]))], vec!["d"]),
        (
            vec![q("notEndsWith", "name", json!(["loaf"]))],
            vec!["a", "b", "c"],
        ),
        (vec![q("contains", "name", json!(["an"]))], vec!["b"]),
        (vec![q("notContains", "name", json!(["an"]))], vec!["a", "c", "d"]),
        (vec![q("contains", "tags", json!(["y", "z"]))], vec!["b", "d"]),
        (vec![q("notContains", "tags", json!(["x"]))], vec!["c", "d"]),
        (vec![q("search", "name", json!(["tart pie"]))], vec!["a", "c"]),
        (vec![q("notSearch", "name", json!(["tart"]))], vec!["a", "b", "d"]),
        (vec![q("equal", "$id", json!(["b"]))], vec!["b"]),
        (
            vec![
                json!({"method": "or", "values": [q("equal", "n", json!([1])), {"method": "isNull", "attribute": "n"}]}),
            ],
            vec!["a", "d"],
        ),
        (
            vec![
                json!({"method": "and", "values": [q("greaterThan", "n", json!([1])), q("lessThan", "n", json!([3]))]}),
            ],
            vec!["b"],
        ),
        (
            vec![
                json!({"method": "orderDesc", "attribute": "name"}),
                json!({"method": "limit", "values": [2]}),
            ],
            vec!["d", "c"],
        ),
        (
            vec![
                json!({"method": "orderAsc", "attribute": "n"}),
                json!({"method": "offset", "values": [3]}),
            ],
            vec!["c"],
        ),
        (
            vec![json!({"method": "cursorAfter", "values": ["b"]})],
            vec!["c", "d"],
        ),
        (
            vec![
                json!({"method": "cursorBefore", "values": ["c"]}),
                json!({"method": "limit", "values": [1]}),
            ],
            vec!["b"],
        ),
        (
            vec![
                json!({"method": "orderDesc", "attribute": "name"}),
                json!({"method": "cursorAfter", "values": ["c"]}),
            ],
            vec!["b", "a"],
        ),
    ];
    for (queries, expected) in cases {
        let (status, list) = api.list(&docs, &queries).await;
        assert_eq!(status, 200, "{queries:?}: {list}");
        assert_eq!(ids(&list), expected, "{queries:?}");
    }
    let (_, random) = api.list(&docs, &[json!({"method": "orderRandom"})]).await;
    assert_eq!(random["documents"].as_array().unwrap().len(), 4);

    let failures = [
        (
            q("equal", "tags", json!(["x"])),
            "Cannot query equal on attribute \"tags\" because it is an array.",
        ),
        (
            q("search", "missing", json!(["x"])),
            "Attribute not found in schema: missing",
        ),
        (
            q("between", "n", json!([1])),
            "Between queries require exactly 2 values.",
        ),
        (
            q("equal", "n", json!(["one"])),
            "Query value is invalid for attribute \"n\"",
        ),
    ];
    for (query, message) in failures {
        let response = api.list(&docs, &[query]).await;
        assert_error(&response, 400, "general_query_invalid");
        assert!(
            response.1["message"].as_str().unwrap().contains(message),
            "{}",
            response.1
        );
    }
    let null_cursor = api
        .list(
            &docs,
            &[
                json!({"method": "orderAsc", "attribute": "n"}),
                json!({"method": "cursorAfter", "values": ["d"]}),
            ],
        )
        .await;
    assert_error(&null_cursor, 400, "database_query_order_null");
    let string_query = api.get(&format!("{docs}?queries[]=equal(\"n\",[1])")).await;
    assert_error(&string_query, 400, "general_query_invalid");
}

#[tokio::test]
async fn totals_are_capped_at_5000_and_bulk_calls_are_atomic_and_bounded() {
    let (_emulator, api) = start(0).await;
    let col = api
        .collection(
            json!([]),
            false,
            &[("integer", json!({"key": "n", "required": true}))],
        )
        .await;
    let docs = format!("{col}/documents");
    for batch in 0..51 {
        let documents: Vec<Value> = (0..100).map(|i| json!({"n": batch * 100 + i})).collect();
        let (status, body) = api.post(&docs, json!({"documents": documents})).await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, list) = api.get(&docs).await;
    assert_eq!(list["total"], 5000);
    assert_eq!(
        list["documents"].as_array().unwrap().len(),
        25,
        "the default limit is 25"
    );
    let (_, untotalled) = api.get(&format!("{docs}?total=false")).await;
    assert_eq!(untotalled["total"], 0);

    let too_many: Vec<Value> = (0..101).map(|i| json!({"n": i})).collect();
    assert_error(
        &api.post(&docs, json!({"documents": too_many})).await,
        400,
        "general_argument_invalid",
    );
    let half_bad = json!({"documents": [{"$id": "ok1", "n": 1}, {"$id": "bad", "n": "x"}]});
    assert_error(
        &api.post(&docs, half_bad).await,
        400,
        "document_invalid_structure",
    );
    assert_error(&api.get(&format!("{docs}/ok1")).await, 404, "document_not_found");
    let mixed = api.post(&docs, json!({"documentId": "x", "documents": []})).await;
    assert_error(&mixed, 400, "general_bad_request");

    let (status, deleted) = api
        .call(Method::DELETE, &docs, Some(json!({"queries": [json!({"method": "greaterThanEqual", "attribute": "n", "values": [100]}).to_string()]})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(deleted["total"], 5000);
    assert_eq!(api.get(&docs).await.1["total"], 100);
}

#[tokio::test]
async fn unique_indexes_are_enforced_and_fail_over_existing_duplicates() {
    let (_emulator, api) = start(0).await;
    let col = api
        .collection(
            json!([]),
            false,
            &[("string", json!({"key": "sku", "size": 10, "required": false}))],
        )
        .await;
    let docs = format!("{col}/documents");
    api.post(&docs, json!({"documentId": "a", "data": {"sku": "same"}}))
        .await;
    api.post(&docs, json!({"documentId": "b", "data": {"sku": "same"}}))
        .await;
    api.post(
        &format!("{col}/indexes"),
        json!({"key": "u", "type": "unique", "attributes": ["sku"]}),
    )
    .await;
    let mut status = Value::Null;
    for _ in 0..100 {
        let (_, index) = api.get(&format!("{col}/indexes/u")).await;
        if index["status"] != "processing" {
            status = index;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status["status"], "failed");
    assert!(!status["error"].as_str().unwrap().is_empty());

    api.call(Method::DELETE, &format!("{col}/indexes/u"), None).await;
    api.call(Method::DELETE, &format!("{docs}/b"), None).await;
    api.post(
        &format!("{col}/indexes"),
        json!({"key": "u", "type": "unique", "attributes": ["sku"]}),
    )
    .await;
    api.wait_available(&col).await;
    let duplicate = api
        .post(&docs, json!({"documentId": "c", "data": {"sku": "same"}}))
        .await;
    assert_error(&duplicate, 409, "document_already_exists");
    let on_update = api
        .post(&docs, json!({"documentId": "d", "data": {"sku": "other"}}))
        .await;
    assert_eq!(on_update.0, 201);
    let clash = api
        .call(
            Method::PATCH,
            &format!("{docs}/d"),
            Some(json!({"data": {"sku": "same"}})),
        )
        .await;
    assert_error(&clash, 409, "document_already_exists");
    // Deleting the indexed attribute takes the index with it, as Appwrite's worker does.
    let deleted = api
        .call(Method::DELETE, &format!("{col}/attributes/sku"), None)
        .await;
    assert_eq!(deleted.0, 204, "{}", deleted.1);
    let indexes = api.get(&format!("{col}/indexes")).await;
    assert_eq!(indexes.1["total"], 0, "{}", indexes.1);
}

#[tokio::test]
async fn permissions_decide_reads_and_writes_per_role() {
    let (emulator, api) = start(0).await;
    let col = api
        .collection(
            json!(["create(\"users\")", "read(\"label:ops\")"]),
            true,
            &[("string", json!({"key": "t", "size": 10, "required": false}))],
        )
        .await;
    let docs = format!("{col}/documents");
    for user in ["u1", "u2"] {
        assert_eq!(api.post("/users", json!({"userId": user})).await.0, 201);
    }
    api.call(Method::PUT, "/users/u2/labels", Some(json!({"labels": ["ops"]})))
        .await;
    let u1 = api.with_jwt(&api.jwt("u1").await);
    let u2 = api.with_jwt(&api.jwt("u2").await);
    let guest = api.guest();

    let (status, own) = u1
        .post(&docs, json!({"documentId": "mine", "data": {"t": "x"}}))
        .await;
    assert_eq!(status, 201, "{own}");
    api.post(
        &docs,
        json!({"documentId": "public", "data": {"t": "p"}, "permissions": ["read(\"any\")"]}),
    )
    .await;
    api.post(
        &docs,
        json!({"documentId": "hidden", "data": {"t": "h"}, "permissions": ["write(\"user:u2\")"]}),
    )
    .await;
    let (_, hidden) = api.get(&format!("{docs}/hidden")).await;
    assert_eq!(
        hidden["$permissions"],
        json!(["update(\"user:u2\")", "delete(\"user:u2\")"]),
        "write is stored expanded"
    );

    assert_eq!(ids(&u1.get(&docs).await.1), ["mine", "public"]);
    assert_eq!(
        ids(&u2.get(&docs).await.1),
        ["mine", "public", "hidden"],
        "the label grants collection read"
    );
    assert_eq!(ids(&guest.get(&docs).await.1), ["public"]);
    assert_error(
        &guest.get(&format!("{docs}/mine")).await,
        404,
        "document_not_found",
    );
    assert_error(
        &u1.call(Method::DELETE, &format!("{docs}/hidden"), None).await,
        401,
        "user_unauthorized",
    );
    assert_eq!(
        u2.call(Method::DELETE, &format!("{docs}/hidden"), None).await.0,
        204
    );
    assert_error(
        &guest
            .post(&docs, json!({"documentId": "g", "data": {"t": "g"}}))
            .await,
        401,
        "user_unauthorized",
    );
    assert_error(
        &u1.post("/databases", json!({"databaseId": "x", "name": "x"}))
            .await,
        401,
        "general_unauthorized_scope",
    );
    assert_error(
        &u1.post(&docs, json!({"documents": [{"t": "x"}]})).await,
        401,
        "general_unauthorized_scope",
    );

    let expired = api.post("/users/u1/jwts", json!({"duration": 0})).await.1["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_error(&api.with_jwt(&expired).get(&docs).await, 401, "user_jwt_invalid");
    let both = reqwest::Client::new()
        .get(format!("{}{docs}", emulator.endpoint()))
        .header("X-Appwrite-Project", emulator.project_id())
        .header("X-Appwrite-Key", emulator.api_key())
        .header("X-Appwrite-JWT", api.jwt("u1").await)
        .send()
        .await
        .unwrap();
    assert_eq!(both.status().as_u16(), 403);
    // 1.9.0 renamed the type (`user_key_and_session_set` before).
    assert_eq!(
        both.json::<Value>().await.unwrap()["type"],
        "user_api_key_and_session_set"
    );
}

#[tokio::test]
async fn malformed_requests_get_400s_never_500s() {
    let (emulator, api) = start(0).await;
    let http = reqwest::Client::new();
    let send = |body: Vec<u8>| {
        http.post(format!("{}/databases", emulator.endpoint()))
            .header("X-Appwrite-Project", emulator.project_id())
            .header("X-Appwrite-Key", emulator.api_key())
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    for body in [
        b"{not json".to_vec(),
        b"[1,2]".to_vec(),
        vec![0xff, 0xfe],
        vec![b' '; 11 * 1024 * 1024],
    ] {
        let response = send(body).await.expect("answered");
        assert_eq!(response.status().as_u16(), 400);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["type"], "general_argument_invalid");
    }
    assert_error(&api.get("/nowhere").await, 404, "general_route_not_found");
    assert_error(
        &api.post("/databases", json!({"databaseId": "a b", "name": "x"}))
            .await,
        400,
        "general_argument_invalid",
    );
    assert_error(
        &api.post("/databases", json!({"databaseId": "x", "name": 5}))
            .await,
        400,
        "general_argument_invalid",
    );
    let no_project = reqwest::get(format!("{}/databases", emulator.endpoint()))
        .await
        .unwrap();
    assert_eq!(no_project.status().as_u16(), 401);
    assert_eq!(
        api.get("/health/version").await.1["version"],
        appwrite_emulator::AppwriteVersion::NEWEST.reported()
    );
}

#[tokio::test]
async fn increments_respect_bounds_and_types() {
    let (_emulator, api) = start(0).await;
    let col = api
        .collection(
            json!([]),
            false,
            &[
                ("integer", json!({"key": "n", "required": false, "default": 0})),
                ("string", json!({"key": "s", "size": 5, "required": false})),
            ],
        )
        .await;
    let docs = format!("{col}/documents");
    api.post(&docs, json!({"documentId": "d", "data": {"s": "x"}}))
        .await;
    let (_, up) = api
        .call(
            Method::PATCH,
            &format!("{docs}/d/n/increment"),
            Some(json!({"value": 5})),
        )
        .await;
    assert_eq!(up["n"], 5);
    let (_, down) = api
        .call(Method::PATCH, &format!("{docs}/d/n/decrement"), Some(json!({})))
        .await;
    assert_eq!(down["n"], 4);
    let past = api
        .call(
            Method::PATCH,
            &format!("{docs}/d/n/increment"),
            Some(json!({"value": 10, "max": 10})),
        )
        .await;
    assert_error(&past, 400, "general_argument_invalid");
    let on_string = api
        .call(Method::PATCH, &format!("{docs}/d/s/increment"), Some(json!({})))
        .await;
    assert_error(&on_string, 400, "attribute_type_invalid");
}

// The API key may set `$createdAt` and `$updatedAt` on update, as on create.
#[tokio::test]
async fn the_key_sets_timestamps_on_update() {
    let (_emulator, api, col) = start_with_text(json!([])).await;
    let docs = format!("{col}/documents");
    assert_eq!(
        api.post(&docs, json!({"documentId": "d", "data": {"s": "x"}}))
            .await
            .0,
        201
    );
    let (status, updated) = api
        .call(
            Method::PATCH,
            &format!("{docs}/d"),
            Some(json!({"data": {"$createdAt": "2020-01-02T03:04:05.006+00:00", "$updatedAt": "2021-01-02T03:04:05.006+00:00"}})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["$createdAt"], "2020-01-02T03:04:05.006+00:00");
    assert_eq!(updated["$updatedAt"], "2021-01-02T03:04:05.006+00:00");
}

// `X-Appwrite-Timestamp` says when the client last read the document: an update or a delete of
// a document changed since is a 409 document_update_conflict; one not changed since goes through.
#[tokio::test]
async fn a_write_older_than_the_document_is_a_conflict() {
    let (emulator, api, col) = start_with_text(json!([])).await;
    let docs = format!("{col}/documents");
    let (_, created) = api
        .post(&docs, json!({"documentId": "d", "data": {"s": "x"}}))
        .await;
    let read_at = created["$updatedAt"].as_str().unwrap().to_owned();
    let stale = |at: &str, method: Method, body: Option<Value>| {
        let request = reqwest::Client::new()
            .request(method, format!("{}{docs}/d", emulator.endpoint()))
            .header("X-Appwrite-Project", emulator.project_id())
            .header("X-Appwrite-Key", emulator.api_key())
            .header("X-Appwrite-Timestamp", at.to_owned());
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Not changed since the read: goes through. (A millisecond later, so that this write's
    // `$updatedAt` is newer than the read.)
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (status, first) = stale(&read_at, Method::PATCH, Some(json!({"data": {"s": "y"}}))).await;
    assert_eq!(status, 200, "{first}");
    // Changed since (by the write above): refused, for an update and a delete alike.
    let update = stale(&read_at, Method::PATCH, Some(json!({"data": {"s": "z"}}))).await;
    assert_error(&update, 409, "document_update_conflict");
    let delete = stale(&read_at, Method::DELETE, None).await;
    assert_error(&delete, 409, "document_update_conflict");
    assert_eq!(api.get(&format!("{docs}/d")).await.1["s"], "y");
    let invalid = stale("not a time", Method::DELETE, None).await;
    assert_error(&invalid, 400, "general_argument_invalid");
}

// The lists of databases, collections, attributes and indexes take queries as Appwrite's do:
// limit (25 by default), offset, filters and orders on their allowed attributes, a cursor (an
// unknown one is a 400), `search` on databases and collections; `select` and attributes outside
// the allowed set are refused; `total` counts every match.
#[tokio::test]
async fn schema_lists_take_queries_search_and_cursors() {
    let (_emulator, api) = start(0).await;
    for i in 0..30 {
        let (status, body) = api
            .post(
                "/databases",
                json!({"databaseId": format!("db{i:02}"), "name": format!("Shop {i:02}")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let ids = |list: &Value, key: &str| -> Vec<String> {
        list[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["$id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, first) = api.get("/databases").await;
    assert_eq!(
        (first["total"].as_i64(), ids(&first, "databases").len()),
        (Some(30), 25),
        "default limit 25"
    );
    let (_, page) = api
        .list(
            "/databases",
            &[
                json!({"method": "limit", "values": [5]}),
                json!({"method": "offset", "values": [10]}),
            ],
        )
        .await;
    assert_eq!(ids(&page, "databases"), ["db10", "db11", "db12", "db13", "db14"]);
    let (_, after) = api
        .list(
            "/databases",
            &[json!({"method": "cursorAfter", "values": ["db27"]})],
        )
        .await;
    assert_eq!(
        (after["total"].as_i64(), ids(&after, "databases")),
        (Some(30), vec!["db28".to_owned(), "db29".to_owned()])
    );
    let (_, named) = api
        .list(
            "/databases",
            &[json!({"method": "equal", "attribute": "name", "values": ["Shop 07"]})],
        )
        .await;
    assert_eq!(
        (named["total"].as_i64(), ids(&named, "databases")),
        (Some(1), vec!["db07".to_owned()])
    );
    let (_, desc) = api
        .list(
            "/databases",
            &[
                json!({"method": "orderDesc", "attribute": "name"}),
                json!({"method": "limit", "values": [2]}),
            ],
        )
        .await;
    assert_eq!(ids(&desc, "databases"), ["db29", "db28"]);
    let (status, searched) = api.get("/databases?search=shop%2012").await;
    assert_eq!(status, 200, "{searched}");
    assert!(ids(&searched, "databases").contains(&"db12".to_owned()));

    let unknown = api
        .list(
            "/databases",
            &[json!({"method": "cursorAfter", "values": ["nope"]})],
        )
        .await;
    assert_error(&unknown, 400, "general_cursor_not_found");
    let select = api
        .list("/databases", &[json!({"method": "select", "values": ["name"]})])
        .await;
    // The `queries` parameter's validator refuses these, so they are parameter errors.
    assert_error(&select, 400, "general_argument_invalid");
    let outside = api
        .list(
            "/databases",
            &[json!({"method": "equal", "attribute": "enabled", "values": [true]})],
        )
        .await;
    assert_error(&outside, 400, "general_argument_invalid");

    // Attributes page by key.
    let col = api
        .collection(
            json!([]),
            false,
            &[
                ("string", json!({"key": "a", "size": 5, "required": false})),
                ("integer", json!({"key": "b", "required": true})),
                ("string", json!({"key": "c", "size": 5, "required": true})),
            ],
        )
        .await;
    let keys = |list: &Value| -> Vec<String> {
        list["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["key"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, required) = api
        .list(
            &format!("{col}/attributes"),
            &[json!({"method": "equal", "attribute": "required", "values": [true]})],
        )
        .await;
    assert_eq!(keys(&required), ["b", "c"]);
    let (_, after_a) = api
        .list(
            &format!("{col}/attributes"),
            &[json!({"method": "cursorAfter", "values": ["a"]})],
        )
        .await;
    // `total` counts every match, whatever the cursor.
    assert_eq!(
        (after_a["total"].as_i64(), keys(&after_a)),
        (Some(3), vec!["b".to_owned(), "c".to_owned()])
    );
    let (_, before_c) = api
        .list(
            &format!("{col}/attributes"),
            &[
                json!({"method": "cursorBefore", "values": ["c"]}),
                json!({"method": "limit", "values": [1]}),
            ],
        )
        .await;
    assert_eq!(keys(&before_c), ["b"], "the nearest before the cursor");
}

// A bulk upsert answers 200 with the documents it created or changed; an item identical to the
// stored document is left out, as Appwrite's bulk upsert reports only what it modified.
#[tokio::test]
async fn a_bulk_upsert_answers_with_what_it_changed() {
    let (_emulator, api, col) = start_with_text(json!([])).await;
    let docs = format!("{col}/documents");
    for (id, s) in [("same", "a"), ("changed", "b")] {
        assert_eq!(
            api.post(&docs, json!({"documentId": id, "data": {"s": s}}))
                .await
                .0,
            201
        );
    }
    let (status, body) = api
        .call(
            Method::PUT,
            &docs,
            Some(json!({"documents": [
                {"$id": "same", "s": "a"},
                {"$id": "changed", "s": "B"},
                {"$id": "new", "s": "c"},
            ]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mut ids: Vec<&str> = body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["$id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!((body["total"].as_i64(), ids), (Some(2), vec!["changed", "new"]));
}

// The console's project id is not a client project: database routes answer 401
// general_access_forbidden, as when no project is sent at all.
#[tokio::test]
async fn the_console_project_is_forbidden() {
    let (emulator, _api) = start(0).await;
    let console = Api::new(&emulator.endpoint(), "console", Some(emulator.api_key()));
    assert_error(&console.get("/databases").await, 401, "general_access_forbidden");
    let unknown = Api::new(&emulator.endpoint(), "nope", Some(emulator.api_key()));
    assert_error(&unknown.get("/databases").await, 404, "project_not_found");
}

// What Appwrite's own SDKs send: `[]` as the body of a call without parameters, and paths with
// a trailing slash, which Appwrite routes like the path without it.
#[tokio::test]
async fn empty_array_bodies_and_trailing_slashes_are_accepted() {
    let (_emulator, api, col) = start_with_text(json!([])).await;
    assert_eq!(api.post("/users", json!({"userId": "u"})).await.0, 201);
    let (status, jwt) = api.post("/users/u/jwts", json!([])).await;
    assert_eq!(status, 201, "{jwt}");
    assert!(jwt["jwt"].is_string());
    let docs = format!("{col}/documents");
    assert_eq!(
        api.post(
            &format!("{docs}/"),
            json!({"documentId": "d", "data": {"s": "x"}})
        )
        .await
        .0,
        201
    );
    let (status, listed) = api.get(&format!("{docs}/")).await;
    assert_eq!((status, listed["total"].as_i64()), (200, Some(1)), "{listed}");
    let (status, one) = api.get(&format!("{docs}/d/")).await;
    assert_eq!((status, one["$id"].as_str()), (200, Some("d")), "{one}");
}

// A form-encoded body is read as PHP reads one (`a[]=…`, `a[b]=…`), every value a string.
#[tokio::test]
async fn form_encoded_bodies_are_read_like_json_ones() {
    let (emulator, api, col) = start_with_text(json!(["create(\"any\")", "read(\"any\")"])).await;
    let form = |path: &str, body: &'static str| {
        reqwest::Client::new()
            .post(format!("{}{path}", emulator.endpoint()))
            .header("X-Appwrite-Project", emulator.project_id())
            .header("X-Appwrite-Key", emulator.api_key())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let created = form(
        &format!("{col}/documents"),
        "documentId=f&data[s]=a+b&permissions[]=read(%22any%22)",
    )
    .await
    .unwrap();
    assert_eq!(created.status(), 201);
    let (status, doc) = api.get(&format!("{col}/documents/f")).await;
    assert_eq!((status, doc["s"].as_str()), (200, Some("a b")), "{doc}");
    assert_eq!(doc["$permissions"], json!(["read(\"any\")"]));
    // A boolean parameter gets the string "true", which Appwrite's strict validator refuses too.
    let refused = form("/databases", "databaseId=x&name=X&enabled=maybe")
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

// Hostile input gets an Appwrite error, never a 5xx nor a body of another shape (`Api::call`
// fails on any body that is not JSON), and the server keeps answering.
#[tokio::test]
async fn hostile_input_gets_appwrite_errors_never_5xx() {
    let (emulator, api) = start(0).await;
    let col = api
        .collection(
            json!(["read(\"any\")"]),
            false,
            &[("string", json!({"key": "s", "size": 64, "required": false}))],
        )
        .await;
    let (status, body) = api
        .post(
            &format!("{col}/indexes"),
            json!({"key": "text", "type": "fulltext", "attributes": ["s"]}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    api.wait_available(&col).await;
    let docs = format!("{col}/documents");
    assert_eq!(
        api.post(&docs, json!({"documentId": "d", "data": {"s": "hello world"}}))
            .await
            .0,
        201
    );

    // A NUL byte in a fulltext search, from a guest.
    for text in ["\u{0}", "hello\u{0}world", "\u{0}\u{1}\u{7f}"] {
        let (status, body) = api
            .guest()
            .list(
                &docs,
                &[json!({"method": "search", "attribute": "s", "values": [text]})],
            )
            .await;
        assert!(status < 500, "search {text:?}: {status} {body}");
    }
    // 100 queries of 400 values (each query within Appwrite's 4 096 characters): 40 000 values,
    // past SQLite's limit on bound variables.
    let queries: Vec<String> = (0..100)
        .map(|_| {
            let values: Vec<String> = (0..400).map(|v| format!("{v:x}")).collect();
            json!({"method": "equal", "attribute": "s", "values": values}).to_string()
        })
        .collect();
    let (status, body) = api
        .call(
            Method::PATCH,
            &docs,
            Some(json!({"data": {"s": "x"}, "queries": queries})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let many: Vec<String> = (0..499)
        .map(|v| format!("{v:x}"))
        .chain(["hello world".to_owned()])
        .collect();
    let (status, body) = api
        .list(
            &docs,
            &[json!({"method": "equal", "attribute": "s", "values": many})],
        )
        .await;
    assert_eq!((status, body["total"].as_i64()), (200, Some(1)), "{body}");
    // One value more than Appwrite's `APP_DATABASE_QUERY_MAX_VALUES`.
    let too_many: Vec<String> = (0..501).map(|v| format!("{v:x}")).collect();
    let refused = api
        .list(
            &docs,
            &[json!({"method": "equal", "attribute": "s", "values": too_many})],
        )
        .await;
    assert_error(&refused, 400, "general_query_invalid");
    assert_eq!(
        refused.1["message"],
        "Invalid query: Query on attribute has greater than 500 values: s"
    );

    // A path that is not UTF-8, a wrong method on a known route, a plain GET on the socket route.
    let not_utf8 = api.get(&format!("{docs}/%FF%FE")).await;
    assert!(not_utf8.0 < 500 && not_utf8.1["type"].is_string(), "{not_utf8:?}");
    assert_error(
        &api.call(Method::PUT, "/databases", Some(json!({}))).await,
        404,
        "general_route_not_found",
    );
    let plain = api.get("/realtime").await;
    assert!(plain.0 < 500 && plain.1["type"].is_string(), "{plain:?}");
    // Still answering.
    assert_eq!(api.get("/health/version").await.0, 200);
    drop(emulator);
}

// A disabled database hides its collections and documents from everyone but the API key, as
// Appwrite answers: 404 database_not_found for reads and writes alike.
#[tokio::test]
async fn a_disabled_database_is_not_found_for_guests_and_users() {
    let (_emulator, api, col) = start_with_text(json!(["read(\"any\")", "create(\"any\")"])).await;
    let docs = format!("{col}/documents");
    assert_eq!(
        api.post(&docs, json!({"documentId": "d", "data": {"s": "x"}}))
            .await
            .0,
        201
    );
    assert_eq!(api.post("/users", json!({"userId": "u"})).await.0, 201);
    let user = api.with_jwt(&api.jwt("u").await);
    let guest = api.guest();
    assert_eq!(guest.get(&docs).await.0, 200, "readable while enabled");

    let (status, body) = api
        .call(
            Method::PUT,
            "/databases/main",
            Some(json!({"name": "Main", "enabled": false})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for caller in [&guest, &user] {
        assert_error(&caller.get(&docs).await, 404, "database_not_found");
        assert_error(&caller.get(&format!("{docs}/d")).await, 404, "database_not_found");
        let create = caller
            .post(&docs, json!({"documentId": "e", "data": {"s": "y"}}))
            .await;
        assert_error(&create, 404, "database_not_found");
    }
    let (status, listed) = api.get(&docs).await;
    assert_eq!(
        (status, listed["total"].as_i64()),
        (200, Some(1)),
        "the key still sees it"
    );
}

// Integers are exact i64 all the way (floating point would turn 2^53 + 1 + 1 into 2^53 + 2 or
// lose it entirely), overflow is refused at both ends, and a float that overflows is refused
// instead of being stored as null. A refused step leaves the value as it was.
#[tokio::test]
async fn increments_are_exact_at_the_i64_bounds_and_refuse_overflow() {
    let (_emulator, api) = start(0).await;
    let col = api
        .collection(
            json!([]),
            false,
            &[
                ("integer", json!({"key": "n", "required": false})),
                ("float", json!({"key": "f", "required": false})),
            ],
        )
        .await;
    let docs = format!("{col}/documents");
    let step = |id: &'static str, attribute: &'static str, direction: &'static str, body: Value| {
        let path = format!("{docs}/{id}/{attribute}/{direction}");
        let api = &api;
        async move { api.call(Method::PATCH, &path, Some(body)).await }
    };
    let beyond_2_53: i64 = (1 << 53) + 1;
    for (id, n) in [
        ("big", beyond_2_53),
        ("top", i64::MAX - 1),
        ("bottom", i64::MIN + 1),
    ] {
        let (status, body) = api
            .post(&docs, json!({"documentId": id, "data": {"n": n, "f": 1.5e308}}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, up) = step("big", "n", "increment", json!({"value": 1})).await;
    assert_eq!(up["n"].as_i64(), Some(beyond_2_53 + 1));
    let (_, down) = step("big", "n", "decrement", json!({"value": 2})).await;
    assert_eq!(down["n"].as_i64(), Some(beyond_2_53 - 1));

    let (_, top) = step("top", "n", "increment", json!({"value": 1})).await;
    assert_eq!(top["n"].as_i64(), Some(i64::MAX));
    let over = step("top", "n", "increment", json!({"value": 1})).await;
    assert_error(&over, 400, "general_argument_invalid");
    let (_, bottom) = step("bottom", "n", "decrement", json!({"value": 1})).await;
    assert_eq!(bottom["n"].as_i64(), Some(i64::MIN));
    let under = step("bottom", "n", "decrement", json!({"value": 1})).await;
    assert_error(&under, 400, "general_argument_invalid");
    // A bound compares exactly too: one past the bound is refused, the bound itself is not.
    let (_, at_bound) = step(
        "big",
        "n",
        "increment",
        json!({"value": 2, "max": beyond_2_53 + 1}),
    )
    .await;
    assert_eq!(at_bound["n"].as_i64(), Some(beyond_2_53 + 1));
    let past = step(
        "big",
        "n",
        "increment",
        json!({"value": 1, "max": beyond_2_53 + 1}),
    )
    .await;
    assert_error(&past, 400, "general_argument_invalid");

    let overflow = step("top", "f", "increment", json!({"value": 1.5e308})).await;
    assert_error(&overflow, 400, "general_argument_invalid");
    let (_, after) = api.get(&format!("{docs}/top")).await;
    assert_eq!(
        (after["n"].as_i64(), after["f"].as_f64()),
        (Some(i64::MAX), Some(1.5e308))
    );
}

/// `GET path` with the key, asking for response `format`.
async fn in_format(emulator: &Emulator, path: &str, format: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}{path}", emulator.endpoint()))
        .header("X-Appwrite-Project", emulator.project_id())
        .header("X-Appwrite-Key", emulator.api_key())
        .header("X-Appwrite-Response-Format", format)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

// `$sequence` is a number in 1.8's model and a string in 1.9's, where a client asking for a
// format before 1.9.0 gets a number again; 2.x-format clients always get a string.
#[tokio::test]
async fn the_sequence_type_follows_the_release_and_the_asked_format() {
    for (version, plain, asked_1_8) in [
        (appwrite_emulator::AppwriteVersion::V1_8, json!(1), json!(1)),
        (appwrite_emulator::AppwriteVersion::NEWEST, json!("1"), json!(1)),
    ] {
        let (emulator, api) = start_as(version).await;
        let col = api
            .collection(
                json!([]),
                false,
                &[("integer", json!({"key": "n", "required": false}))],
            )
            .await;
        api.post(
            &format!("{col}/documents"),
            json!({"documentId": "d", "data": {"n": 1}}),
        )
        .await;
        assert_eq!(
            api.get(&format!("{col}/documents/d")).await.1["$sequence"],
            plain,
            "{version}"
        );
        let path = format!("{col}/documents/d");
        assert_eq!(
            in_format(&emulator, &path, "1.8.0").await["$sequence"],
            asked_1_8,
            "{version}"
        );
        // Clients generated for the 2.x format (the official Rust SDK) always read a string.
        let two = in_format(&emulator, &path, "2.6.2").await;
        assert_eq!(two["$sequence"], "1", "{version}");
        assert_eq!(two["n"], 1, "only $sequence changes");
        assert_eq!(
            in_format(&emulator, &path, "1.9.5").await["$sequence"],
            plain,
            "{version}"
        );
        // A short version is the same release: `1.9` is `1.9.0`.
        assert_eq!(
            in_format(&emulator, &path, "1.9").await["$sequence"],
            plain,
            "{version}"
        );
    }
}

// The version an emulator reports, in `/health/version` and in every error body, is the release
// it behaves as.
#[tokio::test]
async fn the_reported_version_is_the_personality() {
    for version in appwrite_emulator::AppwriteVersion::ALL {
        let (_emulator, api) = start_as(version).await;
        assert_eq!(api.get("/health/version").await.1["version"], version.reported());
        let missing = api.get("/databases/nope").await;
        assert_error(&missing, 404, "database_not_found");
        assert_eq!(missing.1["version"], version.reported());
    }
}

#[tokio::test]
async fn default_error_messages_follow_the_release() {
    use appwrite_emulator::AppwriteVersion as V;
    let cases = [
        (V::V1_6, "Database not found", "The requested route was not found. Please refer to the API docs and try again."),
        (V::V1_8, "Database not found", "Route not found. Please ensure the endpoint is configured correctly and that the API route is valid for this SDK version. Refer to the API docs for more details."),
        (V::V1_9_0, "Database with the requested ID 'nope' could not be found.", "Route not found. Please ensure the endpoint is configured correctly and that the API route is valid for this SDK version. Refer to the API docs for more details."),
        (V::V1_9_5, "Database with the requested ID 'nope' could not be found.", "Route not found. Please ensure the endpoint is configured correctly and that the API route is valid for this SDK version. Refer to the API docs for more details."),
    ];
    for (version, missing_database, missing_route) in cases {
        let (emulator, api) = start_as(version).await;
        let (status, body) = api.get("/databases/nope").await;
        assert_eq!((status, body["type"].as_str()), (404, Some("database_not_found")));
        assert_eq!(body["message"], missing_database, "{version}");
        assert_eq!(body["version"], version.reported());
        let (status, body) = api.get("/no/such/route").await;
        assert_eq!(status, 404);
        assert_eq!(body["message"], missing_route, "{version}");
        let both = reqwest::Client::new()
            .get(format!("{}/databases", emulator.endpoint()))
            .header("X-Appwrite-Project", emulator.project_id())
            .header("X-Appwrite-Key", emulator.api_key())
            .header("X-Appwrite-JWT", "any.jwt.at-all")
            .send()
            .await
            .unwrap();
        let status = both.status().as_u16();
        let body: Value = both.json().await.unwrap();
        let renamed = version >= V::V1_9_0;
        let expected = ["user_key_and_session_set", "user_api_key_and_session_set"][renamed as usize];
        assert_eq!(
            (status, body["type"].as_str()),
            (403, Some(expected)),
            "{version}"
        );
    }
    // A document's id is quoted from 1.9 on, in the answer to a duplicate too.
    let (_emulator, api) = start_as(V::V1_9_5).await;
    let text = ("string", json!({"key": "s", "size": 10, "required": false}));
    let col = api.collection(json!([]), false, &[text]).await;
    let document = json!({"documentId": "d1", "data": {"s": "x"}});
    api.post(&format!("{col}/documents"), document.clone()).await;
    let (status, body) = api.post(&format!("{col}/documents"), document).await;
    assert_eq!(status, 409);
    assert_eq!(
        body["message"],
        "Document with the requested ID 'd1' already exists. Try again with a different ID or use ID.unique() to generate a unique ID."
    );
}
