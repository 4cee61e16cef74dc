//! Planning against a server, applying a plan, and waiting until everything is `available`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::payload;
use super::plan::{diff_collection, Plan, ServerCollection, Step};
use super::MigrationError;
use crate::client::Orm;
use crate::error::{ErrorKind, Result};
use crate::schema::{Attribute, AttributeKind, CollectionSchema, DefaultValue};
use crate::transport::Retry;

/// Progress of [`Migrator::apply`], for a CLI progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The step being applied.
    pub step: &'a Step,
    /// How many steps came before it.
    pub done: usize,
    /// How many steps there are.
    pub total: usize,
}

type ProgressFn = Arc<dyn Fn(Progress<'_>) + Send + Sync>;

/// Plans, verifies and applies the migration of a set of collections.
#[derive(Clone)]
pub struct Migrator {
    orm: Orm,
    schemas: Vec<CollectionSchema>,
    allow_destructive: bool,
    progress: Option<ProgressFn>,
    timeout: Duration,
}

impl fmt::Debug for Migrator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Migrator")
            .field(
                "collections",
                &self.schemas.iter().map(|s| &s.id).collect::<Vec<_>>(),
            )
            .field("allow_destructive", &self.allow_destructive)
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn is(result: &Result<Value>, kind: ErrorKind) -> bool {
    matches!(result, Err(err) if err.is(kind))
}

impl Migrator {
    pub(crate) fn new(orm: Orm, schemas: Vec<CollectionSchema>) -> Self {
        Migrator {
            orm,
            schemas,
            allow_destructive: false,
            progress: None,
            timeout: Duration::from_secs(120),
        }
    }

    /// Allows steps that delete attributes, indexes or their values.
    pub fn allow_destructive(mut self, allow: bool) -> Self {
        self.allow_destructive = allow;
        self
    }

    /// Calls `progress` before each step.
    pub fn on_progress(mut self, progress: impl Fn(Progress<'_>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// How long to wait for attributes and indexes to become `available` (default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn database_path(&self) -> String {
        format!("/databases/{}", self.orm.database_id())
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.orm
            .transport()
            .call(Method::GET, path, &[], None, Retry::Safe)
            .await
    }

    async fn server_collection(&self, id: &str) -> Result<Option<ServerCollection>> {
        let path = format!("{}/collections/{id}", self.database_path());
        match self
            .orm
            .transport()
            .call(Method::GET, &path, &[], None, Retry::Safe)
            .await
        {
            Ok(collection) => Ok(Some(collection)),
            Err(err) if err.is(ErrorKind::CollectionNotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// What [`Migrator::apply`] would do now.
    pub async fn plan(&self) -> Result<Plan> {
        let mut steps = Vec::new();
        let database = self.get(&self.database_path()).await;
        let database_missing = is(&database, ErrorKind::DatabaseNotFound);
        if database_missing {
            steps.push(Step::CreateDatabase);
        } else {
            database?;
        }
        for schema in &self.schemas {
            let server = if database_missing {
                None
            } else {
                self.server_collection(&schema.id).await?
            };
            match server {
                Some(server) => {
                    let first = steps.len();
                    diff_collection(schema, &server, &mut steps);
                    self.guard_required(&schema.id, &mut steps[first..]).await?;
                }
                None => {
                    steps.push(Step::CreateCollection {
                        schema: (*schema).clone(),
                    });
                    for attribute in &schema.attributes {
                        steps.push(Step::CreateAttribute {
                            collection: schema.id.clone(),
                            attribute: attribute.clone(),
                        });
                    }
                    for index in &schema.indexes {
                        steps.push(Step::CreateIndex {
                            collection: schema.id.clone(),
                            index: index.clone(),
                        });
                    }
                }
            }
        }
        // Indexes need their attributes available, so they go last.
        steps.sort_by_key(|s| matches!(s, Step::CreateIndex { .. } | Step::RecreateIndex { .. }));
        Ok(Plan { steps })
    }

    /// Turns the required attributes these steps add into [`Step::AddRequiredAttribute`] when
    /// the collection already holds documents (they would have no value for them).
    async fn guard_required(&self, collection: &str, steps: &mut [Step]) -> Result<()> {
        let adds_required =
            |step: &Step| matches!(step, Step::CreateAttribute { attribute, .. } if attribute.required);
        if !steps.iter().any(adds_required) {
            return Ok(());
        }
        let path = format!("{}/collections/{collection}/documents", self.database_path());
        let one = crate::query::params(&[crate::query::Query::limit(1)]);
        let page: Value = self
            .orm
            .transport()
            .call(Method::GET, &path, &one, None, Retry::Safe)
            .await?;
        let holds_documents = !crate::dialect::list_items(&page).is_empty();
        if holds_documents {
            for step in steps.iter_mut().filter(|s| adds_required(s)) {
                if let Step::CreateAttribute {
                    collection,
                    attribute,
                } = step
                {
                    *step = Step::AddRequiredAttribute {
                        collection: std::mem::take(collection),
                        attribute: attribute.clone(),
                    };
                }
            }
        }
        Ok(())
    }

    /// Fails with the plan's text when the server differs from the schemas (for CI).
    pub async fn verify(&self) -> Result<()> {
        let plan = self.plan().await?;
        if plan.is_empty() {
            Ok(())
        } else {
            Err(MigrationError::Differs(plan).into())
        }
    }

    /// Applies the plan and waits until every attribute and index is `available`. Returns the
    /// plan that was applied.
    ///
    /// Several instances may apply at once: whatever another instance created first is
    /// accepted, and the final check re-plans to prove the server matches.
    pub async fn apply(&self) -> Result<Plan> {
        let plan = self.plan().await?;
        let destructive: Vec<String> = plan.destructive().map(ToString::to_string).collect();
        if !destructive.is_empty() && !self.allow_destructive {
            return Err(MigrationError::Destructive { changes: destructive }.into());
        }
        let total = plan.steps.len();
        let mut waited_for_attributes = false;
        for (done, step) in plan.steps.iter().enumerate() {
            let is_index = matches!(step, Step::CreateIndex { .. } | Step::RecreateIndex { .. });
            if is_index && !waited_for_attributes {
                self.wait_ready(false).await?;
                waited_for_attributes = true;
            }
            tracing::info!(step = %step, done, total, "migrating");
            if let Some(progress) = &self.progress {
                progress(Progress { step, done, total });
            }
            self.apply_step(step).await?;
        }
        if total > 0 {
            self.wait_ready(true).await?;
            let after = self.plan().await?;
            if !after.is_empty() {
                return Err(MigrationError::StillDiffers(after).into());
            }
        }
        Ok(plan)
    }

    async fn post(&self, request: payload::Request, already: ErrorKind) -> Result<()> {
        let result: Result<Value> = self
            .orm
            .transport()
            .call(Method::POST, &request.path, &[], Some(&request.body), Retry::Safe)
            .await;
        // Another instance got there first; the final re-plan checks that it agrees.
        if is(&result, already) {
            return Ok(());
        }
        result.map(drop)
    }

    async fn apply_step(&self, step: &Step) -> Result<()> {
        let db = self.orm.database_id();
        match step {
            Step::CreateDatabase => {
                self.post(payload::create_database(db, db), ErrorKind::DatabaseAlreadyExists)
                    .await
            }
            Step::CreateCollection { schema } => {
                self.post(
                    payload::create_collection(db, schema),
                    ErrorKind::CollectionAlreadyExists,
                )
                .await
            }
            Step::UpdateCollection { schema, .. } => {
                let body = json!({
                    "name": schema.name,
                    "permissions": schema.permissions.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "documentSecurity": schema.document_security,
                    "enabled": true,
                });
                let path = format!("/databases/{db}/collections/{}", schema.id);
                self.orm
                    .transport()
                    .call::<Value>(Method::PUT, &path, &[], Some(&body), Retry::Safe)
                    .await
                    .map(drop)
            }
            Step::CreateAttribute {
                collection,
                attribute,
            }
            | Step::AddRequiredAttribute {
                collection,
                attribute,
            } => {
                self.post(
                    payload::create_attribute(db, collection, attribute),
                    ErrorKind::AttributeAlreadyExists,
                )
                .await
            }
            Step::UpdateAttribute {
                collection,
                attribute,
                ..
            } => self.update_attribute(collection, attribute).await,
            Step::CreateIndex { collection, index } => {
                self.post(
                    payload::create_index(db, collection, index),
                    ErrorKind::IndexAlreadyExists,
                )
                .await
            }
            Step::RecreateAttribute {
                collection,
                attribute,
                ..
            } => {
                self.delete_and_wait(&format!(
                    "/databases/{db}/collections/{collection}/attributes/{}",
                    attribute.key
                ))
                .await?;
                self.post(
                    payload::create_attribute(db, collection, attribute),
                    ErrorKind::AttributeAlreadyExists,
                )
                .await
            }
            Step::DeleteAttribute { collection, key } => {
                self.delete_and_wait(&format!(
                    "/databases/{db}/collections/{collection}/attributes/{key}"
                ))
                .await
            }
            Step::RecreateIndex {
                collection, index, ..
            } => {
                self.delete_and_wait(&format!(
                    "/databases/{db}/collections/{collection}/indexes/{}",
                    index.key
                ))
                .await?;
                self.post(
                    payload::create_index(db, collection, index),
                    ErrorKind::IndexAlreadyExists,
                )
                .await
            }
            Step::DeleteIndex { collection, key } => {
                self.delete_and_wait(&format!("/databases/{db}/collections/{collection}/indexes/{key}"))
                    .await
            }
        }
    }

    async fn update_attribute(&self, collection: &str, attribute: &Attribute) -> Result<()> {
        let mut body = json!({
            "required": attribute.required,
            "default": attribute.default.as_ref().map_or(Value::Null, DefaultValue::to_json),
        });
        match &attribute.kind {
            AttributeKind::String { size } => body["size"] = json!(size),
            AttributeKind::Integer { min, max } => {
                body["min"] = json!(min);
                body["max"] = json!(max);
            }
            AttributeKind::Float { min, max } => {
                body["min"] = json!(min);
                body["max"] = json!(max);
            }
            AttributeKind::Enum { elements } => body["elements"] = json!(elements),
            _ => {}
        }
        let path = format!(
            "/databases/{}/collections/{collection}/attributes/{}/{}",
            self.orm.database_id(),
            attribute.kind.route(),
            attribute.key
        );
        self.orm
            .transport()
            .call::<Value>(Method::PATCH, &path, &[], Some(&body), Retry::Safe)
            .await
            .map(drop)
    }

    async fn delete_and_wait(&self, path: &str) -> Result<()> {
        match self
            .orm
            .transport()
            .send(Method::DELETE, path, &[], None, Retry::Safe)
            .await
        {
            Ok(_) => {}
            Err(err)
                if matches!(
                    err.kind(),
                    Some(ErrorKind::AttributeNotFound | ErrorKind::IndexNotFound)
                ) => {}
            Err(err) => return Err(err),
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.get(path).await {
                Err(err)
                    if matches!(
                        err.kind(),
                        Some(ErrorKind::AttributeNotFound | ErrorKind::IndexNotFound)
                    ) =>
                {
                    return Ok(())
                }
                Err(err) => return Err(err),
                Ok(_) if Instant::now() > deadline => {
                    return Err(MigrationError::TimedOut {
                        after: self.timeout,
                        pending: vec![format!("the deletion of {path}")],
                    }
                    .into())
                }
                Ok(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Polls until the schemas' attributes (and, with `indexes`, indexes) are `available`.
    async fn wait_ready(&self, indexes: bool) -> Result<()> {
        let deadline = Instant::now() + self.timeout;
        let mut delay = Duration::from_millis(20);
        loop {
            let mut pending = Vec::new();
            for schema in &self.schemas {
                let Some(server) = self.server_collection(&schema.id).await? else {
                    pending.push(format!("collection {}", schema.id));
                    continue;
                };
                let mut check = |what: &'static str, key: &str, items: &[Value]| -> Result<()> {
                    match items.iter().find(|i| i["key"] == key) {
                        None => pending.push(format!("{what} {}.{key}", schema.id)),
                        Some(item) => match item["status"].as_str().unwrap_or_default() {
                            "available" => {}
                            "failed" | "stuck" => {
                                return Err(MigrationError::Failed {
                                    what,
                                    collection: schema.id.to_string(),
                                    key: key.to_string(),
                                    reason: item["error"].as_str().unwrap_or("no reason given").to_owned(),
                                }
                                .into())
                            }
                            status => pending.push(format!("{what} {}.{key} ({status})", schema.id)),
                        },
                    }
                    Ok(())
                };
                for attribute in &schema.attributes {
                    check("attribute", &attribute.key, &server.attributes)?;
                }
                if indexes {
                    for index in &schema.indexes {
                        check("index", &index.key, &server.indexes)?;
                    }
                }
            }
            if pending.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(MigrationError::TimedOut {
                    after: self.timeout,
                    pending,
                }
                .into());
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(500));
        }
    }
}
