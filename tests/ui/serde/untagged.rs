use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[serde(tag = "kind")]
#[collection(id = "things")]
struct Thing {
    name: String,
}

fn main() {}
