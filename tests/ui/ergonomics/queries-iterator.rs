use appwrite_orm::{Collection, CollectionHandle};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
struct Ticket {
    title: String,
}

async fn find(tickets: CollectionHandle<Ticket>) {
    let titles = ["a", "b"];
    let _ = tickets.find(titles.iter().map(|t| Ticket::TITLE.eq(*t))).await;
}

fn main() {
    let _ = find;
}
