use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "orders")]
struct Order {
    attempts: u8,
}

fn main() {
    let _ = Order::patch().attempts("two");
}
