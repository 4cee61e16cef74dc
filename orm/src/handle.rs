//! [`CollectionHandle<T>`]: typed reads and writes of one collection's documents.
//!
//! (The handle is not called `Collection` because that name belongs to the trait the derive
//! implements.)

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::client::Orm;
use crate::document::decode_of;
use crate::error::{Error, ErrorKind, Result};
use crate::query::{IntoQueries, QueryValue};
use crate::transport::Retry;
use crate::{Collection, Document, Field, Patch, Permission, Query};

/// The most documents Appwrite accepts in one bulk call.
pub const BATCH_SIZE: usize = 100;
/// The page size [`CollectionHandle::stream`] reads with.
const STREAM_PAGE: u32 = 100;

/// The future of a server call that takes queries: `handle.find(…).await` gives `Result<R>`.
///
/// Boxed so that its type does not depend on the argument's: a value that is not a list of
/// queries is reported once, at the argument. One allocation per call, next to a request.
pub type Call<'a, R> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<R>> + Send + 'a>>;

/// Typed access to the documents of collection `T`; get one from
/// [`Database::collection`](crate::Database::collection). Cheap to clone.
///
/// ```
/// use appwrite_orm::{AttributeEnum, Collection, ErrorKind, Orm, Query};
/// use futures_util::TryStreamExt;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
/// #[serde(rename_all = "lowercase")]
/// enum Status { Open, Done }
///
/// #[derive(Collection, Serialize, Deserialize, Debug, Clone, PartialEq)]
/// #[collection(id = "tasks")]
/// struct Task { title: String, status: Status, #[collection(default = 0)] tries: u8 }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = appwrite_emulator::Emulator::start(Default::default()).await?;
/// # let orm = Orm::builder().endpoint(emulator.endpoint()).project(emulator.project_id())
/// #     .database("main").api_key(emulator.api_key()).build()?;
/// let db = orm.connect().register::<Task>().auto_migrate(true).await?;
/// let tasks = db.collection::<Task>();
///
/// let task = tasks.create(&Task { title: "write docs".into(), status: Status::Open, tries: 0 }).await?;
/// let task = tasks.update(task.id(), Task::patch().status(Status::Done)).await?;
/// assert_eq!(task.status, Status::Done);
/// tasks.increment(task.id(), Task::TRIES, 1, None).await?;
///
/// let done = tasks.find([Task::STATUS.eq(Status::Done), Query::limit(10)]).await?;
/// assert_eq!(done.len(), 1);
/// let everything: Vec<_> = tasks.stream([]).try_collect().await?;
/// assert_eq!(everything.len(), 1);
///
/// tasks.delete(task.id()).await?;
/// let gone = tasks.get_or_fail(task.id()).await.unwrap_err();
/// assert_eq!(gone.kind(), Some(ErrorKind::DocumentNotFound));
/// # Ok(())
/// # }
/// ```
pub struct CollectionHandle<T> {
    orm: Orm,
    documents: Arc<str>,
    types: PhantomData<fn() -> T>,
}

impl<T> CollectionHandle<T> {
    pub(crate) fn orm(&self) -> &Orm {
        &self.orm
    }
}

impl<T> Clone for CollectionHandle<T> {
    fn clone(&self) -> Self {
        CollectionHandle {
            orm: self.orm.clone(),
            documents: Arc::clone(&self.documents),
            types: PhantomData,
        }
    }
}

impl<T> fmt::Debug for CollectionHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectionHandle")
            .field("documents", &self.documents)
            .finish()
    }
}

/// The most documents Appwrite counts in a list's `total`: past it, `total` stays at this value.
/// [`CollectionHandle::count`] counts exactly whatever the number.
pub const TOTAL_CAP: u64 = 5_000;

/// How many ids one request of an exact count reads past the cap.
const COUNT_PAGE: u32 = 1_000;

/// One page of documents, with Appwrite's `total` (capped at [`TOTAL_CAP`] by the server).
#[derive(Debug, Clone, Deserialize)]
#[serde(bound = "T: serde::de::DeserializeOwned")]
pub struct Page<T> {
    /// Matching documents, as Appwrite counts them: at most [`TOTAL_CAP`], see
    /// [`Page::total_is_capped`].
    pub total: u64,
    /// The documents of this page.
    #[serde(alias = "rows")]
    pub documents: Vec<Document<T>>,
}

