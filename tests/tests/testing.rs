//! The test helpers of feature `testing`, used the way a user's tests use them.

use std::sync::{Arc, Mutex};

use appwrite_orm::testing::{run_with, TestDatabase};
use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[collection(id = "notes")]
struct Note {
    text: String,
}

#[appwrite_orm::test]
async fn a_test_gets_a_migrated_database_of_its_own(db: TestDatabase) -> appwrite_orm::Result<()> {
    assert!(db.orm().database_id().starts_with("test_"));
    let notes = db.migrated::<Note>().await?;
    let stored = notes.create(&Note { text: "first".into() }).await?;
    assert_eq!(notes.get_or_fail(stored.id()).await?.text, "first");
    assert_eq!(notes.count(None).await?, 1);
    Ok(())
}

#[appwrite_orm::test]
#[should_panic(expected = "the test returned an error")]
async fn an_error_returned_by_the_body_fails_the_test(db: TestDatabase) -> appwrite_orm::Result<()> {
    db.migrated::<Note>().await?.get_or_fail("missing").await?;
    Ok(())
}

/// A separate server standing in for a real Appwrite: the helper creates a database with a
/// unique id there and removes it after the test, also after a panic.
#[test]
fn on_a_server_the_database_is_removed_even_when_the_test_panics() {
    let server = tokio::runtime::Runtime::new().unwrap();
    let emulator = server
        .block_on(appwrite_emulator::Emulator::start(Default::default()))
        .unwrap();
    let (endpoint, project, key) = (
        emulator.endpoint(),
        emulator.project_id().to_owned(),
        emulator.api_key().to_owned(),
    );
    let used = Arc::new(Mutex::new(String::new()));
    let outcome = std::panic::catch_unwind({
        let used = Arc::clone(&used);
        let (endpoint, project, key) = (endpoint.clone(), project.clone(), key.clone());
        move || {
            let db = async move { TestDatabase::on_server(&endpoint, &project, &key) };
            run_with(db, |db: TestDatabase| async move {
                let notes = db.migrated::<Note>().await.unwrap();
                notes.create(&Note { text: "kept?".into() }).await.unwrap();
                *used.lock().unwrap() = db.orm().database_id().to_owned();
                let on_purpose = true;
                if on_purpose {
                    panic!("the test fails on purpose");
                }
            })
        }
    });
    let panic = outcome.expect_err("the panic reaches the test harness");
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"the test fails on purpose"));

    let database = used.lock().unwrap().clone();
    assert!(database.starts_with("test_"), "{database}");
    let response = server.block_on(async {
        reqwest::Client::new()
            .get(format!("{endpoint}/databases/{database}"))
            .header("X-Appwrite-Project", &project)
            .header("X-Appwrite-Key", &key)
            .send()
            .await
            .unwrap()
    });
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = server.block_on(response.json()).unwrap();
    assert_eq!(body["type"], "database_not_found");
}
