//! Realtime subscription queries, evaluated against an event's document: the subset Appwrite
//! allows there (equal, notEqual, lessThan(Equal), greaterThan(Equal), isNull, isNotNull, and, or).

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

pub(super) use crate::query::matches_all;

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