impl<T> Page<T> {
    /// Whether `total` reached Appwrite's cap, so that more documents may match than it says
    /// ([`CollectionHandle::count`] gives the exact number).
    pub fn total_is_capped(&self) -> bool {
        self.total >= TOTAL_CAP
    }
}

fn fits_in_a_transaction(operation: &'static str, items: usize) -> Result<()> {
    let max = crate::transaction::MAX_OPERATIONS;
    if items > max {
        return Err(Error::Config {
            setting: operation,
            reason: format!("{items} items do not fit in one transaction of at most {max}"),
        });
    }
    Ok(())
}

fn permission_strings(permissions: &[Permission]) -> Value {
    Value::Array(permissions.iter().map(|p| Value::String(p.to_string())).collect())
}

pub(crate) fn check_id(id: &str) -> Result<()> {
    crate::key::validate(id).map_err(|source| Error::InvalidId {
        id: id.to_owned(),
        source,
    })
}

pub(crate) fn data_of<T: serde::Serialize>(data: &T) -> Result<Value> {
    serde_json::to_value(data).map_err(|source| Error::Encode {
        what: "document data",
        source,
    })
}

impl<T: Collection> CollectionHandle<T> {
    pub(crate) fn new(orm: Orm) -> Self {
        let documents = format!(
            "/databases/{}/collections/{}/documents",
            orm.database_id(),
            T::_COLLECTION_ID
        );
        CollectionHandle {
            orm,
            documents: documents.into(),
            types: PhantomData,
        }
    }

    // One list request; every query-taking read goes through it.
    async fn list<R: serde::de::DeserializeOwned>(&self, queries: &[Query]) -> Result<R> {
        let params = crate::query::params(queries);
        self.decode_call(Method::GET, &self.documents, &params, None, Retry::Safe)
            .await
    }

    fn document_path(&self, id: &str) -> String {
        format!("{}/{id}", self.documents)
    }

    async fn decode_call<R: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<R> {
        let bytes = self
            .orm
            .transport()
            .send(method, path, query, body, retry)
            .await?;
        decode_of::<T, R>(&bytes, T::_COLLECTION_ID)
    }

    /// Creates a document with a new id (generated here, so a lost response can be retried
    /// safely).
    pub async fn create(&self, data: &T) -> Result<Document<T>> {
        self.create_document(&crate::id::unique(), data, None).await
    }

    /// Creates a document with the given id.
    pub async fn create_with_id(&self, id: &str, data: &T) -> Result<Document<T>> {
        check_id(id)?;
        self.create_document(id, data, None).await
    }

    /// Creates a document with a new id and document-level permissions.
    pub async fn create_with_permissions(&self, data: &T, permissions: &[Permission]) -> Result<Document<T>> {
        self.create_document(&crate::id::unique(), data, Some(permissions))
            .await
    }

    async fn create_document(
        &self,
        id: &str,
        data: &T,
        permissions: Option<&[Permission]>,
    ) -> Result<Document<T>> {
        let mut body = json!({"documentId": id, "data": data_of(data)?});
        if let Some(permissions) = permissions {
            body["permissions"] = permission_strings(permissions);
        }
        let created = self
            .decode_call(Method::POST, &self.documents, &[], Some(&body), Retry::Safe)
            .await;
        match created {
            // A retry after a lost response finds the document the first attempt created.
            Err(err) if err.is(ErrorKind::DocumentAlreadyExists) => match self.get(id).await? {
                Some(existing) if data_of(existing.data())? == data_of(data)? => Ok(existing),
                _ => Err(err),
            },
            other => other,
        }
    }

