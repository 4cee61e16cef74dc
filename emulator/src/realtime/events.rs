//! The `events` and `channels` of a document event. From Appwrite 1.8 every
//! `collections`/`documents` string is followed by its `tables`/`rows` twin; 1.6 and 1.7 have
//! only the first. 1.9 adds the `tablesdb.…` channels, 1.9.5 an action-suffixed sibling of
//! every channel.

use crate::AppwriteVersion;

/// The 22 event strings Appwrite 1.6 generates for one document event, before mirroring.
fn collection_events(db: &str, col: &str, doc: &str, action: &str) -> Vec<String> {
    let mut events = Vec::with_capacity(22);
    let docs = [
        (db, col, doc),
        ("*", "*", "*"),
        (db, "*", doc),
        ("*", "*", doc),
        ("*", col, doc),
        (db, col, "*"),
        ("*", col, "*"),
        (db, "*", "*"),
    ];
    for (d, c, x) in docs {
        events.push(format!("databases.{d}.collections.{c}.documents.{x}.{action}"));
    }
    for (d, c, x) in docs {
        events.push(format!("databases.{d}.collections.{c}.documents.{x}"));
    }
    for (d, c) in [(db, col), ("*", "*"), (db, "*"), ("*", col)] {
        events.push(format!("databases.{d}.collections.{c}"));
    }
    events.push(format!("databases.{db}"));
    events.push("databases.*".to_owned());
    events
}

/// The `tables` twin of a `collections` event. 1.8 replaces substrings (so an id containing
/// `documents` is rewritten too); 1.9 replaces whole segments only.
fn tables_twin(event: &str, version: AppwriteVersion) -> Option<String> {
    if !event.contains("collections") {
        return None;
    }
    if !version.subscription_ids() {
        return Some(
            event
                .replace("collections", "tables")
                .replace("documents", "rows"),
        );
    }
    let twin: Vec<&str> = event
        .split('.')
        .map(|segment| match segment {
            "collections" => "tables",
            "documents" => "rows",
            other => other,
        })
        .collect();
    Some(twin.join("."))
}

/// The event strings of a write made through TablesDB (1.8+): the `tables`/`rows` names, each
/// followed from 1.9 by its `collections`/`documents` twin; 1.8 has only the first.
pub(super) fn row_event_names(
    db: &str,
    table: &str,
    row: &str,
    action: &str,
    version: AppwriteVersion,
) -> Vec<String> {
    let mut events = Vec::with_capacity(42);
    for event in collection_events(db, table, row, action) {
        let Some(rows) = tables_twin(&event, AppwriteVersion::V1_9_0) else {
            events.push(event);
            continue;
        };
        events.push(rows);
        if version.subscription_ids() {
            events.push(event);
        }
    }
    events
}

/// The event strings of a document event: 42 with the `tables` twins (1.8+), 22 without.
pub(super) fn event_names(
    db: &str,
    col: &str,
    doc: &str,
    action: &str,
    version: AppwriteVersion,
) -> Vec<String> {
    let mut events = Vec::with_capacity(42);
    for event in collection_events(db, col, doc, action) {
        let twin = version
            .tables_names()
            .then(|| tables_twin(&event, version))
            .flatten();
        events.push(event);
        events.extend(twin);
    }
    // No two names can be equal (ids never contain `*`, and a twin always differs in its
    // `tables`/`rows` segments), so Appwrite's `array_unique` has nothing to drop.
    events
}

/// The channels of a document event, in Appwrite's order: 3 of the `documents` family (1.6,
/// 1.7), 6 with the `rows` family (1.8), 8 with the `tablesdb.…` ones (1.9.0–1.9.4) and 16
/// with each one's action-suffixed sibling (1.9.5+).
pub(super) fn channels(
    db: &str,
    col: &str,
    doc: &str,
    action: &str,
    version: AppwriteVersion,
) -> Vec<String> {
    let documents = [
        "documents".to_owned(),
        format!("databases.{db}.collections.{col}.documents"),
        format!("databases.{db}.collections.{col}.documents.{doc}"),
    ];
    let rows = [
        "rows".to_owned(),
        format!("databases.{db}.tables.{col}.rows"),
        format!("databases.{db}.tables.{col}.rows.{doc}"),
    ];
    if !version.tables_names() {
        return documents.to_vec();
    }
    if !version.subscription_ids() {
        return rows.into_iter().chain(documents).collect();
    }
    let mut all: Vec<String> = documents.into_iter().chain(rows).collect();
    // Appwrite's `array_unique` only drops the second bare `rows`: the families differ in
    // their literal segments, so no other channel can repeat.
    all.push(format!("tablesdb.{db}.tables.{col}.rows"));
    all.push(format!("tablesdb.{db}.tables.{col}.rows.{doc}"));
    if version.action_channels() {
        let suffixed: Vec<String> = all.iter().map(|c| format!("{c}.{action}")).collect();
        all.extend(suffixed);
    }
    all
}
