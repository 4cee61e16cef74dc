//! [`Orm`]: the configured connection to one Appwrite project and database.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::realtime::{ConnectionState, Realtime, RealtimeOptions, Registry, ServiceIdentity};
use crate::transport::Transport;

/// A connection to one Appwrite project and database, authenticated with an API key.
///
/// Cheap to clone: clones share one pooled HTTP client.
///
/// ```no_run
/// # async fn demo() -> appwrite_orm::Result<()> {
/// use appwrite_orm::Orm;
///
/// let orm = Orm::builder()
///     .endpoint("http://127.0.0.1:8080/v1")
///     .project("my-project")
///     .database("main")
///     .api_key("secret")
///     .build()?;
/// // or: let orm = Orm::from_env()?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Orm {
    inner: Arc<Inner>,
}

// Two parts: the REST transport, which everything uses, and the realtime side, started on first
// use, which the transport knows nothing of.
struct Inner {
    transport: Arc<Transport>,
    database_id: String,
    realtime: RealtimePart,
}

struct RealtimePart {
    identity: Option<ServiceIdentity>,
    options: RealtimeOptions,
    connection: OnceLock<Realtime>,
    listeners: Registry,
}

// The API key is a credential: it never appears in Debug output.
impl fmt::Debug for Orm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Orm")
            .field("endpoint", &self.inner.transport.endpoint)
            .field("project", &self.inner.transport.project)
            .field("database", &self.inner.database_id)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

/// Builds an [`Orm`]; see [`Orm::builder`].
pub struct OrmBuilder {
    identity: Option<ServiceIdentity>,
    realtime: RealtimeOptions,
    endpoint: Option<String>,
    project: Option<String>,
    database: Option<String>,
    api_key: Option<String>,
    timeout: Option<Duration>,
    retries: Option<u32>,
    dialect: Dialect,
}

impl fmt::Debug for OrmBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrmBuilder")
            .field("endpoint", &self.endpoint)
            .field("project", &self.project)
            .field("database", &self.database)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Default for OrmBuilder {
    fn default() -> Self {
        OrmBuilder {
            identity: Some(ServiceIdentity::default()),
            realtime: RealtimeOptions::default(),
            endpoint: None,
            project: None,
            database: None,
            api_key: None,
            timeout: None,
            retries: None,
            dialect: Dialect::Auto,
        }
    }
}

impl OrmBuilder {
    /// The user realtime listeners connect as (default: user `appwrite-orm-service` with label
    /// `appwriteorm`, created if missing).
    pub fn service_identity(mut self, identity: ServiceIdentity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Listen as a guest instead of a service identity: only documents readable by `any` or
    /// `guests` produce events, and migration grants no extra read permission.
    pub fn without_service_identity(mut self) -> Self {
        self.identity = None;
        self
    }

    /// Settings of the realtime connection.
    pub fn realtime(mut self, options: RealtimeOptions) -> Self {
        self.realtime = options;
        self
    }

    /// The API root, e.g. `https://cloud.appwrite.io/v1`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The project id.
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = Some(project.into());
        self
    }

