use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", index(key = "by_owner", fields(owner)))]
struct Thing {
    name: String,
}

fn main() {}
