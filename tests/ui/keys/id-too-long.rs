use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "a_collection_id_that_is_far_too_long_for_appwrite")]
struct Thing {
    name: String,
}

fn main() {}
