use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    name: String,
    #[serde(rename = "name")]
    #[collection(rename = "name")]
    title: String,
}

fn main() {}
