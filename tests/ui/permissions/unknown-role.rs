use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "things", permissions(read = "everyone", update = ["users", "user:"]))]
struct Thing {
    name: String,
}

// Every role Appwrite refuses (the table in tests/tests/consistency.rs), each reported.
#[derive(Collection, Serialize, Deserialize)]
#[collection(
    id = "others",
    permissions(
        read = ["team:", "team:t1/", "label:", "users/admins"],
        update = ["user:abc/owner", "member:m1/x", "label:admin/x"],
    )
)]
struct Other {
    name: String,
}

fn main() {}
