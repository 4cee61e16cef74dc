use std::fmt;
use std::marker::PhantomData;

use super::{Query, QueryMethod, QueryValue};

/// A typed handle to one attribute of collection `C` whose values have type `V`.
///
/// `#[derive(Collection)]` generates one per field as an associated constant in
/// SCREAMING_SNAKE_CASE (`Order::STATUS`). For an `Option<T>` field `V` is `T`; for a `Vec<T>`
/// field `V` is `Vec<T>`, which only offers the queries Appwrite allows on arrays.
pub struct Field<C, V> {
    key: &'static str,
    types: PhantomData<fn() -> (C, V)>,
}

impl<C, V> Field<C, V> {
    #[doc(hidden)]
    pub const fn __new(key: &'static str) -> Self {
        Field {
            key,
            types: PhantomData,
        }
    }

    /// The attribute key.
    pub const fn key(&self) -> &'static str {
        self.key
    }

    fn query(&self, method: QueryMethod, values: Vec<serde_json::Value>) -> Query {
        Query::new(method, Some(self.key), values)
    }

    /// The attribute is null (`isNull`).
    pub fn is_null(&self) -> Query {
        self.query(QueryMethod::IsNull, Vec::new())
    }

    /// The attribute is not null (`isNotNull`).
    pub fn is_not_null(&self) -> Query {
        self.query(QueryMethod::IsNotNull, Vec::new())
    }

    /// Sort ascending by this attribute (`orderAsc`).
    pub fn order_asc(&self) -> Query {
        self.query(QueryMethod::OrderAsc, Vec::new())
    }

    /// Sort descending by this attribute (`orderDesc`).
    pub fn order_desc(&self) -> Query {
        self.query(QueryMethod::OrderDesc, Vec::new())
    }
}

macro_rules! one_value {
    ($($(#[$doc:meta])* $name:ident => $method:ident via $convert:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $name(&self, value: impl Into<V>) -> Query {
            self.query(QueryMethod::$method, vec![value.into().$convert()])
        }
    )*};
}

impl<C, V: QueryValue> Field<C, V> {
    one_value! {
        /// Equal to `value` (`equal`).
        eq => Equal via to_query_value,
        /// Not equal to `value` (`notEqual`).
        ne => NotEqual via to_query_value,
        /// Less than `value` (`lessThan`; a datetime finer than a millisecond is rounded up).
        lt => LessThan via to_query_value_rounded_up,
        /// Less than or equal to `value` (`lessThanEqual`).
        lte => LessThanEqual via to_query_value,
        /// Greater than `value` (`greaterThan`).
        gt => GreaterThan via to_query_value,
        /// Greater than or equal to `value` (`greaterThanEqual`; a datetime finer than a
        /// millisecond is rounded up).
        gte => GreaterThanEqual via to_query_value_rounded_up,
    }

    /// Equal to any of `values` (`equal` with several values).
    pub fn is_in(&self, values: impl IntoIterator<Item = impl Into<V>>) -> Query {
        self.query(
            QueryMethod::Equal,
            values.into_iter().map(|v| v.into().to_query_value()).collect(),
        )
    }

    /// Between `low` and `high`, both included (`between`).
    pub fn between(&self, low: impl Into<V>, high: impl Into<V>) -> Query {
        self.query(
            QueryMethod::Between,
            vec![
                low.into().to_query_value_rounded_up(),
                high.into().to_query_value(),
            ],
        )
    }

    /// Outside `low..=high` (`notBetween`, servers 1.8 and later).
    pub fn not_between(&self, low: impl Into<V>, high: impl Into<V>) -> Query {
        self.query(
            QueryMethod::NotBetween,
            vec![
                low.into().to_query_value_rounded_up(),
                high.into().to_query_value(),
            ],
        )
    }
}

macro_rules! text_value {
    ($($(#[$doc:meta])* $name:ident => $method:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $name(&self, text: impl Into<String>) -> Query {
            self.query(QueryMethod::$method, vec![serde_json::Value::String(text.into())])
        }
    )*};
}

impl<C> Field<C, String> {
    text_value! {
        /// Starts with `text` (`startsWith`).
        starts_with => StartsWith,
        /// Ends with `text` (`endsWith`).
        ends_with => EndsWith,
        /// Contains the substring `text` (`contains`).
        contains => Contains,
        /// Matches the fulltext search `text`; needs a fulltext index (`search`).
        search => Search,
        /// Does not start with `text` (`notStartsWith`, servers 1.8 and later).
        not_starts_with => NotStartsWith,
        /// Does not end with `text` (`notEndsWith`, servers 1.8 and later).
        not_ends_with => NotEndsWith,
        /// Does not contain `text` (`notContains`, servers 1.8 and later).
        not_contains => NotContains,
        /// Does not match the fulltext search `text` (`notSearch`, servers 1.8 and later).
        not_search => NotSearch,
    }
}

impl<C, T: QueryValue> Field<C, Vec<T>> {
    /// The array holds any of `values` (`contains`).
    pub fn contains(&self, values: impl IntoIterator<Item = impl Into<T>>) -> Query {
        self.query(
            QueryMethod::Contains,
            values.into_iter().map(|v| v.into().to_query_value()).collect(),
        )
    }

    /// The array holds none of `values` (`notContains`, servers 1.8 and later).
    pub fn not_contains(&self, values: impl IntoIterator<Item = impl Into<T>>) -> Query {
        self.query(
            QueryMethod::NotContains,
            values.into_iter().map(|v| v.into().to_query_value()).collect(),
        )
    }
}

impl<C, V> Clone for Field<C, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C, V> Copy for Field<C, V> {}

impl<C, V> fmt::Debug for Field<C, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Field").field(&self.key).finish()
    }
}
