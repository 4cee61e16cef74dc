use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(appwrite_orm::AttributeEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Open,
    Closed,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things")]
struct Thing {
    #[collection(default = "lost")]
    status: Option<Status>,
}

fn main() {}
