use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "orders")]
struct Order {
    tags: Vec<String>,
}

fn main() {
    let _ = Order::TAGS.eq(vec![String::new()]);
}
