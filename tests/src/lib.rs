//! Cross-crate integration tests of appwrite-orm live under `tests/tests/`; this library holds
//! what they and the examples' tests share.

pub mod proxy;

use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// The Appwrite release the emulators of a test run behave as: `APPWRITE_VERSION` (`1.6`, `1.8`,
/// `1.9.6`, …) so that `.ci/run` can run the realtime suites against each, the newest otherwise.
pub fn appwrite_version() -> appwrite_emulator::AppwriteVersion {
    match std::env::var("APPWRITE_VERSION") {
        Ok(text) => text.parse().unwrap_or_else(|e| panic!("APPWRITE_VERSION: {e}")),
        Err(_) => appwrite_emulator::AppwriteVersion::NEWEST,
    }
}

/// The database API the clients of a test run speak: `APPWRITE_DIALECT` (`collections`,
/// `tablesdb`, `auto`) so that `.ci/run` can run the suites in each, `auto` otherwise.
pub fn dialect() -> appwrite_orm::Dialect {
    match std::env::var("APPWRITE_DIALECT").as_deref() {
        Ok("collections") => appwrite_orm::Dialect::Collections,
        Ok("tablesdb") => appwrite_orm::Dialect::TablesDb,
        Ok("auto") | Err(_) => appwrite_orm::Dialect::Auto,
        Ok(other) => panic!("APPWRITE_DIALECT: `{other}` is not collections, tablesdb or auto"),
    }
}

/// An emulator behaving as [`appwrite_version`], its attribute worker quick (10 ms).
pub async fn emulator() -> appwrite_emulator::Emulator {
    appwrite_emulator::Emulator::start(appwrite_emulator::Config {
        attribute_delay: Duration::from_millis(10),
        appwrite_version: appwrite_version(),
        ..appwrite_emulator::Config::default()
    })
    .await
    .expect("the emulator starts")
}

/// A client builder for `emulator`'s project, database `main`, with its API key.
pub fn client_builder(emulator: &appwrite_emulator::Emulator) -> appwrite_orm::OrmBuilder {
    appwrite_orm::Orm::builder()
        .endpoint(emulator.endpoint())
        .project(emulator.project_id())
        .database("main")
        .api_key(emulator.api_key())
        .dialect(dialect())
}

/// [`client_builder`], built.
pub fn client(emulator: &appwrite_emulator::Emulator) -> appwrite_orm::Orm {
    client_builder(emulator).build().expect("valid settings")
}

/// A client of `emulator` that reaches it through `endpoint` (a fault proxy's), with `options`,
/// quick reconnects, and a 2 s request timeout: a pooled REST connection that the proxy
/// blackholes hangs until then, and the request is retried on a new connection.
pub fn client_via(
    emulator: &appwrite_emulator::Emulator,
    endpoint: String,
    options: appwrite_orm::RealtimeOptions,
) -> appwrite_orm::Orm {
    client_builder(emulator)
        .endpoint(endpoint)
        .timeout(Duration::from_secs(2))
        .realtime(options.reconnect_backoff(Duration::from_millis(50), Duration::from_millis(400)))
        .build()
        .expect("valid settings")
}

/// The handle of `T` for `orm`, migrating it first.
pub async fn migrated<T: appwrite_orm::Collection>(
    orm: &appwrite_orm::Orm,
) -> appwrite_orm::CollectionHandle<T> {
    orm.connect()
        .register::<T>()
        .auto_migrate(true)
        .await
        .expect("migrated")
        .collection::<T>()
}

/// A Redis for a test: `REDIS_URL` if set, else the one on 127.0.0.1:6379, else a private
/// `redis-server` on a free port, stopped when this is dropped. Fails with a clear message when
/// none of these exists.
pub struct TestRedis {
    /// The URL to give clients.
    pub url: String,
    /// A connection for the test's own checks.
    pub connection: redis::aio::MultiplexedConnection,
    _server: Option<Child>,
}

async fn connect(url: &str) -> Option<redis::aio::MultiplexedConnection> {
    let client = redis::Client::open(url).ok()?;
    let connecting = client.get_multiplexed_async_connection();
    tokio::time::timeout(Duration::from_secs(2), connecting)
        .await
        .ok()?
        .ok()
}

/// Whether the Redis server behind `connection` takes idempotent `XADD … IDMP` (8.6+): the
/// work queue then uses it, and the tests check that path instead of the script's. Found out by
/// trying it on a key of its own, not from the version the ORM reads.
pub async fn redis_takes_idempotent_add(connection: &mut redis::aio::MultiplexedConnection) -> bool {
    let key = unique_name("idmp-probe");
    let added: redis::RedisResult<String> = redis::cmd("XADD")
        .arg(&key)
        .arg("IDMP")
        .arg("probe")
        .arg("1")
        .arg("*")
        .arg("field")
        .arg("value")
        .query_async(connection)
        .await;
    let _: redis::RedisResult<()> = redis::cmd("DEL").arg(&key).query_async(connection).await;
    added.is_ok()
}

/// See [`TestRedis`].
pub async fn redis() -> TestRedis {
    if let Ok(url) = std::env::var("REDIS_URL") {
        let connection = connect(&url)
            .await
            .unwrap_or_else(|| panic!("REDIS_URL={url} does not answer"));
        return TestRedis {
            url,
            connection,
            _server: None,
        };
    }
    let default = "redis://127.0.0.1:6379".to_owned();
    if let Some(connection) = connect(&default).await {
        return TestRedis {
            url: default,
            connection,
            _server: None,
        };
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let server = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|err| {
            panic!("this test needs Redis: set REDIS_URL, run one on 127.0.0.1:6379, or install redis-server ({err})")
        });
    let url = format!("redis://127.0.0.1:{port}");
    for _ in 0..100 {
        if let Some(connection) = connect(&url).await {
            return TestRedis {
                url,
                connection,
                _server: Some(server),
            };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the private redis-server on port {port} did not answer");
}

/// Waits until `condition` holds, checking every 5 ms, and returns how long that took; panics
/// naming `what` after `limit`.
pub async fn eventually(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) -> Duration {
    let start = std::time::Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    start.elapsed()
}

/// A key prefix no other test run uses.
pub fn unique_name(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("test-{test}-{}-{nanos}", std::process::id())
}