    /// The document with this id, or `None`.
    pub async fn get(&self, id: &str) -> Result<Option<Document<T>>> {
        match self.get_or_fail(id).await {
            Ok(document) => Ok(Some(document)),
            Err(err) if err.is(ErrorKind::DocumentNotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// [`CollectionHandle::get`] inside the server's transaction `transaction`.
    pub(crate) async fn get_in(&self, id: &str, transaction: &str) -> Result<Option<Document<T>>> {
        let query = [("transactionId".to_owned(), transaction.to_owned())];
        let read = self
            .decode_call(Method::GET, &self.document_path(id), &query, None, Retry::Safe)
            .await;
        match read {
            Ok(document) => Ok(Some(document)),
            Err(err) if err.is(ErrorKind::DocumentNotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// One page of [`CollectionHandle::find`] inside the server's transaction `transaction`.
    pub(crate) async fn find_in(&self, queries: &[Query], transaction: &str) -> Result<Vec<Document<T>>> {
        let mut params = crate::query::params(queries);
        params.push(("transactionId".to_owned(), transaction.to_owned()));
        let page: Page<T> = self
            .decode_call(Method::GET, &self.documents, &params, None, Retry::Safe)
            .await?;
        Ok(page.documents)
    }

    /// The document with this id, or [`ErrorKind::DocumentNotFound`].
    pub async fn get_or_fail(&self, id: &str) -> Result<Document<T>> {
        check_id(id)?;
        self.decode_call(Method::GET, &self.document_path(id), &[], None, Retry::Safe)
            .await
    }

    /// Applies a typed partial update; only the attributes set in the patch are sent. An
    /// empty patch changes nothing: it reads the document instead (Appwrite would refuse it
    /// with a 400).
    pub async fn update(&self, id: &str, patch: impl Into<Patch<T>>) -> Result<Document<T>> {
        check_id(id)?;
        let patch = patch.into();
        if patch.is_empty() {
            return self.get_or_fail(id).await;
        }
        let body = json!({"data": patch.to_json()});
        self.decode_call(
            Method::PATCH,
            &self.document_path(id),
            &[],
            Some(&body),
            Retry::Safe,
        )
        .await
    }

    /// Replaces the document-level permissions.
    pub async fn set_permissions(&self, id: &str, permissions: &[Permission]) -> Result<Document<T>> {
        check_id(id)?;
        let body = json!({"permissions": permission_strings(permissions)});
        self.decode_call(
            Method::PATCH,
            &self.document_path(id),
            &[],
            Some(&body),
            Retry::Safe,
        )
        .await
    }

    /// Creates the document, or updates it when it exists.
    pub async fn upsert(&self, id: &str, data: &T) -> Result<Document<T>> {
        check_id(id)?;
        let body = json!({"data": data_of(data)?});
        self.decode_call(
            Method::PUT,
            &self.document_path(id),
            &[],
            Some(&body),
            Retry::Safe,
        )
        .await
    }

    /// Deletes the document.
    pub async fn delete(&self, id: &str) -> Result<()> {
        check_id(id)?;
        self.orm
            .transport()
            .send(Method::DELETE, &self.document_path(id), &[], None, Retry::Safe)
            .await
            .map(drop)
    }

    /// One page of matching documents with the total count.
    pub fn find_page(&self, queries: impl IntoQueries) -> Call<'_, Page<T>> {
        let queries = queries.into_queries();
        Box::pin(async move { self.list(&queries).await })
    }

    /// Matching documents: one page (Appwrite's default limit is 25; add [`Query::limit`], or
    /// use [`CollectionHandle::stream`] for all of them).
    pub fn find(&self, queries: impl IntoQueries) -> Call<'_, Vec<Document<T>>> {
        let queries = queries.into_queries();
        Box::pin(async move { Ok(self.find_page(queries).await?.documents) })
    }

    /// Matching documents read as projection `P`: a `select` of `P`'s attributes (and of the
    /// metadata a [`Document`] carries), so the others do not travel. Otherwise as
    /// [`CollectionHandle::find`].
    ///
    /// ```no_run
    /// # use appwrite_orm::{Collection, CollectionHandle, Projection};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Collection, Serialize, Deserialize)]
    /// # #[collection(id = "orders")]
    /// # struct Order { user: String, total: f64, notes: String }
    /// #[derive(Projection, Deserialize)]
    /// #[projection(of = Order)]
    /// struct OrderTotal {
    ///     total: f64,
    /// }
    ///
    /// # async fn run(orders: CollectionHandle<Order>) -> appwrite_orm::Result<()> {
    /// let totals = orders.find_as::<OrderTotal>(Order::USER.eq("ada")).await?;
    /// let sum: f64 = totals.iter().map(|d| d.total).sum();
    /// # Ok(()) }
    /// ```
    pub fn find_as<P: crate::Projection<Of = T>>(
        &self,
        queries: impl IntoQueries,
    ) -> Call<'_, Vec<Document<P>>> {
        let mut queries = queries.into_queries();
        let metadata = ["$id", "$createdAt", "$updatedAt", "$permissions"];
        queries.push(Query::select(metadata.into_iter().chain(P::KEYS.iter().copied())));
        Box::pin(async move { Ok(self.list::<Page<P>>(&queries).await?.documents) })
    }

    /// The first matching document.
    pub fn first(&self, queries: impl IntoQueries) -> Call<'_, Option<Document<T>>> {
        let queries = queries.into_queries();
        Box::pin(async move {
            let mut queries = queries;
            queries.push(Query::limit(1));
            Ok(self.find_page(queries).await?.documents.into_iter().next())
        })
    }

    /// How many documents match, exactly. Appwrite's `total` stops at [`TOTAL_CAP`]; when it
    /// reaches it, the rest are counted by reading ids, one request per 1 000 documents. With a
    /// limit, offset or cursor among `queries` the server's `total` is returned as it is.
    pub fn count(&self, queries: impl IntoQueries) -> Call<'_, u64> {
        let queries = queries.into_queries();
        Box::pin(async move {
            let filters = queries;
            let mut first = filters.clone();
            first.push(Query::limit(1));
            let total = self.find_page(first).await?.total;
            if total < TOTAL_CAP || filters.iter().any(|q| q.method().is_paging()) {
                return Ok(total);
            }
            let mut counted = 0u64;
            let mut cursor: Option<String> = None;
            loop {
                let mut page = filters.clone();
                page.push(Query::select(["$id"]));
                page.push(Query::limit(COUNT_PAGE));
                page.extend(cursor.take().map(Query::cursor_after));
                let ids: Value = self.list(&page).await?;
                let ids = crate::dialect::list_items(&ids);
                counted += ids.len() as u64;
                match ids.last().and_then(|d| d["$id"].as_str()) {
                    Some(last) if ids.len() == COUNT_PAGE as usize => cursor = Some(last.to_owned()),
                    _ => return Ok(counted),
                }
            }
        })
    }

    /// Every matching document, page by page with a cursor (never capped at 25 or 5 000).
    /// `queries` hold filters and orders; paging is the stream's own, so a limit, offset or
    /// cursor query is an error.
    pub fn stream(
        &self,
        queries: impl IntoQueries,
    ) -> impl Stream<Item = Result<Document<T>>> + Send + 'static {
        let queries: Vec<Query> = queries.into_queries();
        let invalid = queries
            .iter()
            .find(|q| q.method().is_paging())
            .map(|q| Error::InvalidQuery {
                method: q.method(),
                operation: "stream",
                reason: "the stream pages by itself",
            });
        let handle = self.clone();
        let state = (handle, queries, None::<String>, false, invalid);
        stream::unfold(state, |(handle, queries, cursor, done, invalid)| async move {
            if let Some(err) = invalid {
                return Some((vec![Err(err)], (handle, queries, cursor, true, None)));
            }
            if done {
                return None;
            }
            let mut page_queries = queries.clone();
            page_queries.push(Query::limit(STREAM_PAGE));
            if let Some(after) = &cursor {
                page_queries.push(Query::cursor_after(after.clone()));
            }
            match handle.find_page(page_queries).await {
                Err(err) => Some((vec![Err(err)], (handle, queries, cursor, true, None))),
                Ok(page) => {
                    let last = page.documents.last().map(|d| d.id().to_owned());
                    let finished = page.documents.len() < STREAM_PAGE as usize || last.is_none();
                    let items: Vec<Result<Document<T>>> = page.documents.into_iter().map(Ok).collect();
                    if items.is_empty() {
                        return None;
                    }
                    Some((items, (handle, queries, last, finished, None)))
                }
            }
        })
        .flat_map(stream::iter)
    }

