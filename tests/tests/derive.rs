//! What `#[derive(Collection)]` generates for a struct that uses every option: the schema, the
//! migration request bodies, the query handles and the patch builder.

use appwrite_orm::migration::payload::{self, Request};
use appwrite_orm::schema::{AttributeKind, IndexKind, SortOrder};
use appwrite_orm::{Action, AttributeEnum, Collection, Document, Patch, Permission, Query, Role};
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Stage {
    AwaitingPayment,
    #[serde(rename = "paid")]
    PaymentReceived,
    Shipped,
    #[serde(skip)]
    #[allow(dead_code)]
    Internal,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
#[collection(
    id = "everything.v1",
    name = "Everything",
    rename_all = "camelCase",
    document_security
)]
#[collection(permissions(read = ["users", "label:service"], create = "users", update = "user:admin-1"))]
#[collection(permissions(delete = "team:ops/owner", write = "member:m1"))]
#[collection(index(key = "by_owner", fields(owner_id, placed_at = "desc")))]
#[collection(index(key = "one_email", unique, fields(contact)))]
#[collection(index(key = "text", fulltext, fields(title)))]
#[collection(index(key = "recent", fields("$createdAt" = "DESC")))]
struct Everything {
    #[collection(size = 64)]
    owner_id: String,
    #[collection(size = 200, default = "untitled")]
    title: String,
    stage: Stage,
    #[collection(default = "shipped")]
    fallback_stage: Option<Stage>,
    stages: Vec<Stage>,
    small: i8,
    #[collection(min = -5, max = 5)]
    narrowed: i16,
    medium: i32,
    big: i64,
    #[collection(default = 3)]
    attempts: u8,
    port: u16,
    counter: u32,
    ratio: f32,
    #[collection(min = 0.0, max = 1e6, default = 9.5)]
    total: f64,
    flag: bool,
    #[collection(default = true)]
    enabled: Option<bool>,
    #[serde(with = "appwrite_orm::datetime::appwrite_format")]
    placed_at: DateTime<Utc>,
    #[collection(default = "2024-01-01T00:00:00.000+00:00")]
    due_at: Option<DateTime<Utc>>,
    #[collection(format = "email")]
    contact: String,
    #[collection(format = "url", default = "https://example.com")]
    homepage: Option<String>,
    #[collection(format = "ip")]
    addresses: Vec<String>,
    note: Option<String>,
    tags: Vec<String>,
    #[serde(rename = "legacyCode")]
    #[collection(rename = "legacyCode")]
    code: Option<i32>,
    #[collection(required = false)]
    #[serde(default)]
    soft: String,
    #[serde(skip)]
    #[collection(skip)]
    cached: Option<u64>,
}

fn requests() -> Vec<Request> {
    payload::create_all("main", Everything::schema())
}

#[test]
fn the_collection_request_carries_id_name_permissions_and_document_security() {
    assert_eq!(Everything::_COLLECTION_ID, "everything.v1");
    assert_eq!(Everything::_COLLECTION_NAME, "Everything");
    assert!(Everything::document_security());
    let create = &requests()[0];
    assert_eq!(create.path, "/databases/main/collections");
    assert_eq!(
        create.body,
        json!({
            "collectionId": "everything.v1",
            "name": "Everything",
            "permissions": [
                "read(\"users\")", "read(\"label:service\")", "create(\"users\")", "update(\"user:admin-1\")",
                "delete(\"team:ops/owner\")", "write(\"member:m1\")"
            ],
            "documentSecurity": true,
            "enabled": true
        })
    );
    assert_eq!(
        Everything::permissions()[0],
        Permission::new(Action::Read, Role::users())
    );
}

