//! The ORM against the emulator over real HTTP: connecting, migrating, typed CRUD and queries.

use std::time::Duration;

use appwrite_emulator::{Config, Emulator};
use appwrite_orm::{
    AttributeEnum, Collection, CollectionHandle, Error, ErrorKind, Orm, Permission, Query, Role,
};
use chrono::{DateTime, TimeZone, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};

/// An emulator and the handle of its migrated `orders` collection.
async fn start_with_orders() -> (Emulator, CollectionHandle<Order>) {
    let (emulator, orm) = start().await;
    let db = orm
        .connect()
        .register::<Order>()
        .auto_migrate(true)
        .await
        .unwrap();
    (emulator, db.collection::<Order>())
}

async fn start() -> (Emulator, Orm) {
    let emulator = Emulator::start(Config {
        attribute_delay: Duration::from_millis(30),
        appwrite_version: tests::appwrite_version(),
        ..Config::default()
    })
    .await
    .expect("emulator starts");
    let orm = tests::client(&emulator);
    (emulator, orm)
}

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Status {
    Pending,
    Paid,
    Shipped,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
#[collection(id = "orders", permissions(read = "users", create = "users"))]
#[collection(index(key = "by_status", fields(status, placed_at = "desc")))]
#[collection(index(key = "text", fulltext, fields(note)))]
struct Order {
    #[collection(size = 64)]
    user_id: String,
    status: Status,
    #[collection(min = 0.0)]
    total: f64,
    note: Option<String>,
    #[collection(default = 0)]
    attempts: u8,
    tags: Vec<String>,
    #[serde(with = "appwrite_orm::datetime::appwrite_format")]
    placed_at: DateTime<Utc>,
    #[collection(format = "email")]
    contact: String,
    #[collection(format = "url")]
    receipt: Option<String>,
    #[collection(format = "ip")]
    origin: Option<String>,
}

fn order(n: u32) -> Order {
    Order {
        user_id: format!("u{}", n % 3),
        status: [Status::Pending, Status::Paid, Status::Shipped][n as usize % 3],
        total: f64::from(n) * 1.5,
        note: (n & 1 == 0).then(|| format!("gift wrapped parcel {n}")),
        attempts: 0,
        tags: vec!["a".into()],
        placed_at: Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap()
            + chrono::Duration::minutes(i64::from(n)),
        contact: format!("buyer{n}@example.com"),
        receipt: Some("https://example.com/r".into()),
        origin: Some("10.0.0.1".into()),
    }
}

#[tokio::test]
async fn a_second_start_plans_nothing_for_every_kind_of_attribute() {
    let (_emulator, orm) = start().await;
    let plan = orm.connect().register::<Order>().plan().await.unwrap();
    assert!(plan.to_string().contains("+ database"), "{plan}");
    assert!(
        plan.to_string().contains("+ orders.status enum required"),
        "{plan}"
    );
    orm.connect()
        .register::<Order>()
        .auto_migrate(true)
        .await
        .unwrap();
    let again = orm.connect().register::<Order>().plan().await.unwrap();
    assert!(
        again.is_empty(),
        "enum, email, url, ip, datetime and arrays must not look changed:\n{again}"
    );
    orm.connect()
        .register::<Order>()
        .migrator()
        .verify()
        .await
        .unwrap();
}

#[tokio::test]
async fn three_instances_migrating_at_once_all_succeed() {
    let (_emulator, orm) = start().await;
    let connect = || orm.connect().register::<Order>().auto_migrate(true);
    let (a, b, c) = tokio::join!(connect(), connect(), connect());
    for result in [a, b, c] {
        result.expect("every instance connects");
    }
    assert!(orm.connect().register::<Order>().plan().await.unwrap().is_empty());
}

mod v1 {
    use super::*;

    #[derive(Collection, Serialize, Deserialize, Debug, Clone)]
    #[collection(id = "notes")]
    pub struct Note {
        pub title: String,
        pub n: i32,
    }
}

mod v2 {
    use super::*;

    #[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
    #[collection(id = "notes")]
    pub struct Note {
        #[collection(size = 500)]
        pub title: String,
        pub n: i32,
        pub body: Option<String>,
        #[collection(default = 7)]
        pub stars: u8,
    }
}

mod v3 {
    use super::*;

    #[derive(Collection, Serialize, Deserialize, Debug, Clone)]
    #[collection(id = "notes")]
    pub struct Note {
        pub title: String,
        pub n: String,
    }
}

#[tokio::test]
async fn an_added_field_is_usable_as_soon_as_connect_returns() {
    let (_emulator, orm) = start().await;
    let db = orm
        .connect()
        .register::<v1::Note>()
        .auto_migrate(true)
        .await
        .unwrap();
    db.collection::<v1::Note>()
        .create_with_id(
            "old",
            &v1::Note {
                title: "t".into(),
                n: 1,
            },
        )
        .await
        .unwrap();

    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = progress.clone();
    let plan = orm.connect().register::<v2::Note>().plan().await.unwrap();
    let text = plan.to_string();
    assert!(text.contains("~ notes.title: size 255 → 500"), "{text}");
    assert!(text.contains("+ notes.body string(255)"), "{text}");
    let db = orm
        .connect()
        .register::<v2::Note>()
        .on_progress(move |p| {
            seen.lock()
                .unwrap()
                .push(format!("{}/{} {}", p.done + 1, p.total, p.step))
        })
        .auto_migrate(true)
        .await
        .unwrap();
    assert_eq!(
        progress.lock().unwrap().len(),
        3,
        "{:?}",
        progress.lock().unwrap()
    );
    let notes = db.collection::<v2::Note>();
    let fresh = v2::Note {
        title: "x".repeat(400),
        n: 2,
        body: Some("b".into()),
        stars: 5,
    };
    let created = notes
        .create(&fresh)
        .await
        .expect("the new attributes accept writes immediately");
    assert_eq!(created.data(), &fresh);
    let old = notes.get_or_fail("old").await.unwrap();
    assert_eq!(
        (old.body.clone(), old.stars),
        (None, 7),
        "existing documents get the new default"
    );
}

#[tokio::test]
async fn a_changed_type_is_refused_with_a_clear_message_unless_allowed() {
    let (_emulator, orm) = start().await;
    orm.connect()
        .register::<v1::Note>()
        .auto_migrate(true)
        .await
        .unwrap();
    let err = orm
        .connect()
        .register::<v3::Note>()
        .auto_migrate(true)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(
        err,
        Error::Migration(appwrite_orm::migration::MigrationError::Destructive { .. })
    ));
    assert!(message.contains("notes.n must be recreated"), "{message}");
    assert!(message.contains("type integer → string"), "{message}");
    assert!(message.contains("allow_destructive"), "{message}");
    let db = orm
        .connect()
        .register::<v3::Note>()
        .allow_destructive(true)
        .auto_migrate(true)
        .await
        .unwrap();
    db.collection::<v3::Note>()
        .create(&v3::Note {
            title: "t".into(),
            n: "now text".into(),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn typed_crud_round_trips() {
    let (_emulator, orders) = start_with_orders().await;

    let created = orders.create(&order(1)).await.unwrap();
    assert_eq!(created.id().len(), 20);
    assert_eq!(created.data(), &order(1));
    assert_eq!(orders.get(created.id()).await.unwrap().unwrap().data(), &order(1));
    assert!(orders.get("missing").await.unwrap().is_none());

    let updated = orders
        .update(created.id(), Order::patch().status(Status::Paid).attempts(2u8))
        .await
        .unwrap();
    assert_eq!(
        (updated.status, updated.attempts, updated.total),
        (Status::Paid, 2, 1.5)
    );
    let bumped = orders
        .increment(created.id(), Order::ATTEMPTS, 3, Some(10))
        .await
        .unwrap();
    assert_eq!(bumped.attempts, 5);
    let lowered = orders
        .decrement(created.id(), Order::TOTAL, 0.5, None)
        .await
        .unwrap();
    assert_eq!(lowered.total, 1.0);

    let upserted = orders.upsert("fixed-id", &order(2)).await.unwrap();
    assert_eq!(upserted.id(), "fixed-id");
    let mut changed = order(2);
    changed.total = 99.0;
    assert_eq!(orders.upsert("fixed-id", &changed).await.unwrap().total, 99.0);

    let guarded = orders
        .create_with_permissions(&order(3), &[Permission::read(Role::user("u3"))])
        .await
        .unwrap();
    assert_eq!(
        guarded.permissions().unwrap(),
        [Permission::read(Role::user("u3"))]
    );
    let opened = orders
        .set_permissions(guarded.id(), &[Permission::read(Role::any())])
        .await
        .unwrap();
    assert_eq!(opened.permissions().unwrap(), [Permission::read(Role::any())]);

    assert_eq!(orders.count([]).await.unwrap(), 3);
    let paid = orders.find([Order::STATUS.eq(Status::Paid)]).await.unwrap();
    assert_eq!(paid.iter().map(|d| d.id()).collect::<Vec<_>>(), [created.id()]);
    let first = orders.first([Order::TOTAL.order_desc()]).await.unwrap().unwrap();
    assert_eq!(first.id(), "fixed-id");
    let searched = orders.find([Order::NOTE.search("parcel")]).await.unwrap();
    assert_eq!(searched.len(), 1);
    let tagged = orders
        .find([Order::TAGS.contains(["a"]), Query::limit(2)])
        .await
        .unwrap();
    assert_eq!(tagged.len(), 2);

    orders.delete("fixed-id").await.unwrap();
    assert!(orders.get("fixed-id").await.unwrap().is_none());
    let moved = orders
        .update_many(
            Order::patch().status(Status::Shipped),
            [Order::STATUS.ne(Status::Shipped)],
        )
        .await
        .unwrap();
    assert_eq!(moved, 2);
    assert_eq!(
        orders
            .delete_many([Order::STATUS.eq(Status::Shipped)])
            .await
            .unwrap(),
        2
    );
    assert_eq!(orders.count([]).await.unwrap(), 0);
}

#[tokio::test]
async fn stream_walks_every_page_of_a_thousand_documents() {
    let (_emulator, orders) = start_with_orders().await;
    let items: Vec<Order> = (0..1000).map(order).collect();
    assert_eq!(orders.create_many(&items).await.unwrap().len(), 1000);
    assert_eq!(
        orders.find([]).await.unwrap().len(),
        25,
        "a plain find is one page"
    );
    let all: Vec<_> = orders
        .stream([Order::PLACED_AT.order_asc()])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1000);
    let totals: Vec<f64> = all.iter().map(|d| d.total).collect();
    assert_eq!(
        totals,
        (0..1000).map(|n| f64::from(n) * 1.5).collect::<Vec<_>>(),
        "in order, no duplicates"
    );
    let paid: Vec<_> = orders
        .stream([Order::STATUS.eq(Status::Paid)])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paid.len(), 333);
    let refused: Result<Vec<_>, _> = orders.stream([Query::limit(5)]).try_collect().await;
    assert!(matches!(
        refused,
        Err(Error::InvalidQuery {
            method: appwrite_orm::QueryMethod::Limit,
            operation: "stream",
            ..
        })
    ));

    let ids: Vec<(String, Order)> = (0..150).map(|n| (format!("up{n}"), order(n))).collect();
    assert_eq!(orders.upsert_many(&ids).await.unwrap().len(), 150);
    assert_eq!(orders.count([]).await.unwrap(), 1150);
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "orders")]
struct WrongOrder {
    #[serde(rename = "userId")]
    user_id: i64,
}

