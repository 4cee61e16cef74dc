/// One index of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The index key, following Appwrite's key rule.
    pub key: String,
    /// Plain, unique or fulltext.
    pub kind: IndexKind,
    /// The indexed attributes with their sort order, in index order.
    pub fields: Vec<IndexField>,
}

/// The kinds of index Appwrite builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexKind {
    /// A plain index (`key`) that speeds up filters and ordering.
    Key,
    /// An index that also rejects a second document with the same values (`unique`).
    Unique,
    /// A fulltext index, required by the `search` query (`fulltext`).
    Fulltext,
}

impl IndexKind {
    /// The `type` value on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            IndexKind::Key => "key",
            IndexKind::Unique => "unique",
            IndexKind::Fulltext => "fulltext",
        }
    }
}

/// One attribute of an [`Index`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexField {
    /// The attribute key (or `$id`, `$createdAt`, `$updatedAt`).
    pub attribute: String,
    /// The sort order of this attribute within the index.
    pub order: SortOrder,
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortOrder {
    /// `ASC`, the default.
    #[default]
    Asc,
    /// `DESC`.
    Desc,
}

impl SortOrder {
    /// The order as Appwrite writes it (`ASC` / `DESC`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        }
    }
}