    /// Creates documents through the bulk endpoint, 100 per call (each call all or nothing):
    /// not atomic past 100 items — a refused batch is [`Error::Bulk`], saying which items were
    /// stored. For all or nothing, see [`CollectionHandle::create_many_atomic`].
    pub async fn create_many(&self, items: &[T]) -> Result<Vec<Document<T>>> {
        let with_ids: Vec<(String, &T)> = items.iter().map(|item| (crate::id::unique(), item)).collect();
        self.bulk_write(Method::POST, &with_ids).await
    }

    /// Creates every item or none, in one [transaction](crate::transaction) (Appwrite 1.8 and
    /// later): at most [`MAX_OPERATIONS`](crate::transaction::MAX_OPERATIONS) items, each
    /// published as its own create event after the commit. Returns the new ids, in order. A
    /// collision with a stored id or unique value fails the whole call with
    /// [`ErrorKind::TransactionConflict`] and stores nothing.
    pub async fn create_many_atomic(&self, items: &[T]) -> Result<Vec<String>> {
        fits_in_a_transaction("create_many_atomic", items.len())?;
        self.orm
            .transaction(|tx| async move { items.iter().map(|item| tx.create(item)).collect() })
            .await
    }

    /// Creates or replaces every `(id, item)` or none, in one [transaction](crate::transaction)
    /// (Appwrite 1.8 and later), at most
    /// [`MAX_OPERATIONS`](crate::transaction::MAX_OPERATIONS) items; the atomic counterpart of
    /// [`CollectionHandle::upsert_many`].
    pub async fn upsert_many_atomic(&self, items: &[(String, T)]) -> Result<()> {
        fits_in_a_transaction("upsert_many_atomic", items.len())?;
        self.orm
            .transaction(|tx| async move { items.iter().try_for_each(|(id, item)| tx.upsert(id, item)) })
            .await
    }

