//! Typed projections: a struct holding some of a collection's fields, read with a `select`
//! query so that only those attributes travel.

use serde::de::DeserializeOwned;

use crate::{Collection, Field};

/// A partial view of collection [`Projection::Of`], read by
/// [`CollectionHandle::find_as`](crate::CollectionHandle::find_as). Derive it:
///
/// ```
/// use appwrite_orm::{Collection, Projection};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Collection, Serialize, Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// #[collection(id = "orders", rename_all = "camelCase")]
/// struct Order {
///     user_id: String,
///     total: f64,
///     note: Option<String>,
///     lines: Vec<String>,
/// }
///
/// // Same field names, types and serde renames as in `Order`; any subset of its fields.
/// #[derive(Projection, Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// #[projection(of = Order)]
/// struct OrderTotal {
///     user_id: String,
///     total: f64,
/// }
///
/// assert_eq!(OrderTotal::KEYS, ["userId", "total"]);
/// ```
///
/// Each field must be one of the collection's, with its type (or that type in an `Option`) and
/// its key; otherwise it does not compile:
///
/// ```compile_fail
/// # use appwrite_orm::{Collection, Projection};
/// # use serde::{Deserialize, Serialize};
/// #[derive(Collection, Serialize, Deserialize)]
/// #[collection(id = "orders")]
/// struct Order { total: f64 }
///
/// #[derive(Projection, Deserialize)]
/// #[projection(of = Order)]
/// struct OrderTotal { total: String }
/// ```
pub trait Projection: DeserializeOwned + Send + 'static {
    /// The collection this is a view of.
    type Of: Collection;
    /// The attribute keys it reads, in field order.
    const KEYS: &'static [&'static str];
}

/// A projection's field type able to hold the collection's attribute of type `V`: `V` itself, or
/// `Option<V>`.
#[diagnostic::on_unimplemented(
    message = "a projection field of type `{Self}` cannot hold the collection's `{V}`",
    label = "use `{V}` or `Option<{V}>`"
)]
pub trait Holds<V> {}

impl<V> Holds<V> for V {}

impl<V> Holds<V> for Option<V> {}

impl<C, V> Field<C, V> {
    /// Whether a projection field of type `P` with serde key `key` reads this attribute: `P`
    /// can hold its values (a bound, so a wrong type does not compile) and the keys agree. The
    /// `Projection` derive evaluates it at compile time for each field.
    pub const fn read_by<P: Holds<V>>(self, key: &str) -> bool {
        crate::schema::str_eq(self.key(), key)
    }
}
