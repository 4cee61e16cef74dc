// Classifies a field's Rust type into the Appwrite attribute it maps to.
//
// The classification is syntactic: a proc macro sees tokens, not resolved types. Known scalar
// names map directly; any other plain path is taken to be a unit enum and the generated code
// requires `AttributeEnum` of it, so a nested struct fails there, spanned at its type.

use syn::{GenericArgument, PathArguments, Type};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IntType {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
}

impl IntType {
    pub(crate) fn range(self) -> (i128, i128) {
        match self {
            IntType::I8 => (i8::MIN.into(), i8::MAX.into()),
            IntType::I16 => (i16::MIN.into(), i16::MAX.into()),
            IntType::I32 => (i32::MIN.into(), i32::MAX.into()),
            IntType::I64 => (i64::MIN.into(), i64::MAX.into()),
            IntType::U8 => (0, u8::MAX.into()),
            IntType::U16 => (0, u16::MAX.into()),
            IntType::U32 => (0, u32::MAX.into()),
        }
    }
}

#[derive(Clone)]
pub(crate) enum Scalar<'a> {
    String,
    Integer(IntType),
    Float { f32: bool },
    Boolean,
    Datetime,
    Enum(&'a Type),
}

impl Scalar<'_> {
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Scalar::String => "a string",
            Scalar::Integer(_) => "an integer",
            Scalar::Float { .. } => "a float",
            Scalar::Boolean => "a boolean",
            Scalar::Datetime => "a datetime",
            Scalar::Enum(_) => "an enum",
        }
    }
}

pub(crate) struct FieldType<'a> {
    pub(crate) scalar: Scalar<'a>,
    // The scalar's own type: `T` of `Option<T>`, `Vec<T>` and `Option<Vec<T>>`.
    pub(crate) scalar_ty: &'a Type,
    pub(crate) optional: bool,
    pub(crate) array: bool,
}

// Why a type cannot be an attribute; the message names the fix.
pub(crate) struct Unsupported<'a> {
    pub(crate) ty: &'a Type,
    pub(crate) message: String,
}

pub(crate) fn classify(ty: &Type) -> Result<FieldType<'_>, Unsupported<'_>> {
    let (optional, inner) = match generic_of(ty, "Option") {
        Some(inner) => (true, inner),
        None => (false, ty),
    };
    let (array, scalar_ty) = match generic_of(inner, "Vec") {
        Some(element) => (true, element),
        None => (false, inner),
    };
    if generic_of(scalar_ty, "Option").is_some() {
        let message = if array {
            "an array attribute cannot hold nulls; use `Vec<T>`"
        } else {
            "`Option<Option<T>>` cannot be stored; use `Option<T>`"
        };
        return Err(Unsupported {
            ty: scalar_ty,
            message: message.to_owned(),
        });
    }
    if generic_of(scalar_ty, "Vec").is_some() {
        return Err(Unsupported {
            ty: scalar_ty,
            message: "nested arrays cannot be stored in an Appwrite attribute".to_owned(),
        });
    }
    if optional && array {
        // Appwrite keeps no difference between a missing list and an empty one: `None` would
        // come back as `Some(vec![])`.
        return Err(Unsupported {
            ty,
            message: "`Option<Vec<T>>` cannot round-trip `None`: Appwrite stores a missing list as an empty one; use `Vec<T>` (empty for none)".to_owned(),
        });
    }
    let scalar = scalar(scalar_ty)?;
    Ok(FieldType {
        scalar,
        scalar_ty,
        optional,
        array,
    })
}

fn scalar(ty: &Type) -> Result<Scalar<'_>, Unsupported<'_>> {
    let unsupported = |message: &str| {
        Err(Unsupported {
            ty,
            message: message.to_owned(),
        })
    };
    let path = match ty {
        Type::Path(p) if p.qself.is_none() => &p.path,
        Type::Group(g) => return scalar(&g.elem),
        Type::Paren(p) => return scalar(&p.elem),
        Type::Tuple(_) => {
            return unsupported("tuples cannot be stored in an Appwrite attribute; use separate fields")
        }
        Type::Array(_) | Type::Slice(_) => {
            return unsupported("fixed-size arrays and slices cannot be stored; use `Vec<T>`")
        }
        Type::Reference(_) => {
            return unsupported("references cannot be stored; use an owned type such as `String`")
        }
        _ => return unsupported("this type cannot be stored in an Appwrite attribute"),
    };
    let Some(last) = path.segments.last() else {
        return unsupported("this type cannot be stored in an Appwrite attribute");
    };
    let name = last.ident.to_string();
    let plain = matches!(last.arguments, PathArguments::None);
    Ok(match name.as_str() {
        "String" if plain => Scalar::String,
        "bool" if plain => Scalar::Boolean,
        "i8" if plain => Scalar::Integer(IntType::I8),
        "i16" if plain => Scalar::Integer(IntType::I16),
        "i32" if plain => Scalar::Integer(IntType::I32),
        "i64" if plain => Scalar::Integer(IntType::I64),
        "u8" if plain => Scalar::Integer(IntType::U8),
        "u16" if plain => Scalar::Integer(IntType::U16),
        "u32" if plain => Scalar::Integer(IntType::U32),
        "f32" if plain => Scalar::Float { f32: true },
        "f64" if plain => Scalar::Float { f32: false },
        "u64" | "u128" | "i128" | "usize" | "isize" => {
            return unsupported(&format!(
                "`{name}` does not fit Appwrite's signed 64-bit integer attribute; use i64, or u32 and smaller"
            ))
        }
        "char" | "str" => return unsupported("use `String` for text attributes"),
        "DateTime" => match single_generic(&last.arguments) {
            Some(Type::Path(tz)) if tz.path.segments.last().is_some_and(|s| s.ident == "Utc") => Scalar::Datetime,
            _ => return unsupported("datetimes must be `chrono::DateTime<Utc>`: Appwrite stores them in UTC"),
        },
        "NaiveDateTime" | "NaiveDate" | "NaiveTime" | "OffsetDateTime" | "PrimitiveDateTime" | "SystemTime" => {
            return unsupported(&format!(
                "`{name}` cannot be stored: Appwrite's datetime attribute holds an instant in UTC; use `chrono::DateTime<Utc>` (e.g. `naive.and_utc()`)"
            ))
        }
        "HashMap" | "BTreeMap" | "IndexMap" | "HashSet" | "BTreeSet" | "Value" | "Map" => {
            return unsupported("maps, sets and JSON values cannot be stored in an Appwrite attribute; use a Vec or separate fields")
        }
        "Box" | "Rc" | "Arc" | "Cow" => return unsupported("smart pointers cannot be stored; use the owned type"),
        _ if plain => Scalar::Enum(ty),
        _ => return unsupported("generic types cannot be stored in an Appwrite attribute"),
    })
}

fn generic_of<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    single_generic(&last.arguments)
}

fn single_generic(arguments: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(ty)) if args.args.len() == 1 => Some(ty),
        _ => None,
    }
}
