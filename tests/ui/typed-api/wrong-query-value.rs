use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "orders")]
struct Order {
    total: f64,
}

fn main() {
    let _ = Order::TOTAL.eq("x");
}
