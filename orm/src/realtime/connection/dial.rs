//! Opening one realtime socket: the TCP connection (no Nagle, TCP keepalive), the WebSocket
//! handshake with a fresh JWT, and the server's `connected` frame, which must name the
//! service identity.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::super::identity::ServiceIdentity;
use super::super::protocol::{self, Frame};
use super::super::RealtimeOptions;
use crate::transport::Transport;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long each step of opening a socket may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a socket could not be opened; the connection task retries after each of these.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DialError {
    #[error("the realtime endpoint is not a valid URL: {0}")]
    Endpoint(String),
    #[error("cannot prepare the service identity: {0}")]
    Identity(#[source] crate::Error),
    #[error("cannot reach the realtime endpoint: {0}")]
    Unreachable(String),
    #[error("timed out {0}")]
    TimedOut(&'static str),
    #[error("refused by the server ({code}): {message}")]
    Refused { code: i64, message: String },
    #[error("the realtime socket closed before `connected`")]
    ClosedEarly,
    #[error("unexpected first frame: {0}")]
    UnexpectedFrame(String),
    /// Appwrite connects a socket as a guest, with no error, when the JWT's session is gone:
    /// such a socket receives public events only, so it is refused here.
    #[error("the server connected the socket as {}, not as the service identity `{expected}`", connected_as.as_deref().unwrap_or("a guest"))]
    WrongUser {
        expected: String,
        connected_as: Option<String>,
    },
}

impl DialError {
    /// Appwrite 1.6–1.8 refuses a socket without channels in its URL.
    pub(crate) fn wants_url_channels(&self) -> bool {
        matches!(self, DialError::Refused { code: 1008, message } if message == "Missing channels")
    }
}

fn realtime_url(transport: &Transport, channels: &[String]) -> String {
    let endpoint = transport
        .endpoint
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("project", &transport.project);
    for channel in channels {
        query.append_pair("channels[]", channel);
    }
    format!("{endpoint}/realtime?{}", query.finish())
}

async fn within<F: std::future::Future>(step: &'static str, future: F) -> Result<F::Output, DialError> {
    tokio::time::timeout(STEP_TIMEOUT, future)
        .await
        .map_err(|_| DialError::TimedOut(step))
}

// A half-open connection must be noticed even when the application-level ping cannot be sent
// (a full send buffer): keepalive probes let the kernel give up on the peer.
fn keep_alive(tcp: &TcpStream, options: &RealtimeOptions) {
    let idle = options.ping_interval.max(Duration::from_secs(1));
    let probes = socket2::TcpKeepalive::new()
        .with_time(idle)
        .with_interval((idle / 4).max(Duration::from_secs(1)));
    if let Err(err) = socket2::SockRef::from(tcp).set_tcp_keepalive(&probes) {
        tracing::debug!(%err, "cannot enable TCP keepalive on the realtime socket");
    }
    let _ = tcp.set_nodelay(true);
}

/// Opens a socket subscribed to `url_channels` (empty on the message protocol).
pub(crate) async fn connect(
    transport: &Transport,
    identity: Option<&ServiceIdentity>,
    options: &RealtimeOptions,
    url_channels: &[String],
) -> Result<Socket, DialError> {
    let mut request = realtime_url(transport, url_channels)
        .into_client_request()
        .map_err(|e| DialError::Endpoint(e.to_string()))?;
    if let Some(identity) = identity {
        let jwt = identity.mint(transport).await.map_err(DialError::Identity)?;
        let value = jwt.parse().map_err(|_| {
            DialError::Identity(crate::Error::Config {
                setting: "jwt",
                reason: "the minted JWT is not a header value".to_owned(),
            })
        })?;
        request.headers_mut().insert("X-Appwrite-JWT", value);
    }
    let uri = request.uri();
    let host = uri
        .host()
        .ok_or_else(|| DialError::Endpoint("no host".to_owned()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("wss") { 443 } else { 80 });
    let tcp = within("connecting", TcpStream::connect((host.as_str(), port)))
        .await?
        .map_err(|e| DialError::Unreachable(e.to_string()))?;
    keep_alive(&tcp, options);
    let handshake = tokio_tungstenite::client_async_tls_with_config(request, tcp, None, None);
    let (mut socket, _) = within("in the WebSocket handshake", handshake)
        .await?
        .map_err(|e| DialError::Unreachable(e.to_string()))?;
    // The server speaks first: `connected`, or an error frame before closing.
    let first = match within("waiting for `connected`", socket.next()).await? {
        Some(Ok(Message::Text(text))) => text,
        _ => return Err(DialError::ClosedEarly),
    };
    match protocol::parse(first.clone()) {
        Frame::Connected { user_id } => match identity {
            Some(identity) if user_id.as_deref() != Some(identity.user_id.as_str()) => {
                let _ = socket.close(None).await;
                Err(DialError::WrongUser {
                    expected: identity.user_id.clone(),
                    connected_as: user_id,
                })
            }
            _ => Ok(socket),
        },
        Frame::Error { code, message } => Err(DialError::Refused { code, message }),
        _ => Err(DialError::UnexpectedFrame(
            first.as_str().chars().take(200).collect(),
        )),
    }
}

/// Sends one message, giving up after `limit`: on a connection that stopped forwarding, a
/// send blocks once the kernel's buffer is full, and nothing else may wait behind it.
pub(crate) async fn send(socket: &mut Socket, message: Message, limit: Duration) -> bool {
    matches!(
        tokio::time::timeout(limit, socket.send(message)).await,
        Ok(Ok(()))
    )
}
