//! The query methods the ORM builds, typed.

use std::fmt;

macro_rules! methods {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// The method of a [`Query`](super::Query), as Appwrite names it on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum QueryMethod {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl QueryMethod {
            /// The name Appwrite uses, e.g. `greaterThanEqual`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(QueryMethod::$variant => $name,)*
                }
            }
        }
    };
}

methods! {
    Equal = "equal",
    NotEqual = "notEqual",
    LessThan = "lessThan",
    LessThanEqual = "lessThanEqual",
    GreaterThan = "greaterThan",
    GreaterThanEqual = "greaterThanEqual",
    Between = "between",
    NotBetween = "notBetween",
    IsNull = "isNull",
    IsNotNull = "isNotNull",
    StartsWith = "startsWith",
    EndsWith = "endsWith",
    Contains = "contains",
    Search = "search",
    NotStartsWith = "notStartsWith",
    NotEndsWith = "notEndsWith",
    NotContains = "notContains",
    NotSearch = "notSearch",
    And = "and",
    Or = "or",
    OrderAsc = "orderAsc",
    OrderDesc = "orderDesc",
    OrderRandom = "orderRandom",
    Limit = "limit",
    Offset = "offset",
    CursorAfter = "cursorAfter",
    CursorBefore = "cursorBefore",
    Select = "select",
}

impl QueryMethod {
    /// Whether it bounds or positions a page (`limit`, `offset`, a cursor) rather than choosing
    /// or ordering documents.
    pub fn is_paging(self) -> bool {
        matches!(
            self,
            QueryMethod::Limit | QueryMethod::Offset | QueryMethod::CursorAfter | QueryMethod::CursorBefore
        )
    }
}

impl fmt::Display for QueryMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
