//! Runnable examples of appwrite-orm live under `examples/`; see README.md.
