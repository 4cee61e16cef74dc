use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "-things", colour = "red")]
#[collection(index(key = "by_missing", fields(missing)))]
struct Thing {
    count: u64,
    #[collection(size = 0)]
    name: String,
    #[collection(min = 5, max = 1)]
    level: i32,
    #[collection(format = "mail")]
    contact: String,
    #[collection(default = 1)]
    flag: bool,
}

fn main() {}
