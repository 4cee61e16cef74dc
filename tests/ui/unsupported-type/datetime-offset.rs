use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    at: chrono::DateTime<chrono::FixedOffset>,
}

fn main() {}
