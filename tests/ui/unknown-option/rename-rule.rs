use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", rename_all = "camel")]
struct Thing {
    name: String,
}

fn main() {}
