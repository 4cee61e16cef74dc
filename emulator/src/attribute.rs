//! Attribute definitions: how each is described by the API, stored in SQLite and validated.

use rusqlite::types::Value as Sql;
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult, ErrorType};

/// The attribute kinds the emulator supports (Appwrite's, minus relationships and spatial ones).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// `encrypt`: stored encrypted at rest on Appwrite (the emulator only keeps the flag).
    String {
        size: i64,
        encrypt: bool,
    },
    Integer {
        min: i64,
        max: i64,
    },
    Float {
        min: f64,
        max: f64,
    },
    Boolean,
    Datetime,
    Email,
    Url,
    Ip,
    Enum {
        elements: Vec<String>,
    },
}

impl Kind {
    /// The route segment and model name: `string`, `integer`, `float`, ….
    pub(crate) fn route(&self) -> &'static str {
        match self {
            Kind::String { .. } => "string",
            Kind::Integer { .. } => "integer",
            Kind::Float { .. } => "float",
            Kind::Boolean => "boolean",
            Kind::Datetime => "datetime",
            Kind::Email => "email",
            Kind::Url => "url",
            Kind::Ip => "ip",
            Kind::Enum { .. } => "enum",
        }
    }

    pub(crate) fn server_type(&self) -> &'static str {
        match self {
            Kind::Integer { .. } => "integer",
            Kind::Float { .. } => "double",
            Kind::Boolean => "boolean",
            Kind::Datetime => "datetime",
            _ => "string",
        }
    }

    fn format(&self) -> Option<&'static str> {
        match self {
            Kind::Integer { .. } => Some("intRange"),
            Kind::Float { .. } => Some("floatRange"),
            Kind::Datetime => Some("datetime"),
            Kind::Email => Some("email"),
            Kind::Url => Some("url"),
            Kind::Ip => Some("ip"),
            Kind::Enum { .. } => Some("enum"),
            Kind::String { .. } | Kind::Boolean => None,
        }
    }

    /// The size in characters of string-like kinds.
    pub(crate) fn size(&self) -> Option<i64> {
        match self {
            Kind::String { size, .. } => Some(*size),
            Kind::Email => Some(254),
            Kind::Url => Some(2000),
            Kind::Ip => Some(39),
            Kind::Enum { .. } => Some(255),
            _ => None,
        }
    }

    /// Whether values are text (and so can be searched, prefixed, …).
    pub(crate) fn is_text(&self) -> bool {
        self.size().is_some()
    }
}

/// Why a `default` parameter fails the validator Appwrite gives the attribute route (`string`,
/// `integer`, …), or `None` when it passes. Null always passes.
pub(crate) fn default_type_error(route: &str, value: &Value) -> Option<&'static str> {
    if value.is_null() {
        return None;
    }
    let text = value.as_str();
    let (valid, reason) = match route {
        "integer" => (value.is_i64(), "Value must be a valid integer"),
        "float" => (value.is_number(), "Value must be a valid float"),
        "boolean" => (value.is_boolean(), "Value must be a valid boolean"),
        "email" => (text.is_some_and(is_email), "Value must be a valid email address"),
        "url" => (text.is_some_and(is_url), "Value must be a valid URL"),
        "ip" => (
            text.is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok()),
            "Value must be a valid IP address",
        ),
        "datetime" => (
            text.and_then(crate::ids::parse_time).is_some(),
            "Value must be valid date between 0000-01-01 00:00:00 and 9999-12-31 23:59:59.",
        ),
        _ => (text.is_some(), "Value must be a valid string"),
    };
    (!valid).then_some(reason)
}

/// Longer strings are TEXT columns, stored off the row.
const MAX_VARCHAR: i64 = 16_381;
/// MariaDB's row size limit and the columns Appwrite allows a collection (its own 7 included).
pub(crate) const ROW_BYTES_LIMIT: i64 = 65_535;
const COLUMN_LIMIT: usize = 1_017;

/// Refuses a collection whose attributes would pass MariaDB's column count or row width, as
/// Appwrite does before it creates or resizes an attribute (`attribute_limit_exceeded`).
pub(crate) fn check_row_limits<'a>(
    collection_id: &str,
    attributes: impl Iterator<Item = &'a Attribute>,
) -> ApiResult<()> {
    let attributes: Vec<&Attribute> = attributes.collect();
    let count = 7 + attributes.len();
    let width = row_width(attributes.into_iter());
    if count > COLUMN_LIMIT || width >= ROW_BYTES_LIMIT {
        return Err(ApiError::about(
            ErrorType::attribute_limit_exceeded,
            collection_id,
        ));
    }
    Ok(())
}

