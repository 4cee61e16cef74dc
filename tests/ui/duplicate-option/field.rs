use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    #[collection(size = 10)]
    #[collection(size = 20)]
    name: String,
}

fn main() {}
