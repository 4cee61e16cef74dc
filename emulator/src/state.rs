//! The state every handler shares: storage, credentials, the realtime hub and the fault hooks,
//! and the bridge that runs storage work off the async threads.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::auth::{Caller, Credentials};
use crate::error::{ApiError, ApiResult};
use crate::faults::Faults;
use crate::realtime::Hub;
use crate::store::documents::Change;
use crate::store::Store;

/// Everything the handlers share; axum hands it out as `State<Arc<AppState>>`.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) project: String,
    pub(crate) credentials: Credentials,
    pub(crate) attribute_delay: Duration,
    /// [`crate::Config::web_platforms`].
    pub(crate) web_platforms: Vec<String>,
    pub(crate) realtime: Arc<Hub>,
    pub(crate) faults: Arc<Faults>,
    /// Lists asked for with `ttl` (1.9.5+).
    pub(crate) list_cache: crate::list_cache::ListCache,
}

impl AppState {
    /// Runs storage work on the blocking pool.
    pub(crate) async fn db<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut rusqlite::Connection) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || state.store.with(work))
            .await
            .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    /// Runs a document write on the blocking pool and publishes its changes while still holding
    /// the storage lock, so that realtime sees writes in commit order.
    pub(crate) async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut rusqlite::Connection) -> ApiResult<(T, Vec<Change>)> + Send + 'static,
    ) -> ApiResult<T> {
        let state = Arc::clone(self);
        let tablesdb = crate::http::tablesdb::current();
        tokio::task::spawn_blocking(move || {
            state.store.with(|c| {
                let (result, mut changes) = work(c)?;
                for change in &mut changes {
                    change.tablesdb = tablesdb;
                }
                state.realtime.publish(changes);
                Ok(result)
            })
        })
        .await
        .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    /// The caller of a request from its headers; a JWT's user is read on the blocking pool.
    pub(crate) async fn caller(self: &Arc<Self>, key: Option<&str>, jwt: Option<&str>) -> ApiResult<Caller> {
        if !Credentials::needs_storage(key, jwt) {
            return self.credentials.caller(&self.store, key, jwt);
        }
        let (state, jwt) = (Arc::clone(self), jwt.map(str::to_owned));
        tokio::task::spawn_blocking(move || state.credentials.caller(&state.store, None, jwt.as_deref()))
            .await
            .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    /// The caller a JWT names and its user object, read on the blocking pool.
    pub(crate) async fn user_of_jwt(self: &Arc<Self>, jwt: String) -> ApiResult<(Caller, Value)> {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let (caller, user) = state.credentials.user_of_jwt(&state.store, &jwt)?;
            Ok((caller, user.to_json()))
        })
        .await
        .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }
}
