//! The public types can cross threads as a server needs them to: clients and handles are
//! `Send + Sync` (shared between tasks), streams and the futures of every async method are
//! `Send` (spawned on a multi-threaded runtime). A change that breaks this fails to compile here.

#![allow(dead_code)]

use appwrite_orm::{
    CachedCollection, Collection, CollectionEvent, CollectionHandle, CollectionSubscription, ConnectionState,
    Database, Document, Error, Event, ListenError, ListenerHandle, Orm, Query, RealtimeOptions,
    ServiceIdentity, Subscription, WorkQueue,
};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "things")]
struct Thing {
    name: String,
}

fn send_sync<T: Send + Sync>() {}
fn send<T: Send>() {}
fn send_future<F: std::future::Future + Send>(_: F) {}

#[test]
fn shared_types_are_send_and_sync() {
    send_sync::<Orm>();
    send_sync::<Database>();
    send_sync::<CollectionHandle<Thing>>();
    send_sync::<CachedCollection<Thing>>();
    send_sync::<Document<Thing>>();
    send_sync::<Event<Thing>>();
    send_sync::<CollectionEvent<Thing>>();
    send_sync::<ListenerHandle>();
    send_sync::<WorkQueue>();
    send_sync::<Query>();
    send_sync::<RealtimeOptions>();
    send_sync::<ServiceIdentity>();
    send_sync::<ConnectionState>();
    send_sync::<Error>();
    send_sync::<ListenError>();
}

#[test]
fn streams_are_send() {
    send::<Subscription<Thing>>();
    send::<CollectionSubscription<Thing>>();
}

// Never called: it only has to compile.
fn futures_are_send(orm: Orm, things: CollectionHandle<Thing>, subscription: Subscription<Thing>) {
    send_future(std::future::IntoFuture::into_future(
        orm.connect().register::<Thing>().auto_migrate(true),
    ));
    send_future(things.create(&Thing { name: String::new() }));
    send_future(things.get("id"));
    send_future(things.find([Query::limit(1)]));
    send_future(things.count([]));
    send_future(things.delete("id"));
    send_future(subscription.ready());
    send_future(orm.shutdown(std::time::Duration::ZERO));
}
