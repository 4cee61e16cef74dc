//! Fault hooks for tests of clients: fail REST requests, hold them until released, hold realtime events
//! and publish them late or out of order, register subscriptions late, and connect sockets as
//! a guest whatever their JWT (as Appwrite does when a JWT's session is gone).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{mpsc, oneshot};

use crate::realtime::Event;

/// The hooks' state, owned by the server's shared state.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// Realtime events held back instead of published, while `Some`.
    held_events: Mutex<Option<Vec<Arc<Event>>>>,
    guest_downgrades: AtomicUsize,
    registration_delay_ms: AtomicU64,
    request_holds: Mutex<Vec<(String, mpsc::UnboundedSender<HeldRequest>)>>,
    /// Requests to answer with a server error: (path part, how many more).
    failures: Mutex<Vec<(String, usize)>>,
    /// Whether a request hook was ever set: until then, requests pass without being looked at.
    requests_armed: std::sync::atomic::AtomicBool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// In which order held realtime events go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// In commit order.
    InOrder,
    /// Newest first.
    Reversed,
}

impl Faults {
    /// Publishes `event` now, or holds it while events are held. Called in commit order.
    pub(crate) fn publish(&self, event: Event, send: impl FnOnce(Arc<Event>)) {
        let mut held = lock(&self.held_events);
        match held.as_mut() {
            Some(held) => held.push(Arc::new(event)),
            None => send(Arc::new(event)),
        }
    }

    pub(crate) fn hold_events(&self) {
        lock(&self.held_events).get_or_insert_with(Vec::new);
    }

    /// Stops holding; returns what was held, in the order to publish it.
    pub(crate) fn release_events(&self, order: Release) -> Vec<Arc<Event>> {
        let mut events = lock(&self.held_events).take().unwrap_or_default();
        if order == Release::Reversed {
            events.reverse();
        }
        events
    }

    pub(crate) fn downgrade_next(&self, sockets: usize) {
        self.guest_downgrades.store(sockets, Ordering::SeqCst);
    }

    /// Whether this new socket is to be connected as a guest.
    pub(crate) fn take_downgrade(&self) -> bool {
        self.guest_downgrades
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    pub(crate) fn set_registration_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.registration_delay_ms.store(ms, Ordering::SeqCst);
    }

    pub(crate) fn registration_delay(&self) -> Duration {
        Duration::from_millis(self.registration_delay_ms.load(Ordering::SeqCst))
    }

    pub(crate) fn fail_requests(&self, path_contains: String, count: usize) {
        lock(&self.failures).push((path_contains, count));
    }

    /// Whether this request is to fail, counting it.
    fn fails(&self, uri: &str) -> bool {
        let mut failures = lock(&self.failures);
        let Some(failure) = failures
            .iter_mut()
            .find(|(path, left)| *left > 0 && uri.contains(path.as_str()))
        else {
            return false;
        };
        failure.1 -= 1;
        failures.retain(|(_, left)| *left > 0);
        true
    }

    pub(crate) fn hold_requests(&self, path_contains: String) -> RequestHold {
        self.requests_armed.store(true, Ordering::SeqCst);
        let (tx, rx) = mpsc::unbounded_channel();
        let mut holds = lock(&self.request_holds);
        holds.retain(|(_, tx)| !tx.is_closed());
        holds.push((path_contains, tx));
        RequestHold { held: rx }
    }

    /// The release of a request that a hold matches, if one does.
    fn hold(&self, uri: &str) -> Option<oneshot::Receiver<()>> {
        let holds = lock(&self.request_holds);
        let (_, tx) = holds
            .iter()
            .find(|(path, tx)| !tx.is_closed() && uri.contains(path.as_str()))?;
        let (release, released) = oneshot::channel();
        tx.send(HeldRequest {
            uri: uri.to_owned(),
            release,
        })
        .ok()?;
        Some(released)
    }
}

/// REST requests whose path and query contain a string, held until released; see
/// [`Emulator::hold_requests`](crate::Emulator::hold_requests). Dropping it lets every later
/// request through.
#[derive(Debug)]
pub struct RequestHold {
    held: mpsc::UnboundedReceiver<HeldRequest>,
}

impl RequestHold {
    /// Waits for the next matching request, now held.
    pub async fn next(&mut self) -> HeldRequest {
        self.held
            .recv()
            .await
            .expect("the emulator keeps the hold while it runs")
    }
}

/// One held request: released when this is released or dropped.
#[derive(Debug)]
pub struct HeldRequest {
    uri: String,
    release: oneshot::Sender<()>,
}

impl HeldRequest {
    /// The request's path and query, percent-decoded.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Lets the request through.
    pub fn release(self) {
        let _ = self.release.send(());
    }
}

/// The middleware that holds matching requests.
pub(crate) async fn hold_matching(
    State(faults): State<Arc<Faults>>,
    request: Request,
    next: Next,
) -> Response {
    let uri = request.uri().to_string();
    let decoded = percent_decode(&uri);
    if faults.fails(&decoded) {
        return crate::error::ApiError::internal("a fault injected by the test").into_response();
    }
    if let Some(released) = faults.hold(&decoded) {
        // Released or dropped: either way the request goes on.
        let _ = released.await;
    }
    next.run(request).await
}

fn percent_decode(text: &str) -> String {
    let pairs = form_urlencoded::parse(text.as_bytes());
    let mut decoded = String::with_capacity(text.len());
    for (i, (key, value)) in pairs.enumerate() {
        if i > 0 {
            decoded.push('&');
        }
        decoded.push_str(&key);
        if !value.is_empty() {
            decoded.push('=');
            decoded.push_str(&value);
        }
    }
    decoded
}