    /// The database id the collections live in.
    pub fn database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// The API key (needs the `databases.*`, `collections.*`, `attributes.*`, `indexes.*`,
    /// `documents.*` scopes, and `users.*` for realtime).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The timeout of one HTTP request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How often a failed idempotent request is retried (default 3).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = Some(retries);
        self
    }

    /// The database API to speak (default [`Dialect::Auto`]: TablesDB on Appwrite 1.8 and
    /// later, the collections API before). Both reach the same data.
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Orm> {
        let missing = |setting: &'static str| Error::Config {
            setting,
            reason: "is not set".to_owned(),
        };
        let endpoint = self.endpoint.ok_or_else(|| missing("endpoint"))?;
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(Error::Config {
                setting: "endpoint",
                reason: format!("`{endpoint}` is not an http(s) URL"),
            });
        }
        let database_id = self.database.ok_or_else(|| missing("database"))?;
        crate::key::validate(&database_id).map_err(|e| Error::Config {
            setting: "database",
            reason: e.to_string(),
        })?;
        // Keepalive probes let a pooled connection that a NAT or load balancer silently dropped
        // fail instead of hanging until the request timeout.
        let http = reqwest::Client::builder()
            .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
            .tcp_keepalive(Duration::from_secs(15))
            .build()
            .map_err(Error::Transport)?;
        Ok(Orm {
            inner: Arc::new(Inner {
                transport: Arc::new(Transport {
                    http,
                    endpoint: endpoint.trim_end_matches('/').to_owned(),
                    project: self.project.ok_or_else(|| missing("project"))?,
                    api_key: self.api_key.ok_or_else(|| missing("api_key"))?,
                    retries: self.retries.unwrap_or(3),
                    backoff: Duration::from_millis(100),
                    dialect: self.dialect,
                    detected: tokio::sync::OnceCell::new(),
                }),
                database_id,
                realtime: RealtimePart {
                    identity: self.identity,
                    options: self.realtime,
                    connection: OnceLock::new(),
                    listeners: Registry::default(),
                },
            }),
        })
    }
}

impl Orm {
    /// Starts building a client.
    pub fn builder() -> OrmBuilder {
        OrmBuilder::default()
    }

    /// A client from `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID`, `APPWRITE_DATABASE_ID` and
    /// `APPWRITE_API_KEY`; a missing one is reported by name.
    pub fn from_env() -> Result<Orm> {
        let var = |name: &'static str| {
            std::env::var(name).map_err(|_| Error::Config {
                setting: name,
                reason: "is not set".to_owned(),
            })
        };
        Orm::builder()
            .endpoint(var("APPWRITE_ENDPOINT")?)
            .project(var("APPWRITE_PROJECT_ID")?)
            .database(var("APPWRITE_DATABASE_ID")?)
            .api_key(var("APPWRITE_API_KEY")?)
            .build()
    }

    /// The REST endpoint.
    pub fn endpoint(&self) -> &str {
        &self.inner.transport.endpoint
    }

    /// The project id.
    pub fn project(&self) -> &str {
        &self.inner.transport.project
    }

    /// The database id.
    pub fn database_id(&self) -> &str {
        &self.inner.database_id
    }

    /// The identity realtime listeners connect as, if any.
    pub fn service_identity(&self) -> Option<&ServiceIdentity> {
        self.inner.realtime.identity.as_ref()
    }

    /// The shared realtime connection, started on first use (inside a Tokio runtime).
    pub(crate) fn realtime(&self) -> Realtime {
        let part = &self.inner.realtime;
        part.connection
            .get_or_init(|| {
                Realtime::start(
                    Arc::clone(&self.inner.transport),
                    part.identity.clone(),
                    part.options.clone(),
                )
            })
            .clone()
    }

    /// Watches the state of the realtime connection (this starts its task; the socket opens
    /// with the first listener, and closes a moment after the last, see
    /// [`RealtimeOptions::idle_close`](crate::RealtimeOptions::idle_close)).
    pub fn connection_state(&self) -> tokio::sync::watch::Receiver<ConnectionState> {
        self.realtime().state()
    }

    /// Closes the realtime connection; every listener's stream ends.
    pub fn close_realtime(&self) {
        if let Some(realtime) = self.inner.realtime.connection.get() {
            realtime.shutdown();
        }
    }

    pub(crate) fn listeners(&self) -> &Registry {
        &self.inner.realtime.listeners
    }

    /// Graceful shutdown: stops every callback listener from taking new events, waits up to
    /// `deadline` for the handlers in flight to finish, then closes the realtime connection.
    /// Returns `true` when every handler finished in time.
    pub async fn shutdown(&self, deadline: std::time::Duration) -> bool {
        let drained = crate::realtime::drain(self.inner.realtime.listeners.stop_all(), deadline).await;
        self.close_realtime();
        drained
    }

    /// The REST transport every request goes through.
    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }
}
