// Rules Appwrite would enforce at runtime, checked at compile time instead. Each error is spanned
// at the tokens the user has to change.

use std::collections::{HashMap, HashSet};

use quote::ToTokens;

use crate::ast::{Container, Field};
use crate::attr::{DefaultLit, Format, IndexKind, IndexTarget, Number, Spanned};
use crate::ctxt::Ctxt;
use crate::ty::Scalar;

// Appwrite's largest string attribute, in characters.
const MAX_STRING_SIZE: u64 = 1_073_741_824;
// Appwrite's internal attributes that an index may name.
const INTERNAL_KEYS: [&str; 3] = ["$id", "$createdAt", "$updatedAt"];

pub(crate) fn check(cx: &Ctxt, cont: &Container<'_>) {
    check_generics(cx, cont);
    check_serde_shape(cx, cont);
    check_collection_id(cx, cont);
    check_renames(cx, cont);
    check_keys(cx, cont);
    for field in &cont.fields {
        check_field(cx, field);
    }
    check_indexes(cx, cont);
    check_permissions(cx, cont);
}

// The schema is one static value per type, so the struct cannot be generic.
fn check_serde_shape(cx: &Ctxt, cont: &Container<'_>) {
    if let Some(tokens) = &cont.attrs.serde.reshaped {
        cx.error_spanned_by(
            tokens,
            "a collection must serialize as a plain JSON object of its fields; remove this serde option",
        );
    }
}

fn check_generics(cx: &Ctxt, cont: &Container<'_>) {
    let generics = &cont.original.generics;
    if !generics.params.is_empty() {
        cx.error_spanned_by(
            generics,
            "Collection cannot be derived for a generic struct: a collection has one schema",
        );
    }
}

// Appwrite's key rule: 1 to 36 characters of [A-Za-z0-9._-], not starting with `_`, `.` or `-`.
pub(crate) fn key_rule_violation(key: &str) -> Option<String> {
    let first = key.chars().next()?;
    let length = key.chars().count();
    if length > 36 {
        return Some(format!("is {length} characters long; Appwrite allows at most 36"));
    }
    if matches!(first, '_' | '.' | '-') {
        return Some(format!("starts with `{first}`, which Appwrite does not allow"));
    }
    key.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .map(|bad| format!("contains `{bad}`; Appwrite allows only a-z, A-Z, 0-9, `.`, `_` and `-`"))
}

fn check_key(cx: &Ctxt, what: &str, key: &str, tokens: impl ToTokens) {
    if key.is_empty() {
        cx.error_spanned_by(tokens, format!("the {what} must not be empty"));
    } else if let Some(problem) = key_rule_violation(key) {
        cx.error_spanned_by(tokens, format!("the {what} `{key}` {problem}"));
    }
}

fn check_collection_id(cx: &Ctxt, cont: &Container<'_>) {
    match &cont.attrs.id {
        Some(lit) => check_key(cx, "collection id", &lit.value(), lit),
        None => check_key(cx, "collection id", &cont.id(), cont.ident),
    }
    if let Some(name) = &cont.attrs.name {
        if name.value().is_empty() || name.value().chars().count() > 128 {
            cx.error_spanned_by(name, "the collection name must be 1 to 128 characters long");
        }
    }
}

// Attribute keys are the keys serde writes. The derive's own `rename`/`rename_all` may restate
// them but cannot change them: a schema key that serde does not write would make every write
// fail with "Unknown attribute".
fn check_renames(cx: &Ctxt, cont: &Container<'_>) {
    for field in &cont.fields {
        if let Some(rename) = &field.attrs.rename {
            if rename.value() != field.key {
                cx.error_spanned_by(
                    rename,
                    format!(
                        "serde writes this field as `{}`, so its attribute key must be the same; add #[serde(rename = \"{}\")] so both agree",
                        field.key,
                        rename.value()
                    ),
                );
            }
        }
    }
    let Some(rule) = &cont.attrs.rename_all else {
        return;
    };
    let mismatch = cont.fields.iter().find(|f| {
        f.attrs.rename.is_none()
            && f.attrs.serde.rename.is_none()
            && rule.value.apply_to_field(&f.name) != f.key
    });
    if let Some(field) = mismatch {
        let rule_name = syn::parse2::<syn::LitStr>(rule.tokens.clone())
            .map(|l| l.value())
            .unwrap_or_default();
        cx.error_spanned_by(
            &rule.tokens,
            format!(
                "serde writes field `{}` as `{}`, not `{}`; add #[serde(rename_all = \"{rule_name}\")] so the attribute keys equal serde's",
                field.name,
                field.key,
                rule.value.apply_to_field(&field.name)
            ),
        );
    }
}

