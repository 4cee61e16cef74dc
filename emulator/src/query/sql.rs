use rusqlite::types::Value as Sql;
use serde_json::Value;

use super::{Method, Query};
use crate::attribute::{Attribute, Kind};
use crate::error::{ApiError, ApiResult};
use crate::store::schema::Collection;

/// A list request turned into SQL pieces. Column names come from the collection's own
/// definition (`a<seq>` and the fixed internal columns); every value is a bound parameter.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The filter, `1` when there is none.
    pub condition: String,
    pub params: Vec<Sql>,
    /// `(column, descending)` in order; `_seq` ascending is always the final tie-breaker.
    pub orders: Vec<(String, bool)>,
    pub random: bool,
    pub limit: i64,
    pub offset: i64,
    pub cursor: Option<(String, bool)>,
    pub select: Option<Vec<String>>,
}

/// The default page size.
pub(super) const DEFAULT_LIMIT: i64 = 25;

impl Plan {
    pub(crate) fn new(collection: &Collection, queries: &[Query]) -> ApiResult<Self> {
        let mut plan = Plan {
            condition: String::new(),
            params: Vec::new(),
            orders: Vec::new(),
            random: false,
            limit: DEFAULT_LIMIT,
            offset: 0,
            cursor: None,
            select: None,
        };
        let mut conditions = Vec::new();
        for query in queries {
            match query {
                Query::Filter { .. } | Query::Logical { .. } => {
                    conditions.push(filter(collection, query, &mut plan.params)?);
                }
                Query::Order {
                    attribute,
                    descending,
                } => {
                    // No attribute (`orderDesc()`) orders by the internal sequence, as in Appwrite.
                    let (column, attr) = if attribute.is_empty() {
                        ("_seq".to_owned(), None)
                    } else {
                        column(collection, attribute)?
                    };
                    if attr.is_some_and(|a| a.array) {
                        return Err(ApiError::query(format!(
                            "Cannot order by attribute \"{attribute}\" because it is an array"
                        )));
                    }
                    plan.orders.push((column, *descending));
                }
                Query::OrderRandom => plan.random = true,
                Query::Limit(n) => plan.limit = *n,
                Query::Offset(n) => plan.offset = *n,
                Query::Cursor { id, after } => {
                    if plan.cursor.is_some() {
                        return Err(ApiError::query(
                            "Invalid query: Cursor queries can only be used once",
                        ));
                    }
                    plan.cursor = Some((id.clone(), *after));
                }
                Query::Select(keys) => {
                    for key in keys {
                        if key != "*" && !key.starts_with('$') && collection.attribute(key).is_none() {
                            return Err(ApiError::query(format!("Attribute not found in schema: {key}")));
                        }
                    }
                    plan.select
                        .get_or_insert_with(Vec::new)
                        .extend(keys.iter().cloned());
                }
            }
        }
        if plan.random && plan.cursor.is_some() {
            return Err(ApiError::query(
                "Cursor queries cannot be combined with orderRandom",
            ));
        }
        plan.condition = if conditions.is_empty() {
            "1".to_owned()
        } else {
            conditions.join(" AND ")
        };
        Ok(plan)
    }

    /// `ORDER BY …`, reversed for a `cursorBefore` page (which is read backwards, then flipped).
    pub(crate) fn order_by(&self, reversed: bool) -> String {
        if self.random {
            return "ORDER BY random()".to_owned();
        }
        let direction = |desc: bool| if desc ^ reversed { "DESC" } else { "ASC" };
        let mut parts: Vec<String> = self
            .orders
            .iter()
            .map(|(c, d)| format!("{c} {}", direction(*d)))
            .collect();
        parts.push(format!("_seq {}", direction(false)));
        format!("ORDER BY {}", parts.join(", "))
    }

    /// The condition selecting rows strictly after (or before) a cursor row whose order values
    /// are `values` (the last one being its `_seq`).
    pub(crate) fn cursor_condition(
        &self,
        values: &[Sql],
        after: bool,
        params: &mut Vec<Sql>,
    ) -> ApiResult<String> {
        if values.contains(&Sql::Null) {
            return Err(ApiError::new(crate::error::ErrorType::database_query_order_null));
        }
        let mut columns: Vec<(String, bool)> = self.orders.clone();
        columns.push(("_seq".to_owned(), false));
        let mut alternatives = Vec::new();
        for i in 0..columns.len() {
            let mut terms = Vec::new();
            for (j, (column, _)) in columns.iter().enumerate().take(i) {
                terms.push(format!("{column} = ?"));
                params.push(values[j].clone());
            }
            let (column, desc) = &columns[i];
            let greater = desc ^ !after;
            terms.push(format!("{column} {} ?", if greater { "<" } else { ">" }));
            params.push(values[i].clone());
            alternatives.push(format!("({})", terms.join(" AND ")));
        }
        Ok(format!("({})", alternatives.join(" OR ")))
    }
}

