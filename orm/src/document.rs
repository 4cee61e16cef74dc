//! [`Document<T>`]: a user's struct together with the metadata Appwrite keeps for it.
//!
//! Appwrite sends a document as one flat JSON object in which its own keys (`$id`,
//! `$createdAt`, …) sit beside the user's attributes. Decoding it with `#[serde(flatten)]` would
//! buffer every value into an intermediate map before `T` sees it; instead the decoder here walks
//! the object once, takes the `$`-keys for itself and streams every other entry straight into
//! `T`'s own `Deserialize` implementation.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};
use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::datetime::DateTimeVisitor;
use crate::{ParsePermissionError, Permission};

/// What Appwrite records about every document, beside its attributes.
///
/// The string metadata (`$id`, `$collectionId`, `$databaseId` and the permissions) shares one
/// buffer, so decoding a document allocates once for all of it; permissions are validated while
/// decoding and turned into [`Permission`] values only when asked for.
#[derive(Clone)]
pub struct Metadata {
    text: String,
    id: Span,
    collection_id: Span,
    database_id: Span,
    // The permission strings, separated by `\n` (which a valid permission cannot contain).
    permissions: Span,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    sequence: Option<u64>,
}

#[derive(Clone, Copy, Default)]
struct Span {
    start: u32,
    end: u32,
}

impl Metadata {
    /// Metadata for a document `id` created at `created_at` and last updated at `updated_at`,
    /// with no permissions, no sequence and no database or collection id.
    pub fn new(id: &str, created_at: DateTime<Utc>, updated_at: DateTime<Utc>) -> Self {
        let mut meta = Metadata {
            text: String::new(),
            id: Span::default(),
            collection_id: Span::default(),
            database_id: Span::default(),
            permissions: Span::default(),
            created_at,
            updated_at,
            sequence: None,
        };
        meta.id = meta.push(id);
        meta
    }

    /// The same metadata located in `database_id` / `collection_id`.
    pub fn with_location(mut self, database_id: &str, collection_id: &str) -> Self {
        self.database_id = self.push(database_id);
        self.collection_id = self.push(collection_id);
        self
    }

    /// The same metadata with these document permissions.
    pub fn with_permissions(mut self, permissions: &[Permission]) -> Self {
        let strings: Vec<String> = permissions.iter().map(ToString::to_string).collect();
        let json = serde_json::to_string(&strings).unwrap_or_else(|_| "[]".to_owned());
        self.permissions = self.push(&json);
        self
    }

    /// The same metadata with a `$sequence`.
    pub fn with_sequence(mut self, sequence: u64) -> Self {
        self.sequence = Some(sequence);
        self
    }

    fn push(&mut self, part: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(part);
        Span::of(start, self.text.len())
    }

    fn get(&self, span: Span) -> &str {
        &self.text[span.start as usize..span.end as usize]
    }

    /// `$id`.
    pub fn id(&self) -> &str {
        self.get(self.id)
    }

    /// `$collectionId` (or `$tableId` for rows of the TablesDB API); empty when a `select`
    /// query left it out.
    pub fn collection_id(&self) -> &str {
        self.get(self.collection_id)
    }

    /// `$databaseId`; empty when a `select` query left it out.
    pub fn database_id(&self) -> &str {
        self.get(self.database_id)
    }

    /// `$createdAt`.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// `$updatedAt`.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    /// `$sequence`: the server's auto-increment number (servers 1.8 and later).
    pub fn sequence(&self) -> Option<u64> {
        self.sequence
    }

    /// `$permissions` as the server wrote them (empty if they were not a list of strings).
    pub fn raw_permissions(&self) -> Vec<String> {
        self.permission_strings().unwrap_or_default()
    }

    // The permissions are kept as the JSON array the server sent: decoding skips over it
    // instead of unescaping every `read(\"…\")`, and most reads never look at permissions.
    fn permission_strings(&self) -> Result<Vec<String>, ParsePermissionError> {
        let json = self.get(self.permissions);
        if json.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(json).map_err(|_| ParsePermissionError::not_a_list(json))
    }

