use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", permissions(read = "everyone", update = ["users", "user:"]))]
struct Thing {
    name: String,
}

fn main() {}