#[tokio::test]
async fn every_error_a_user_can_trigger_has_its_typed_kind() {
    let (_emulator, orm) = start().await;
    let db = orm
        .connect()
        .register::<Order>()
        .auto_migrate(true)
        .await
        .unwrap();
    let orders = db.collection::<Order>();
    let kind = |result: Result<appwrite_orm::Document<Order>, Error>| result.unwrap_err().kind();

    assert_eq!(
        kind(orders.get_or_fail("nope").await),
        Some(ErrorKind::DocumentNotFound)
    );
    orders.create_with_id("dup", &order(1)).await.unwrap();
    let mut other = order(2);
    other.total = 5.0;
    assert_eq!(
        kind(orders.create_with_id("dup", &other).await),
        Some(ErrorKind::DocumentAlreadyExists)
    );
    let mut negative = order(3);
    negative.total = -1.0;
    assert_eq!(
        kind(orders.create(&negative).await),
        Some(ErrorKind::DocumentInvalidStructure)
    );
    let err = orders.find([Order::USER_ID.search("u")]).await.unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::GeneralQueryInvalid));
    assert!(err.to_string().contains("requires a fulltext index"), "{err}");
    let err = orders.find([Query::cursor_after("ghost")]).await.unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::GeneralCursorNotFound));
    assert!(matches!(orders.get("_bad").await, Err(Error::InvalidId { .. })));
    assert_eq!(
        kind(orders.update("nope", Order::patch().attempts(1u8)).await),
        Some(ErrorKind::DocumentNotFound)
    );

    // A payload that does not match the struct names the field.
    let wrong = db.collection::<WrongOrder>();
    let err = wrong.get_or_fail("dup").await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "userId"),
        "{err:?}"
    );

    let unknown_db = Orm::builder()
        .endpoint(orm.endpoint())
        .project("someone-else")
        .database("main")
        .api_key("x")
        .build()
        .unwrap();
    let err = unknown_db.connect().register::<Order>().plan().await.unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::ProjectNotFound));
    let dead = Orm::builder()
        .endpoint("http://127.0.0.1:9/v1")
        .project("p")
        .database("main")
        .api_key("k")
        .retries(1)
        .build()
        .unwrap();
    assert!(matches!(
        dead.connect().register::<Order>().plan().await,
        Err(Error::Transport(_))
    ));
}