    /// Creates or updates documents by id through the bulk endpoint, 100 per call. Returns the
    /// documents the call created or changed: Appwrite leaves an item identical to the stored
    /// document out of its answer.
    pub async fn upsert_many(&self, items: &[(String, T)]) -> Result<Vec<Document<T>>> {
        let with_ids: Vec<(String, &T)> = items.iter().map(|(id, item)| (id.clone(), item)).collect();
        self.bulk_write(Method::PUT, &with_ids).await
    }

    // `POST` (create) or `PUT` (upsert) of `{"documents": [...]}`, in chunks of 100; each document
    // carries its id as `$id`.
    async fn bulk_write(&self, method: Method, items: &[(String, &T)]) -> Result<Vec<Document<T>>> {
        let mut written = Vec::with_capacity(items.len());
        for (batch, chunk) in items.chunks(BATCH_SIZE).enumerate() {
            let documents = chunk
                .iter()
                .map(|(id, item)| {
                    check_id(id)?;
                    let mut data = data_of(*item)?;
                    data["$id"] = Value::String(id.clone());
                    Ok(data)
                })
                .collect::<Result<Vec<_>>>()?;
            let body = json!({"documents": documents});
            let answer: Result<Page<T>> = self
                .decode_call(method.clone(), &self.documents, &[], Some(&body), Retry::Safe)
                .await;
            match answer {
                Ok(page) => written.extend(page.documents),
                Err(source) => {
                    let start = batch * BATCH_SIZE;
                    let cause = self.bulk_cause(&source, start, chunk, &documents).await;
                    return Err(Error::Bulk {
                        written: written.iter().map(|d| d.id().to_owned()).collect(),
                        refused: start..start + chunk.len(),
                        total: items.len(),
                        cause,
                        source: Box::new(source),
                    });
                }
            }
        }
        Ok(written)
    }

    /// What a refused batch collided with: for a conflict, the ids that already exist, or else
    /// the unique index and the items whose values repeat within the batch or match a stored
    /// document (Appwrite names neither).
    async fn bulk_cause(
        &self,
        source: &Error,
        start: usize,
        chunk: &[(String, &T)],
        data: &[Value],
    ) -> String {
        if !source.is(ErrorKind::DocumentAlreadyExists) {
            return source
                .kind()
                .map_or_else(|| "the request failed".to_owned(), |k| k.to_string());
        }
        let item = |i: usize| format!("item {} (id {})", start + i, chunk[i].0);
        let ids: Vec<Value> = chunk.iter().map(|(id, _)| Value::String(id.clone())).collect();
        let existing = self.stored_values("$id", ids).await;
        let taken: Vec<String> = (0..chunk.len())
            .filter(|&i| existing.contains(&Value::String(chunk[i].0.clone())))
            .map(item)
            .collect();
        if !taken.is_empty() {
            return format!("ids already stored: {}", taken.join(", "));
        }
        for index in T::schema()
            .indexes
            .iter()
            .filter(|i| i.kind == crate::schema::IndexKind::Unique)
        {
            let key = |d: &Value| {
                index
                    .fields
                    .iter()
                    .map(|f| d[f.attribute.as_str()].clone())
                    .collect::<Vec<_>>()
            };
            let mut seen: Vec<(Vec<Value>, usize)> = Vec::new();
            let mut clashes = Vec::new();
            for (i, document) in data.iter().enumerate() {
                // Each item's key is built once; a batch holds at most BATCH_SIZE items.
                let values = key(document);
                match seen.iter().find(|(k, _)| *k == values) {
                    Some((_, first)) => clashes.push(format!("{} repeats {}", item(i), item(*first))),
                    None => seen.push((values, i)),
                }
            }
            if let [field] = index.fields.as_slice() {
                let values: Vec<Value> = data.iter().map(|d| d[field.attribute.as_str()].clone()).collect();
                let stored = self.stored_values(field.attribute.as_str(), values).await;
                for (i, document) in data.iter().enumerate() {
                    if stored.contains(&document[field.attribute.as_str()]) {
                        clashes.push(format!("{} matches a stored document", item(i)));
                    }
                }
            }
            if !clashes.is_empty() {
                let fields: Vec<&str> = index.fields.iter().map(|f| f.attribute.as_str()).collect();
                return format!(
                    "unique index `{}` ({}): {}",
                    index.key,
                    fields.join(", "),
                    clashes.join("; ")
                );
            }
        }
        "a document conflicts with one already stored".to_owned()
    }

