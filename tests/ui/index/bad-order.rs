use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", index(key = "by_name", fields(name = "up")))]
struct Thing {
    name: String,
}

fn main() {}
