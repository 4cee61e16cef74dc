use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Address {
    street: String,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    address: Address,
}

fn main() {}
