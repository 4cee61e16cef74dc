//! Whether an index may exist over a collection's attributes: Appwrite's index validator (its
//! database library's `Validator\Index`, MariaDB limits), in its order, with its messages. Used
//! when an index is created and when an attribute it covers is resized.

use serde_json::Value;

use crate::attribute::Attribute;

/// The longest index MariaDB allows, in characters of utf8mb4.
pub(crate) const MAX_INDEX_LENGTH: i64 = 768;
/// What an array attribute counts for in an index, whatever length was asked.
pub(crate) const MAX_ARRAY_INDEX_LENGTH: i64 = 255;
/// Index names MariaDB keeps for itself.
const RESERVED_KEYS: [&str; 4] = ["primary", "_created_at", "_updated_at", "_tenant_id"];

/// What the validator needs to know of one attribute.
struct Column<'a> {
    key: &'a str,
    /// `Some(size)` for string-typed attributes.
    string_size: Option<i64>,
    /// Appwrite's type name: `string`, `integer`, `double`, `boolean`, `datetime`.
    type_name: &'static str,
    array: bool,
}

fn column<'a>(attributes: &'a [Attribute], name: &'a str) -> Option<Column<'a>> {
    match name {
        "$id" => Some(Column {
            key: "$id",
            string_size: Some(255),
            type_name: "string",
            array: false,
        }),
        "$sequence" => Some(Column {
            key: name,
            string_size: None,
            type_name: "id",
            array: false,
        }),
        "$createdAt" | "$updatedAt" => Some(Column {
            key: name,
            string_size: None,
            type_name: "datetime",
            array: false,
        }),
        _ => attributes
            .iter()
            .find(|a| a.key.eq_ignore_ascii_case(name))
            .map(|a| Column {
                key: &a.key,
                string_size: a.kind.size(),
                type_name: a.kind.server_type(),
                array: a.array,
            }),
    }
}

/// Checks an index of `kind` over `names` with `lengths` (null or an integer per attribute) and
/// `orders`; the error is the validator's message.
pub(crate) fn validate(
    attributes: &[Attribute],
    key: &str,
    kind: &str,
    names: &[String],
    lengths: &[Value],
    orders: &[Value],
) -> Result<(), String> {
    let mut columns = Vec::with_capacity(names.len());
    for name in names {
        columns.push(
            column(attributes, name)
                .ok_or_else(|| format!("Invalid index attribute \"{name}\" not found"))?,
        );
    }
    if names.is_empty() {
        return Err("No attributes provided for index".into());
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i].iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return Err("Duplicate attributes provided".into());
        }
    }
    if kind == "fulltext" {
        if let Some(c) = columns.iter().find(|c| c.string_size.is_none()) {
            return Err(format!(
                "Attribute \"{}\" cannot be part of a fulltext index, must be of type string",
                c.key
            ));
        }
    }
    let length_at = |i: usize| lengths.get(i).and_then(Value::as_i64).filter(|l| *l != 0);
    let mut arrays = 0;
    for (i, c) in columns.iter().enumerate() {
        if c.array {
            if kind != "key" {
                let mut title = kind.to_string();
                title[..1].make_ascii_uppercase();
                return Err(format!("\"{title}\" index is forbidden on array attributes"));
            }
            arrays += 1;
            if arrays > 1 {
                return Err("An index may only contain one array attribute".into());
            }
            if let Some(order) = orders.get(i).and_then(Value::as_str).filter(|o| !o.is_empty()) {
                return Err(format!(
                    "Invalid index order \"{order}\" on array attribute \"{}\"",
                    c.key
                ));
            }
        } else if c.string_size.is_none() && length_at(i).is_some() {
            return Err(format!("Cannot set a length on \"{}\" attributes", c.type_name));
        }
    }
    if kind != "fulltext" {
        if lengths.len() > names.len() {
            return Err("Invalid index lengths. Count of lengths must be equal or less than the number of attributes.".into());
        }
        let mut total = 0;
        for (i, c) in columns.iter().enumerate() {
            let (size, mut length) = match c.string_size {
                Some(size) => (size, length_at(i).unwrap_or(size)),
                None if c.type_name == "double" => (2, 2),
                None => (1, 1),
            };
            if length < 0 {
                return Err(format!("Negative index length provided for {}", names[i]));
            }
            let size = if c.array {
                length = MAX_ARRAY_INDEX_LENGTH;
                MAX_ARRAY_INDEX_LENGTH
            } else {
                size
            };
            if length > size {
                return Err(format!(
                    "Index length {length} is larger than the size for {}: {size}\"",
                    names[i]
                ));
            }
            total += length;
        }
        if total > MAX_INDEX_LENGTH {
            return Err(format!(
                "Index length is longer than the maximum: {MAX_INDEX_LENGTH}"
            ));
        }
    }
    if RESERVED_KEYS.iter().any(|r| r.eq_ignore_ascii_case(key)) {
        return Err("Index key name is reserved".into());
    }
    Ok(())
}