    /// `$permissions`, parsed.
    ///
    /// Parsing happens here rather than while decoding: most reads never look at permissions, and
    /// a role kind added by a newer server must not make the whole document undecodable.
    pub fn permissions(&self) -> Result<Vec<Permission>, ParsePermissionError> {
        self.permission_strings()?.iter().map(|p| p.parse()).collect()
    }
}

impl Span {
    fn of(start: usize, end: usize) -> Self {
        // A document's metadata is a few hundred bytes; Appwrite caps ids at 36 characters.
        let cap = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            start: cap(start),
            end: cap(end),
        }
    }
}

impl PartialEq for Metadata {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
            && self.collection_id() == other.collection_id()
            && self.database_id() == other.database_id()
            && self.raw_permissions() == other.raw_permissions()
            && self.created_at == other.created_at
            && self.updated_at == other.updated_at
            && self.sequence == other.sequence
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metadata")
            .field("id", &self.id())
            .field("collection_id", &self.collection_id())
            .field("database_id", &self.database_id())
            .field("permissions", &self.raw_permissions())
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("sequence", &self.sequence)
            .finish()
    }
}

/// A stored document: the user's `T` plus Appwrite's [`Metadata`].
///
/// It dereferences to `T`, so `order.status` reads the user's field while `order.id()` reads
/// the document id. Serializing a `Document<T>` writes only `T`, which is exactly the `data`
/// Appwrite accepts on writes (metadata keys there are rejected or ignored by the server).
///
/// ```
/// use appwrite_orm::Document;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Note {
///     text: String,
/// }
///
/// let json = r#"{"$id":"n1","$createdAt":"2024-05-01T10:20:30.123+00:00",
///   "$updatedAt":"2024-05-01T10:20:31.000+00:00","$permissions":["read(\"any\")"],
///   "$sequence":7,"$collectionId":"notes","$databaseId":"main","text":"hello"}"#;
/// let note: Document<Note> = serde_json::from_str(json).unwrap();
/// assert_eq!(note.id(), "n1");
/// assert_eq!(note.text, "hello");
/// assert_eq!(note.meta().sequence(), Some(7));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Document<T> {
    meta: Metadata,
    data: T,
}

impl<T> Document<T> {
    /// A document from its parts.
    pub fn from_parts(meta: Metadata, data: T) -> Self {
        Document { meta, data }
    }

    /// `$id`.
    pub fn id(&self) -> &str {
        self.meta.id()
    }

    /// `$createdAt`.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.meta.created_at
    }

    /// `$updatedAt`.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.meta.updated_at
    }

    /// `$permissions`, parsed; see [`Metadata::permissions`].
    pub fn permissions(&self) -> Result<Vec<Permission>, ParsePermissionError> {
        self.meta.permissions()
    }

    /// All of Appwrite's metadata.
    pub fn meta(&self) -> &Metadata {
        &self.meta
    }

    /// The user's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The user's data, dropping the metadata.
    pub fn into_inner(self) -> T {
        self.data
    }

    /// Both halves.
    pub fn into_parts(self) -> (Metadata, T) {
        (self.meta, self.data)
    }
}

impl<T> Deref for Document<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for Document<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.data
    }
}

impl<T: Serialize> Serialize for Document<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.data.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Document<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocumentVisitor(PhantomData))
    }
}

struct DocumentVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for DocumentVisitor<T> {
    type Value = Document<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an Appwrite document object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut slots = MetaSlots::new();
        let data = T::deserialize(UserEntries {
            map: &mut map,
            slots: &mut slots,
        })?;
        // `T` may stop reading before the end of the object (a newtype over a few keys, say);
        // metadata after that point must still be collected.
        let mut rest = UserEntries {
            map: &mut map,
            slots: &mut slots,
        };
        while rest.next_key::<IgnoredAny>()?.is_some() {
            rest.next_value::<IgnoredAny>()?;
        }
        Ok(Document {
            meta: slots.finish()?,
            data,
        })
    }
}