    /// The values of `attribute` among `values` that stored documents hold (empty when the
    /// lookup fails: it only explains an error).
    async fn stored_values(&self, attribute: &'static str, values: Vec<Value>) -> Vec<Value> {
        let values: Vec<Value> = values.into_iter().filter(|v| !v.is_null()).collect();
        if values.is_empty() {
            return Vec::new();
        }
        let queries = [
            Query::new(crate::QueryMethod::Equal, Some(attribute), values),
            Query::select([attribute]),
            Query::limit(BATCH_SIZE as u32),
        ];
        let found: Result<Value> = self
            .orm
            .transport()
            .call(
                Method::GET,
                &self.documents,
                &crate::query::params(&queries),
                None,
                Retry::Safe,
            )
            .await;
        found
            .ok()
            .map(|page| crate::dialect::list_items(&page).to_vec())
            .unwrap_or_default()
            .into_iter()
            .map(|d| d[attribute].clone())
            .collect()
    }

    /// Applies `patch` to every matching document (bulk endpoint); returns how many changed.
    pub fn update_many(&self, patch: impl Into<Patch<T>>, queries: impl IntoQueries) -> Call<'_, u64> {
        let queries: Vec<String> = queries.into_queries().iter().map(Query::to_string).collect();
        let patch: Patch<T> = patch.into();
        Box::pin(async move {
            let body = json!({"data": patch.to_json(), "queries": queries});
            let counted: Counted = self
                .orm
                .transport()
                .call(Method::PATCH, &self.documents, &[], Some(&body), Retry::Safe)
                .await?;
            Ok(counted.total)
        })
    }

    /// Deletes every matching document (bulk endpoint); returns how many were deleted.
    pub fn delete_many(&self, queries: impl IntoQueries) -> Call<'_, u64> {
        let queries: Vec<String> = queries.into_queries().iter().map(Query::to_string).collect();
        Box::pin(async move {
            let body = json!({"queries": queries});
            let counted: Counted = self
                .orm
                .transport()
                .call(Method::DELETE, &self.documents, &[], Some(&body), Retry::Safe)
                .await?;
            Ok(counted.total)
        })
    }

    /// Atomically adds `by` to a numeric attribute (optionally refusing to pass `max`).
    pub async fn increment<V: QueryValue>(
        &self,
        id: &str,
        field: Field<T, V>,
        by: V,
        max: Option<V>,
    ) -> Result<Document<T>> {
        self.step(
            id,
            field.key(),
            "increment",
            by.to_query_value(),
            "max",
            max.map(|m| m.to_query_value()),
        )
        .await
    }

    /// Atomically subtracts `by` from a numeric attribute (optionally refusing to pass `min`).
    pub async fn decrement<V: QueryValue>(
        &self,
        id: &str,
        field: Field<T, V>,
        by: V,
        min: Option<V>,
    ) -> Result<Document<T>> {
        self.step(
            id,
            field.key(),
            "decrement",
            by.to_query_value(),
            "min",
            min.map(|m| m.to_query_value()),
        )
        .await
    }

    async fn step(
        &self,
        id: &str,
        key: &str,
        direction: &str,
        by: Value,
        bound_name: &str,
        bound: Option<Value>,
    ) -> Result<Document<T>> {
        check_id(id)?;
        let mut body = Map::new();
        body.insert("value".into(), by);
        if let Some(bound) = bound {
            body.insert(bound_name.into(), bound);
        }
        let path = format!("{}/{key}/{direction}", self.document_path(id));
        // Not idempotent: a retry would apply the step twice.
        self.decode_call(
            Method::PATCH,
            &path,
            &[],
            Some(&Value::Object(body)),
            Retry::Never,
        )
        .await
    }
}

#[derive(Deserialize)]
struct Counted {
    total: u64,
}
