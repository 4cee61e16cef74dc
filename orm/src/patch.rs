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

/// A value a patch setter of an optional attribute (`Option<T>` field) accepts: the value itself,
/// `None` to clear it, an `Option<T>`, and for strings `&str` and `&String` too — so
/// `Ticket::patch().note("x")` works as `Ticket::patch().title("x")` does on a `String` field.
///
/// ```
/// use appwrite_orm::{Collection, Patch};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Collection, Serialize, Deserialize)]
/// #[collection(id = "tickets")]
/// struct Ticket {
///     note: Option<String>,
///     retries: Option<i32>,
/// }
///
/// let kept: Option<String> = Some("later".into());
/// let patch: Patch<Ticket> = Ticket::patch().note("x").retries(3).into();
/// assert_eq!(patch.to_json(), serde_json::json!({"note": "x", "retries": 3}));
/// let patch: Patch<Ticket> = Ticket::patch().note(kept).retries(None).into();
/// assert_eq!(patch.to_json(), serde_json::json!({"note": "later", "retries": null}));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot set an optional `{T}` attribute",
    label = "expected a `{T}`, an `Option<{T}>` or `None`"
)]
pub trait IntoOptional<T> {
    /// The value to store; `None` stores `null`.
    fn into_optional(self) -> Option<T>;
}

impl<T> IntoOptional<T> for Option<T> {
    fn into_optional(self) -> Option<T> {
        self
    }
}

impl<E: crate::AttributeEnum> IntoOptional<E> for E {
    fn into_optional(self) -> Option<E> {
        Some(self)
    }
}

macro_rules! into_optional_as_is {
    ($($ty:ty),*) => {$(
        impl IntoOptional<$ty> for $ty {
            fn into_optional(self) -> Option<$ty> {
                Some(self)
            }
        }
    )*};
}

into_optional_as_is!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    f32,
    f64,
    chrono::DateTime<chrono::Utc>
);

impl IntoOptional<String> for &str {
    fn into_optional(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl IntoOptional<String> for &String {
    fn into_optional(self) -> Option<String> {
        Some(self.clone())
    }
}
