use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", rename_all = "camelCase")]
struct Thing {
    user_id: String,
}

fn main() {}