/// The bytes a row of a collection with `attributes` takes in MariaDB, Appwrite's own columns
/// included, as Appwrite's database library counts them.
pub(crate) fn row_width<'a>(attributes: impl Iterator<Item = &'a Attribute>) -> i64 {
    1_067 + attributes.map(Attribute::row_bytes).sum::<i64>()
}

/// One attribute of a collection.
#[derive(Debug, Clone)]
pub(crate) struct Attribute {
    /// Internal number; the SQLite column is `a<seq>`.
    pub seq: i64,
    pub key: String,
    pub kind: Kind,
    pub required: bool,
    pub array: bool,
    pub default: Value,
    pub status: String,
    pub error: String,
    pub created: String,
    pub updated: String,
}

impl Attribute {
    /// The SQLite column holding this attribute.
    pub(crate) fn column(&self) -> String {
        format!("a{}", self.seq)
    }

    /// The bytes MariaDB gives the attribute in a row, as Appwrite's database library counts them.
    fn row_bytes(&self) -> i64 {
        if self.array {
            return 20;
        }
        match &self.kind {
            // Appwrite makes the column a BIGINT when `max` passes 32 bits, whatever `min` is.
            Kind::Integer { max, .. } if *max > i64::from(i32::MAX) => 8,
            Kind::Integer { .. } => 4,
            Kind::Float { .. } => 8,
            Kind::Boolean => 1,
            Kind::Datetime => 7,
            kind => match kind.size().unwrap_or_default() {
                size if size > MAX_VARCHAR => 20,
                size if size > 255 => size * 4 + 2,
                size => size * 4 + 1,
            },
        }
    }

    pub(crate) fn is_available(&self) -> bool {
        self.status == "available"
    }

    /// The attribute model Appwrite returns (type + format + kind-specific fields).
    pub(crate) fn to_json(&self) -> Value {
        let mut model = Map::new();
        model.insert("key".into(), json!(self.key));
        model.insert("type".into(), json!(self.kind.server_type()));
        model.insert("status".into(), json!(self.status));
        model.insert("error".into(), json!(self.error));
        model.insert("required".into(), json!(self.required));
        model.insert("array".into(), json!(self.array));
        model.insert("$createdAt".into(), json!(self.created));
        model.insert("$updatedAt".into(), json!(self.updated));
        match &self.kind {
            Kind::String { size, encrypt } => {
                model.insert("size".into(), json!(size));
                model.insert("encrypt".into(), json!(encrypt));
            }
            Kind::Integer { min, max } => {
                model.insert("min".into(), json!(min));
                model.insert("max".into(), json!(max));
            }
            Kind::Float { min, max } => {
                model.insert("min".into(), json!(min));
                model.insert("max".into(), json!(max));
            }
            Kind::Enum { elements } => {
                model.insert("elements".into(), json!(elements));
            }
            _ => {}
        }
        if let Some(format) = self
            .kind
            .format()
            .filter(|f| !matches!(*f, "intRange" | "floatRange"))
        {
            model.insert("format".into(), json!(format));
        }
        model.insert("default".into(), self.default.clone());
        Value::Object(model)
    }

    /// The definition as stored in the `attributes` table.
    pub(crate) fn spec(&self) -> Value {
        let (min, max, size, elements) = match &self.kind {
            Kind::String { size, .. } => (Value::Null, Value::Null, json!(size), Value::Null),
            Kind::Integer { min, max } => (json!(min), json!(max), Value::Null, Value::Null),
            Kind::Float { min, max } => (json!(min), json!(max), Value::Null, Value::Null),
            Kind::Enum { elements } => (Value::Null, Value::Null, Value::Null, json!(elements)),
            _ => (Value::Null, Value::Null, Value::Null, Value::Null),
        };
        json!({
            "kind": self.kind.route(), "size": size, "min": min, "max": max, "elements": elements,
            "required": self.required, "array": self.array, "default": self.default,
            "encrypt": matches!(self.kind, Kind::String { encrypt: true, .. }),
        })
    }

