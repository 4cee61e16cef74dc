use chrono::{DateTime, Utc};
use serde_json::Value;

/// A value that can be compared with an attribute in a query.
///
/// Implemented for the scalar types `#[derive(Collection)]` maps to attributes, and by
/// `#[derive(AttributeEnum)]` for enums.
pub trait QueryValue {
    /// The value as it appears in a query's `values`.
    fn to_query_value(&self) -> Value;

    /// The value as an inclusive lower bound (`gte`, the low end of `between`) or an exclusive
    /// upper one (`lt`): for a value finer than the server stores, the next stored value above
    /// it, so that the comparison keeps its meaning. The same as
    /// [`to_query_value`](Self::to_query_value) for every type but datetimes.
    fn to_query_value_rounded_up(&self) -> Value {
        self.to_query_value()
    }
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

/// Appwrite stores datetimes to the millisecond: a value is sent truncated to it, which is
/// exact for `gt` and `lte`, and rounded up to the next millisecond for `gte` and `lt`, so that
/// `gte(t)` never matches a document stored before `t`.
impl QueryValue for DateTime<Utc> {
    fn to_query_value(&self) -> Value {
        Value::String(crate::datetime::format(self))
    }

    fn to_query_value_rounded_up(&self) -> Value {
        let millis = chrono::TimeDelta::milliseconds(1);
        let truncated = chrono::DurationRound::duration_trunc(*self, millis).unwrap_or(*self);
        let up = if truncated < *self {
            truncated + millis
        } else {
            truncated
        };
        Value::String(crate::datetime::format(&up))
    }
}
