//! Appwrite's JSON queries (`{"method":"equal","attribute":"x","values":[…]}`): parsing,
//! validation against a collection, and translation into parameterised SQL.

mod memory;
mod sql;

pub(crate) use memory::{page, ListSpec};

pub(crate) use sql::{document_filter, Plan};

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// One parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Query {
    Filter {
        method: Method,
        attribute: String,
        values: Vec<Value>,
    },
    Logical {
        all: bool,
        queries: Vec<Query>,
    },
    Order {
        attribute: String,
        descending: bool,
    },
    OrderRandom,
    Limit(i64),
    Offset(i64),
    Cursor {
        id: String,
        after: bool,
    },
    Select(Vec<String>),
}

/// The filter methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Equal,
    NotEqual,
    LessThan,
    LessThanEqual,
    GreaterThan,
    GreaterThanEqual,
    Contains,
    NotContains,
    Search,
    NotSearch,
    IsNull,
    IsNotNull,
    Between,
    NotBetween,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
}

impl Method {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "equal" => Method::Equal,
            "notEqual" => Method::NotEqual,
            "lessThan" => Method::LessThan,
            "lessThanEqual" => Method::LessThanEqual,
            "greaterThan" => Method::GreaterThan,
            "greaterThanEqual" => Method::GreaterThanEqual,
            "contains" => Method::Contains,
            "notContains" => Method::NotContains,
            "search" => Method::Search,
            "notSearch" => Method::NotSearch,
            "isNull" => Method::IsNull,
            "isNotNull" => Method::IsNotNull,
            "between" => Method::Between,
            "notBetween" => Method::NotBetween,
            "startsWith" => Method::StartsWith,
            "notStartsWith" => Method::NotStartsWith,
            "endsWith" => Method::EndsWith,
            "notEndsWith" => Method::NotEndsWith,
            _ => return None,
        })
    }

    /// How many values the method takes: `None` means one or more.
    fn arity(self) -> Option<usize> {
        match self {
            Method::Equal | Method::Contains | Method::NotContains => None,
            Method::IsNull | Method::IsNotNull => Some(0),
            Method::Between | Method::NotBetween => Some(2),
            _ => Some(1),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::Equal => "equal",
            Method::NotEqual => "notEqual",
            Method::LessThan => "lessThan",
            Method::LessThanEqual => "lessThanEqual",
            Method::GreaterThan => "greaterThan",
            Method::GreaterThanEqual => "greaterThanEqual",
            Method::Contains => "contains",
            Method::NotContains => "notContains",
            Method::Search => "search",
            Method::NotSearch => "notSearch",
            Method::IsNull => "isNull",
            Method::IsNotNull => "isNotNull",
            Method::Between => "between",
            Method::NotBetween => "notBetween",
            Method::StartsWith => "startsWith",
            Method::NotStartsWith => "notStartsWith",
            Method::EndsWith => "endsWith",
            Method::NotEndsWith => "notEndsWith",
        }
    }
}

/// The most values one filter takes (Appwrite 1.8).
const MAX_VALUES: usize = 500;

/// Parses the `queries` parameter: at most 100 queries.
pub(crate) fn parse_all(texts: &[String]) -> ApiResult<Vec<Query>> {
    if texts.len() > 100 {
        return Err(ApiError::param(
            "queries",
            "Value must a valid array no longer than 100 items",
        ));
    }
    texts.iter().map(|t| parse(t)).collect()
}

