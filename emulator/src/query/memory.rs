//! Queries over the lists of schema resources — databases, collections, attributes, indexes —
//! evaluated in memory, as Appwrite's list endpoints take them: filters and orders on a few
//! attributes (plus `$id`, `$createdAt`, `$updatedAt`), `limit` (25 by default), `offset`, a
//! cursor, and the `search` parameter where the route has one.

use std::cmp::Ordering;

use serde_json::Value;

use super::{Method, Query};
use crate::error::{ApiError, ApiResult, ErrorType};

/// Appwrite's default page size for lists.
const DEFAULT_LIMIT: i64 = 25;

/// What one list route allows.
pub(crate) struct ListSpec {
    /// Attributes its filters and orders may name, besides `$id`, `$createdAt`, `$updatedAt`.
    pub(crate) allowed: &'static [&'static str],
    /// The field a cursor names an item by (`$id`, or `key` for attributes and indexes).
    pub(crate) cursor_key: &'static str,
    /// The resource, for the cursor-not-found message.
    pub(crate) resource: &'static str,
    /// Whether the route takes `search` (over the id and the name).
    pub(crate) searchable: bool,
}

/// The page of `items` the queries select, and how many match in all.
pub(crate) fn page(
    items: Vec<Value>,
    queries: &[Query],
    search: Option<&str>,
    spec: &ListSpec,
) -> ApiResult<(Vec<Value>, usize)> {
    let (mut limit, mut offset, mut cursor, mut orders, mut filters) =
        (DEFAULT_LIMIT, 0, None, Vec::new(), Vec::new());
    for query in queries {
        match query {
            Query::Limit(n) => limit = *n,
            Query::Offset(n) => offset = *n,
            Query::Cursor { id, after } => cursor = Some((id.clone(), *after)),
            Query::Order {
                attribute,
                descending,
            } => {
                // No attribute orders by the internal sequence (creation order).
                if !attribute.is_empty() {
                    check_attribute(attribute, spec)?;
                }
                orders.push((attribute.clone(), *descending));
            }
            Query::Filter { .. } | Query::Logical { .. } => {
                check_filter(query, spec)?;
                filters.push(query.clone());
            }
            Query::Select(_) => return Err(invalid_method("select")),
            Query::OrderRandom => return Err(invalid_method("orderRandom")),
        }
    }
    let mut numbered: Vec<(usize, Value)> = items.into_iter().enumerate().collect();
    // A stable sort: ties keep creation order, as the server's internal sequence does.
    numbered.sort_by(|(i, a), (j, b)| {
        orders
            .iter()
            .fold(Ordering::Equal, |so_far, (attribute, descending)| {
                so_far.then_with(|| {
                    let order = if attribute.is_empty() {
                        i.cmp(j)
                    } else {
                        compare(a.get(attribute), b.get(attribute))
                    };
                    if *descending {
                        order.reverse()
                    } else {
                        order
                    }
                })
            })
    });
    let ordered: Vec<Value> = numbered.into_iter().map(|(_, item)| item).collect();
    let words: Vec<String> = search
        .filter(|_| spec.searchable)
        .map(|s| s.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default();
    // The cursor is a position in the ordered list, found whatever the filters say of it.
    let cursor_at = match &cursor {
        None => None,
        Some((id, after)) => {
            let at = ordered
                .iter()
                .position(|item| item.get(spec.cursor_key).and_then(Value::as_str) == Some(id.as_str()))
                .ok_or_else(|| {
                    ApiError::with(
                        ErrorType::general_cursor_not_found,
                        format!("{} '{id}' for the 'cursor' value not found.", spec.resource),
                    )
                })?;
            Some((at, *after))
        }
    };
    // `total` counts every match, whatever the cursor, offset and limit.
    let matching: Vec<(usize, Value)> = ordered
        .into_iter()
        .enumerate()
        .filter(|(_, item)| super::matches_all(&filters, item) && found(item, &words))
        .collect();
    let total = matching.len();
    let (skip, take) = (
        usize::try_from(offset).unwrap_or(0),
        usize::try_from(limit).unwrap_or(0),
    );
    let page: Vec<Value> = match cursor_at {
        None => matching
            .into_iter()
            .skip(skip)
            .take(take)
            .map(|(_, item)| item)
            .collect(),
        Some((at, true)) => matching
            .into_iter()
            .filter(|(i, _)| *i > at)
            .skip(skip)
            .take(take)
            .map(|(_, item)| item)
            .collect(),
        // Before the cursor: the nearest ones, still in order.
        Some((at, false)) => {
            let mut before: Vec<Value> = matching
                .into_iter()
                .filter(|(i, _)| *i < at)
                .rev()
                .skip(skip)
                .take(take)
                .map(|(_, item)| item)
                .collect();
            before.reverse();
            before
        }
    };
    Ok((page, total))
}

// Appwrite searches a resource's id and name.
fn found(item: &Value, words: &[String]) -> bool {
    if words.is_empty() {
        return true;
    }
    let text = ["$id", "name"]
        .iter()
        .filter_map(|key| item.get(*key).and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    words.iter().any(|word| text.contains(word.as_str()))
}

/// A schema list's queries are checked by the `queries` parameter's validator, so a method it
/// does not allow is a parameter error, not a query error.
fn invalid_method(method: &str) -> ApiError {
    ApiError::param("queries", format!("Invalid query method: {method}"))
}

fn check_attribute(attribute: &str, spec: &ListSpec) -> ApiResult<()> {
    if matches!(attribute, "$id" | "$createdAt" | "$updatedAt") || spec.allowed.contains(&attribute) {
        Ok(())
    } else {
        Err(ApiError::param(
            "queries",
            format!("Invalid query: Attribute not found in schema: {attribute}"),
        ))
    }
}

fn check_filter(query: &Query, spec: &ListSpec) -> ApiResult<()> {
    match query {
        Query::Logical { queries, .. } => queries.iter().try_for_each(|q| check_filter(q, spec)),
        Query::Filter {
            method, attribute, ..
        } => {
            check_attribute(attribute, spec)?;
            match method {
                Method::Search | Method::NotSearch => Err(ApiError::param(
                    "queries",
                    format!(
                        "Invalid query: Searching by attribute \"{attribute}\" requires a fulltext index."
                    ),
                )),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None | Some(Value::Null), Some(v)) if !v.is_null() => Ordering::Less,
        (Some(v), None | Some(Value::Null)) if !v.is_null() => Ordering::Greater,
        _ => Ordering::Equal,
    }
}
