use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    #[collection(max = 10, default = 11)]
    attempts: u8,
}

fn main() {}