/// Parses one query from its JSON text.
pub(crate) fn parse(text: &str) -> ApiResult<Query> {
    if text.len() > 4096 {
        return Err(ApiError::param(
            "queries",
            "Value must a valid array no longer than 100 items and each item no longer than 4096 chars",
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|_| ApiError::query("Syntax error"))?;
    from_json(&value)
}

fn from_json(value: &Value) -> ApiResult<Query> {
    let object = value.as_object().ok_or_else(|| ApiError::query("Syntax error"))?;
    let method = object
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::query("Syntax error"))?;
    let attribute = object
        .get("attribute")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let values = match object.get("values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(values)) => values.clone(),
        Some(_) => return Err(ApiError::query("Syntax error")),
    };
    let one_int = |what: &str| -> ApiResult<i64> {
        match values.as_slice() {
            [v] => v
                .as_i64()
                .filter(|n| *n >= 0)
                .ok_or_else(|| ApiError::query(format!("Invalid {what} param"))),
            _ => Err(ApiError::query(format!(
                "{what} queries require exactly one value."
            ))),
        }
    };
    let one_string = |what: &str| -> ApiResult<String> {
        match values.as_slice() {
            [Value::String(s)] => Ok(s.clone()),
            _ => Err(ApiError::query(format!(
                "{what} queries require exactly one value."
            ))),
        }
    };
    Ok(match method {
        "and" | "or" => {
            let queries = values.iter().map(from_json).collect::<ApiResult<Vec<_>>>()?;
            if queries.len() < 2 {
                return Err(ApiError::query(format!(
                    "{} queries require at least two queries",
                    capitalize(method)
                )));
            }
            if !queries
                .iter()
                .all(|q| matches!(q, Query::Filter { .. } | Query::Logical { .. }))
            {
                return Err(ApiError::query(format!(
                    "{} queries can only contain filter queries",
                    capitalize(method)
                )));
            }
            Query::Logical {
                all: method == "and",
                queries,
            }
        }
        "orderAsc" | "orderDesc" => Query::Order {
            attribute,
            descending: method == "orderDesc",
        },
        "orderRandom" => Query::OrderRandom,
        "limit" => Query::Limit(one_int("Limit")?),
        "offset" => Query::Offset(one_int("Offset")?),
        "cursorAfter" => Query::Cursor {
            id: one_string("Cursor")?,
            after: true,
        },
        "cursorBefore" => Query::Cursor {
            id: one_string("Cursor")?,
            after: false,
        },
        "select" => {
            let keys: Option<Vec<String>> = values.iter().map(|v| v.as_str().map(str::to_owned)).collect();
            match keys {
                Some(keys) if !keys.is_empty() => Query::Select(keys),
                _ => return Err(ApiError::query("Select queries require at least one value.")),
            }
        }
        other => {
            let method = Method::parse(other)
                .ok_or_else(|| ApiError::query(format!("Invalid query method: {other}")))?;
            match method.arity() {
                Some(n) if values.len() != n => {
                    let count = match n {
                        0 => "no values".to_owned(),
                        1 => "exactly one value".to_owned(),
                        n => format!("exactly {n} values"),
                    };
                    return Err(ApiError::query(format!(
                        "{} queries require {count}.",
                        capitalize(method.name())
                    )));
                }
                None if values.is_empty() => {
                    return Err(ApiError::query(format!(
                        "{} queries require at least one value.",
                        capitalize(method.name())
                    )));
                }
                _ => {}
            }
            if values.len() > MAX_VALUES {
                return Err(ApiError::query(format!(
                    "Query on attribute has greater than {MAX_VALUES} values: {attribute}"
                )));
            }
            Query::Filter {
                method,
                attribute,
                values,
            }
        }
    })
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// Whether `document` satisfies every query.
pub(crate) fn matches_all(queries: &[Query], document: &Value) -> bool {
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
                Method::Between | Method::NotBetween => {
                    let second = values.get(1).unwrap_or(&Value::Null);
                    let inside = matches!(compare(value, first), Some(Ordering::Greater | Ordering::Equal))
                        && matches!(compare(value, second), Some(Ordering::Less | Ordering::Equal));
                    inside == (*method == Method::Between)
                }
                Method::StartsWith
                | Method::NotStartsWith
                | Method::EndsWith
                | Method::NotEndsWith
                | Method::Contains
                | Method::NotContains => {
                    let (Some(text), Some(part)) = (value.as_str(), first.as_str()) else {
                        return false;
                    };
                    let hit = match method {
                        Method::StartsWith | Method::NotStartsWith => text.starts_with(part),
                        Method::EndsWith | Method::NotEndsWith => text.ends_with(part),
                        _ => text.contains(part),
                    };
                    hit == matches!(method, Method::StartsWith | Method::EndsWith | Method::Contains)
                }
                Method::Search | Method::NotSearch => false,
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

    #[test]
    fn queries_parse_from_the_sdk_json_format() {
        assert_eq!(
            parse(r#"{"method":"equal","attribute":"status","values":["paid","sent"]}"#).unwrap(),
            Query::Filter {
                method: Method::Equal,
                attribute: "status".into(),
                values: vec!["paid".into(), "sent".into()]
            }
        );
        assert_eq!(
            parse(r#"{"method":"limit","values":[10]}"#).unwrap(),
            Query::Limit(10)
        );
        assert!(matches!(
            parse(r#"{"method":"or","values":[{"method":"isNull","attribute":"a"},{"method":"equal","attribute":"b","values":[1]}]}"#).unwrap(),
            Query::Logical { all: false, .. }
        ));
    }

    #[test]
    fn malformed_queries_are_rejected_with_appwrites_messages() {
        assert_eq!(
            parse("equal(\"a\", [1])").unwrap_err().message,
            "Invalid query: Syntax error"
        );
        assert_eq!(
            parse(r#"{"method":"fuzzy","attribute":"a","values":[1]}"#)
                .unwrap_err()
                .message,
            "Invalid query method: fuzzy".replace("Invalid", "Invalid query: Invalid")
        );
        assert!(parse(r#"{"method":"between","attribute":"a","values":[1]}"#)
            .unwrap_err()
            .message
            .contains("exactly 2 values"));
        assert!(parse(r#"{"method":"and","values":[{"method":"isNull","attribute":"a"}]}"#).is_err());
        assert!(parse(r#"{"method":"limit","values":[-1]}"#).is_err());
    }
}
