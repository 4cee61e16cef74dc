//! Typed partial updates.

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde_json::{Map, Value};

/// The attributes to change in one document of collection `C`; only the keys set are sent.
///
/// Build it with the `<Struct>Patch` builder that `#[derive(Collection)]` generates:
///
/// ```
/// use appwrite_orm::{Collection, Patch};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Collection, Serialize, Deserialize)]
/// #[collection(id = "orders")]
/// struct Order {
///     total: f64,
///     attempts: u8,
///     note: Option<String>,
/// }
///
/// let patch: Patch<Order> = Order::patch().attempts(2).note(None).into();
/// assert_eq!(patch.to_json(), serde_json::json!({"attempts": 2, "note": null}));
/// ```
///
/// A value of the wrong type does not compile:
///
/// ```compile_fail
/// # use appwrite_orm::Collection;
/// # use serde::{Deserialize, Serialize};
/// #[derive(Collection, Serialize, Deserialize)]
/// #[collection(id = "orders")]
/// struct Order { attempts: u8 }
///
/// let patch = Order::patch().attempts("two");
/// ```
pub struct Patch<C> {
    data: Map<String, Value>,
    collection: PhantomData<fn() -> C>,
}

impl<C> Patch<C> {
    /// An empty patch.
    pub fn new() -> Self {
        Patch {
            data: Map::new(),
            collection: PhantomData,
        }
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The keys and values set, as sent in the `data` of an update.
    pub fn data(&self) -> &Map<String, Value> {
        &self.data
    }

    /// The `data` object of the update request.
    pub fn to_json(&self) -> Value {
        Value::Object(self.data.clone())
    }

    #[doc(hidden)]
    pub fn __set<V: Serialize + ?Sized>(&mut self, key: &'static str, value: &V) {
        // Every type the derive accepts (strings, numbers, booleans, datetimes, unit enums and
        // their Option/Vec) serializes to JSON infallibly; a failure here is a bug in a
        // hand-written Serialize impl, reported as null rather than a panic.
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.data.insert(key.to_owned(), value);
    }
}

impl<C> Default for Patch<C> {
    fn default() -> Self {
        Patch::new()
    }
}

impl<C> Clone for Patch<C> {
    fn clone(&self) -> Self {
        Patch {
            data: self.data.clone(),
            collection: PhantomData,
        }
    }
}

impl<C> fmt::Debug for Patch<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Patch").field(&self.data).finish()
    }
}

impl<C> PartialEq for Patch<C> {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
    }
}
