use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Extra {
    a: String,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    #[serde(flatten)]
    extra: Extra,
}

fn main() {}
