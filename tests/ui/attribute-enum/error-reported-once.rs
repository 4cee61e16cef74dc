// An enum whose derive fails is still usable as a field type: only the real error is reported,
// not a second wave of "AttributeEnum is not implemented" errors where the enum is used.
use appwrite_orm::{AttributeEnum, Collection};
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Level {
    High,
    #[serde(rename = "high")]
    Top,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "alerts")]
struct Alert {
    level: Level,
}

fn main() {
    let _ = Alert::LEVEL.eq(Level::High);
}
