use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

// `_id` would get the handle `_ID`, which names Appwrite's `$id`.
#[derive(Collection, Serialize, Deserialize)]
struct Legacy {
    #[serde(rename = "mongoId")]
    _id: String,
    _created_at: String,
}

fn main() {}