#[test]
fn every_attribute_request_matches_the_expected_json() {
    let base = "/databases/main/collections/everything.v1/attributes";
    let expected: Vec<(&str, Value)> = vec![
        (
            "string",
            json!({"key": "ownerId", "required": true, "array": false, "size": 64}),
        ),
        (
            "string",
            json!({"key": "title", "required": false, "array": false, "size": 200, "default": "untitled"}),
        ),
        (
            "enum",
            json!({"key": "stage", "required": true, "array": false,
                   "elements": ["awaiting_payment", "paid", "shipped"]}),
        ),
        (
            "enum",
            json!({"key": "fallbackStage", "required": false, "array": false,
                   "elements": ["awaiting_payment", "paid", "shipped"], "default": "shipped"}),
        ),
        (
            "enum",
            json!({"key": "stages", "required": false, "array": true,
                   "elements": ["awaiting_payment", "paid", "shipped"]}),
        ),
        (
            "integer",
            json!({"key": "small", "required": true, "array": false, "min": -128, "max": 127}),
        ),
        (
            "integer",
            json!({"key": "narrowed", "required": true, "array": false, "min": -5, "max": 5}),
        ),
        (
            "integer",
            json!({"key": "medium", "required": true, "array": false, "min": -2147483648_i64, "max": 2147483647}),
        ),
        (
            "integer",
            json!({"key": "big", "required": true, "array": false, "min": i64::MIN, "max": i64::MAX}),
        ),
        (
            "integer",
            json!({"key": "attempts", "required": false, "array": false, "min": 0, "max": 255, "default": 3}),
        ),
        (
            "integer",
            json!({"key": "port", "required": true, "array": false, "min": 0, "max": 65535}),
        ),
        (
            "integer",
            json!({"key": "counter", "required": true, "array": false, "min": 0, "max": 4294967295_u32}),
        ),
        (
            "float",
            json!({"key": "ratio", "required": true, "array": false,
                   "min": f64::from(f32::MIN), "max": f64::from(f32::MAX)}),
        ),
        (
            "float",
            json!({"key": "total", "required": false, "array": false, "min": 0.0, "max": 1e6, "default": 9.5}),
        ),
        (
            "boolean",
            json!({"key": "flag", "required": true, "array": false}),
        ),
        (
            "boolean",
            json!({"key": "enabled", "required": false, "array": false, "default": true}),
        ),
        (
            "datetime",
            json!({"key": "placedAt", "required": true, "array": false}),
        ),
        (
            "datetime",
            json!({"key": "dueAt", "required": false, "array": false, "default": "2024-01-01T00:00:00.000+00:00"}),
        ),
        (
            "email",
            json!({"key": "contact", "required": true, "array": false}),
        ),
        (
            "url",
            json!({"key": "homepage", "required": false, "array": false, "default": "https://example.com"}),
        ),
        (
            "ip",
            json!({"key": "addresses", "required": false, "array": true}),
        ),
        (
            "string",
            json!({"key": "note", "required": false, "array": false, "size": 255}),
        ),
        (
            "string",
            json!({"key": "tags", "required": false, "array": true, "size": 255}),
        ),
        (
            "integer",
            json!({"key": "legacyCode", "required": false, "array": false, "min": -2147483648_i64, "max": 2147483647}),
        ),
        (
            "string",
            json!({"key": "soft", "required": false, "array": false, "size": 255}),
        ),
    ];
    let all = requests();
    let attributes: Vec<&Request> = all.iter().filter(|r| r.path.contains("/attributes/")).collect();
    assert_eq!(
        attributes.len(),
        expected.len(),
        "one request per stored field, none for the skipped one"
    );
    for (request, (route, body)) in attributes.iter().zip(&expected) {
        assert_eq!(request.path, format!("{base}/{route}"));
        assert_eq!(&request.body, body, "attribute {}", body["key"]);
    }
}

#[test]
fn index_requests_use_attribute_keys_and_explicit_orders() {
    let indexes: Vec<Value> = requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/indexes"))
        .map(|r| r.body)
        .collect();
    assert_eq!(
        indexes,
        vec![
            json!({"key": "by_owner", "type": "key", "attributes": ["ownerId", "placedAt"], "orders": ["ASC", "DESC"]}),
            json!({"key": "one_email", "type": "unique", "attributes": ["contact"], "orders": ["ASC"]}),
            json!({"key": "text", "type": "fulltext", "attributes": ["title"], "orders": ["ASC"]}),
            json!({"key": "recent", "type": "key", "attributes": ["$createdAt"], "orders": ["DESC"]}),
        ]
    );
    let schema = Everything::schema();
    assert_eq!(schema.indexes[1].kind, IndexKind::Unique);
    assert_eq!(schema.indexes[0].fields[1].order, SortOrder::Desc);
}