#[tokio::test]
async fn settings_are_checked_by_name_and_the_key_never_shows() {
    let err = Orm::builder()
        .endpoint("http://x/v1")
        .project("p")
        .api_key("k")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("database"), "{err}");
    let err = Orm::builder()
        .endpoint("ftp://x")
        .project("p")
        .database("d")
        .api_key("k")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("endpoint"), "{err}");
    let orm = Orm::builder()
        .endpoint("http://x/v1")
        .project("p")
        .database("d")
        .api_key("super-secret")
        .build()
        .unwrap();
    assert!(!format!("{orm:?}").contains("super-secret"));
    assert!(!format!("{:?}", Orm::builder().api_key("super-secret")).contains("super-secret"));
}

/// Schema evolution: a collection's first version and the fields later versions add.
mod evolve {
    use super::*;

    pub(crate) mod v1 {
        use super::*;

        #[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
        #[collection(id = "tickets")]
        pub(crate) struct Ticket {
            pub(crate) title: String,
        }
    }

    /// Every kind of field a newcomer adds, each one in a way that keeps older documents
    /// readable: a serde default, an `Option`, or a default the server fills in.
    pub(crate) mod v2 {
        use super::*;

        #[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
        #[collection(id = "tickets")]
        pub(crate) struct Ticket {
            pub(crate) title: String,
            #[serde(default)]
            pub(crate) retries: i32,
            #[serde(default)]
            pub(crate) score: f64,
            #[serde(default)]
            pub(crate) escalated: bool,
            #[serde(default)]
            pub(crate) tags: Vec<String>,
            #[serde(default)]
            pub(crate) owner: String,
            pub(crate) note: Option<String>,
            pub(crate) due: Option<DateTime<Utc>>,
            pub(crate) status: Option<Status>,
            #[collection(format = "email")]
            pub(crate) contact: Option<String>,
            #[collection(default = 3)]
            pub(crate) priority: i64,
        }
    }

