#![deny(missing_docs)]
//! The generated items are documented and visible as the struct is, so a public collection in a
//! `missing_docs` crate compiles without warnings.

use appwrite_orm::{AttributeEnum, Collection};
use serde::{Deserialize, Serialize};

/// A level.
#[derive(AttributeEnum, Serialize, Deserialize, Clone, Copy)]
pub enum Level {
    /// Low.
    Low,
    /// High.
    High,
}

/// A public collection.
#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "alerts", document_security = false)]
pub struct Alert {
    level: Level,
    levels: Vec<Level>,
    #[collection(format = "url")]
    link: Option<String>,
}

fn main() {
    let _ = Alert::LEVEL.eq(Level::High);
    let _ = Alert::LEVELS.contains([Level::Low]);
    let _ = Alert::patch().link(Some("https://example.com".to_owned())).levels(Vec::new());
}
