// The names the collections API and TablesDB give the same things, and the renaming between
// them. The emulator compiles this same file (it renames the other way), so that the two sides
// cannot drift apart.

use serde_json::{Map, Value};

/// Which way to rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Toward {
    TablesDb,
    Collections,
}

/// Path segments, by position after `/databases` (or `/tablesdb`): collections API, TablesDB.
const SEGMENTS: [(usize, &str, &str); 3] = [
    (1, "collections", "tables"),
    (3, "attributes", "columns"),
    (3, "documents", "rows"),
];

/// Top-level keys of request bodies.
pub(crate) const BODY_KEYS: [(&str, &str); 5] = [
    ("collectionId", "tableId"),
    ("documentId", "rowId"),
    ("documentSecurity", "rowSecurity"),
    ("documents", "rows"),
    ("attributes", "columns"),
];

const TABLE_KEYS: [(&str, &str); 2] = [("documentSecurity", "rowSecurity"), ("attributes", "columns")];
const INDEX_KEYS: [(&str, &str); 1] = [("attributes", "columns")];

/// The path segment at `position` in the other API's name.
pub(crate) fn segment(position: usize, name: &str, toward: Toward) -> &str {
    SEGMENTS
        .iter()
        .find_map(|&(at, collections, tables)| match toward {
            _ if at != position => None,
            Toward::TablesDb if name == collections => Some(tables),
            Toward::Collections if name == tables => Some(collections),
            _ => None,
        })
        .unwrap_or(name)
}

/// Renames the keys of `object` found in `pairs` (collections name, TablesDB name).
pub(crate) fn rename(object: &mut Map<String, Value>, pairs: &[(&str, &str)], toward: Toward) {
    for &(collections, tables) in pairs {
        let (from, to) = match toward {
            Toward::TablesDb => (collections, tables),
            Toward::Collections => (tables, collections),
        };
        if let Some(value) = object.remove(from) {
            object.insert(to.to_owned(), value);
        }
    }
}

/// A collection (table) model, its indexes included.
pub(crate) fn rename_table(table: &mut Value, toward: Toward) {
    if let Some(object) = table.as_object_mut() {
        rename(object, &TABLE_KEYS, toward);
        if let Some(Value::Array(indexes)) = object.get_mut("indexes") {
            indexes.iter_mut().for_each(|index| rename_index(index, toward));
        }
    }
}

/// An index model.
pub(crate) fn rename_index(index: &mut Value, toward: Toward) {
    if let Some(object) = index.as_object_mut() {
        rename(object, &INDEX_KEYS, toward);
    }
}

/// A list answer (`{total, <list>: [...]}`) or one item: the list key renamed by `pair`
/// (collections name, TablesDB name) and `item` applied to each item, or to the one.
pub(crate) fn rename_list(value: &mut Value, pair: (&str, &str), toward: Toward, item: impl Fn(&mut Value)) {
    let (from, to) = match toward {
        Toward::TablesDb => pair,
        Toward::Collections => (pair.1, pair.0),
    };
    let Some(object) = value.as_object_mut() else {
        return;
    };
    match object.remove(from) {
        Some(Value::Array(mut items)) => {
            items.iter_mut().for_each(&item);
            object.insert(to.to_owned(), Value::Array(items));
        }
        Some(other) => {
            object.insert(from.to_owned(), other);
        }
        None => item(value),
    }
}
