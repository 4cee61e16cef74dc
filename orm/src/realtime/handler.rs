//! Callback-style listeners: an async handler per event, with errors and panics captured, an
//! optional retry policy and a dead-letter sink, stopped by a handle or by a graceful shutdown.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::{FutureExt, Stream, StreamExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::outcome::HandlerOutcome;
use super::ready::Ready;
use super::{Event, ListenError};

pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How often a failing handler is retried before its event goes to the dead-letter sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 = no retry).
    pub max_attempts: u32,
    /// The delay before the first retry; it doubles per retry.
    pub base_delay: Duration,
    /// The largest delay.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// No retries.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };

    /// `attempts` in all, with exponential backoff from `base_delay` up to `max_delay` (each
    /// delay spread at random over its upper half, so that many failing handlers do not retry
    /// in lockstep).
    pub fn exponential(attempts: u32, base_delay: Duration, max_delay: Duration) -> Self {
        RetryPolicy {
            max_attempts: attempts.max(1),
            base_delay,
            max_delay: max_delay.max(base_delay),
        }
    }

    fn delay(&self, retry: u32) -> Duration {
        crate::backoff::delay(retry, self.base_delay, self.max_delay)
    }
}

/// An event whose handler failed on every attempt.
#[derive(Debug)]
pub struct DeadLetter<T> {
    /// The event.
    pub event: Arc<Event<T>>,
    /// The last error (a panic's message included).
    pub error: String,
    /// How many attempts were made.
    pub attempts: u32,
}

type DeadLetterFn<T> = Arc<dyn Fn(DeadLetter<T>) -> BoxFuture + Send + Sync>;
pub(crate) type ErrorFn = Arc<dyn Fn(&ListenError) + Send + Sync>;

/// Options of [`CollectionHandle::on_documents_with`](crate::CollectionHandle::on_documents_with).
pub struct HandlerOptions<T> {
    pub(crate) retry: RetryPolicy,
    pub(crate) dead_letter: Option<DeadLetterFn<T>>,
    pub(crate) on_listen_error: Option<ErrorFn>,
}

impl<T> Default for HandlerOptions<T> {
    fn default() -> Self {
        HandlerOptions {
            retry: RetryPolicy::NONE,
            dead_letter: None,
            on_listen_error: None,
        }
    }
}

impl<T> fmt::Debug for HandlerOptions<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerOptions")
            .field("retry", &self.retry)
            .field("dead_letter", &self.dead_letter.is_some())
            .finish()
    }
}

impl<T> HandlerOptions<T> {
    /// Retries a failing handler.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Receives events whose handler failed on every attempt (store them in a dead-letter
    /// collection, say). Without a sink they are logged and dropped.
    pub fn dead_letter<F, Fut>(mut self, sink: F) -> Self
    where
        F: Fn(DeadLetter<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.dead_letter = Some(Arc::new(move |letter| Box::pin(sink(letter))));
        self
    }

    /// Sees the listener's own reports: lags, gaps, payloads that do not decode, malformed
    /// frames. Without it they are logged.
    pub fn on_listen_error(mut self, report: impl Fn(&ListenError) + Send + Sync + 'static) -> Self {
        self.on_listen_error = Some(Arc::new(report));
        self
    }
}

/// Counters of a callback listener.
#[derive(Debug, Default)]
pub struct HandlerStats {
    handled: AtomicU64,
    failed_attempts: AtomicU64,
    dead_lettered: AtomicU64,
    in_flight: AtomicU64,
}

impl HandlerStats {
    /// Events whose handler succeeded.
    pub fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    /// Attempts that failed (errors and panics), retried or not.
    pub fn failed_attempts(&self) -> u64 {
        self.failed_attempts.load(Ordering::Relaxed)
    }

    /// Events given up on, counted after the dead-letter sink has finished with them.
    pub fn dead_lettered(&self) -> u64 {
        self.dead_lettered.load(Ordering::Relaxed)
    }

    /// Handlers running now (0 or 1: a listener handles its events in order).
    pub fn in_flight(&self) -> u64 {
        self.in_flight.load(Ordering::Relaxed)
    }
}

/// A running callback listener. `unsubscribe()` (or dropping the handle) stops it after the
/// handler in flight, if any, has finished.
pub struct ListenerHandle {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    stats: Arc<HandlerStats>,
    ready: Ready,
}

impl fmt::Debug for ListenerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListenerHandle")
            .field("stats", &self.stats)
            .finish()
    }
}

impl ListenerHandle {
    /// The listener's counters.
    pub fn stats(&self) -> Arc<HandlerStats> {
        Arc::clone(&self.stats)
    }