#[test]
fn server_type_and_format_are_reported_per_kind() {
    let schema = Everything::schema();
    let kind = |key: &str| &schema.attribute(key).expect("attribute exists").kind;
    assert_eq!(
        (kind("total").server_type(), kind("total").server_format()),
        ("double", Some("floatRange"))
    );
    assert_eq!(
        (kind("contact").server_type(), kind("contact").server_format()),
        ("string", Some("email"))
    );
    assert_eq!(
        (kind("stage").server_type(), kind("stage").server_format()),
        ("string", Some("enum"))
    );
    assert_eq!(
        (kind("ownerId").server_type(), kind("ownerId").server_format()),
        ("string", None)
    );
    assert!(matches!(
        kind("attempts"),
        AttributeKind::Integer { min: 0, max: 255 }
    ));
    assert!(schema.attribute("cached").is_none());
}

// The bodies must use exactly the property names and JSON types of Appwrite's own API description
// (a reduced copy of its 1.8 OpenAPI spec lives in tests/fixtures).
#[test]
fn every_request_body_conforms_to_appwrites_api_description() {
    let spec: Value = serde_json::from_str(include_str!("../fixtures/appwrite-1.8-create-bodies.json"))
        .expect("fixture parses");
    let mut all = vec![payload::create_database("main", "Main")];
    all.extend(requests());
    let mut routes_seen = std::collections::BTreeSet::new();
    for request in &all {
        let route = request
            .path
            .replace(
                "/databases/main/collections/everything.v1",
                "/databases/{databaseId}/collections/{collectionId}",
            )
            .replace(
                "/databases/main/collections",
                "/databases/{databaseId}/collections",
            );
        let described = &spec["routes"][&route];
        assert!(described.is_object(), "{route} is not an Appwrite route");
        routes_seen.insert(route.clone());
        let body = request.body.as_object().expect("bodies are objects");
        for required in described["required"].as_array().expect("required list") {
            let required = required.as_str().expect("string");
            assert!(
                body.contains_key(required),
                "{route}: missing required `{required}`"
            );
        }
        for (key, value) in body {
            let expected = described["properties"][key]
                .as_str()
                .unwrap_or_else(|| panic!("{route}: unknown `{key}`"));
            let matches = match expected {
                "string" => value.is_string(),
                "boolean" => value.is_boolean(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "array" => value.is_array(),
                other => panic!("unexpected type {other}"),
            };
            assert!(matches, "{route}: `{key}` should be {expected}, is {value}");
        }
    }
    assert_eq!(
        routes_seen.len(),
        12,
        "every create route of the description is exercised: {routes_seen:?}"
    );
}

#[test]
fn field_handles_build_typed_queries() {
    let at = Utc.with_ymd_and_hms(2024, 5, 1, 10, 20, 30).unwrap();
    let cases: Vec<(Query, Value)> = vec![
        (
            Everything::STAGE.eq(Stage::PaymentReceived),
            json!({"method": "equal", "attribute": "stage", "values": ["paid"]}),
        ),
        (
            Everything::OWNER_ID.eq("u1"),
            json!({"method": "equal", "attribute": "ownerId", "values": ["u1"]}),
        ),
        (
            Everything::TOTAL.between(1, 2.5),
            json!({"method": "between", "attribute": "total", "values": [1.0, 2.5]}),
        ),
        (
            Everything::ATTEMPTS.lt(3),
            json!({"method": "lessThan", "attribute": "attempts", "values": [3]}),
        ),
        (
            Everything::PLACED_AT.gte(at),
            json!({"method": "greaterThanEqual", "attribute": "placedAt", "values": ["2024-05-01T10:20:30.000+00:00"]}),
        ),
        (
            Everything::NOTE.is_null(),
            json!({"method": "isNull", "attribute": "note"}),
        ),
        (
            Everything::TAGS.contains(["a", "b"]),
            json!({"method": "contains", "attribute": "tags", "values": ["a", "b"]}),
        ),
        (
            Everything::TITLE.search("red shoes"),
            json!({"method": "search", "attribute": "title", "values": ["red shoes"]}),
        ),
        (
            Everything::CODE.is_in([1, 2]),
            json!({"method": "equal", "attribute": "legacyCode", "values": [1, 2]}),
        ),
        (
            Everything::PLACED_AT.order_desc(),
            json!({"method": "orderDesc", "attribute": "placedAt"}),
        ),
        (Query::limit(10), json!({"method": "limit", "values": [10]})),
        (
            Query::cursor_after("d1"),
            json!({"method": "cursorAfter", "values": ["d1"]}),
        ),
        (
            Query::select(["title", "stage"]),
            json!({"method": "select", "values": ["title", "stage"]}),
        ),
        (
            Query::or([Everything::FLAG.eq(true), Everything::SMALL.ne(0)]),
            json!({"method": "or", "values": [
                {"method": "equal", "attribute": "flag", "values": [true]},
                {"method": "notEqual", "attribute": "small", "values": [0]}
            ]}),
        ),
    ];
    for (query, expected) in cases {
        let wire: Value = serde_json::from_str(&query.to_string()).expect("a query is JSON");
        assert_eq!(wire, expected);
    }
    assert_eq!(Everything::FALLBACK_STAGE.key(), "fallbackStage");
}

#[test]
fn the_patch_sends_only_what_was_set_with_serde_keys() {
    let patch: Patch<Everything> = Everything::patch()
        .stage(Stage::Shipped)
        .attempts(2)
        .note(None)
        .code(Some(7))
        .into();
    assert_eq!(
        patch.to_json(),
        json!({"stage": "shipped", "attempts": 2, "note": null, "legacyCode": 7})
    );
    assert!(Patch::<Everything>::from(Everything::patch()).is_empty());
}

#[test]
fn attribute_enum_elements_follow_serde_names() {
    assert_eq!(Stage::ELEMENTS, ["awaiting_payment", "paid", "shipped"]);
    assert_eq!(Stage::PaymentReceived.as_str(), "paid");
    assert_eq!(
        serde_json::to_value(Stage::AwaitingPayment).unwrap(),
        json!(Stage::AwaitingPayment.as_str())
    );
}

#[test]
fn a_server_document_decodes_into_the_struct_and_serializes_back_without_metadata() {
    let json = json!({
        "$id": "e1", "$sequence": 3, "$createdAt": "2024-05-01T10:20:30.123+00:00",
        "$updatedAt": "2024-05-01T10:20:31.000+00:00", "$permissions": ["read(\"any\")"],
        "$databaseId": "main", "$collectionId": "everything.v1",
        "ownerId": "u1", "title": "untitled", "stage": "paid", "fallbackStage": null, "stages": [],
        "small": -1, "narrowed": 2, "medium": 3, "big": 4, "attempts": 3, "port": 80, "counter": 5,
        "ratio": 0.5, "total": 9.5, "flag": true, "enabled": null, "placedAt": "2024-05-01T10:20:30.000+00:00",
        "dueAt": null, "contact": "a@example.com", "homepage": null, "addresses": ["127.0.0.1"],
        "note": null, "tags": ["x"], "legacyCode": null, "soft": "s"
    });
    let document: Document<Everything> = serde_json::from_value(json.clone()).expect("decodes");
    assert_eq!(document.id(), "e1");
    assert_eq!(document.stage, Stage::PaymentReceived);
    assert_eq!(document.cached, None);
    let mut data = json;
    data.as_object_mut().unwrap().retain(|k, _| !k.starts_with('$'));
    assert_eq!(serde_json::to_value(&document).unwrap(), data);
}

#[test]
fn serde_defaults_make_attributes_optional_and_their_nulls_decode_as_defaults() {
    #[derive(appwrite_orm::Collection, serde::Serialize, serde::Deserialize)]
    #[collection(id = "evolving")]
    struct Evolving {
        title: String,
        #[serde(default)]
        retries: i32,
        #[serde(default, rename = "seenBy")]
        seen_by: Vec<String>,
        #[serde(default)]
        note: Option<String>,
    }
    use appwrite_orm::Collection as _;
    let schema = Evolving::schema();
    let required = |key: &str| schema.attribute(key).expect(key).required;
    assert!(required("title"));
    assert!(
        !required("retries"),
        "serde fills it in, so the server need not require it"
    );
    // `Option` already reads `null` as `None`; the others need their nulls dropped first.
    assert_eq!(schema.null_as_default, ["retries", "seenBy"]);

    #[derive(appwrite_orm::Collection, serde::Serialize, serde::Deserialize, Default)]
    #[serde(default)]
    struct AllDefault {
        count: u32,
        label: String,
    }
    assert_eq!(AllDefault::schema().null_as_default, ["count", "label"]);
    assert!(AllDefault::schema().attributes.iter().all(|a| !a.required));
}
