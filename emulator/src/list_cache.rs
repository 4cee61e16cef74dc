//! Appwrite 1.9.5's cache of list answers: a list of documents asked for with `ttl` is kept for
//! that many seconds and served again (`X-Appwrite-Cache: hit`) to a caller with the same roles
//! asking the same queries of the same schema. A schema change misses by itself (the schema is
//! part of the entry's name); document writes do not, as in Appwrite; updating the collection
//! with `purge` drops its entries.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The longest `ttl` Appwrite accepts, in seconds; entries older than this are never served.
pub(crate) const MAX_TTL_SECONDS: u64 = 86_400;

/// A collection's entries: by what identifies an answer, when it was saved and the answer.
type Entries = HashMap<String, (Instant, Value)>;

/// Entries by collection.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    entries: Mutex<HashMap<String, Entries>>,
}

impl ListCache {
    /// The value saved under `field` of `collection` less than `ttl` ago.
    pub(crate) fn load(&self, collection: &str, field: &str, ttl: Duration) -> Option<Value> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (saved, value) = entries.get(collection)?.get(field)?;
        (saved.elapsed() < ttl).then(|| value.clone())
    }

    /// Saves `value` under `field` of `collection`, dropping what no `ttl` could still serve.
    pub(crate) fn save(&self, collection: &str, field: String, value: Value) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let fields = entries.entry(collection.to_owned()).or_default();
        fields.retain(|_, (saved, _)| saved.elapsed() < Duration::from_secs(MAX_TTL_SECONDS));
        fields.insert(field, (Instant::now(), value));
    }

    /// Drops every entry of `collection` (`purge` on a collection update).
    pub(crate) fn purge(&self, collection: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(collection);
    }
}

/// The name of one answer within a collection's entries: the schema it was computed against,
/// the caller's roles, the exact queries and which part of the answer it is.
pub(crate) fn field(schema: &Value, roles: &[String], queries: &[String], part: &str) -> String {
    serde_json::json!([schema, roles, queries, part]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_by_the_ttl_asked_and_purge_drops_a_collection() {
        let cache = ListCache::default();
        cache.save("db/movies", "f".into(), Value::from(3));
        assert_eq!(
            cache.load("db/movies", "f", Duration::from_secs(30)),
            Some(Value::from(3))
        );
        assert_eq!(
            cache.load("db/movies", "f", Duration::ZERO),
            None,
            "older than a zero ttl"
        );
        assert_eq!(cache.load("db/movies", "other", Duration::from_secs(30)), None);
        cache.purge("db/movies");
        assert_eq!(cache.load("db/movies", "f", Duration::from_secs(30)), None);
    }

    #[test]
    fn different_roles_or_queries_name_different_entries() {
        let schema = serde_json::json!({"attributes": []});
        let a = field(&schema, &["any".into()], &["q".into()], "documents");
        assert_ne!(
            a,
            field(
                &schema,
                &["any".into(), "users".into()],
                &["q".into()],
                "documents"
            )
        );
        assert_ne!(a, field(&schema, &["any".into()], &["r".into()], "documents"));
        assert_ne!(a, field(&schema, &["any".into()], &["q".into()], "total"));
    }
}
