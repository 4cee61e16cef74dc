use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
enum Thing {
    A,
    B,
}

fn main() {}
