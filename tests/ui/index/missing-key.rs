use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", index(fields(name)))]
struct Thing {
    name: String,
}

fn main() {}
