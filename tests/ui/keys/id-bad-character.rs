use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "my things")]
struct Thing {
    name: String,
}

fn main() {}