/// The metadata seen so far while walking a document object.
struct MetaSlots {
    text: String,
    id: Option<Span>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    permissions: Option<Span>,
    sequence: Option<u64>,
    collection_id: Option<Span>,
    database_id: Option<Span>,
}

impl MetaSlots {
    fn new() -> Self {
        MetaSlots {
            // Room for typical ids and a few permissions, so the buffer is allocated once.
            text: String::with_capacity(160),
            id: None,
            created_at: None,
            updated_at: None,
            permissions: None,
            sequence: None,
            collection_id: None,
            database_id: None,
        }
    }

    fn read<'de, A: MapAccess<'de>>(&mut self, key: MetaKey, map: &mut A) -> Result<(), A::Error> {
        fn once<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
            match slot.replace(value) {
                Some(_) => Err(E::duplicate_field(name)),
                None => Ok(()),
            }
        }
        match key {
            MetaKey::Id => {
                let span = map.next_value_seed(AppendStr(&mut self.text))?;
                once(&mut self.id, span, "$id")
            }
            MetaKey::CreatedAt => once(
                &mut self.created_at,
                map.next_value::<Timestamp>()?.0,
                "$createdAt",
            ),
            MetaKey::UpdatedAt => once(
                &mut self.updated_at,
                map.next_value::<Timestamp>()?.0,
                "$updatedAt",
            ),
            MetaKey::Permissions => {
                let span = map.next_value_seed(AppendPermissions(&mut self.text))?;
                once(&mut self.permissions, span, "$permissions")
            }
            MetaKey::Sequence => match map.next_value::<Sequence>()?.0 {
                Some(sequence) => once(&mut self.sequence, sequence, "$sequence"),
                None => Ok(()),
            },
            MetaKey::CollectionId => {
                let span = map.next_value_seed(AppendStr(&mut self.text))?;
                once(&mut self.collection_id, span, "$collectionId")
            }
            MetaKey::DatabaseId => {
                let span = map.next_value_seed(AppendStr(&mut self.text))?;
                once(&mut self.database_id, span, "$databaseId")
            }
            MetaKey::Other => map.next_value::<IgnoredAny>().map(drop),
        }
    }

    fn finish<E: de::Error>(self) -> Result<Metadata, E> {
        let empty = Span::default();
        Ok(Metadata {
            id: self.id.ok_or_else(|| E::missing_field("$id"))?,
            created_at: self.created_at.ok_or_else(|| E::missing_field("$createdAt"))?,
            updated_at: self.updated_at.ok_or_else(|| E::missing_field("$updatedAt"))?,
            permissions: self.permissions.unwrap_or(empty),
            sequence: self.sequence,
            // A `select` query drops these two unless selected, so their absence is not an error.
            collection_id: self.collection_id.unwrap_or(empty),
            database_id: self.database_id.unwrap_or(empty),
            text: self.text,
        })
    }
}

/// Appends one JSON string to the metadata buffer and returns where it landed.
struct AppendStr<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for AppendStr<'_> {
    type Value = Span;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Span, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for AppendStr<'_> {
    type Value = Span;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Span, E> {
        let start = self.0.len();
        self.0.push_str(value);
        Ok(Span::of(start, self.0.len()))
    }
}

/// Appends the permissions array, as JSON text, to the metadata buffer.
struct AppendPermissions<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for AppendPermissions<'_> {
    type Value = Span;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Span, D::Error> {
        let raw = <Box<serde_json::value::RawValue>>::deserialize(deserializer)?;
        if !raw.get().starts_with('[') {
            return Err(de::Error::invalid_type(
                de::Unexpected::Other("a non-list value"),
                &"a list of permission strings",
            ));
        }
        let start = self.0.len();
        self.0.push_str(raw.get());
        Ok(Span::of(start, self.0.len()))
    }
}

