//! A local Appwrite-compatible server for tests and development.
//!
//! It speaks Appwrite's REST API for databases (collections, attributes, indexes, documents,
//! bulk operations, queries), users, labels and JWTs, with Appwrite's JSON shapes, status codes
//! and error types, and stores everything in SQLite.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use appwrite_emulator::{Config, Emulator};
//!
//! let emulator = Emulator::start(Config::default()).await?;
//! println!("{} {} {}", emulator.endpoint(), emulator.project_id(), emulator.api_key());
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod attribute;
mod auth;
mod error;
mod faults;
mod http;
mod ids;
mod jwt;
mod list_cache;
mod origin;
mod query;
mod realtime;
mod state;
mod store;
mod version;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use faults::{HeldRequest, Release, RequestHold};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
pub use version::{AppwriteVersion, UnsupportedVersion};

/// How to start an emulator.
#[derive(Clone)]
pub struct Config {
    /// The address to bind; port 0 picks a free port.
    pub bind: SocketAddr,
    /// The SQLite file; `None` keeps everything in memory.
    pub data: Option<PathBuf>,
    /// The project id clients must send.
    pub project_id: String,
    /// The API key that grants full access.
    pub api_key: String,
    /// How long new attributes and indexes stay `processing`.
    pub attribute_delay: Duration,
    /// How many events a realtime socket may fall behind before the server closes it.
    pub realtime_buffer: usize,
    /// The Appwrite release to behave as (realtime protocol, event names, reported version);
    /// the newest by default.
    pub appwrite_version: AppwriteVersion,
    /// The most subscriptions one realtime socket may hold (default 100 000); more are refused
    /// with an error frame. Appwrite sets no number; without one, a client — a guest too —
    /// could make every event cost the server unbounded work.
    pub realtime_max_subscriptions: usize,
    /// The hostnames of the project's Web platforms (`*.example.com` covers subdomains;
    /// default `localhost`): a realtime socket whose `Origin` names another web host is refused
    /// with Appwrite's "Register your new client … as a new Web platform" error. The host the
    /// client connected to always passes, as does a client that sends no `Origin` (servers,
    /// native apps).
    pub web_platforms: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: None,
            project_id: "emulator".to_owned(),
            api_key: "emulator-secret-key".to_owned(),
            attribute_delay: Duration::from_millis(50),
            realtime_buffer: 16_384,
            appwrite_version: AppwriteVersion::NEWEST,
            realtime_max_subscriptions: 100_000,
            web_platforms: vec!["localhost".to_owned()],
        }
    }
}

// The API key is a credential and stays out of Debug output.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data", &self.data)
            .field("project_id", &self.project_id)
            .field("api_key", &"<redacted>")
            .field("attribute_delay", &self.attribute_delay)
            .field("realtime_buffer", &self.realtime_buffer)
            .field("appwrite_version", &self.appwrite_version)
            .field("realtime_max_subscriptions", &self.realtime_max_subscriptions)
            .field("web_platforms", &self.web_platforms)
            .finish()
    }
}

/// Every Appwrite error `type` the emulator can answer with, and its HTTP status — for tests
/// that check clients know each of them.
pub fn error_types() -> &'static [(&'static str, u16)] {
    error::CATALOGUE
}

/// [`error_types`] as a given release names them (1.9.0 renamed one).
///
/// ```
/// use appwrite_emulator::{error_types_in, AppwriteVersion};
///
/// let names = |v| error_types_in(v).into_iter().map(|(name, _)| name).collect::<Vec<_>>();
/// assert!(names(AppwriteVersion::V1_8).contains(&"user_key_and_session_set"));
/// assert!(names(AppwriteVersion::V1_9_5).contains(&"user_api_key_and_session_set"));
/// ```
pub fn error_types_in(version: AppwriteVersion) -> Vec<(&'static str, u16)> {
    let tablesdb = http::tablesdb::error_types().filter(|_| version >= AppwriteVersion::V1_8);
    error::CATALOGUE
        .iter()
        .filter(|(name, _)| error::exists_in(name, version))
        .map(|&(name, code)| (error::name_in(name, version), code))
        .chain(tablesdb)
        .collect()
}

