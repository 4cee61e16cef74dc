use appwrite_orm::AttributeEnum;
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize)]
enum Shape {
    Circle(f64),
    Square { side: f64 },
    Point,
}

fn main() {}
