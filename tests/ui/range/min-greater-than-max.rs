use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    #[collection(min = 10, max = 1)]
    count: i32,
}

fn main() {}