    /// A required field with no default: older documents would have no value for it.
    pub(crate) mod v3 {
        use super::*;

        #[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
        #[collection(id = "tickets")]
        pub(crate) struct Ticket {
            pub(crate) title: String,
            pub(crate) retries: i32,
        }
    }
}

#[tokio::test]
async fn fields_added_with_a_default_or_as_options_keep_older_documents_readable() {
    use evolve::{v1, v2};
    let (_emulator, orm) = start().await;
    let db = orm
        .connect()
        .register::<v1::Ticket>()
        .auto_migrate(true)
        .await
        .unwrap();
    for (id, title) in [("a", "first"), ("b", "second"), ("c", "third")] {
        db.collection::<v1::Ticket>()
            .create_with_id(id, &v1::Ticket { title: title.into() })
            .await
            .unwrap();
    }
    let plan = orm.connect().register::<v2::Ticket>().plan().await.unwrap();
    assert!(
        !plan.steps.iter().any(|s| s.is_destructive()),
        "nothing here strands a document:\n{plan}"
    );
    assert!(plan.to_string().contains("+ tickets.retries integer"), "{plan}");
    let db = orm
        .connect()
        .register::<v2::Ticket>()
        .auto_migrate(true)
        .await
        .unwrap();
    let tickets = db.collection::<v2::Ticket>();
    let expected = |title: &str| v2::Ticket {
        title: title.into(),
        retries: 0,
        score: 0.0,
        escalated: false,
        tags: Vec::new(),
        owner: String::new(),
        note: None,
        due: None,
        status: None,
        contact: None,
        priority: 3,
    };
    // One document at a time, a page, and a paged stream all read the older documents.
    assert_eq!(tickets.get_or_fail("a").await.unwrap().data(), &expected("first"));
    let all = tickets.find([v2::Ticket::TITLE.order_asc()]).await.unwrap();
    let titles: Vec<&v2::Ticket> = all.iter().map(|d| d.data()).collect();
    assert_eq!(
        titles,
        [&expected("first"), &expected("second"), &expected("third")]
    );
    let streamed: Vec<_> = tickets.stream([]).try_collect().await.unwrap();
    assert_eq!(streamed.len(), 3);
    // A realtime event of an older document (changed by an instance still on v1) decodes too.
    let mut events = tickets.listen_documents();
    events.ready().await.unwrap();
    orm.connect()
        .register::<v1::Ticket>()
        .await
        .unwrap()
        .collection::<v1::Ticket>()
        .update("b", v1::Ticket::patch().title("second, edited"))
        .await
        .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), events.try_next())
        .await
        .expect("an event in time")
        .expect("it decodes")
        .expect("the stream is open");
    assert_eq!(event.document.data(), &expected("second, edited"));
}

