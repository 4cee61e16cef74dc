use chrono::{DateTime, Utc};
use serde_json::Value;

/// A value that can be compared with an attribute in a query.
///
/// Implemented for the scalar types `#[derive(Collection)]` maps to attributes, and by
/// `#[derive(AttributeEnum)]` for enums.
pub trait QueryValue {
    /// The value as it appears in a query's `values`.
    fn to_query_value(&self) -> Value;
}

macro_rules! via_into {
    ($($ty:ty),*) => {$(
        impl QueryValue for $ty {
            fn to_query_value(&self) -> Value {
                Value::from(*self)
            }
        }
    )*};
}

via_into!(bool, i8, i16, i32, i64, u8, u16, u32, f32, f64);

impl QueryValue for String {
    fn to_query_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl QueryValue for DateTime<Utc> {
    fn to_query_value(&self) -> Value {
        Value::String(crate::datetime::format(self))
    }
}
