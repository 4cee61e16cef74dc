use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

// serde's renames alone decide the keys; raw identifiers lose their `r#`.
#[derive(Collection, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
#[collection(id = "events")]
struct Event {
    r#type: String,
    created_by: String,
    #[serde(rename(serialize = "v", deserialize = "v"))]
    version: i32,
}

fn main() {
    let keys: Vec<&str> = Event::schema().attributes.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, ["TYPE", "CREATED-BY", "v"]);
    assert_eq!(Event::TYPE.key(), "TYPE");
}
