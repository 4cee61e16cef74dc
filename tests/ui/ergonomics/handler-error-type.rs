use appwrite_orm::{Collection, CollectionHandle};
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
struct Ticket {
    title: String,
}

fn listen(tickets: CollectionHandle<Ticket>) {
    let _ = tickets.on_documents(|event| async move {
        if event.document.title.is_empty() {
            return Err(String::from("no title"));
        }
        Ok(())
    });
}

fn main() {
    let _ = listen;
}
