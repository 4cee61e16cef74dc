//! Cross-crate integration tests of appwrite-orm live under `tests/tests/`.