// Every attribute key follows the key rule and is unique after renaming; the generated query
// handles (`PLACED_AT`) must not collide either.
// The constants `Collection` itself defines. They start with `_` so that only a field starting
// with `_` can collide with them.
const RESERVED_CONSTANTS: [&str; 6] = [
    "_COLLECTION_ID",
    "_COLLECTION_NAME",
    "_ID",
    "_CREATED_AT",
    "_UPDATED_AT",
    "_SEQUENCE",
];

fn check_keys(cx: &Ctxt, cont: &Container<'_>) {
    let mut keys = HashMap::new();
    let mut constants = HashMap::new();
    for field in cont.stored_fields() {
        check_key(cx, "attribute key", &field.key, key_tokens(field));
        if let Some(previous) = keys.insert(field.key.clone(), &field.name) {
            cx.error_spanned_by(
                key_tokens(field),
                format!(
                    "duplicate attribute key `{}`: field `{previous}` already uses it",
                    field.key
                ),
            );
        }
        let constant = crate::case::constant_name(&field.name);
        if RESERVED_CONSTANTS.contains(&constant.as_str()) {
            cx.error_spanned_by(
                field.ident,
                format!(
                    "field `{}` would get the query handle `{constant}`, which `Collection` reserves; rename the field (keep its key with #[serde(rename = \"{}\")])",
                    field.name, field.key
                ),
            );
        }
        if let Some(previous) = constants.insert(constant.clone(), &field.name) {
            cx.error_spanned_by(
                field.ident,
                format!(
                    "fields `{previous}` and `{}` would both get the query handle `{constant}`",
                    field.name
                ),
            );
        }
    }
}

fn key_tokens(field: &Field<'_>) -> proc_macro2::TokenStream {
    match (&field.attrs.rename, &field.attrs.serde.rename) {
        (Some(lit), _) | (None, Some(lit)) => lit.to_token_stream(),
        (None, None) => field.ident.to_token_stream(),
    }
}

fn check_field(cx: &Ctxt, field: &Field<'_>) {
    let attrs = &field.attrs;
    if let Some(flatten) = &attrs.serde.flatten {
        cx.error_spanned_by(
            flatten,
            "#[serde(flatten)] cannot be used in a collection: Appwrite attributes are flat, and serde would send the inner keys the schema does not know",
        );
    }
    if let (Some(skip), false) = (&attrs.skip, attrs.serde.skip) {
        cx.error_spanned_by(
            skip,
            "a skipped field must also be #[serde(skip)], or serde would send it as an unknown attribute",
        );
    }
    let Some(ty) = &field.ty else { return };
    let scalar = &ty.scalar;

    if let Some(format) = &attrs.format {
        if !matches!(scalar, Scalar::String) {
            cx.error_spanned_by(
                &format.tokens,
                format!(
                    "`format = \"{}\"` applies only to `String` fields, not {}",
                    format.value.name(),
                    scalar.describe()
                ),
            );
        }
    }
    let is_plain_string = matches!(scalar, Scalar::String) && attrs.format.is_none();
    if let Some(size) = &attrs.size {
        if !is_plain_string {
            let reason = if attrs.format.is_some() {
                "a formatted string has a fixed size"
            } else {
                scalar.describe()
            };
            cx.error_spanned_by(
                &size.tokens,
                format!("`size` applies only to plain `String` fields ({reason})"),
            );
        } else if size.value == 0 || size.value > MAX_STRING_SIZE {
            cx.error_spanned_by(
                &size.tokens,
                format!("`size` must be between 1 and {MAX_STRING_SIZE}"),
            );
        }
    }
    check_range(cx, field);
    check_default(cx, field);
    if let Some(required) = &attrs.required {
        if required.value && ty.optional {
            cx.error_spanned_by(
                &required.tokens,
                "an `Option` field cannot be required: it may hold null",
            );
        }
    }
}

