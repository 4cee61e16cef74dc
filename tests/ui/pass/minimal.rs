use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

// No options at all: the id is the struct name in snake_case, the name the struct name.
#[derive(Collection, Serialize, Deserialize)]
struct BlogPost {
    title: String,
}

fn main() {
    assert_eq!(BlogPost::_COLLECTION_ID, "blog_post");
    assert_eq!(BlogPost::_COLLECTION_NAME, "BlogPost");
    assert!(BlogPost::schema().attributes[0].required);
}
