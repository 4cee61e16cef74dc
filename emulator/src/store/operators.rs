//! Update operators (Appwrite 1.8): a value in an update's data that is the JSON text of an
//! operator (`{"method":"increment","values":[5]}`) changes the stored value instead of
//! replacing it. The checks and messages are those of Appwrite's operator validator; the
//! arithmetic is what its MariaDB adapter runs (a missing value counts as 0, '' or []).

use chrono::{Duration, Utc};
use serde_json::{json, Map, Value};

use crate::attribute::{Attribute, Kind};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::ids;

/// Appwrite checks operator results on integer attributes against 32-bit bounds.
const MAX_INT: i64 = 2_147_483_647;
const MIN_INT: i64 = -2_147_483_648;

const METHODS: [&str; 20] = [
    "increment",
    "decrement",
    "modulo",
    "power",
    "multiply",
    "divide",
    "arrayAppend",
    "arrayPrepend",
    "arrayInsert",
    "arrayRemove",
    "arrayUnique",
    "arrayIntersect",
    "arrayDiff",
    "arrayFilter",
    "stringConcat",
    "stringReplace",
    "toggle",
    "dateAddDays",
    "dateSubDays",
    "dateSetNow",
];

/// One operator found in an update's data.
#[derive(Debug, Clone)]
pub(crate) struct Operator {
    method: String,
    values: Vec<Value>,
}

/// The operators in `data`, by attribute key. A string value whose JSON names an operator
/// method is an operator; keys starting with `$` never are.
pub(crate) fn extract(data: &Map<String, Value>) -> ApiResult<Vec<(String, Operator)>> {
    let mut found = Vec::new();
    for (key, value) in data {
        if key.starts_with('$') {
            continue;
        }
        // Only a JSON object can be an operator; other text is not parsed at all.
        let Some(text) = value.as_str().filter(|t| t.trim_start().starts_with('{')) else {
            continue;
        };
        let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let Some(method) = object.get("method").and_then(Value::as_str) else {
            continue;
        };
        if !METHODS.contains(&method) {
            continue;
        }
        let bad = |reason: String| {
            ApiError::with(
                ErrorType::general_bad_request,
                format!("Invalid operator for attribute \"{key}\": {reason}"),
            )
        };
        if object.get("attribute").is_some_and(|a| !a.is_string()) {
            return Err(bad("Invalid operator attribute. Must be a string".into()));
        }
        let values = match object.get("values") {
            None => Vec::new(),
            Some(Value::Array(values)) => values.clone(),
            Some(_) => return Err(bad("Invalid operator values. Must be an array".into())),
        };
        found.push((
            key.clone(),
            Operator {
                method: method.to_owned(),
                values,
            },
        ));
    }
    Ok(found)
}

impl Operator {
    /// The new value of `attribute` given its `current` one, or the validator's message.
    pub(crate) fn apply(&self, attribute: &Attribute, current: &Value) -> ApiResult<Value> {
        self.compute(attribute, current).map_err(ApiError::structure)
    }