/// A running emulator.
pub struct Emulator {
    address: SocketAddr,
    config: Config,
    shared: Arc<state::AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint())
            .field("config", &self.config)
            .finish()
    }
}

impl Emulator {
    /// Opens the storage, binds the address and serves until [`Emulator::shutdown`].
    pub async fn start(config: Config) -> std::io::Result<Self> {
        // Opening may migrate and resume work on disk: off the async threads, like every other
        // storage call.
        let data = config.data.clone();
        let (store, secret) = tokio::task::spawn_blocking(move || {
            let store = store::Store::open(data.as_deref()).map_err(std::io::Error::other)?;
            let secret = store.jwt_secret().map_err(|e| std::io::Error::other(e.message))?;
            Ok::<_, std::io::Error>((store, secret))
        })
        .await
        .map_err(std::io::Error::other)??;
        let faults = Arc::new(faults::Faults::default());
        let realtime = realtime::Hub::new(&config, Arc::clone(&faults));
        let shared = Arc::new(state::AppState {
            store,
            project: config.project_id.clone(),
            credentials: auth::Credentials {
                api_key: config.api_key.clone(),
                jwt: jwt::JwtKeys::new(secret),
            },
            attribute_delay: config.attribute_delay,
            web_platforms: config.web_platforms.clone(),
            realtime: Arc::new(realtime),
            faults,
            list_cache: list_cache::ListCache::default(),
        });
        let listener = TcpListener::bind(config.bind).await?;
        let address = listener.local_addr()?;
        let mut emulator = Emulator {
            address,
            config,
            shared,
            stop: None,
            task: None,
        };
        emulator.serve(listener);
        Ok(emulator)
    }