    /// Waits until the server has registered the listener's subscription; see
    /// [`Subscription::ready`](crate::Subscription::ready).
    pub fn ready(&self) -> impl std::future::Future<Output = crate::Result<()>> + Send + 'static {
        self.ready.wait()
    }

    /// Stops listening and waits until the handler in flight has finished.
    pub async fn unsubscribe(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// What the [`Orm`](crate::Orm) keeps of every callback listener, for `close_listeners` and
/// `shutdown`.
#[derive(Default)]
pub(crate) struct Registry {
    listeners: Mutex<Vec<Weak<Control>>>,
}

pub(crate) struct Control {
    stop: watch::Sender<bool>,
    finished: watch::Receiver<bool>,
}

impl Registry {
    fn register(&self, control: &Arc<Control>) {
        let mut listeners = self.listeners.lock().unwrap_or_else(|e| e.into_inner());
        listeners.retain(|w| w.strong_count() > 0);
        listeners.push(Arc::downgrade(control));
    }

    /// Tells every listener to stop; returns how to wait for them.
    pub(crate) fn stop_all(&self) -> Vec<watch::Receiver<bool>> {
        let listeners = self.listeners.lock().unwrap_or_else(|e| e.into_inner());
        listeners
            .iter()
            .filter_map(Weak::upgrade)
            .map(|control| {
                let _ = control.stop.send(true);
                control.finished.clone()
            })
            .collect()
    }
}

/// Waits until every listener has finished, or the deadline passes; `true` when all finished.
pub(crate) async fn drain(mut finished: Vec<watch::Receiver<bool>>, deadline: Duration) -> bool {
    let all = async {
        for receiver in &mut finished {
            let _ = receiver.wait_for(|done| *done).await;
        }
    };
    tokio::time::timeout(deadline, all).await.is_ok()
}

/// An event to handle, and what to do once it has been handled (or given up on).
pub(crate) struct Delivery<T> {
    pub(crate) event: Event<T>,
    pub(crate) then: Option<BoxFuture>,
}

impl<T> Delivery<T> {
    pub(crate) fn plain(event: Event<T>) -> Self {
        Delivery { event, then: None }
    }
}

pub(crate) fn spawn<T, S, F, Fut>(
    registry: &Registry,
    events: S,
    ready: Ready,
    handler: F,
    options: HandlerOptions<T>,
    finish: Option<BoxFuture>,
) -> ListenerHandle
where
    T: Send + Sync + 'static,
    S: Stream<Item = Result<Delivery<T>, ListenError>> + Send + Unpin + 'static,
    F: Fn(Arc<Event<T>>) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutcome,
{
    let (stop, mut stopped) = watch::channel(false);
    let (finished_tx, finished) = watch::channel(false);
    let control = Arc::new(Control {
        stop: stop.clone(),
        finished,
    });
    registry.register(&control);
    let stats = Arc::new(HandlerStats::default());
    let task_stats = Arc::clone(&stats);
    let task = tokio::spawn(async move {
        // The control lives as long as the task, so the registry sees it until it finishes.
        let _control = control;
        let mut events = events;
        loop {
            let item = tokio::select! {
                // Stopping wins over a waiting event, never over a running handler.
                biased;
                _ = stopped.wait_for(|stop| *stop) => break,
                item = events.next() => item,
            };
            let Some(item) = item else { break };
            match item {
                Ok(Delivery { event, then }) => {
                    handle(Arc::new(event), &handler, &options, &task_stats).await;
                    if let Some(then) = then {
                        then.await;
                    }
                }
                Err(report) => match &options.on_listen_error {
                    Some(callback) => callback(&report),
                    None => tracing::warn!(%report, "listener report"),
                },
            }
        }
        // What the stream held goes first: `finish` may wait for it to be gone.
        drop(events);
        if let Some(finish) = finish {
            finish.await;
        }
        let _ = finished_tx.send(true);
    });
    ListenerHandle {
        stop,
        task: Some(task),
        stats,
        ready,
    }
}

async fn handle<T, F, Fut>(
    event: Arc<Event<T>>,
    handler: &F,
    options: &HandlerOptions<T>,
    stats: &HandlerStats,
) where
    F: Fn(Arc<Event<T>>) -> Fut,
    Fut: Future,
    Fut::Output: HandlerOutcome,
{
    stats.in_flight.fetch_add(1, Ordering::Relaxed);
    let mut attempt = 0;
    let outcome = loop {
        attempt += 1;
        let error = match AssertUnwindSafe(handler(Arc::clone(&event))).catch_unwind().await {
            Ok(outcome) => match outcome.into_result() {
                Ok(()) => break Ok(()),
                Err(err) => err.to_string(),
            },
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a non-string panic".to_owned());
                format!("the handler panicked: {message}")
            }
        };
        stats.failed_attempts.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(document = event.document.id(), attempt, %error, "event handler failed");
        if attempt >= options.retry.max_attempts {
            break Err(error);
        }
        tokio::time::sleep(options.retry.delay(attempt)).await;
    };
    match outcome {
        Ok(()) => {
            stats.handled.fetch_add(1, Ordering::Relaxed);
        }
        Err(error) => {
            match &options.dead_letter {
                Some(sink) => {
                    sink(DeadLetter {
                        event,
                        error,
                        attempts: attempt,
                    })
                    .await
                }
                None => tracing::error!(%error, attempts = attempt, "event dropped after its handler failed"),
            }
            // Counted once the sink is done with it, so a count means "stored".
            stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
        }
    }
    stats.in_flight.fetch_sub(1, Ordering::Relaxed);
}
