//! Connecting: registering collections, migrating, and the [`Database`] handle.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use crate::client::Orm;
use crate::error::Result;
use crate::handle::CollectionHandle;
use crate::migration::{Migrator, Plan, Progress};
use crate::schema::CollectionSchema;
use crate::{Collection, Permission, Role};

/// A connected database: hands out typed collections.
#[derive(Clone, Debug)]
pub struct Database {
    orm: Orm,
    collections: Arc<[&'static CollectionSchema]>,
}

impl Database {
    /// The typed handle of collection `T`.
    pub fn collection<T: Collection>(&self) -> CollectionHandle<T> {
        CollectionHandle::new(self.orm.clone())
    }

    /// The client this database uses.
    pub fn orm(&self) -> &Orm {
        &self.orm
    }

    /// The schemas registered when connecting.
    pub fn schemas(&self) -> &[&'static CollectionSchema] {
        &self.collections
    }

    /// Stops every callback listener of this client (the handlers in flight finish first; this
    /// waits for them).
    pub async fn close_listeners(&self) {
        crate::realtime::drain(self.orm.listeners().stop_all(), std::time::Duration::MAX).await;
    }

    /// Every document event of every registered collection (as untyped documents), plus
    /// detected schema changes of those collections.
    ///
    /// Appwrite sends no database-level events to clients: this is the union of the
    /// collections' document channels, with the same catch-up and gap reporting as
    /// [`CollectionHandle::listen_documents`].
    pub fn listen_database(&self) -> crate::CollectionSubscription<serde_json::Value> {
        let database = self.orm.database_id().to_owned();
        let collections: Vec<String> = self.collections.iter().map(|s| s.id.clone()).collect();
        let channels = collections
            .iter()
            .map(|c| format!("databases.{database}.collections.{c}.documents"))
            .collect();
        let scope = crate::realtime::Scope::Collections {
            database: database.clone(),
            collections: collections.clone(),
        };
        // Untyped documents decode every value as it is.
        let documents = crate::Subscription::open(&self.orm.realtime(), channels, scope, &[]);
        crate::CollectionSubscription::new(&self.orm.realtime(), documents, database, collections)
    }
}

/// The builder [`Orm::connect`] returns: register collections, choose whether to migrate, then
/// `.await` it for a [`Database`].
///
/// ```
/// # use appwrite_orm::{Collection, Orm};
/// # use serde::{Deserialize, Serialize};
/// #[derive(Collection, Serialize, Deserialize)]
/// #[collection(id = "orders")]
/// struct Order { total: f64 }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = appwrite_emulator::Emulator::start(Default::default()).await?;
/// # let orm = Orm::builder().endpoint(emulator.endpoint()).project(emulator.project_id())
/// #     .database("main").api_key(emulator.api_key()).build()?;
/// // A dry run prints what would change; `verify` fails in CI when the server differs.
/// let plan = orm.connect().register::<Order>().plan().await?;
/// assert!(plan.to_string().contains("+ collection orders"));
///
/// let db = orm.connect().register::<Order>().auto_migrate(true).await?;
/// orm.connect().register::<Order>().migrator().verify().await?;
/// let orders = db.collection::<Order>();
/// # Ok(())
/// # }
/// ```
pub struct Connect {
    orm: Orm,
    schemas: Vec<&'static CollectionSchema>,
    auto_migrate: bool,
    migrator_options: Vec<Box<dyn FnOnce(Migrator) -> Migrator + Send>>,
}

impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field(
                "collections",
                &self.schemas.iter().map(|s| &s.id).collect::<Vec<_>>(),
            )
            .field("auto_migrate", &self.auto_migrate)
            .finish()
    }
}

impl Orm {
    /// Starts connecting to the database.
    pub fn connect(&self) -> Connect {
        Connect {
            orm: self.clone(),
            schemas: Vec::new(),
            auto_migrate: false,
            migrator_options: Vec::new(),
        }
    }
}

impl Connect {
    /// Registers collection `T`.
    pub fn register<T: Collection>(mut self) -> Self {
        let schema = T::schema();
        if !self.schemas.iter().any(|s| s.id == schema.id) {
            self.schemas.push(schema);
        }
        self
    }

    /// Migrates the server to the registered schemas before returning (default: off).
    pub fn auto_migrate(mut self, enabled: bool) -> Self {
        self.auto_migrate = enabled;
        self
    }

    /// Lets the migration delete attributes, indexes or values (default: refused).
    pub fn allow_destructive(mut self, allow: bool) -> Self {
        self.migrator_options
            .push(Box::new(move |m| m.allow_destructive(allow)));
        self
    }

    /// Reports each migration step, e.g. to drive a progress bar.
    pub fn on_progress(mut self, progress: impl Fn(Progress<'_>) + Send + Sync + 'static) -> Self {
        self.migrator_options
            .push(Box::new(move |m| m.on_progress(progress)));
        self
    }

    /// The migrator of the registered collections, for `plan`, `verify` and `apply`.
    ///
    /// With a service identity (the default), each collection's permissions also grant
    /// `read("label:<label>")`, so that the ORM's realtime listeners receive its events.
    pub fn migrator(self) -> Migrator {
        let grant = self
            .orm
            .service_identity()
            .map(|identity| Permission::read(Role::label(identity.label.clone())));
        let schemas = self
            .schemas
            .iter()
            .map(|schema| {
                let mut schema = (*schema).clone();
                if let Some(grant) = &grant {
                    if !schema.permissions.contains(grant) {
                        schema.permissions.push(grant.clone());
                    }
                }
                schema
            })
            .collect();
        let mut migrator = Migrator::new(self.orm, schemas);
        for option in self.migrator_options {
            migrator = option(migrator);
        }
        migrator
    }

    /// What migrating would change (a dry run).
    pub async fn plan(self) -> Result<Plan> {
        self.migrator().plan().await
    }

    async fn run(self) -> Result<Database> {
        let orm = self.orm.clone();
        let collections: Arc<[&'static CollectionSchema]> = self.schemas.clone().into();
        if self.auto_migrate {
            let applied = self.migrator().apply().await?;
            tracing::info!(steps = applied.steps.len(), "migration complete");
        }
        Ok(Database { orm, collections })
    }
}

impl IntoFuture for Connect {
    type Output = Result<Database>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Database>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
