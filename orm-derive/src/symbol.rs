use std::fmt;

use syn::Path;

// The names accepted inside `#[collection(...)]` and the serde names the derive reads.
#[derive(Clone, Copy)]
pub(crate) struct Symbol(pub(crate) &'static str);

pub(crate) const COLLECTION: Symbol = Symbol("collection");
pub(crate) const SERDE: Symbol = Symbol("serde");

pub(crate) const ID: Symbol = Symbol("id");
pub(crate) const NAME: Symbol = Symbol("name");
pub(crate) const RENAME_ALL: Symbol = Symbol("rename_all");
pub(crate) const DOCUMENT_SECURITY: Symbol = Symbol("document_security");
pub(crate) const PERMISSIONS: Symbol = Symbol("permissions");
pub(crate) const INDEX: Symbol = Symbol("index");

pub(crate) const READ: Symbol = Symbol("read");
pub(crate) const CREATE: Symbol = Symbol("create");
pub(crate) const UPDATE: Symbol = Symbol("update");
pub(crate) const DELETE: Symbol = Symbol("delete");
pub(crate) const WRITE: Symbol = Symbol("write");

pub(crate) const KEY: Symbol = Symbol("key");
pub(crate) const UNIQUE: Symbol = Symbol("unique");
pub(crate) const FULLTEXT: Symbol = Symbol("fulltext");
pub(crate) const FIELDS: Symbol = Symbol("fields");

pub(crate) const RENAME: Symbol = Symbol("rename");
pub(crate) const SIZE: Symbol = Symbol("size");
pub(crate) const MIN: Symbol = Symbol("min");
pub(crate) const MAX: Symbol = Symbol("max");
pub(crate) const DEFAULT: Symbol = Symbol("default");
pub(crate) const FORMAT: Symbol = Symbol("format");
pub(crate) const SKIP: Symbol = Symbol("skip");
pub(crate) const REQUIRED: Symbol = Symbol("required");

pub(crate) const FLATTEN: Symbol = Symbol("flatten");
pub(crate) const SERIALIZE: Symbol = Symbol("serialize");
pub(crate) const DESERIALIZE: Symbol = Symbol("deserialize");
pub(crate) const TRANSPARENT: Symbol = Symbol("transparent");
pub(crate) const TAG: Symbol = Symbol("tag");
pub(crate) const CONTENT: Symbol = Symbol("content");
pub(crate) const UNTAGGED: Symbol = Symbol("untagged");

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
