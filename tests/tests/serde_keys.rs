//! The derive computes attribute keys and enum elements itself; they must equal what serde
//! writes for every `rename_all` rule, or writes would fail with "Unknown attribute".

use appwrite_orm::{AttributeEnum, Collection};
use serde::{Deserialize, Serialize};

macro_rules! same_keys_as_serde {
    ($($test:ident: $rule:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            #[derive(Collection, Serialize, Deserialize, Default)]
            #[serde(rename_all = $rule)]
            #[collection(id = "keys")]
            struct Keys {
                user_id: String,
                a: i32,
                http_url2: bool,
                r#type: Option<String>,
            }

            #[derive(AttributeEnum, Serialize, Deserialize, Clone, Copy)]
            #[serde(rename_all = $rule)]
            enum Variants {
                InTransit,
                A,
                HttpUrl2,
            }

            let written = serde_json::to_value(Keys::default()).unwrap();
            let mut serde_keys: Vec<&str> = written.as_object().unwrap().keys().map(String::as_str).collect();
            let mut schema_keys: Vec<&str> = Keys::schema().attributes.iter().map(|a| a.key.as_str()).collect();
            serde_keys.sort_unstable();
            schema_keys.sort_unstable();
            assert_eq!(schema_keys, serde_keys);

            let serde_elements: Vec<String> = [Variants::InTransit, Variants::A, Variants::HttpUrl2]
                .iter()
                .map(|v| serde_json::to_value(v).unwrap().as_str().unwrap().to_owned())
                .collect();
            assert_eq!(Variants::ELEMENTS, serde_elements);
        }
    )*};
}

same_keys_as_serde! {
    lowercase: "lowercase",
    uppercase: "UPPERCASE",
    pascal_case: "PascalCase",
    camel_case: "camelCase",
    snake_case: "snake_case",
    screaming_snake_case: "SCREAMING_SNAKE_CASE",
    kebab_case: "kebab-case",
    screaming_kebab_case: "SCREAMING-KEBAB-CASE",
}