    fn compute(&self, attribute: &Attribute, current: &Value) -> Result<Value, String> {
        let method = self.method.as_str();
        let values = &self.values;
        let numeric = matches!(attribute.kind, Kind::Integer { .. } | Kind::Float { .. });
        let integer = matches!(attribute.kind, Kind::Integer { .. });
        let text = attribute.kind.is_text();
        let key = &attribute.key;
        match method {
            "increment" | "decrement" | "multiply" | "divide" | "modulo" | "power" => {
                if !numeric || attribute.array {
                    return Err(format!(
                        "Cannot apply {method} operator to non-numeric field '{key}'"
                    ));
                }
                let operand = values.first().filter(|v| v.is_number()).ok_or_else(|| {
                    format!(
                        "Cannot apply {method} operator: value must be numeric, got {}",
                        php_type(values.first())
                    )
                })?;
                if matches!(method, "divide" | "modulo") && operand.as_f64() == Some(0.0) {
                    let what = if method == "divide" { "division" } else { "modulo" };
                    return Err(format!("Cannot apply {method} operator: {what} by zero"));
                }
                let limit = values.get(1).filter(|v| !v.is_null());
                if limit.is_some_and(|v| !v.is_number()) {
                    return Err(format!(
                        "Cannot apply {method} operator: max/min limit must be numeric, got {}",
                        php_type(limit)
                    ));
                }
                if integer && operand.is_i64() && limit.is_none_or(Value::is_i64) {
                    let now = current.as_i64().unwrap_or(0);
                    let by = operand.as_i64().unwrap_or(0);
                    let limit = limit.and_then(Value::as_i64);
                    let overflow = || {
                        format!("Cannot apply {method} operator: would overflow maximum value of {MAX_INT}")
                    };
                    let result = integer_result(method, now, by, limit).ok_or_else(overflow)?;
                    // Appwrite predicts the result against 32-bit bounds when no cap is given.
                    if limit.is_none() && result > MAX_INT {
                        return Err(overflow());
                    }
                    if limit.is_none() && result < MIN_INT {
                        return Err(format!(
                            "Cannot apply {method} operator: would underflow minimum value of {MIN_INT}"
                        ));
                    }
                    return Ok(Value::from(result));
                }
                let now = current.as_f64().unwrap_or(0.0);
                let by = operand.as_f64().unwrap_or(0.0);
                let result = float_result(method, now, by, limit.and_then(Value::as_f64));
                if !result.is_finite() {
                    return Err(format!(
                        "Cannot apply {method} operator: would overflow maximum value of {MAX_INT}"
                    ));
                }
                Ok(if integer {
                    json!(result.trunc() as i64)
                } else {
                    json!(result)
                })
            }
            "arrayAppend" | "arrayPrepend" | "arrayUnique" | "arrayInsert" | "arrayRemove"
            | "arrayFilter" => {
                if !attribute.array {
                    return Err(format!(
                        "Cannot apply {method} operator to non-array field '{key}'"
                    ));
                }
                let mut items = current.as_array().cloned().unwrap_or_default();
                match method {
                    "arrayAppend" | "arrayPrepend" => {
                        check_int_items(method, integer, values)?;
                        if method == "arrayAppend" {
                            items.extend(values.iter().cloned());
                        } else {
                            items.splice(0..0, values.iter().cloned());
                        }
                    }
                    "arrayUnique" => {
                        let mut seen = Vec::new();
                        items.retain(|v| {
                            if seen.contains(v) {
                                false
                            } else {
                                seen.push(v.clone());
                                true
                            }
                        });
                    }
                    "arrayInsert" => {
                        if values.len() != 2 {
                            return Err(format!(
                                "Cannot apply {method} operator: requires exactly 2 values (index and value)"
                            ));
                        }
                        let index = values[0].as_u64().ok_or_else(|| {
                            format!("Cannot apply {method} operator: index must be a non-negative integer")
                        })? as usize;
                        check_int_items(method, integer, &values[1..])?;
                        if index > items.len() {
                            return Err(format!("Cannot apply {method} operator: index {index} is out of bounds for array of length {}", items.len()));
                        }
                        items.insert(index, values[1].clone());
                    }
                    "arrayRemove" => {
                        let target = values.first().ok_or_else(|| {
                            format!("Cannot apply {method} operator: requires a value to remove")
                        })?;
                        items.retain(|v| !same_text(v, target));
                    }
                    _ => {
                        if values.is_empty() || values.len() > 2 {
                            return Err(format!("Cannot apply {method} operator: requires 1 or 2 values (condition and optional comparison value)"));
                        }
                        let condition = values[0].as_str().ok_or_else(|| {
                            format!("Cannot apply {method} operator: condition must be a string")
                        })?;
                        const CONDITIONS: [&str; 8] = [
                            "equal",
                            "notEqual",
                            "greaterThan",
                            "greaterThanEqual",
                            "lessThan",
                            "lessThanEqual",
                            "isNull",
                            "isNotNull",
                        ];
                        if !CONDITIONS.contains(&condition) {
                            return Err(format!(
                                "Invalid array filter condition '{condition}'. Must be one of: {}",
                                CONDITIONS.join(", ")
                            ));
                        }
                        let operand = values.get(1).unwrap_or(&Value::Null);
                        items.retain(|v| keeps(condition, v, operand));
                    }
                }
                Ok(Value::Array(items))
            }
            "arrayIntersect" | "arrayDiff" => {
                if !attribute.array {
                    return Err(format!(
                        "Cannot use {method} operator on non-array attribute '{key}'"
                    ));
                }
                if method == "arrayIntersect" && values.is_empty() {
                    return Err(format!("{method} operator requires a non-empty array value"));
                }
                let mut items = current.as_array().cloned().unwrap_or_default();
                let wanted = method == "arrayIntersect";
                items.retain(|v| values.iter().any(|x| same_text(v, x)) == wanted);
                Ok(Value::Array(items))
            }
            "stringConcat" => {
                if !text || attribute.array {
                    return Err(format!(
                        "Cannot apply {method} operator to non-string field '{key}'"
                    ));
                }
                let tail = values
                    .first()
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("Cannot apply {method} operator: requires a string value"))?;
                let joined = format!("{}{tail}", current.as_str().unwrap_or(""));
                let size = attribute.kind.size().unwrap_or(0);
                if size > 0 && joined.len() as i64 > size {
                    return Err(format!("Cannot apply {method} operator: result would exceed maximum length of {size} characters"));
                }
                Ok(Value::String(joined))
            }
            "stringReplace" => {
                if !text {
                    return Err(format!(
                        "Cannot apply {method} operator to non-string field '{key}'"
                    ));
                }
                let (Some(search), Some(replace), 2) = (
                    values.first().and_then(Value::as_str),
                    values.get(1).and_then(Value::as_str),
                    values.len(),
                ) else {
                    return Err(format!("Cannot apply {method} operator: requires exactly 2 string values (search and replace)"));
                };
                Ok(current
                    .as_str()
                    .map_or(Value::Null, |s| Value::String(s.replace(search, replace))))
            }
            "toggle" => {
                if !matches!(attribute.kind, Kind::Boolean) {
                    return Err(format!(
                        "Cannot apply {method} operator to non-boolean field '{key}'"
                    ));
                }
                Ok(Value::Bool(!current.as_bool().unwrap_or(false)))
            }
            "dateAddDays" | "dateSubDays" | "dateSetNow" => {
                if !matches!(attribute.kind, Kind::Datetime) {
                    return Err(format!(
                        "Cannot apply {method} operator to non-datetime field '{key}'"
                    ));
                }
                if method == "dateSetNow" {
                    return Ok(Value::String(ids::now()));
                }
                let days = values.first().and_then(Value::as_i64).ok_or_else(|| {
                    format!("Cannot apply {method} operator: requires an integer number of days")
                })?;
                let days = if method == "dateSubDays" { -days } else { days };
                let Some(at) = current
                    .as_str()
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                else {
                    return Ok(Value::Null);
                };
                let moved = at.with_timezone(&Utc) + Duration::days(days);
                Ok(Value::String(ids::format_time(moved)))
            }
            _ => Err(format!(
                "Cannot apply {method} operator: unsupported operator method"
            )),
        }
    }
}

