use appwrite_orm::Collection;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    seen_at: NaiveDateTime,
}

fn main() {}