/// A key of a document object: one of Appwrite's, or a user attribute.
enum DocumentKey<'de> {
    Meta(MetaKey),
    Borrowed(&'de str),
    Owned(String),
}

#[derive(Clone, Copy)]
enum MetaKey {
    Id,
    CreatedAt,
    UpdatedAt,
    Permissions,
    Sequence,
    CollectionId,
    DatabaseId,
    // `$tenant`, keys of future servers, …: read and dropped.
    Other,
}

impl MetaKey {
    fn from_key(key: &str) -> Option<Self> {
        let name = key.strip_prefix('$')?;
        Some(match name {
            "id" => MetaKey::Id,
            "createdAt" => MetaKey::CreatedAt,
            "updatedAt" => MetaKey::UpdatedAt,
            "permissions" => MetaKey::Permissions,
            "sequence" => MetaKey::Sequence,
            "collectionId" | "tableId" => MetaKey::CollectionId,
            "databaseId" => MetaKey::DatabaseId,
            _ => MetaKey::Other,
        })
    }
}

impl<'de> Deserialize<'de> for DocumentKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = DocumentKey<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute key")
            }

            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
                Ok(MetaKey::from_key(key).map_or(DocumentKey::Borrowed(key), DocumentKey::Meta))
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
                Ok(MetaKey::from_key(key)
                    .map_or_else(|| DocumentKey::Owned(key.to_owned()), DocumentKey::Meta))
            }

            fn visit_string<E: de::Error>(self, key: String) -> Result<Self::Value, E> {
                Ok(MetaKey::from_key(&key).map_or(DocumentKey::Owned(key), DocumentKey::Meta))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The document object as `T` sees it: a map of the user's attributes only. Appwrite's keys are
/// diverted into the [`MetaSlots`] as they stream past.
struct UserEntries<'a, A> {
    map: &'a mut A,
    slots: &'a mut MetaSlots,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for UserEntries<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        loop {
            match self.map.next_key::<DocumentKey<'de>>()? {
                None => return Ok(None),
                Some(DocumentKey::Meta(key)) => self.slots.read(key, self.map)?,
                Some(DocumentKey::Borrowed(key)) => {
                    return seed.deserialize(BorrowedStrDeserializer::new(key)).map(Some)
                }
                Some(DocumentKey::Owned(key)) => {
                    return seed.deserialize(StringDeserializer::new(key)).map(Some)
                }
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for UserEntries<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Timestamp(DateTime<Utc>);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DateTimeVisitor).map(Timestamp)
    }
}

/// `$sequence` is an integer in 1.8 responses, but some builds send it as a numeric string.
struct Sequence(Option<u64>);

impl<'de> Deserialize<'de> for Sequence {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SequenceVisitor;