#[tokio::test]
async fn a_required_field_added_to_a_collection_with_documents_is_refused_naming_the_fix() {
    use evolve::{v1, v3};
    let (_emulator, orm) = start().await;
    // On an empty collection a required field is harmless: nothing lacks it.
    orm.connect()
        .register::<v1::Ticket>()
        .auto_migrate(true)
        .await
        .unwrap();
    let plan = orm.connect().register::<v3::Ticket>().plan().await.unwrap();
    assert!(!plan.steps.iter().any(|s| s.is_destructive()), "{plan}");

    let db = orm.connect().register::<v1::Ticket>().await.unwrap();
    db.collection::<v1::Ticket>()
        .create(&v1::Ticket { title: "old".into() })
        .await
        .unwrap();
    let err = orm
        .connect()
        .register::<v3::Ticket>()
        .auto_migrate(true)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(
            err,
            Error::Migration(appwrite_orm::migration::MigrationError::Destructive { .. })
        ),
        "{message}"
    );
    assert!(message.contains("tickets.retries"), "{message}");
    assert!(message.contains("already holds documents"), "{message}");
    assert!(
        message.contains("#[serde(default)]") && message.contains("Option"),
        "{message}"
    );
    // Nothing was created.
    let plan = orm.connect().register::<v3::Ticket>().plan().await.unwrap();
    assert!(plan.to_string().contains("! tickets.retries"), "{plan}");
}