// min/max: numbers only, integers for integer fields, inside the Rust type's range, min <= max.
fn check_range(cx: &Ctxt, field: &Field<'_>) {
    let Some(ty) = &field.ty else { return };
    let bounds = [&field.attrs.min, &field.attrs.max];
    match &ty.scalar {
        Scalar::Integer(int) => {
            let (low, high) = int.range();
            for bound in bounds.into_iter().flatten() {
                match bound.value {
                    Number::Float(_) => {
                        cx.error_spanned_by(&bound.tokens, "an integer field needs an integer bound")
                    }
                    Number::Int(n) if n < low || n > high => cx.error_spanned_by(
                        &bound.tokens,
                        format!("{n} is outside the range of the field's type ({low}..={high})"),
                    ),
                    Number::Int(_) => {}
                }
            }
        }
        Scalar::Float { .. } => {}
        other => {
            for bound in bounds.into_iter().flatten() {
                cx.error_spanned_by(
                    &bound.tokens,
                    format!(
                        "`min` and `max` apply only to integer and float fields, not {}",
                        other.describe()
                    ),
                );
            }
            return;
        }
    }
    if let (Some(min), Some(max)) = (&field.attrs.min, &field.attrs.max) {
        if min.value.as_f64() > max.value.as_f64() {
            cx.error_spanned_by(&min.tokens, "`min` is greater than `max`");
        }
    }
}

// A default needs a non-required, non-array attribute and a literal of the attribute's type that
// passes the attribute's own checks.
fn check_default(cx: &Ctxt, field: &Field<'_>) {
    let (Some(ty), Some(default)) = (&field.ty, &field.attrs.default) else {
        return;
    };
    let error = |message: String| cx.error_spanned_by(&default.tokens, message);
    if field.attrs.required.as_ref().is_some_and(|r| r.value) {
        return error(
            "a required attribute cannot have a default: Appwrite rejects it; drop `required` or the default"
                .to_owned(),
        );
    }
    if ty.array {
        return error("array attributes cannot have a default in Appwrite".to_owned());
    }
    match (&ty.scalar, &default.value) {
        (Scalar::String, DefaultLit::Str(text)) => check_text_default(cx, field, default, text),
        (Scalar::Enum(_), DefaultLit::Str(_)) => {} // checked against the elements by a generated const
        (Scalar::Datetime, DefaultLit::Str(text)) => {
            if !looks_like_datetime(text) {
                error(format!(
                    "`{text}` is not a datetime; write it like \"2024-05-01T10:20:30.000+00:00\""
                ));
            }
        }
        (Scalar::Boolean, DefaultLit::Bool(_)) => {}
        (Scalar::Integer(_), DefaultLit::Number(Number::Int(n))) => {
            check_in_range(cx, field, default, *n as f64)
        }
        (Scalar::Float { .. }, DefaultLit::Number(n)) => check_in_range(cx, field, default, n.as_f64()),
        (scalar, _) => error(format!(
            "the default must be {} like the field",
            scalar.describe()
        )),
    }
}

fn check_text_default(cx: &Ctxt, field: &Field<'_>, default: &Spanned<DefaultLit>, text: &str) {
    let problem = match field.attrs.format.as_ref().map(|f| f.value) {
        None => {
            let size = field.attrs.size.as_ref().map_or(255, |s| s.value);
            (text.chars().count() as u64 > size).then(|| format!("is longer than the field's size ({size})"))
        }
        Some(Format::Email) => {
            let valid = text
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
            (!valid).then(|| "is not an email address".to_owned())
        }
        Some(Format::Url) => (!text.contains("://")).then(|| "is not a URL".to_owned()),
        Some(Format::Ip) => text
            .parse::<std::net::IpAddr>()
            .is_err()
            .then(|| "is not an IP address".to_owned()),
    };
    if let Some(problem) = problem {
        cx.error_spanned_by(&default.tokens, format!("the default `{text}` {problem}"));
    }
}

