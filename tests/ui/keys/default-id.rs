use appwrite_orm::Collection;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize)]
struct ThisStructNameIsSoLongThatItsSnakeCaseIdBreaksTheRule {
    name: String,
}

fn main() {}