/// Integer arithmetic with the optional cap of Appwrite's SQL; `None` past i64.
fn integer_result(method: &str, now: i64, by: i64, limit: Option<i64>) -> Option<i64> {
    let (now, by) = (i128::from(now), i128::from(by));
    let raw = match method {
        "increment" => now + by,
        "decrement" => now - by,
        "multiply" => now * by,
        // A stored integer keeps the whole part of the quotient.
        "divide" => now / by,
        "modulo" => now % by,
        _ => u32::try_from(by)
            .ok()
            .and_then(|e| now.checked_pow(e))
            .unwrap_or(i128::MAX),
    };
    let result = match (method, limit.map(i128::from)) {
        ("increment", Some(max)) if now >= max || now > max - by => max,
        ("decrement", Some(min)) if now <= min || now < min + by => min,
        ("multiply", Some(max)) if now >= max || (by > 0 && now > max / by) || (by < 0 && now < max / by) => {
            max
        }
        ("divide", Some(min)) if raw <= min => min,
        ("power", Some(max)) if now >= max => max,
        ("power", Some(_)) if now <= 1 => now,
        ("power", Some(max)) if raw > max => max,
        _ => raw,
    };
    i64::try_from(result).ok()
}

/// The same on floats.
fn float_result(method: &str, now: f64, by: f64, limit: Option<f64>) -> f64 {
    let raw = match method {
        "increment" => now + by,
        "decrement" => now - by,
        "multiply" => now * by,
        "divide" => now / by,
        "modulo" => now % by,
        _ => now.powf(by),
    };
    match (method, limit) {
        ("increment", Some(max)) if now >= max || now > max - by => max,
        ("decrement", Some(min)) if now <= min || now < min + by => min,
        ("multiply", Some(max))
            if now >= max || (by > 0.0 && now > max / by) || (by < 0.0 && now < max / by) =>
        {
            max
        }
        ("divide", Some(min)) if raw <= min => min,
        ("power", Some(max)) if now >= max => max,
        ("power", Some(_)) if now <= 1.0 => now,
        ("power", Some(max)) if by * now.ln() > max.ln() => max,
        _ => raw,
    }
}

