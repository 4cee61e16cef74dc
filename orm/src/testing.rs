//! Test helpers (feature `testing`): an [`Orm`] on a fresh embedded emulator in one call, and a
//! database of its own for each test — on the emulator, or on a real Appwrite server when the
//! environment names one — removed when the test ends, whether it passed or panicked.
//!
//! ```
//! use appwrite_orm::testing::TestDatabase;
//! use appwrite_orm::Collection;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Collection, Serialize, Deserialize)]
//! #[collection(id = "notes")]
//! struct Note {
//!     text: String,
//! }
//!
//! // What `#[appwrite_orm::test] async fn notes(db: TestDatabase) { … }` expands to.
//! appwrite_orm::testing::run(|db: TestDatabase| async move {
//!     let notes = db.migrated::<Note>().await?;
//!     notes.create(&Note { text: "hello".into() }).await?;
//!     assert_eq!(notes.count(None).await?, 1);
//!     Ok::<_, appwrite_orm::Error>(())
//! });
//! ```

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use appwrite_emulator::{Config, Emulator};
use futures_util::FutureExt;
use reqwest::Method;

use crate::transport::Retry;
use crate::{Collection, CollectionHandle, Orm, Result};

/// The variables naming a real server for [`TestDatabase::new`]; without the first, tests use
/// the embedded emulator.
pub const SERVER_VARIABLES: [&str; 3] = [
    "APPWRITE_TEST_ENDPOINT",
    "APPWRITE_TEST_PROJECT_ID",
    "APPWRITE_TEST_API_KEY",
];

/// A fresh embedded emulator and a client of it (database `main`), in one call. Keep the
/// emulator: dropping it stops the server.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> appwrite_orm::Result<()> {
/// let (_emulator, orm) = appwrite_orm::testing::emulated().await?;
/// assert_eq!(orm.database_id(), "main");
/// # Ok(()) }
/// ```
pub async fn emulated() -> Result<(Emulator, Orm)> {
    emulated_with(Config::default(), "main").await
}

async fn emulated_with(config: Config, database: &str) -> Result<(Emulator, Orm)> {
    let emulator = Emulator::start(config)
        .await
        .map_err(|err| crate::Error::Config {
            setting: "emulator",
            reason: format!("cannot start: {err}"),
        })?;
    let orm = Orm::builder()
        .endpoint(emulator.endpoint())
        .project(emulator.project_id())
        .database(database)
        .api_key(emulator.api_key())
        .build()?;
    Ok((emulator, orm))
}

/// A database of one test's own. Cloning shares it; [`TestDatabase::cleanup`] (which
/// [`run`] and `#[appwrite_orm::test]` call) removes it.
#[derive(Clone, Debug)]
pub struct TestDatabase {
    orm: Orm,
    // `None` on a real server, and after cleanup.
    emulator: Arc<Mutex<Option<Emulator>>>,
}

impl TestDatabase {
    /// A new database: on the server the [`SERVER_VARIABLES`] name, with a unique id
    /// (`test_…`), or else on a fresh embedded emulator.
    pub async fn new() -> Result<Self> {
        let [endpoint, project, key] = SERVER_VARIABLES.map(|name| std::env::var(name).ok());
        match (endpoint, project, key) {
            (Some(endpoint), Some(project), Some(key)) => TestDatabase::on_server(&endpoint, &project, &key),
            (Some(_), _, _) => Err(crate::Error::Config {
                setting: "APPWRITE_TEST_ENDPOINT",
                reason: "is set, so APPWRITE_TEST_PROJECT_ID and APPWRITE_TEST_API_KEY must be too"
                    .to_owned(),
            }),
            _ => TestDatabase::on_emulator(Config::default()).await,
        }
    }

    /// A new database on a fresh emulator started with `config`.
    pub async fn on_emulator(config: Config) -> Result<Self> {
        let (emulator, orm) = emulated_with(config, &test_database_id()).await?;
        Ok(TestDatabase {
            orm,
            emulator: Arc::new(Mutex::new(Some(emulator))),
        })
    }

    /// A new database with a unique id on the server at `endpoint`. It is created by the first
    /// migration, like any database the ORM connects to.
    pub fn on_server(endpoint: &str, project: &str, api_key: &str) -> Result<Self> {
        let orm = Orm::builder()
            .endpoint(endpoint)
            .project(project)
            .database(test_database_id())
            .api_key(api_key)
            .build()?;
        Ok(TestDatabase {
            orm,
            emulator: Arc::new(Mutex::new(None)),
        })
    }

    /// The client, bound to this database.
    pub fn orm(&self) -> &Orm {
        &self.orm
    }

    /// The handle of `T`, its collection migrated into this database.
    pub async fn migrated<T: Collection>(&self) -> Result<CollectionHandle<T>> {
        let db = self.orm.connect().register::<T>().auto_migrate(true).await?;
        Ok(db.collection::<T>())
    }

    /// Stops the listeners, deletes the database (a missing one is not an error) and, on the
    /// emulator, stops it.
    pub async fn cleanup(&self) -> Result<()> {
        self.orm.shutdown(std::time::Duration::from_secs(5)).await;
        let emulator = self.emulator.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(emulator) = emulator {
            emulator.shutdown().await;
            return Ok(());
        }
        let path = format!("/databases/{}", self.orm.database_id());
        match self
            .orm
            .transport()
            .send(Method::DELETE, &path, &[], None, Retry::Safe)
            .await
        {
            Err(err) if err.is(crate::ErrorKind::DatabaseNotFound) => Ok(()),
            other => other.map(drop),
        }
    }
}

fn test_database_id() -> String {
    format!("test_{}", crate::id::unique())
}

/// What a test body may return: `()`, or a `Result` whose error fails the test.
pub trait TestOutcome {
    /// Panics with the error, if any.
    fn check(self);
}

impl TestOutcome for () {
    fn check(self) {}
}

impl<E: std::fmt::Debug> TestOutcome for std::result::Result<(), E> {
    fn check(self) {
        if let Err(err) = self {
            panic!("the test returned an error: {err:?}");
        }
    }
}

/// Runs `test` on a new runtime with a [`TestDatabase::new`] of its own, then cleans the
/// database up — also when the test panics, whose panic is then resumed. What
/// `#[appwrite_orm::test]` expands to.
pub fn run<F, Fut>(test: F)
where
    F: FnOnce(TestDatabase) -> Fut,
    Fut: Future,
    Fut::Output: TestOutcome,
{
    run_with(TestDatabase::new(), test);
}

/// [`run`] with the database `database` makes, e.g. [`TestDatabase::on_emulator`] with a
/// configuration of the test's own.
pub fn run_with<D, F, Fut>(database: D, test: F)
where
    D: Future<Output = Result<TestDatabase>>,
    F: FnOnce(TestDatabase) -> Fut,
    Fut: Future,
    Fut::Output: TestOutcome,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let db = database.await.expect("a test database");
        let outcome = AssertUnwindSafe(test(db.clone())).catch_unwind().await;
        let cleaned = db.cleanup().await;
        match outcome {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(result) => result.check(),
        }
        if let Err(err) = cleaned {
            panic!("the test database could not be removed: {err}");
        }
    });
}
