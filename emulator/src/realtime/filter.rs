//! Realtime subscription queries, evaluated against an event's document: the subset Appwrite
//! allows there (equal, notEqual, lessThan(Equal), greaterThan(Equal), isNull, isNotNull, and, or).

use crate::query::{Method, Query};

/// The methods Appwrite allows in realtime queries, in its order (`RuntimeQuery::ALLOWED_QUERIES`).
const ALLOWED: &str = "equal, notEqual, lessThan, lessThanEqual, greaterThan, greaterThanEqual, isNull, isNotNull, and, or, select";

/// Why a subscription query is refused, in Appwrite's words (a `subscribe` message's error
/// puts `Invalid query: ` before them, a URL's does not).
pub(super) fn check(query: &Query) -> Result<(), String> {
    let refused = |method: &str| {
        Err(format!(
            "Query method '{method}' is not supported in Realtime queries. Allowed: {ALLOWED}"
        ))
    };
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
            other => refused(other.name()),
        },
        Query::Logical { queries, .. } => queries.iter().try_for_each(check),
        Query::Select(keys) if keys.iter().all(|k| k == "*") => Ok(()),
        Query::Select(_) => Err(
            "Only select(\"*\") is allowed in Realtime queries. select(\"*\") means \"listen to all events\"."
                .to_owned(),
        ),
        Query::Limit(_) => refused("limit"),
        Query::Offset(_) => refused("offset"),
        Query::Cursor { after: true, .. } => refused("cursorAfter"),
        Query::Cursor { after: false, .. } => refused("cursorBefore"),
        Query::Order { descending: false, .. } => refused("orderAsc"),
        Query::Order { descending: true, .. } => refused("orderDesc"),
        Query::OrderRandom => refused("orderRandom"),
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
