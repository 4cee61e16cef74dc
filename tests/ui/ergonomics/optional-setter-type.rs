use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
struct Ticket {
    note: Option<String>,
}

fn main() {
    let _ = Ticket::patch().note(3);
}
