use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", table = "x")]
struct Thing {
    name: String,
}

fn main() {}
