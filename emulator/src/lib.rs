//! A local Appwrite-compatible server for tests and development.
//!
//! The server itself arrives with the emulator issue; this crate already exists so that the
//! workspace layout is stable and other crates can depend on it.