    /// Rebuilds the kind from a stored spec.
    pub(crate) fn kind_from_spec(spec: &Value) -> Kind {
        match spec["kind"].as_str().unwrap_or_default() {
            "integer" => Kind::Integer {
                min: spec["min"].as_i64().unwrap_or(i64::MIN),
                max: spec["max"].as_i64().unwrap_or(i64::MAX),
            },
            "float" => Kind::Float {
                min: spec["min"].as_f64().unwrap_or(-f64::MAX),
                max: spec["max"].as_f64().unwrap_or(f64::MAX),
            },
            "boolean" => Kind::Boolean,
            "datetime" => Kind::Datetime,
            "email" => Kind::Email,
            "url" => Kind::Url,
            "ip" => Kind::Ip,
            "enum" => Kind::Enum {
                elements: spec["elements"]
                    .as_array()
                    .map(|e| e.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
            },
            _ => Kind::String {
                size: spec["size"].as_i64().unwrap_or(255),
                encrypt: spec["encrypt"].as_bool().unwrap_or(false),
            },
        }
    }

    /// Checks one value for this attribute and converts it to what SQLite stores.
    pub(crate) fn to_sql(&self, value: &Value) -> ApiResult<Sql> {
        if value.is_null() {
            if self.required {
                return Err(ApiError::structure(format!(
                    "Missing required attribute \"{}\"",
                    self.key
                )));
            }
            return Ok(Sql::Null);
        }
        if self.array {
            let Some(items) = value.as_array() else {
                return Err(self.invalid_type("Value must be a valid array"));
            };
            let mut stored = Vec::with_capacity(items.len());
            for item in items {
                stored.push(self.scalar_json(item)?);
            }
            return Ok(Sql::Text(Value::Array(stored).to_string()));
        }
        Ok(match self.scalar_json(value)? {
            Value::Bool(b) => Sql::Integer(i64::from(b)),
            Value::Number(n) if matches!(self.kind, Kind::Integer { .. }) => {
                Sql::Integer(n.as_i64().unwrap_or_default())
            }
            Value::Number(n) => Sql::Real(n.as_f64().unwrap_or_default()),
            Value::String(s) => Sql::Text(s),
            other => Sql::Text(other.to_string()),
        })
    }

    /// The stored form of a value computed by an update operator: Appwrite writes those without
    /// the attribute's range and size checks (the operator validator made its own).
    pub(crate) fn to_sql_unchecked(&self, value: &Value) -> Sql {
        match value {
            Value::Null => Sql::Null,
            Value::Array(_) | Value::Object(_) => Sql::Text(value.to_string()),
            Value::Bool(b) => Sql::Integer(i64::from(*b)),
            Value::Number(n) if matches!(self.kind, Kind::Integer { .. }) => {
                Sql::Integer(n.as_i64().unwrap_or_default())
            }
            Value::Number(n) => Sql::Real(n.as_f64().unwrap_or_default()),
            Value::String(s) => Sql::Text(s.clone()),
        }
    }

    fn invalid_format(&self, description: &str) -> ApiError {
        ApiError::structure(format!(
            "Attribute \"{}\" has invalid format. {description}",
            self.key
        ))
    }

    fn invalid_type(&self, description: &str) -> ApiError {
        ApiError::structure(format!(
            "Attribute \"{}\" has invalid type. {description}",
            self.key
        ))
    }

    /// Validates one scalar; returns it normalised (datetimes to Appwrite's format).
    fn scalar_json(&self, value: &Value) -> ApiResult<Value> {
        let text = |v: &Value| v.as_str().map(str::to_owned);
        match &self.kind {
            Kind::String { size, .. } => {
                let s = text(value).ok_or_else(|| {
                    self.invalid_type(&format!(
                        "Value must be a valid string and no longer than {size} chars"
                    ))
                })?;
                if s.chars().count() as i64 > *size {
                    return Err(self.invalid_type(&format!(
                        "Value must be a valid string and no longer than {size} chars"
                    )));
                }
                Ok(Value::String(s))
            }
            // Type first (`invalid type`), then the range format (`invalid format`), as
            // Appwrite's structure validator checks them.
            Kind::Integer { min, max } => {
                let n = value
                    .as_i64()
                    .ok_or_else(|| self.invalid_type("Value must be a valid integer"))?;
                if n < *min || n > *max {
                    return Err(self.invalid_format(&format!(
                        "Value must be a valid range between {} and {}",
                        thousands(*min),
                        thousands(*max)
                    )));
                }
                Ok(json!(n))
            }
            Kind::Float { min, max } => {
                let n = value
                    .as_f64()
                    .ok_or_else(|| self.invalid_type("Value must be a valid float"))?;
                if n < *min || n > *max {
                    return Err(self.invalid_format(&format!(
                        "Value must be a valid range between {} and {}",
                        number_format(*min),
                        number_format(*max)
                    )));
                }
                Ok(json!(n))
            }
            Kind::Boolean => value
                .as_bool()
                .map(Value::Bool)
                .ok_or_else(|| self.invalid_type("Value must be a valid boolean")),
            Kind::Datetime => text(value)
                .and_then(|s| crate::ids::parse_time(&s))
                .map(Value::String)
                .ok_or_else(|| {
                    self.invalid_type(
                        "Value must be valid date between 0000-01-01 00:00:00 and 9999-12-31 23:59:59.",
                    )
                }),
            Kind::Email | Kind::Url | Kind::Ip | Kind::Enum { .. } => {
                let s = text(value)
                    .filter(|s| s.chars().count() as i64 <= self.kind.size().unwrap_or(i64::MAX))
                    .ok_or_else(|| {
                        self.invalid_type(&format!(
                            "Value must be a valid string and no longer than {} chars",
                            self.kind.size().unwrap_or_default()
                        ))
                    })?;
                let (valid, description) = match &self.kind {
                    Kind::Email => (is_email(&s), "Value must be a valid email address".to_owned()),
                    Kind::Url => (is_url(&s), "Value must be a valid URL".to_owned()),
                    Kind::Ip => (
                        s.parse::<std::net::IpAddr>().is_ok(),
                        "Value must be a valid IP address".to_owned(),
                    ),
                    Kind::Enum { elements } => (
                        elements.contains(&s),
                        format!("Value must be one of ({})", elements.join(", ")),
                    ),
                    _ => unreachable!("string formats only"),
                };
                if !valid {
                    return Err(self.invalid_format(&description));
                }
                Ok(Value::String(s))
            }
        }
    }

    /// Converts a stored SQLite value back to the JSON Appwrite returns.
    pub(crate) fn read_sql(&self, value: Sql) -> Value {
        match value {
            Sql::Null if self.array => json!([]),
            Sql::Null => Value::Null,
            Sql::Text(s) if self.array => serde_json::from_str(&s).unwrap_or_else(|_| json!([])),
            Sql::Integer(i) if matches!(self.kind, Kind::Boolean) => Value::Bool(i != 0),
            Sql::Integer(i) if matches!(self.kind, Kind::Float { .. }) => json!(i as f64),
            Sql::Integer(i) => json!(i),
            Sql::Real(f) => json!(f),
            Sql::Text(s) => Value::String(s),
            Sql::Blob(_) => Value::Null,
        }
    }

    /// Checks a default value as the create/update attribute endpoints do.
    pub(crate) fn check_default(&self) -> ApiResult<()> {
        if self.default.is_null() {
            return Ok(());
        }
        if self.required {
            return Err(ApiError::with(
                ErrorType::attribute_default_unsupported,
                "Cannot set default value for required attribute",
            ));
        }
        if self.array {
            return Err(ApiError::with(
                ErrorType::attribute_default_unsupported,
                "Cannot set default value for array attributes",
            ));
        }
        self.scalar_json(&self.default).map(drop).map_err(|e| {
            ApiError::with(
                ErrorType::attribute_value_invalid,
                e.message.replace("Invalid document structure: ", ""),
            )
        })
    }

    /// The default as it is stored (datetimes normalised).
    pub(crate) fn stored_default(&self) -> ApiResult<Sql> {
        if self.default.is_null() {
            return Ok(Sql::Null);
        }
        let relaxed = Attribute {
            required: false,
            ..self.clone()
        };
        relaxed.to_sql(&self.default)
    }
}

// PHP's number_format as Appwrite's range validator prints it: 9223372036854775807 -> 9,223,372,036,854,775,807.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn float_text(n: f64) -> String {
    if n.abs() >= 1e15 {
        format!("{n:e}")
    } else {
        n.to_string()
    }
}