/// The WHERE condition of a bulk update or delete: only filters are allowed besides limits.
pub(crate) fn document_filter(collection: &Collection, queries: &[Query]) -> ApiResult<Plan> {
    let mut plan = Plan::new(collection, queries)?;
    if !queries.iter().any(|q| matches!(q, Query::Limit(_))) {
        plan.limit = i64::MAX;
    }
    Ok(plan)
}

fn column<'a>(collection: &'a Collection, attribute: &str) -> ApiResult<(String, Option<&'a Attribute>)> {
    let internal = match attribute {
        "$id" => Some("_uid"),
        "$createdAt" => Some("_created"),
        "$updatedAt" => Some("_updated"),
        "$sequence" => Some("_seq"),
        _ => None,
    };
    if let Some(internal) = internal {
        return Ok((internal.to_owned(), None));
    }
    match collection.attribute(attribute).filter(|a| a.is_available()) {
        Some(a) => Ok((a.column(), Some(a))),
        None => Err(ApiError::query(format!(
            "Attribute not found in schema: {attribute}"
        ))),
    }
}

/// Appwrite's `APP_DATABASE_QUERY_MAX_VALUES`: the most values one filter may carry.
const MAX_VALUES: usize = 500;

fn filter(collection: &Collection, query: &Query, params: &mut Vec<Sql>) -> ApiResult<String> {
    let (method, attribute, values) = match query {
        Query::Logical { all, queries } => {
            let parts = queries
                .iter()
                .map(|q| filter(collection, q, params))
                .collect::<ApiResult<Vec<_>>>()?;
            return Ok(format!("({})", parts.join(if *all { " AND " } else { " OR " })));
        }
        Query::Filter {
            method,
            attribute,
            values,
        } => (*method, attribute, values),
        _ => unreachable!("only filters reach here"),
    };
    let (column, attr) = column(collection, attribute)?;
    if values.len() > MAX_VALUES {
        return Err(ApiError::query(format!(
            "Query on attribute has greater than {MAX_VALUES} values: {attribute}"
        )));
    }
    let array = attr.is_some_and(|a| a.array);
    if array
        && !matches!(
            method,
            Method::Contains | Method::NotContains | Method::IsNull | Method::IsNotNull
        )
    {
        return Err(ApiError::query(format!(
            "Cannot query {} on attribute \"{attribute}\" because it is an array.",
            method.name()
        )));
    }
    let text = attr.is_none_or(|a| a.kind.is_text()) && column != "_seq";
    let mut bind = |value: &Value| -> ApiResult<()> {
        params.push(to_param(attr, attribute, value)?);
        Ok(())
    };
    Ok(match method {
        Method::Equal => format!("{column} IN {}", value_list(params, attr, attribute, values)?),
        Method::NotEqual => {
            bind(&values[0])?;
            format!("{column} != ?")
        }
        Method::LessThan | Method::LessThanEqual | Method::GreaterThan | Method::GreaterThanEqual => {
            bind(&values[0])?;
            let op = match method {
                Method::LessThan => "<",
                Method::LessThanEqual => "<=",
                Method::GreaterThan => ">",
                _ => ">=",
            };
            format!("{column} {op} ?")
        }
        Method::Between | Method::NotBetween => {
            bind(&values[0])?;
            bind(&values[1])?;
            let not = if method == Method::NotBetween { "NOT " } else { "" };
            format!("{not}({column} BETWEEN ? AND ?)")
        }
        Method::IsNull => format!("{column} IS NULL"),
        Method::IsNotNull => format!("{column} IS NOT NULL"),
        Method::Contains | Method::NotContains if array => {
            let list = value_list(params, attr, attribute, values)?;
            let not = if method == Method::NotContains { "NOT " } else { "" };
            format!("{not}EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value IN {list})")
        }
        Method::Contains | Method::NotContains => {
            if !text {
                return Err(ApiError::query(format!(
                    "Cannot query contains on attribute \"{attribute}\" because it is not an array or string."
                )));
            }
            let mut parts = Vec::new();
            for value in values {
                params.push(Sql::Text(
                    value.as_str().ok_or_else(|| invalid_value(attribute))?.to_owned(),
                ));
                parts.push(format!("contains_ci({column}, ?)"));
            }
            let any = format!("({})", parts.join(" OR "));
            if method == Method::NotContains {
                format!("NOT {any}")
            } else {
                any
            }
        }
        Method::StartsWith | Method::NotStartsWith | Method::EndsWith | Method::NotEndsWith => {
            if !text {
                return Err(ApiError::query(format!(
                    "Cannot query {} on attribute \"{attribute}\": it is not a string.",
                    method.name()
                )));
            }
            let value = values[0]
                .as_str()
                .ok_or_else(|| invalid_value(attribute))?
                .to_owned();
            let condition = if matches!(method, Method::StartsWith | Method::NotStartsWith) {
                params.push(Sql::Text(value));
                format!("instr({column}, ?) = 1")
            } else {
                params.push(Sql::Text(value.clone()));
                params.push(Sql::Text(value));
                format!("substr({column}, -length(?)) = ?")
            };
            if matches!(method, Method::NotStartsWith | Method::NotEndsWith) {
                format!("NOT ({condition})")
            } else {
                condition
            }
        }
        Method::Search | Method::NotSearch => {
            let index = collection
                .indexes
                .iter()
                .find(|i| {
                    i.kind == "fulltext"
                        && i.status == "available"
                        && i.attributes.iter().any(|a| a == attribute)
                })
                .ok_or_else(|| {
                    ApiError::query(format!(
                        "Searching by attribute \"{attribute}\" requires a fulltext index."
                    ))
                })?;
            let text = values[0].as_str().ok_or_else(|| invalid_value(attribute))?;
            params.push(Sql::Text(fts_terms(text)));
            let not = if method == Method::NotSearch { "NOT " } else { "" };
            format!(
                "_seq {not}IN (SELECT rowid FROM {0} WHERE {0} MATCH ?)",
                index.fts_table()
            )
        }
    })
}