#[tokio::test]
async fn counts_are_exact_past_appwrites_total_cap_and_pages_say_when_theirs_is_capped() {
    let (_emulator, orders) = start_with_orders().await;
    let items: Vec<Order> = (0..5_100).map(order).collect();
    orders.create_many(&items).await.unwrap();
    // Appwrite's `total` stops at 5 000; the page says so.
    let page = orders.find_page([Query::limit(1)]).await.unwrap();
    assert_eq!(page.total, appwrite_orm::TOTAL_CAP);
    assert!(page.total_is_capped());
    // `count` reads ids past the cap, with and without a filter.
    assert_eq!(orders.count([]).await.unwrap(), 5_100);
    assert_eq!(
        orders.count([Order::STATUS.eq(Status::Paid)]).await.unwrap(),
        1_700
    );
    // Below the cap nothing is paged and the page's total is exact.
    let few = orders
        .find_page([
            Order::USER_ID.eq("u1"),
            Order::STATUS.eq(Status::Paid),
            Query::limit(1),
        ])
        .await
        .unwrap();
    assert!(!few.total_is_capped());
    assert_eq!(
        few.total,
        orders
            .count([Order::USER_ID.eq("u1"), Order::STATUS.eq(Status::Paid)])
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn datetime_bounds_finer_than_a_millisecond_keep_their_meaning() {
    let (_emulator, orders) = start_with_orders().await;
    let base = Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap();
    let ms = |n: i64| base + chrono::Duration::milliseconds(n);
    for n in 0..3 {
        let mut item = order(n as u32);
        item.placed_at = ms(n);
        orders.create(&item).await.unwrap();
    }
    // Half a millisecond past each stored value: Appwrite keeps milliseconds only.
    let half = chrono::Duration::microseconds(500);
    let at = |queries: Vec<Query>| {
        let orders = orders.clone();
        async move {
            let mut found: Vec<DateTime<Utc>> = orders
                .find(queries)
                .await
                .unwrap()
                .iter()
                .map(|d| d.placed_at)
                .collect();
            found.sort();
            found
        }
    };
    assert_eq!(at(vec![Order::PLACED_AT.gte(ms(0) + half)]).await, [ms(1), ms(2)]);
    assert_eq!(at(vec![Order::PLACED_AT.gt(ms(0) + half)]).await, [ms(1), ms(2)]);
    assert_eq!(at(vec![Order::PLACED_AT.lt(ms(1) + half)]).await, [ms(0), ms(1)]);
    assert_eq!(at(vec![Order::PLACED_AT.lte(ms(1) + half)]).await, [ms(0), ms(1)]);
    assert_eq!(
        at(vec![Order::PLACED_AT.between(ms(0) + half, ms(1) + half)]).await,
        [ms(1)]
    );
    // Exact milliseconds are sent as they are.
    assert_eq!(at(vec![Order::PLACED_AT.gte(ms(1))]).await, [ms(1), ms(2)]);
    assert_eq!(at(vec![Order::PLACED_AT.lt(ms(1))]).await, [ms(0)]);
}

#[tokio::test]
async fn an_empty_patch_changes_nothing_and_reads_the_document() {
    let (_emulator, orders) = start_with_orders().await;
    let created = orders.create(&order(1)).await.unwrap();
    let same = orders.update(created.id(), Order::patch()).await.unwrap();
    assert_eq!(same.data(), created.data());
    assert_eq!(same.updated_at(), created.updated_at(), "nothing was written");
    let missing = orders.update("nope", Order::patch()).await.unwrap_err();
    assert!(missing.is(ErrorKind::DocumentNotFound), "{missing}");
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[collection(id = "members", index(key = "by_email", unique, fields(email)))]
struct Member {
    #[collection(size = 64)]
    email: String,
}

#[tokio::test]
async fn a_bulk_write_stopped_part_way_says_what_was_stored_and_what_collided() {
    let (_emulator, orm) = start().await;
    let db = orm
        .connect()
        .register::<Member>()
        .auto_migrate(true)
        .await
        .unwrap();
    let members = db.collection::<Member>();
    let member = |n: usize| Member {
        email: format!("m{n}@example.com"),
    };
    members.create_with_id("taken", &member(9_999)).await.unwrap();

    // Item 120 repeats a stored email: the first batch (0..100) is stored, the second is not.
    let mut items: Vec<Member> = (0..150).map(member).collect();
    items[120] = member(9_999);
    let err = members.create_many(&items).await.unwrap_err();
    assert!(
        err.is(ErrorKind::DocumentAlreadyExists),
        "the server's kind still shows: {err}"
    );
    let Error::Bulk {
        written,
        refused,
        total,
        cause,
        ..
    } = &err
    else {
        panic!("a bulk error: {err}");
    };
    assert_eq!((written.len(), refused.clone(), *total), (100, 100..150, 150));
    assert!(cause.contains("unique index `by_email` (email)"), "{cause}");
    assert!(
        cause.contains("item 120") && cause.contains("matches a stored document"),
        "{cause}"
    );
    assert_eq!(members.count([]).await.unwrap(), 101);
    let message = err.to_string();
    assert!(message.contains("100 of 150 items stored"), "{message}");
    assert!(message.contains("items 100..150 refused"), "{message}");

    // Two items of one batch with the same email.
    let mut twins: Vec<Member> = (200..210).map(member).collect();
    twins[7] = member(203);
    let Error::Bulk { cause, written, .. } = members.create_many(&twins).await.unwrap_err() else {
        panic!("a bulk error");
    };
    assert!(written.is_empty());
    assert!(
        cause.contains("item 7") && cause.contains("repeats item 3"),
        "{cause}"
    );
}

#[tokio::test]
async fn appwrites_own_attributes_filter_and_order_through_typed_handles() {
    let (_emulator, orders) = start_with_orders().await;
    for (n, id) in ["c", "a", "b"].into_iter().enumerate() {
        orders.create_with_id(id, &order(n as u32)).await.unwrap();
        // Distinct creation instants, a millisecond apart at least.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let ids = |documents: Vec<appwrite_orm::Document<Order>>| {
        documents.iter().map(|d| d.id().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(ids(orders.find(Order::_ID.eq("b")).await.unwrap()), ["b"]);
    assert_eq!(
        ids(orders.find(Order::_ID.order_asc()).await.unwrap()),
        ["a", "b", "c"]
    );
    let newest_first = orders.find(Order::_CREATED_AT.order_desc()).await.unwrap();
    assert_eq!(ids(newest_first), ["b", "a", "c"]);
    assert_eq!(
        ids(orders.find(Order::_SEQUENCE.order_desc()).await.unwrap()),
        ["b", "a", "c"]
    );
    let a = orders.get_or_fail("a").await.unwrap();
    let c = orders.get_or_fail("c").await.unwrap();
    let after_a = [Order::_CREATED_AT.gt(a.created_at()), Order::_ID.order_asc()];
    assert_eq!(ids(orders.find(&after_a).await.unwrap()), ["b"]);

    // Changed after everything was created: only `c` is newer than `b`'s creation.
    tokio::time::sleep(Duration::from_millis(3)).await;
    let b = orders.get_or_fail("b").await.unwrap();
    orders.update("c", Order::patch().note("late")).await.unwrap();
    let changed = orders.find(Order::_UPDATED_AT.gt(b.updated_at())).await.unwrap();
    assert_eq!(ids(changed.clone()), ["c"]);
    assert_eq!(changed[0].note.as_deref(), Some("late"));
    assert!(changed[0].updated_at() > c.updated_at());
    // The typed optional setter clears as well as sets.
    let cleared = orders.update("c", Order::patch().note(None)).await.unwrap();
    assert_eq!(cleared.note, None);
}

/// Three of `Order`'s fields; the note as an `Option` as in `Order`, the status as it is.
#[derive(appwrite_orm::Projection, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
#[projection(of = Order)]
struct OrderLine {
    user_id: String,
    status: Status,
    note: Option<String>,
}

#[tokio::test]
async fn a_projection_reads_only_its_attributes_into_its_own_type() {
    use appwrite_orm::Projection;

    let (emulator, orders) = start_with_orders().await;
    assert_eq!(OrderLine::KEYS, ["userId", "status", "note"]);
    for n in 0..4 {
        orders.create_with_id(&format!("o{n}"), &order(n)).await.unwrap();
    }
    // The request itself asks for the projection's attributes and the metadata only.
    let mut hold = emulator.hold_requests(r#""method":"select""#);
    let reading = {
        let orders = orders.clone();
        tokio::spawn(async move {
            orders
                .find_as::<OrderLine>([Order::STATUS.eq(Status::Pending), Order::_ID.order_asc()])
                .await
        })
    };
    let request = hold.next().await;
    assert!(
        request.uri().contains(
            r#"{"method":"select","values":["$id","$createdAt","$updatedAt","$permissions","userId","status","note"]}"#
        ),
        "{}",
        request.uri()
    );
    request.release();
    drop(hold);
    let lines = reading.await.unwrap().unwrap();
    let expected: Vec<(String, OrderLine)> = [0, 3]
        .into_iter()
        .map(|n| {
            let full = order(n);
            let line = OrderLine {
                user_id: full.user_id,
                status: full.status,
                note: full.note,
            };
            (format!("o{n}"), line)
        })
        .collect();
    let got: Vec<(String, &OrderLine)> = lines.iter().map(|d| (d.id().to_owned(), d.data())).collect();
    assert_eq!(got.len(), 2);
    for ((id, line), (want_id, want)) in got.iter().zip(&expected) {
        assert_eq!((id, *line), (want_id, want));
    }
    let stored = orders.get_or_fail("o3").await.unwrap();
    assert_eq!(lines[1].created_at(), stored.created_at());
    assert_eq!(lines[1].updated_at(), stored.updated_at());
}
