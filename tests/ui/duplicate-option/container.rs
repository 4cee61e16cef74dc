use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
#[collection(id = "others")]
struct Thing {
    name: String,
}

fn main() {}
