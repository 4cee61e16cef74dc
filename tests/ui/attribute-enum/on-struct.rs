use appwrite_orm::AttributeEnum;
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize)]
struct Shape {
    side: f64,
}

fn main() {}
