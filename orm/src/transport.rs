//! The REST transport every part of the crate sends through: the HTTP client, the project's
//! credentials, retries with backoff, and Appwrite's error bodies turned into [`Error`].

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::dialect::{self, Dialect};
use crate::error::{Error, ErrorKind, Result};

/// Whether a request may be sent again after a failure without risking a double effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Reads, idempotent writes, and creates with a client-chosen id.
    Safe,
    /// Anything else.
    Never,
}

/// One project's endpoint and credentials over a pooled HTTP client.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: String,
    pub(crate) project: String,
    pub(crate) api_key: String,
    pub(crate) retries: u32,
    pub(crate) backoff: Duration,
    pub(crate) dialect: Dialect,
    /// What [`Dialect::Auto`] turned out to be.
    pub(crate) detected: tokio::sync::OnceCell<Dialect>,
}

// The API key is a credential: it never appears in Debug output.
impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint)
            .field("project", &self.project)
            .field("api_key", &"<redacted>")
            .field("dialect", &self.dialect)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Sends one request and decodes the JSON answer into `T`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<T> {
        let bytes = self.send(method, path, query, body, retry).await?;
        let bytes = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes[..]
        };
        serde_json::from_slice(bytes).map_err(|e| Error::decode(format!("response of {path}"), e))
    }

    /// The dialect requests are sent in: the configured one, or for [`Dialect::Auto`] the one
    /// the server's version calls for (asked once; the collections API while it cannot be).
    pub(crate) async fn dialect(&self) -> Dialect {
        if self.dialect != Dialect::Auto {
            return self.dialect;
        }
        let detected = self
            .detected
            .get_or_try_init(|| async {
                let url = format!("{}/health/version", self.endpoint);
                let answer: Value = self
                    .http
                    .get(url)
                    .header("X-Appwrite-Project", &self.project)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let version = answer["version"].as_str().unwrap_or_default();
                tracing::debug!(version, "server version read for the database dialect");
                Ok::<_, reqwest::Error>(Dialect::for_version(version))
            })
            .await;
        detected.copied().unwrap_or(Dialect::Collections)
    }

    /// Sends one request; returns the raw body of a successful answer.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<bytes::Bytes> {
        let renamed = match self.dialect().await {
            Dialect::TablesDb => dialect::tablesdb_path(path),
            _ => None,
        };
        let Some((path, answer)) = renamed else {
            return self.send_as_is(method, path, query, body, retry).await;
        };
        let body = body.map(dialect::tablesdb_body);
        let bytes = self
            .send_as_is(method, &path, query, body.as_ref(), retry)
            .await?;
        Ok(dialect::collections_answer(bytes, answer))
    }

    async fn send_as_is(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<bytes::Bytes> {
        let url = format!("{}{path}", self.endpoint);
        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header("X-Appwrite-Project", &self.project)
                .header("X-Appwrite-Key", &self.api_key)
                .header("X-Appwrite-Response-Format", "1.8.0");
            if !query.is_empty() {
                request = request.query(query);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let outcome = request.send().await;
            let retryable = match &outcome {
                Err(err) => err.is_connect() || err.is_timeout() || err.is_request(),
                Ok(response) => matches!(
                    response.status(),
                    StatusCode::TOO_MANY_REQUESTS
                        | StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                ),
            };
            if retry == Retry::Safe && retryable && attempt < self.retries {
                attempt += 1;
                // Between `backoff × 2^(attempt-1)` and twice that.
                let delay = crate::backoff::delay(attempt + 1, self.backoff, self.backoff * 64);
                tracing::debug!(%method, path, attempt, ?delay, "retrying Appwrite request");
                tokio::time::sleep(delay).await;
                continue;
            }
            let response = outcome.map_err(Error::Transport)?;
            let status = response.status();
            let body = response.bytes().await.map_err(Error::Transport)?;
            if status.is_success() {
                return Ok(body);
            }
            return Err(appwrite_error(status, &body));
        }
    }
}

fn appwrite_error(status: StatusCode, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct Body {
        message: Option<String>,
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    let parsed: Option<Body> = serde_json::from_slice(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|b| b.message.clone())
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            text.chars().take(200).collect()
        });
    let kind = parsed
        .and_then(|b| b.kind)
        .map_or(ErrorKind::Other, |k| ErrorKind::from_type(&k).collections_twin());
    Error::Appwrite {
        kind,
        code: status.as_u16(),
        message,
    }
}
