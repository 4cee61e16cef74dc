// Every id Appwrite's key rule refuses (the table in tests/tests/consistency.rs), each reported.
use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "abcdefghijklmnopqrstuvwxyz0123456789x")]
struct TooLong {
    name: String,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "_a")]
struct Underscore {
    name: String,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = ".a")]
struct Dot {
    name: String,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "-a")]
struct Dash {
    name: String,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "a b")]
struct Space {
    name: String,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "a/b")]
struct Slash {
    name: String,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "é")]
struct Accent {
    name: String,
}

fn main() {}