// Each word becomes a quoted FTS5 phrase (so no user text is read as FTS syntax), OR-ed like
// MariaDB's boolean-mode search that Appwrite uses.
// Values beyond this go to SQLite as one JSON array: a query may carry thousands of values, and
// a request up to a hundred queries, past SQLite's limit on bound variables.
const INLINE_VALUES: usize = 32;

/// `(?, ?, …)` for a few values, or a `json_each` over one bound JSON array for many.
fn value_list(
    params: &mut Vec<Sql>,
    attr: Option<&Attribute>,
    attribute: &str,
    values: &[Value],
) -> ApiResult<String> {
    let converted = values
        .iter()
        .map(|value| to_param(attr, attribute, value))
        .collect::<ApiResult<Vec<Sql>>>()?;
    if converted.len() <= INLINE_VALUES {
        let list = format!("({})", vec!["?"; converted.len()].join(", "));
        params.extend(converted);
        return Ok(list);
    }
    let array: Vec<Value> = converted
        .into_iter()
        .map(|value| match value {
            Sql::Null => Value::Null,
            Sql::Integer(i) => Value::from(i),
            Sql::Real(f) => Value::from(f),
            Sql::Text(t) => Value::String(t),
            Sql::Blob(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
        })
        .collect();
    params.push(Sql::Text(Value::Array(array).to_string()));
    Ok("(SELECT value FROM json_each(?))".to_owned())
}

fn fts_terms(text: &str) -> String {
    // Control characters (NUL included) separate terms: FTS5 cannot take them inside one.
    let terms: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if terms.is_empty() {
        "\"\"".to_owned()
    } else {
        terms.join(" OR ")
    }
}

fn invalid_value(attribute: &str) -> ApiError {
    ApiError::query(format!("Query value is invalid for attribute \"{attribute}\""))
}

fn to_param(attr: Option<&Attribute>, attribute: &str, value: &Value) -> ApiResult<Sql> {
    let Some(attr) = attr else {
        return match (attribute, value) {
            // A number, or (as 1.9 answers it) the number as a string.
            ("$sequence", v) => v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .map(Sql::Integer)
                .ok_or_else(|| invalid_value(attribute)),
            ("$createdAt" | "$updatedAt", Value::String(s)) => crate::ids::parse_time(s)
                .map(Sql::Text)
                .ok_or_else(|| invalid_value(attribute)),
            (_, Value::String(s)) => Ok(Sql::Text(s.clone())),
            _ => Err(invalid_value(attribute)),
        };
    };
    Ok(match (&attr.kind, value) {
        (Kind::Integer { .. }, v) => Sql::Integer(v.as_i64().ok_or_else(|| invalid_value(attribute))?),
        (Kind::Float { .. }, v) => Sql::Real(v.as_f64().ok_or_else(|| invalid_value(attribute))?),
        (Kind::Boolean, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        (Kind::Datetime, Value::String(s)) => {
            Sql::Text(crate::ids::parse_time(s).ok_or_else(|| invalid_value(attribute))?)
        }
        (Kind::String { .. } | Kind::Email | Kind::Url | Kind::Ip | Kind::Enum { .. }, Value::String(s)) => {
            Sql::Text(s.clone())
        }
        _ => return Err(invalid_value(attribute)),
    })
}
