use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    tags: Option<Vec<String>>,
}

fn main() {}
