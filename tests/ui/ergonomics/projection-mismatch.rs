use appwrite_orm::{Collection, Projection};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[collection(id = "orders")]
struct Order {
    user_id: String,
    total: f64,
}

// A wrong type, a missing rename and a field `Order` does not have, all reported.
#[derive(Projection, Deserialize)]
#[projection(of = Order)]
struct OrderView {
    total: String,
    user_id: String,
    discount: f64,
}

#[derive(Projection, Deserialize)]
struct NoCollection {
    total: f64,
}

fn main() {}