    fn serve(&mut self, listener: TcpListener) {
        let (stop, stopped) = oneshot::channel::<()>();
        // Appwrite routes `…/documents/` like `…/documents`: the slash goes before routing.
        // TablesDB requests are renamed into collections requests before routing too.
        let tablesdb =
            axum::middleware::from_fn_with_state(Arc::clone(&self.shared), http::tablesdb::translate);
        let app = tower::ServiceExt::<axum::extract::Request>::map_request(
            tower::Layer::layer(&tablesdb, http::router(Arc::clone(&self.shared))),
            http::trim_trailing_slash,
        );
        let app = axum::ServiceExt::<axum::extract::Request>::into_make_service(app);
        self.stop = Some(stop);
        self.task = Some(tokio::spawn(async move {
            // Realtime frames are small and latency-bound: without TCP_NODELAY, Nagle's algorithm
            // and delayed ACKs hold each one back for tens of milliseconds.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(err) = serve.await {
                eprintln!("appwrite-emulator: server error: {err}");
            }
        }));
    }

    /// The REST endpoint, e.g. `http://127.0.0.1:8080/v1`.
    pub fn endpoint(&self) -> String {
        format!("http://{}/v1", self.address)
    }

    /// The realtime endpoint, e.g. `ws://127.0.0.1:8080/v1/realtime`.
    pub fn realtime_endpoint(&self) -> String {
        format!("ws://{}/v1/realtime", self.address)
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The project id clients must send.
    pub fn project_id(&self) -> &str {
        &self.config.project_id
    }

    /// The API key with full access.
    pub fn api_key(&self) -> &str {
        &self.config.api_key
    }

    /// Drops every realtime connection at once, without a close frame, as a network failure
    /// would. Clients see an abnormal closure and must reconnect.
    pub fn drop_realtime_connections(&self) {
        let _ = self.shared.realtime.control.send(realtime::Control::DropAll);
    }

    /// How many realtime sockets are open.
    pub fn realtime_connections(&self) -> usize {
        self.shared
            .realtime
            .counts
            .sockets
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many event messages realtime sockets have been sent since the emulator started, all
    /// sockets together (a client's cost on Appwrite Cloud, which bills realtime messages).
    pub fn realtime_events_sent(&self) -> u64 {
        self.shared
            .realtime
            .counts
            .events_sent
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many message-protocol subscriptions the open realtime sockets hold.
    pub fn realtime_subscriptions(&self) -> usize {
        self.shared
            .realtime
            .counts
            .subscriptions
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends `frame` verbatim to every realtime connection, to test how clients handle
    /// malformed or unexpected frames.
    pub fn inject_realtime_frame(&self, frame: &str) {
        let _ = self
            .shared
            .realtime
            .control
            .send(realtime::Control::Inject(frame.into()));
    }

    /// Sends a `create` event for each of `documents` (readable by anyone) to every realtime
    /// connection, routed and filtered like real events but without writing anything: a
    /// benchmark measures how fast clients take in events without the cost of producing them.
    pub fn replay_realtime_events(
        &self,
        database_id: &str,
        collection_id: &str,
        documents: Vec<serde_json::Value>,
    ) {
        let version = self.shared.realtime.version;
        let events = documents
            .into_iter()
            .map(|d| realtime::Event::replayed(database_id, collection_id, d, version))
            .collect();
        let _ = self
            .shared
            .realtime
            .control
            .send(realtime::Control::Replay(Arc::new(events)));
    }

    /// Makes every pending transaction expired now, as if its `ttl` had run out (the shortest
    /// Appwrite allows is a minute): its next staging or commit answers 410
    /// `transaction_expired`.
    pub fn expire_transactions(&self) {
        let expired = self.shared.store.with(|c| {
            c.execute(
                "UPDATE transactions SET expires = '2000-01-01T00:00:00.000+00:00' WHERE status = 'pending'",
                [],
            )
            .map_err(error::ApiError::from)
        });
        expired.expect("the emulator's storage answers");
    }

    /// Holds every REST request whose path and query (percent-decoded) contain `path_contains`
    /// until the test releases it, so that a test can act between two requests of a client —
    /// write between two pages of a scan, say. Dropping the hold lets later requests through.
    pub fn hold_requests(&self, path_contains: impl Into<String>) -> RequestHold {
        self.shared.faults.hold_requests(path_contains.into())
    }

    /// Answers the next `count` REST requests whose path and query (percent-decoded) contain
    /// `path_contains` with a 500 `general_server_error`, as an overloaded server would.
    pub fn fail_requests(&self, path_contains: impl Into<String>, count: usize) {
        self.shared.faults.fail_requests(path_contains.into(), count);
    }

    /// Holds back every realtime event from now on, until [`Emulator::release_realtime_events`].
    pub fn hold_realtime_events(&self) {
        self.shared.faults.hold_events();
    }

    /// Publishes the held realtime events, in commit order or newest first (Appwrite publishes
    /// each write's event after its own commit, so concurrent writes' events arrive in any
    /// order), and stops holding.
    pub fn release_realtime_events(&self, order: Release) {
        for event in self.shared.faults.release_events(order) {
            let _ = self.shared.realtime.changes.send(event);
        }
    }

    /// From now on, the server answers a `subscribe` message only after `delay`, and events
    /// published meanwhile do not reach that subscription — as when Appwrite's realtime service
    /// registers a subscription later than its REST service commits a write.
    pub fn delay_subscription_registration(&self, delay: Duration) {
        self.shared.faults.set_registration_delay(delay);
    }

    /// Connects the next `sockets` realtime sockets as a guest whatever their JWT says, with
    /// `"user": null` in `connected` and no error — what Appwrite does when a JWT's session has
    /// expired or was deleted.
    pub fn connect_next_realtime_as_guest(&self, sockets: usize) {
        self.shared.faults.downgrade_next(sockets);
    }

    /// Stops serving (dropping every connection), stays down for `downtime`, then serves again
    /// on the same address with the same data.
    pub async fn restart(&mut self, downtime: Duration) -> std::io::Result<()> {
        self.stop_now().await;
        tokio::time::sleep(downtime).await;
        let listener = TcpListener::bind(self.address).await?;
        self.serve(listener);
        Ok(())
    }

    /// Stops serving and waits for the server task to finish.
    pub async fn shutdown(mut self) {
        self.stop_now().await;
    }

    async fn stop_now(&mut self) {
        // WebSockets would keep a graceful shutdown waiting forever: drop them first.
        self.drop_realtime_connections();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.drop_realtime_connections();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
