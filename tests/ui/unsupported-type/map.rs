use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    labels: std::collections::HashMap<String, String>,
}

fn main() {}
