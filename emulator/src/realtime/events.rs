//! The `events` and `channels` of a document event. From Appwrite 1.8 every
//! `collections`/`documents` string is followed by its `tables`/`rows` twin; 1.6 and 1.7 have
//! only the first.

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

/// Appwrite's plain substring mirror: `collections` → `tables`, `documents` → `rows`.
fn tables_twin(event: &str) -> Option<String> {
    event.contains("collections").then(|| {
        event
            .replace("collections", "tables")
            .replace("documents", "rows")
    })
}

/// The event strings of a document event: 42 with the `tables` twins (1.8+), 22 without.
pub(super) fn event_names(db: &str, col: &str, doc: &str, action: &str, tables: bool) -> Vec<String> {
    let mut events = Vec::with_capacity(42);
    for event in collection_events(db, col, doc, action) {
        let twin = tables.then(|| tables_twin(&event)).flatten();
        events.push(event);
        events.extend(twin);
    }
    events
}

/// The channels of a document event: 6 with the `rows` family (1.8+), 3 without.
pub(super) fn channels(db: &str, col: &str, doc: &str, tables: bool) -> Vec<String> {
    let documents = [
        "documents".to_owned(),
        format!("databases.{db}.collections.{col}.documents"),
        format!("databases.{db}.collections.{col}.documents.{doc}"),
    ];
    if !tables {
        return documents.to_vec();
    }
    let mut all = vec![
        "rows".to_owned(),
        format!("databases.{db}.tables.{col}.rows"),
        format!("databases.{db}.tables.{col}.rows.{doc}"),
    ];
    all.extend(documents);
    all
}