/// PHP's `number_format` with no decimals, which Appwrite's range messages use: rounded, with
/// thousands separators.
fn number_format(n: f64) -> String {
    if n.is_finite() && n.abs() < 9.0e15 {
        thousands(n.round() as i64)
    } else {
        float_text(n)
    }
}

/// An address as PHP's `FILTER_VALIDATE_EMAIL` takes it: one `@`, a dot-separated local part of
/// the allowed characters, and a domain of dot-separated labels.
fn is_email(s: &str) -> bool {
    let Some((user, host)) = s.split_once('@') else {
        return false;
    };
    let atom = |part: &str, allowed: &dyn Fn(char) -> bool| {
        !part.is_empty()
            && part
                .split('.')
                .all(|piece| !piece.is_empty() && piece.chars().all(allowed))
    };
    let local = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let label = |c: char| c.is_ascii_alphanumeric() || c == '-';
    s.len() <= 254
        && user.len() <= 64
        && atom(user, &local)
        && host.contains('.')
        && atom(host, &label)
        && host
            .split('.')
            .all(|l| l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
}

fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !rest.starts_with('/')
        && !s.chars().any(char::is_whitespace)
}

/// An available attribute `key` of `kind`, for unit tests.
#[cfg(test)]
pub(crate) fn for_test(key: &str, kind: Kind, required: bool, array: bool) -> Attribute {
    Attribute {
        seq: 1,
        key: key.into(),
        kind,
        required,
        array,
        default: Value::Null,
        status: "available".into(),
        error: String::new(),
        created: String::new(),
        updated: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(kind: Kind, required: bool, array: bool) -> Attribute {
        for_test("x", kind, required, array)
    }

    #[test]
    fn row_limits_count_bytes_as_appwrite_does_on_mariadb() {
        let wide = attribute(
            Kind::String {
                size: 1024,
                encrypt: false,
            },
            true,
            false,
        );
        assert!(check_row_limits("c", std::iter::repeat_n(&wide, 15)).is_ok());
        let refused = check_row_limits("c", std::iter::repeat_n(&wide, 16)).unwrap_err();
        assert_eq!(refused.kind, ErrorType::attribute_limit_exceeded);
        // A BIGINT only when `max` passes 32 bits; arrays and long texts live off the row.
        let small = attribute(
            Kind::Integer {
                min: i64::MIN,
                max: 10,
            },
            false,
            false,
        );
        let big = attribute(
            Kind::Integer {
                min: 0,
                max: i64::MAX,
            },
            false,
            false,
        );
        assert_eq!((small.row_bytes(), big.row_bytes()), (4, 8));
        let text = attribute(
            Kind::String {
                size: 100_000,
                encrypt: false,
            },
            false,
            false,
        );
        let list = attribute(
            Kind::String {
                size: 1024,
                encrypt: false,
            },
            false,
            true,
        );
        assert_eq!((text.row_bytes(), list.row_bytes()), (20, 20));
        let many = attribute(Kind::Boolean, false, false);
        assert!(check_row_limits("c", std::iter::repeat_n(&many, 1_010)).is_ok());
        assert!(check_row_limits("c", std::iter::repeat_n(&many, 1_011)).is_err());
    }

    #[test]
    fn values_are_checked_and_converted_per_kind() {
        let int = attribute(Kind::Integer { min: 0, max: 10 }, true, false);
        assert_eq!(int.to_sql(&json!(3)).unwrap(), Sql::Integer(3));
        assert!(int.to_sql(&json!(11)).is_err());
        assert!(int.to_sql(&json!("3")).is_err());
        assert!(int
            .to_sql(&Value::Null)
            .unwrap_err()
            .message
            .contains("Missing required attribute \"x\""));

        let tags = attribute(
            Kind::String {
                size: 3,
                encrypt: false,
            },
            false,
            true,
        );
        assert_eq!(
            tags.to_sql(&json!(["a", "bc"])).unwrap(),
            Sql::Text(r#"["a","bc"]"#.into())
        );
        assert!(tags.to_sql(&json!(["abcd"])).is_err());
        assert_eq!(tags.read_sql(Sql::Null), json!([]));

        let email = attribute(Kind::Email, false, false);
        assert!(email.to_sql(&json!("a@b.co")).is_ok());
        assert!(email.to_sql(&json!("nope")).is_err());
        let when = attribute(Kind::Datetime, false, false);
        assert_eq!(
            when.to_sql(&json!("2024-05-01T12:00:00+02:00")).unwrap(),
            Sql::Text("2024-05-01T10:00:00.000+00:00".into())
        );
        let level = attribute(
            Kind::Enum {
                elements: vec!["low".into()],
            },
            false,
            false,
        );
        assert!(level
            .to_sql(&json!("high"))
            .unwrap_err()
            .message
            .contains("must be one of (low)"));
    }

    #[test]
    fn ranges_print_like_appwrite() {
        assert_eq!(thousands(i64::MAX), "9,223,372,036,854,775,807");
        assert_eq!(thousands(-1000), "-1,000");
    }
}
