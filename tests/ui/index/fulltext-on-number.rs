use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", index(key = "text", fulltext, fields(count)))]
struct Thing {
    count: i32,
}

fn main() {}
