//! Which of Appwrite's two database APIs the ORM speaks. Since 1.8 the current one is TablesDB
//! (tables, columns, rows); the collections API (collections, attributes, documents) still works
//! and is the only one before 1.8. Both reach the same data, and every realtime event carries
//! both channel families, so listeners work with either.
//!
//! The crate is written in collections terms; with [`Dialect::TablesDb`] the transport renames
//! each request into its TablesDB twin on the way out (paths, and the body keys that name
//! tables, rows and columns) and the schema answers back on the way in. Row answers are decoded
//! as they come (`rows` and `$tableId` are read as `documents` and `$collectionId`).

use serde_json::Value;

/// The database API the ORM speaks; see [`OrmBuilder::dialect`](crate::OrmBuilder::dialect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// TablesDB when the server is 1.8 or later (asked once, at the first request), the
    /// collections API otherwise.
    #[default]
    Auto,
    /// `/v1/databases/{db}/collections/{id}/documents` — every release.
    Collections,
    /// `/v1/tablesdb/{db}/tables/{id}/rows` — Appwrite 1.8 and later.
    TablesDb,
}

impl Dialect {
    /// The dialect for a server reporting `version` (`1.8.1`, `1.9.6`, …).
    pub fn for_version(version: &str) -> Dialect {
        let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        if (major, minor) >= (1, 8) {
            Dialect::TablesDb
        } else {
            Dialect::Collections
        }
    }
}

mod names;

use names::{rename, rename_index, rename_list, rename_table, segment, Toward, BODY_KEYS};

/// What a renamed request addresses: decides how its answer is renamed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Databases, rows and transactions: decoded as they come.
    AsItComes,
    Tables,
    Columns,
    Indexes,
}

/// The TablesDB twin of a collections-API path, and how to read its answer; `None` for paths
/// outside the databases API.
pub(crate) fn tablesdb_path(path: &str) -> Option<(String, Answer)> {
    let rest = path.strip_prefix("/databases")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let mut answer = Answer::AsItComes;
    let mut renamed = vec!["/tablesdb"];
    for (i, name) in rest.split('/').skip(1).enumerate() {
        answer = match (i, name) {
            (1, "collections") => Answer::Tables,
            (3, "attributes") => Answer::Columns,
            (3, "indexes") => Answer::Indexes,
            (3, _) => Answer::AsItComes,
            _ => answer,
        };
        renamed.push(segment(i, name, Toward::TablesDb));
    }
    Some((renamed.join("/"), answer))
}

/// A request body in TablesDB's names: its top-level keys, and the keys of each transaction
/// operation. Document data is never touched.
pub(crate) fn tablesdb_body(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(object) = body.as_object_mut() {
        rename(object, &BODY_KEYS, Toward::TablesDb);
        if let Some(Value::Array(operations)) = object.get_mut("operations") {
            for operation in operations.iter_mut().filter_map(Value::as_object_mut) {
                rename(operation, &BODY_KEYS[..2], Toward::TablesDb);
                // An increment's data names its column, as TablesDB's validator requires.
                if let Some(data) = operation.get_mut("data").and_then(Value::as_object_mut) {
                    rename(data, &[("attribute", "column")], Toward::TablesDb);
                }
            }
        }
    }
    body
}

/// A TablesDB schema answer in the collections API's names.
pub(crate) fn collections_answer(bytes: bytes::Bytes, answer: Answer) -> bytes::Bytes {
    if answer == Answer::AsItComes {
        return bytes;
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return bytes;
    };
    let back = Toward::Collections;
    match answer {
        Answer::Tables => rename_list(&mut value, ("collections", "tables"), back, |t| {
            rename_table(t, back)
        }),
        Answer::Columns => rename_list(&mut value, ("attributes", "columns"), back, |_| {}),
        Answer::Indexes => rename_list(&mut value, ("indexes", "indexes"), back, |i| {
            rename_index(i, back)
        }),
        Answer::AsItComes => {}
    }
    value.to_string().into()
}

/// The items of a list answer, whichever API sent it (`documents` or `rows`).
pub(crate) fn list_items(page: &Value) -> &[Value] {
    page.get("documents")
        .or_else(|| page.get("rows"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_become_their_tablesdb_twins() {
        let twin = |p: &str| tablesdb_path(p).map(|(path, _)| path);
        assert_eq!(twin("/databases").as_deref(), Some("/tablesdb"));
        assert_eq!(twin("/databases/main").as_deref(), Some("/tablesdb/main"));
        assert_eq!(
            twin("/databases/main/collections/orders/documents/o1/total/increment").as_deref(),
            Some("/tablesdb/main/tables/orders/rows/o1/total/increment")
        );
        assert_eq!(
            twin("/databases/main/collections/orders/attributes/string").as_deref(),
            Some("/tablesdb/main/tables/orders/columns/string")
        );
        assert_eq!(
            twin("/databases/transactions/t1/operations").as_deref(),
            Some("/tablesdb/transactions/t1/operations")
        );
        // An id named like a segment is an id.
        assert_eq!(
            twin("/databases/collections/collections/documents/documents/documents").as_deref(),
            Some("/tablesdb/collections/tables/documents/rows/documents")
        );
        assert_eq!(twin("/health/version"), None);
        let answer = |p: &str| tablesdb_path(p).map(|(_, answer)| answer);
        assert_eq!(answer("/databases/transactions/t1"), Some(Answer::AsItComes));
        assert_eq!(answer("/databases/main/collections/c"), Some(Answer::Tables));
        assert_eq!(
            answer("/databases/main/collections/c/attributes/k"),
            Some(Answer::Columns)
        );
        assert_eq!(
            answer("/databases/main/collections/c/documents/d"),
            Some(Answer::AsItComes)
        );
        assert_eq!(twin("/databasesx"), None);
    }

    #[test]
    fn bodies_rename_their_own_keys_and_never_the_data() {
        let body = json!({
            "documentId": "o1",
            "data": {"documentId": "kept", "attributes": 1},
            "operations": [
                {"collectionId": "c", "documentId": "d", "data": {"collectionId": "kept"}},
                {"action": "increment", "data": {"attribute": "stock", "value": 1}},
            ],
        });
        assert_eq!(
            tablesdb_body(&body),
            json!({
                "rowId": "o1",
                "data": {"documentId": "kept", "attributes": 1},
                "operations": [
                    {"tableId": "c", "rowId": "d", "data": {"collectionId": "kept"}},
                    {"action": "increment", "data": {"column": "stock", "value": 1}},
                ],
            })
        );
    }

    #[test]
    fn schema_answers_come_back_in_collection_terms() {
        let table = json!({"$id": "t", "rowSecurity": true, "columns": [], "indexes": [{"key": "i", "columns": ["a"]}]});
        let back = collections_answer(table.to_string().into(), Answer::Tables);
        let back: Value = serde_json::from_slice(&back).unwrap();
        assert_eq!(
            back,
            json!({"$id": "t", "documentSecurity": true, "attributes": [], "indexes": [{"key": "i", "attributes": ["a"]}]})
        );
        let list = json!({"total": 1, "columns": [{"key": "a"}]});
        let back: Value =
            serde_json::from_slice(&collections_answer(list.to_string().into(), Answer::Columns)).unwrap();
        assert_eq!(back, json!({"total": 1, "attributes": [{"key": "a"}]}));
        assert_eq!(Dialect::for_version("1.7.4"), Dialect::Collections);
        assert_eq!(Dialect::for_version("1.8.0"), Dialect::TablesDb);
        assert_eq!(Dialect::for_version("1.10.0"), Dialect::TablesDb);
    }
}
