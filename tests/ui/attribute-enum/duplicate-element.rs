use appwrite_orm::AttributeEnum;
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    High,
    #[serde(rename = "high")]
    Top,
}

fn main() {}