fn check_in_range(cx: &Ctxt, field: &Field<'_>, default: &Spanned<DefaultLit>, value: f64) {
    let (low, high) = match &field.ty.as_ref().map(|t| &t.scalar) {
        Some(Scalar::Integer(int)) => (int.range().0 as f64, int.range().1 as f64),
        _ => (f64::MIN, f64::MAX),
    };
    let low = field.attrs.min.as_ref().map_or(low, |m| m.value.as_f64());
    let high = field.attrs.max.as_ref().map_or(high, |m| m.value.as_f64());
    if value < low || value > high {
        cx.error_spanned_by(
            &default.tokens,
            format!("the default {value} is outside the field's range ({low}..={high})"),
        );
    }
}

fn looks_like_datetime(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && (b.len() == 10
            || (b.get(10) == Some(&b'T') && digits(11..13) && b.get(13) == Some(&b':') && digits(14..16)))
}

// Indexes name existing, stored fields (or `$id`, `$createdAt`, `$updatedAt`), have a valid
// unique key, and a fulltext index covers string attributes only.
fn check_indexes(cx: &Ctxt, cont: &Container<'_>) {
    let mut keys = HashSet::new();
    for index in &cont.attrs.indexes {
        match &index.key {
            Some(key) => {
                check_key(cx, "index key", &key.value(), key);
                if !keys.insert(key.value()) {
                    cx.error_spanned_by(key, format!("duplicate index key `{}`", key.value()));
                }
            }
            None => cx.error_spanned_by(&index.tokens, "an index needs `key = \"...\"`"),
        }
        for entry in &index.fields {
            match &entry.target {
                IndexTarget::Field(ident) => match cont
                    .fields
                    .iter()
                    .find(|f| f.name == ident.to_string().trim_start_matches("r#"))
                {
                    None => cx.error_spanned_by(
                        ident,
                        format!("the index names `{ident}`, which is not a field of this struct"),
                    ),
                    Some(field) if field.attrs.skip.is_some() || field.attrs.serde.skip => {
                        cx.error_spanned_by(ident, format!("the index names `{ident}`, which is skipped"));
                    }
                    Some(field) => {
                        if index.kind == IndexKind::Fulltext
                            && !matches!(field.ty.as_ref().map(|t| &t.scalar), Some(Scalar::String) | None)
                        {
                            cx.error_spanned_by(ident, "a fulltext index covers string fields only");
                        }
                    }
                },
                IndexTarget::Internal(lit) => {
                    if !INTERNAL_KEYS.contains(&lit.value().as_str()) {
                        cx.error_spanned_by(lit, "quoted index fields must be one of `$id`, `$createdAt`, `$updatedAt`; name struct fields without quotes");
                    }
                }
            }
            if let Some(order) = &entry.order {
                if !matches!(order.value().to_ascii_lowercase().as_str(), "asc" | "desc") {
                    cx.error_spanned_by(order, "the order must be \"asc\" or \"desc\"");
                }
            }
        }
    }
}

// Roles follow Appwrite's grammar; a typo would otherwise be a 400 at migration time.
fn check_permissions(cx: &Ctxt, cont: &Container<'_>) {
    for permission in &cont.attrs.permissions {
        let role = permission.role.value();
        if !is_valid_role(&role) {
            cx.error_spanned_by(
                &permission.role,
                format!("`{role}` is not an Appwrite role; expected `any`, `guests`, `users`, `users/verified`, `users/unverified`, `user:<id>`, `user:<id>/verified`, `team:<id>`, `team:<id>/<role>`, `member:<id>` or `label:<name>`"),
            );
        }
    }
}

fn is_valid_role(role: &str) -> bool {
    if matches!(
        role,
        "any" | "guests" | "users" | "users/verified" | "users/unverified"
    ) {
        return true;
    }
    let Some((kind, rest)) = role.split_once(':') else {
        return false;
    };
    let (id, qualifier) = rest.split_once('/').map_or((rest, None), |(id, q)| (id, Some(q)));
    if id.is_empty() {
        return false;
    }
    match (kind, qualifier) {
        ("user", None | Some("verified" | "unverified")) => true,
        ("team", None) | ("member" | "label", None) => true,
        ("team", Some(team_role)) => !team_role.is_empty(),
        _ => false,
    }
}
