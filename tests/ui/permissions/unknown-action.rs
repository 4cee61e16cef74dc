use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", permissions(share = "users"))]
struct Thing {
    name: String,
}

fn main() {}
