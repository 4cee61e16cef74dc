//! Realtime subscription queries, evaluated against an event's document: the subset Appwrite
//! allows there (equal, notEqual, lessThan(Equal), greaterThan(Equal), isNull, isNotNull, and, or).

use std::cmp::Ordering;

use serde_json::Value;

use crate::query::{Method, Query};

/// Why a subscription query is refused.
pub(super) fn check(query: &Query) -> Result<(), String> {
    match query {
        Query::Filter { method, .. } => match method {
            Method::Equal
            | Method::NotEqual
            | Method::LessThan
            | Method::LessThanEqual
            | Method::GreaterThan
            | Method::GreaterThanEqual
            | Method::IsNull
            | Method::IsNotNull => Ok(()),
            other => Err(format!(
                "Query method {} is not supported in realtime subscriptions",
                other.name()
            )),
        },
        Query::Logical { queries, .. } => queries.iter().try_for_each(check),
        Query::Select(keys) if keys.iter().all(|k| k == "*") => Ok(()),
        _ => Err("Only filter queries are supported in realtime subscriptions".to_owned()),
    }
}

/// Whether `document` satisfies every query.
pub(super) fn matches_all(queries: &[Query], document: &Value) -> bool {
    queries.iter().all(|q| matches(q, document))
}

fn matches(query: &Query, document: &Value) -> bool {
    match query {
        Query::Logical { all: true, queries } => queries.iter().all(|q| matches(q, document)),
        Query::Logical { all: false, queries } => queries.iter().any(|q| matches(q, document)),
        Query::Filter {
            method,
            attribute,
            values,
        } => {
            let value = document.get(attribute).unwrap_or(&Value::Null);
            let first = values.first().unwrap_or(&Value::Null);
            match method {
                Method::Equal => values.iter().any(|v| equal(value, v)),
                Method::NotEqual => !value.is_null() && !equal(value, first),
                Method::LessThan => compare(value, first) == Some(Ordering::Less),
                Method::LessThanEqual => {
                    matches!(compare(value, first), Some(Ordering::Less | Ordering::Equal))
                }
                Method::GreaterThan => compare(value, first) == Some(Ordering::Greater),
                Method::GreaterThanEqual => {
                    matches!(compare(value, first), Some(Ordering::Greater | Ordering::Equal))
                }
                Method::IsNull => value.is_null(),
                Method::IsNotNull => !value.is_null(),
                _ => false,
            }
        }
        _ => true,
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;
    use serde_json::json;

    #[test]
    fn subscription_queries_filter_documents() {
        let doc = json!({"status": "paid", "total": 12.5, "note": null});
        let q = |text: &str| parse(text).unwrap();
        assert!(matches_all(
            &[q(
                r#"{"method":"equal","attribute":"status","values":["paid","sent"]}"#
            )],
            &doc
        ));
        assert!(!matches_all(
            &[q(r#"{"method":"greaterThan","attribute":"total","values":[20]}"#)],
            &doc
        ));
        assert!(matches_all(
            &[q(r#"{"method":"isNull","attribute":"note"}"#)],
            &doc
        ));
        assert!(matches_all(
            &[q(
                r#"{"method":"or","values":[{"method":"lessThan","attribute":"total","values":[5]},{"method":"equal","attribute":"status","values":["paid"]}]}"#
            )],
            &doc
        ));
        assert!(check(&q(r#"{"method":"search","attribute":"x","values":["a"]}"#)).is_err());
        assert!(check(&q(r#"{"method":"limit","values":[1]}"#)).is_err());
    }
}
