use serde_json::{json, Map, Value};

/// The string size `#[derive(Collection)]` uses when a `String` field has no `size = N`.
///
/// 255 characters keeps a row far below MariaDB's 65 535-byte row limit that Appwrite enforces
/// per collection, while fitting names, titles and identifiers.
pub const DEFAULT_STRING_SIZE: u32 = 255;

/// One attribute (column) of a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The key documents use for this attribute; equal to the key serde writes.
    pub key: String,
    /// The Appwrite attribute kind with its kind-specific settings.
    pub kind: AttributeKind,
    /// Whether every document must carry a value.
    pub required: bool,
    /// Whether the attribute holds a list of values.
    pub array: bool,
    /// The value the server fills in when a document omits the attribute.
    pub default: Option<DefaultValue>,
}

/// The kinds of attribute the ORM maps Rust types onto.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeKind {
    /// `string`, with its maximum length in characters.
    String {
        /// Maximum length in characters.
        size: u32,
    },
    /// `integer`, bounded on both sides (the Rust type's range unless narrowed).
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// `float` (stored as `double`), optionally bounded.
    Float {
        /// Smallest accepted value, if bounded.
        min: Option<f64>,
        /// Largest accepted value, if bounded.
        max: Option<f64>,
    },
    /// `boolean`.
    Boolean,
    /// `datetime`.
    Datetime,
    /// `email`: a string in the email format.
    Email,
    /// `url`: a string in the URL format.
    Url,
    /// `ip`: a string holding an IPv4 or IPv6 address.
    Ip,
    /// `enum`: a string restricted to `elements`.
    Enum {
        /// The accepted values.
        elements: Vec<String>,
    },
}

impl AttributeKind {
    /// The enum attribute of `E`: its elements are the strings serde writes for its variants.
    ///
    /// ```
    /// use appwrite_orm::schema::AttributeKind;
    /// use appwrite_orm::AttributeEnum;
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(AttributeEnum, Serialize, Deserialize)]
    /// #[serde(rename_all = "lowercase")]
    /// enum Stage { Open, Done }
    ///
    /// let kind = AttributeKind::enum_of::<Stage>();
    /// assert_eq!(kind, AttributeKind::Enum { elements: vec!["open".into(), "done".into()] });
    /// ```
    pub fn enum_of<E: crate::AttributeEnum>() -> Self {
        AttributeKind::Enum {
            elements: E::ELEMENTS.iter().map(|e| (*e).to_owned()).collect(),
        }
    }

    /// The last segment of the create route: `/attributes/<route>`.
    pub const fn route(&self) -> &'static str {
        match self {
            AttributeKind::String { .. } => "string",
            AttributeKind::Integer { .. } => "integer",
            AttributeKind::Float { .. } => "float",
            AttributeKind::Boolean => "boolean",
            AttributeKind::Datetime => "datetime",
            AttributeKind::Email => "email",
            AttributeKind::Url => "url",
            AttributeKind::Ip => "ip",
            AttributeKind::Enum { .. } => "enum",
        }
    }

    /// The `type` the server reports for this kind (`float` is reported as `double`).
    pub const fn server_type(&self) -> &'static str {
        match self {
            AttributeKind::Integer { .. } => "integer",
            AttributeKind::Float { .. } => "double",
            AttributeKind::Boolean => "boolean",
            AttributeKind::Datetime => "datetime",
            AttributeKind::String { .. }
            | AttributeKind::Email
            | AttributeKind::Url
            | AttributeKind::Ip
            | AttributeKind::Enum { .. } => "string",
        }
    }

    /// The `format` the server reports for this kind, if it has one. Comparing a server's
    /// attribute with the schema must compare `type` and `format` together.
    pub const fn server_format(&self) -> Option<&'static str> {
        match self {
            AttributeKind::Integer { .. } => Some("intRange"),
            AttributeKind::Float { .. } => Some("floatRange"),
            AttributeKind::Datetime => Some("datetime"),
            AttributeKind::Email => Some("email"),
            AttributeKind::Url => Some("url"),
            AttributeKind::Ip => Some("ip"),
            AttributeKind::Enum { .. } => Some("enum"),
            AttributeKind::String { .. } | AttributeKind::Boolean => None,
        }
    }

    /// Adds the kind-specific fields of a create-attribute body.
    pub(crate) fn write_settings(&self, body: &mut Map<String, Value>) {
        match self {
            AttributeKind::String { size } => {
                body.insert("size".into(), json!(size));
            }
            AttributeKind::Integer { min, max } => {
                body.insert("min".into(), json!(min));
                body.insert("max".into(), json!(max));
            }
            AttributeKind::Float { min, max } => {
                if let Some(min) = min {
                    body.insert("min".into(), json!(min));
                }
                if let Some(max) = max {
                    body.insert("max".into(), json!(max));
                }
            }
            AttributeKind::Enum { elements } => {
                body.insert("elements".into(), json!(elements));
            }
            AttributeKind::Boolean
            | AttributeKind::Datetime
            | AttributeKind::Email
            | AttributeKind::Url
            | AttributeKind::Ip => {}
        }
    }
}

/// A default value, typed by the attribute kind it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    /// For string, email, url, ip, enum and datetime attributes (datetimes in Appwrite's format).
    String(String),
    /// For integer attributes.
    Integer(i64),
    /// For float attributes.
    Float(f64),
    /// For boolean attributes.
    Boolean(bool),
}

impl DefaultValue {
    /// The value as it appears in a request body.
    pub fn to_json(&self) -> Value {
        match self {
            DefaultValue::String(s) => json!(s),
            DefaultValue::Integer(i) => json!(i),
            DefaultValue::Float(f) => json!(f),
            DefaultValue::Boolean(b) => json!(b),
        }
    }
}

/// Whether `element` is one of `E`'s elements, usable in constants: the derive checks an enum
/// field's `default` with it at compile time.
///
/// ```
/// use appwrite_orm::schema::is_enum_element;
/// use appwrite_orm::AttributeEnum;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(AttributeEnum, Serialize, Deserialize)]
/// #[serde(rename_all = "lowercase")]
/// enum Stage { Open, Done }
///
/// const OPEN: bool = is_enum_element::<Stage>("open");
/// assert!(OPEN);
/// assert!(!is_enum_element::<Stage>("Open"));
/// ```
pub const fn is_enum_element<E: crate::AttributeEnum>(element: &str) -> bool {
    let mut i = 0;
    while i < E::ELEMENTS.len() {
        if str_eq(E::ELEMENTS[i], element) {
            return true;
        }
        i += 1;
    }
    false
}

// `==` on `&str` is not const.
pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
