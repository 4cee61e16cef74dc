use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    #[serde(rename(serialize = "a", deserialize = "b"))]
    name: String,
}

fn main() {}