        impl Visitor<'_> for SequenceVisitor {
            type Value = Sequence;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Sequence, E> {
                Ok(Sequence(Some(v)))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Sequence, E> {
                u64::try_from(v)
                    .map(|v| Sequence(Some(v)))
                    .map_err(|_| E::custom("`$sequence` is negative"))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Sequence, E> {
                v.parse()
                    .map(|v| Sequence(Some(v)))
                    .map_err(|_| E::custom("`$sequence` is not a number"))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Sequence, E> {
                Ok(Sequence(None))
            }
        }

        deserializer.deserialize_any(SequenceVisitor)
    }
}

/// Decodes a response; on failure, decodes again while tracking the path so that the error
/// names the field that did not match.
/// Decodes a document, or a page of documents, of collection `T`. A `null` under a key serde
/// defaults ([`CollectionSchema::null_as_default`](crate::schema::CollectionSchema)) — what a
/// document written before the field existed holds — decodes as the default. The one-pass
/// decode runs first; only when it fails, and `T` has such keys, are those `null`s dropped and
/// the decode tried again, so documents that need nothing of it cost nothing more.
pub(crate) fn decode_of<T: crate::Collection, R: serde::de::DeserializeOwned>(
    bytes: &[u8],
    collection: &str,
) -> crate::Result<R> {
    decode_with_defaults(bytes, collection, &T::schema().null_as_default)
}

/// [`decode_of`] for code that holds the collection's defaulted keys rather than its type.
pub(crate) fn decode_with_defaults<R: serde::de::DeserializeOwned>(
    bytes: &[u8],
    collection: &str,
    keys: &[String],
) -> crate::Result<R> {
    match serde_json::from_slice(bytes) {
        Ok(decoded) => Ok(decoded),
        Err(_) if !keys.is_empty() => {
            let retried = serde_json::from_slice::<serde_json::Value>(bytes)
                .ok()
                .map(|mut value| {
                    drop_default_nulls(&mut value, keys);
                    value
                })
                .and_then(|value| serde_json::from_value(value).ok());
            match retried {
                Some(decoded) => Ok(decoded),
                None => decode_named(bytes, collection),
            }
        }
        Err(_) => decode_named(bytes, collection),
    }
}

/// Removes `null` values under `keys` from a document, or from each document of a page.
fn drop_default_nulls(value: &mut serde_json::Value, keys: &[String]) {
    let strip = |document: &mut serde_json::Value| {
        if let Some(fields) = document.as_object_mut() {
            fields.retain(|key, v| !(v.is_null() && keys.iter().any(|k| k == key)));
        }
    };
    let list = if value.get("documents").is_some() {
        "documents"
    } else {
        "rows"
    };
    match value.get_mut(list).and_then(serde_json::Value::as_array_mut) {
        Some(documents) => documents.iter_mut().for_each(strip),
        None => strip(value),
    }
}

pub(crate) fn decode_named<R: serde::de::DeserializeOwned>(
    bytes: &[u8],
    collection: &str,
) -> crate::Result<R> {
    serde_json::from_slice(bytes).map_err(|first| {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let (path, source) = match serde_path_to_error::deserialize::<_, R>(&mut deserializer) {
            Err(err) => (err.path().to_string(), err.into_inner()),
            Ok(_) => (String::new(), first),
        };
        crate::Error::Decode {
            what: format!("a document of collection `{collection}` at `{path}`"),
            path,
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Note {
        text: String,
        stars: Option<u8>,
    }

    const NOTE: &str = r#"{"text":"hi","$id":"n1","$createdAt":"2024-05-01T10:20:30.123+00:00",
        "$updatedAt":"2024-05-02T10:20:30.000+00:00","$permissions":["read(\"any\")","update(\"user:u1\")"],
        "$sequence":"12","$collectionId":"notes","$databaseId":"main","$tenant":null,"stars":3}"#;

    #[test]
    fn metadata_is_taken_out_wherever_it_appears_and_the_rest_reaches_t() {
        let note: Document<Note> = serde_json::from_str(NOTE).unwrap();
        assert_eq!(
            note.data(),
            &Note {
                text: "hi".into(),
                stars: Some(3)
            }
        );
        assert_eq!(note.id(), "n1");
        assert_eq!(
            crate::datetime::format(&note.created_at()),
            "2024-05-01T10:20:30.123+00:00"
        );
        assert_eq!(
            crate::datetime::format(&note.updated_at()),
            "2024-05-02T10:20:30.000+00:00"
        );
        assert_eq!(
            note.permissions().unwrap(),
            [Permission::read(Role::Any), Permission::update(Role::user("u1"))]
        );
        assert_eq!(note.meta().sequence(), Some(12));
        assert_eq!(note.meta().collection_id(), "notes");
        assert_eq!(note.meta().database_id(), "main");
    }

    #[test]
    fn keys_with_escapes_are_decoded_too() {
        // serde_json cannot borrow a key that holds an escape; the owned path must work as well.
        let json = NOTE
            .replace(r#""text""#, r#""te\u0078t""#)
            .replace(r#""$id""#, r#""\u0024id""#);
        let note: Document<Note> = serde_json::from_str(&json).unwrap();
        assert_eq!(note.text, "hi");
        assert_eq!(note.id(), "n1");
        let from_reader: Document<Note> = serde_json::from_reader(json.as_bytes()).unwrap();
        assert_eq!(from_reader, note);
    }

    #[test]
    fn missing_or_repeated_metadata_is_an_error_naming_the_key() {
        let missing = NOTE.replace(r#""$id":"n1","#, "");
        let err = serde_json::from_str::<Document<Note>>(&missing).unwrap_err();
        assert!(err.to_string().contains("missing field `$id`"), "{err}");

        let repeated = NOTE.replace(r#""stars":3"#, r#""stars":3,"$id":"n2""#);
        let err = serde_json::from_str::<Document<Note>>(&repeated).unwrap_err();
        assert!(err.to_string().contains("duplicate field `$id`"), "{err}");
    }

    #[test]
    fn an_unknown_permission_is_reported_when_read_not_when_decoded() {
        let odd = NOTE.replace(r#"read(\"any\")"#, r#"read(\"robots\")"#);
        let note: Document<Note> = serde_json::from_str(&odd).unwrap();
        assert_eq!(
            note.meta().raw_permissions(),
            [r#"read("robots")"#, r#"update("user:u1")"#]
        );
        let err = note.permissions().unwrap_err();
        assert!(err.to_string().contains("invalid role `robots`"), "{err}");
    }

    #[test]
    fn permissions_that_are_not_strings_are_an_error_when_read() {
        let odd = NOTE.replace(r#""update(\"user:u1\")""#, "42");
        let note: Document<Note> = serde_json::from_str(&odd).unwrap();
        let err = note.permissions().unwrap_err();
        assert!(err.to_string().contains("expected a list of strings"), "{err}");
        let not_a_list = NOTE.replace(r#"["read(\"any\")","update(\"user:u1\")"]"#, r#""read""#);
        let err = serde_json::from_str::<Document<Note>>(&not_a_list).unwrap_err();
        assert!(err.to_string().contains("a list of permission strings"), "{err}");
        // Decoding from a `serde_json::Value` keeps working too.
        let value: serde_json::Value = serde_json::from_str(NOTE).unwrap();
        let from_value: Document<Note> = serde_json::from_value(value).unwrap();
        assert_eq!(from_value.permissions().unwrap().len(), 2);
    }

    #[test]
    fn metadata_built_by_hand_equals_decoded_metadata() {
        let decoded: Document<Note> = serde_json::from_str(NOTE).unwrap();
        let built = Metadata::new("n1", decoded.created_at(), decoded.updated_at())
            .with_permissions(&[Permission::read(Role::Any), Permission::update(Role::user("u1"))])
            .with_location("main", "notes")
            .with_sequence(12);
        assert_eq!(&built, decoded.meta());
        assert_eq!(built.database_id(), "main");
        assert_eq!(built.collection_id(), "notes");
    }

    #[test]
    fn a_bad_user_value_or_datetime_is_an_error() {
        let bad = NOTE.replace(r#""stars":3"#, r#""stars":"three""#);
        assert!(serde_json::from_str::<Document<Note>>(&bad).is_err());
        let bad = NOTE.replace("2024-05-01T10:20:30.123+00:00", "yesterday");
        let err = serde_json::from_str::<Document<Note>>(&bad).unwrap_err();
        assert!(err.to_string().contains("invalid datetime `yesterday`"), "{err}");
    }

    #[test]
    fn serializing_writes_only_the_user_data() {
        let note: Document<Note> = serde_json::from_str(NOTE).unwrap();
        assert_eq!(
            serde_json::to_value(&note).unwrap(),
            serde_json::json!({"text": "hi", "stars": 3})
        );
    }
}
