//! Whether the server has registered a subscription yet: set by the connection task, awaited by
//! the subscription's handles. Kept small on purpose — every subscription carries one.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

const PENDING: u8 = 0;
const REGISTERED: u8 = 1;
const CLOSED: u8 = 2;

struct Shared {
    state: AtomicU8,
    notify: Notify,
}

/// The connection task's side. Dropping it before [`Registration::set`] (the connection shut
/// down, or the subscription was removed) wakes every waiter with an error.
pub(crate) struct Registration(Arc<Shared>);

/// A handle's side.
#[derive(Clone)]
pub(crate) struct Ready(Arc<Shared>);

impl std::fmt::Debug for Ready {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.0.state.load(Ordering::Acquire) {
            REGISTERED => "registered",
            CLOSED => "closed",
            _ => "pending",
        };
        f.write_str(state)
    }
}

pub(crate) fn pair() -> (Registration, Ready) {
    let shared = Arc::new(Shared {
        state: AtomicU8::new(PENDING),
        notify: Notify::new(),
    });
    (Registration(Arc::clone(&shared)), Ready(shared))
}

impl Registration {
    pub(crate) fn set(&self) {
        if self.0.state.swap(REGISTERED, Ordering::AcqRel) != REGISTERED {
            self.0.notify.notify_waiters();
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if self
            .0
            .state
            .compare_exchange(PENDING, CLOSED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.0.notify.notify_waiters();
        }
    }
}

impl Ready {
    /// Resolves once registered; fails if the connection closed first. The future owns its
    /// copy of the flag rather than borrowing a handle, so it is `Send + 'static` even where the
    /// handle (a stream) is not `Sync`.
    pub(crate) fn wait(&self) -> impl std::future::Future<Output = crate::Result<()>> + Send + 'static {
        let ready = self.clone();
        async move { ready.registered().await }
    }

    async fn registered(&self) -> crate::Result<()> {
        loop {
            // Registered before the state is read, so a `set` in between still wakes this.
            let notified = self.0.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.0.state.load(Ordering::Acquire) {
                REGISTERED => return Ok(()),
                CLOSED => {
                    // Closed before the server registered the subscription.
                    return Err(crate::Error::RealtimeClosed);
                }
                _ => notified.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_wake_on_registration_and_on_close() {
        let (registration, ready) = pair();
        let waiter = tokio::spawn({
            let ready = ready.clone();
            async move { ready.wait().await }
        });
        tokio::task::yield_now().await;
        registration.set();
        assert!(waiter.await.unwrap().is_ok());
        assert!(ready.wait().await.is_ok());
        drop(registration);
        assert!(
            ready.wait().await.is_ok(),
            "a registration that happened stays true"
        );

        let (registration, ready) = pair();
        let waiter = tokio::spawn(async move { ready.wait().await });
        tokio::task::yield_now().await;
        drop(registration);
        assert!(waiter.await.unwrap().is_err());
    }
}