fn check_int_items(method: &str, integer: bool, items: &[Value]) -> Result<(), String> {
    if integer
        && items
            .iter()
            .filter_map(Value::as_f64)
            .any(|i| i > MAX_INT as f64 || i < MIN_INT as f64)
    {
        return Err(format!(
            "Cannot apply {method} operator: array items must be between {MIN_INT} and {MAX_INT}"
        ));
    }
    Ok(())
}

/// MariaDB compares array items as text (`JSON_TABLE … value TEXT`).
fn same_text(a: &Value, b: &Value) -> bool {
    as_text(a) == as_text(b)
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn keeps(condition: &str, item: &Value, operand: &Value) -> bool {
    let number = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    match condition {
        "equal" => same_text(item, operand),
        "notEqual" => !same_text(item, operand),
        "isNull" => item.is_null(),
        "isNotNull" => !item.is_null(),
        _ => match (number(item), number(operand)) {
            (Some(a), Some(b)) => match condition {
                "greaterThan" => a > b,
                "greaterThanEqual" => a >= b,
                "lessThan" => a < b,
                _ => a <= b,
            },
            _ => false,
        },
    }
}

/// PHP's `gettype` of a JSON value, for the validator's messages.
fn php_type(value: Option<&Value>) -> &'static str {
    match value {
        None | Some(Value::Null) => "NULL",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(n)) if n.is_f64() => "double",
        Some(Value::Number(_)) => "integer",
        Some(Value::String(_)) => "string",
        Some(_) => "array",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(kind: Kind, array: bool) -> Attribute {
        crate::attribute::for_test("a", kind, false, array)
    }

    const ANY_INT: Kind = Kind::Integer {
        min: i64::MIN,
        max: i64::MAX,
    };
    const ANY_FLOAT: Kind = Kind::Float {
        min: f64::MIN,
        max: f64::MAX,
    };

    fn run(method: &str, values: Value, attribute: &Attribute, current: Value) -> Result<Value, String> {
        let text = json!({"method": method, "values": values}).to_string();
        let data = Map::from_iter([("a".to_owned(), Value::String(text))]);
        let (_, operator) = extract(&data).expect("parses").pop().expect("an operator");
        operator.compute(attribute, &current)
    }

    #[test]
    fn numeric_operators_cap_and_refuse_as_appwrite_does() {
        let int = attribute(ANY_INT, false);
        assert_eq!(run("increment", json!([5]), &int, json!(2020)), Ok(json!(2025)));
        assert_eq!(run("increment", json!([5]), &int, Value::Null), Ok(json!(5)));
        assert_eq!(run("increment", json!([5, 10]), &int, json!(8)), Ok(json!(10)));
        assert_eq!(run("decrement", json!([5, 0]), &int, json!(3)), Ok(json!(0)));
        assert_eq!(run("multiply", json!([3, 100]), &int, json!(50)), Ok(json!(100)));
        assert_eq!(run("divide", json!([2]), &int, json!(7)), Ok(json!(3)));
        assert_eq!(run("modulo", json!([4]), &int, json!(10)), Ok(json!(2)));
        assert_eq!(run("power", json!([3]), &int, json!(2)), Ok(json!(8)));
        assert!(run("increment", json!([1]), &int, json!(2_147_483_647))
            .unwrap_err()
            .contains("would overflow maximum value of 2147483647"));
        assert!(run("decrement", json!([1]), &int, json!(-2_147_483_648))
            .unwrap_err()
            .contains("underflow"));
        assert_eq!(
            run("divide", json!([0]), &int, json!(1)),
            Err("Cannot apply divide operator: division by zero".into())
        );
        assert!(run("increment", json!(["x"]), &int, json!(1))
            .unwrap_err()
            .contains("value must be numeric"));
        let text = attribute(
            Kind::String {
                size: 8,
                encrypt: false,
            },
            false,
        );
        assert!(run("increment", json!([1]), &text, json!("x"))
            .unwrap_err()
            .contains("non-numeric field 'a'"));
        let float = attribute(ANY_FLOAT, false);
        assert_eq!(run("increment", json!([0.5]), &float, json!(1.0)), Ok(json!(1.5)));
    }

    #[test]
    fn array_string_boolean_and_date_operators() {
        let list = attribute(
            Kind::String {
                size: 16,
                encrypt: false,
            },
            true,
        );
        let items = json!(["a", "b", "a"]);
        assert_eq!(
            run("arrayAppend", json!(["c"]), &list, items.clone()),
            Ok(json!(["a", "b", "a", "c"]))
        );
        assert_eq!(
            run("arrayPrepend", json!(["z"]), &list, items.clone()),
            Ok(json!(["z", "a", "b", "a"]))
        );
        assert_eq!(
            run("arrayInsert", json!([1, "x"]), &list, items.clone()),
            Ok(json!(["a", "x", "b", "a"]))
        );
        assert!(run("arrayInsert", json!([4, "x"]), &list, items.clone())
            .unwrap_err()
            .contains("out of bounds for array of length 3"));
        assert_eq!(
            run("arrayRemove", json!(["a"]), &list, items.clone()),
            Ok(json!(["b"]))
        );
        assert_eq!(
            run("arrayUnique", json!([]), &list, items.clone()),
            Ok(json!(["a", "b"]))
        );
        assert_eq!(
            run("arrayIntersect", json!(["b", "q"]), &list, items.clone()),
            Ok(json!(["b"]))
        );
        assert_eq!(
            run("arrayDiff", json!(["a"]), &list, items.clone()),
            Ok(json!(["b"]))
        );
        assert_eq!(
            run("arrayFilter", json!(["notEqual", "a"]), &list, items),
            Ok(json!(["b"]))
        );
        let text = attribute(
            Kind::String {
                size: 8,
                encrypt: false,
            },
            false,
        );
        assert_eq!(
            run("stringConcat", json!(["def"]), &text, json!("abc")),
            Ok(json!("abcdef"))
        );
        assert!(run("stringConcat", json!(["defghi"]), &text, json!("abc"))
            .unwrap_err()
            .contains("exceed maximum length of 8"));
        assert_eq!(
            run("stringReplace", json!(["b", "X"]), &text, json!("abcb")),
            Ok(json!("aXcX"))
        );
        assert!(run("arrayAppend", json!(["c"]), &text, json!("abc"))
            .unwrap_err()
            .contains("non-array field"));
        let flag = attribute(Kind::Boolean, false);
        assert_eq!(run("toggle", json!([]), &flag, Value::Null), Ok(json!(true)));
        let date = attribute(Kind::Datetime, false);
        assert_eq!(
            run(
                "dateAddDays",
                json!([2]),
                &date,
                json!("2020-01-30T12:00:00.000+00:00")
            ),
            Ok(json!("2020-02-01T12:00:00.000+00:00"))
        );
    }

    #[test]
    fn only_known_methods_are_operators() {
        let data = Map::from_iter([
            ("a".to_owned(), json!(r#"{"method":"nope","values":[]}"#)),
            ("b".to_owned(), json!("plain text")),
            ("$c".to_owned(), json!(r#"{"method":"increment","values":[1]}"#)),
        ]);
        assert!(extract(&data).expect("no error").is_empty());
        let bad = Map::from_iter([("a".to_owned(), json!(r#"{"method":"increment","values":5}"#))]);
        assert_eq!(extract(&bad).unwrap_err().kind, ErrorType::general_bad_request);
    }
}
