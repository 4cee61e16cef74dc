//! The three crates each carry Appwrite's rules — the ORM at run time, the derive at compile time,
//! the emulator as a server — so here they are held against one table each and against each
//! other: the key rule for ids, the role grammar of permissions, and the error catalogue (checked
//! against Appwrite 1.8.1's own, kept in `tests/fixtures/`).

use std::collections::HashMap;

use appwrite_emulator::Emulator;
use appwrite_orm::{Collection, ErrorKind, Role};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Role strings and whether Appwrite accepts them.
const ROLES: &[(&str, bool)] = &[
    ("any", true),
    ("guests", true),
    ("users", true),
    ("users/verified", true),
    ("users/unverified", true),
    ("user:abc", true),
    ("user:abc/verified", true),
    ("user:abc/unverified", true),
    ("team:t1", true),
    ("team:t1/owner", true),
    ("member:m1", true),
    ("label:admin", true),
    ("everyone", false),
    ("user:", false),
    ("team:", false),
    ("team:t1/", false),
    ("label:", false),
    ("users/admins", false),
    ("user:abc/owner", false),
    ("member:m1/x", false),
    ("label:admin/x", false),
    ("", false),
];

/// Ids and whether Appwrite's key rule accepts them: at most 36 of `[A-Za-z0-9._-]`, not
/// starting with `_`, `.` or `-`.
const IDS: &[(&str, bool)] = &[
    ("a", true),
    ("A9", true),
    ("a.b-c_d", true),
    ("abcdefghijklmnopqrstuvwxyz0123456789", true),
    ("abcdefghijklmnopqrstuvwxyz0123456789x", false),
    ("_a", false),
    (".a", false),
    ("-a", false),
    ("", false),
    ("a b", false),
    ("a/b", false),
    ("é", false),
];

// The derive accepts every valid role: this compiles, and its permissions reach the server.
#[derive(Collection, Serialize, Deserialize, Debug)]
#[collection(
    id = "abcdefghijklmnopqrstuvwxyz0123456789",
    permissions(
        read = ["any", "guests", "users", "users/verified", "users/unverified", "user:abc"],
        create = ["user:abc/verified", "user:abc/unverified", "team:t1", "team:t1/owner"],
        update = ["member:m1", "label:admin"],
    )
)]
struct Everyone {
    name: String,
}

// …and every valid id shape.
#[derive(Collection, Serialize, Deserialize, Debug)]
#[collection(id = "a.b-c_d")]
struct Dotted {
    name: String,
}

#[derive(Collection, Serialize, Deserialize, Debug)]
#[collection(id = "A9")]
struct Short {
    name: String,
}

/// The compile-fail cases of one `tests/ui` folder, as one text.
fn ui_cases(folder: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui")
        .join(folder);
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("the ui folder exists") {
        let path = entry.expect("readable").path();
        if path.extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(path).expect("readable"));
        }
    }
    text
}

struct Rest {
    http: reqwest::Client,
    emulator: Emulator,
}

impl Rest {
    async fn post(&self, path: &str, body: Value) -> reqwest::StatusCode {
        self.http
            .post(format!("{}{path}", self.emulator.endpoint()))
            .header("X-Appwrite-Project", self.emulator.project_id())
            .header("X-Appwrite-Key", self.emulator.api_key())
            .json(&body)
            .send()
            .await
            .expect("the emulator answers")
            .status()
    }
}

async fn rest() -> Rest {
    let emulator = Emulator::start(Default::default()).await.unwrap();
    let orm = tests::client(&emulator);
    tests::migrated::<Dotted>(&orm).await;
    Rest {
        http: reqwest::Client::new(),
        emulator,
    }
}

#[tokio::test]
async fn the_role_grammar_agrees_across_orm_derive_and_emulator() {
    let rest = rest().await;
    let derive_refuses = ui_cases("permissions");
    for (i, &(role, valid)) in ROLES.iter().enumerate() {
        assert_eq!(role.parse::<Role>().is_ok(), valid, "the ORM on `{role}`");
        let status = rest
            .post(
                "/databases/main/collections/a.b-c_d/documents",
                json!({"documentId": format!("r{i}"), "data": {"name": "x"}, "permissions": [format!("read(\"{role}\")")]}),
            )
            .await;
        assert_eq!(status.is_success(), valid, "the emulator on `{role}`: {status}");
        if !valid && !role.is_empty() {
            assert!(
                derive_refuses.contains(&format!("\"{role}\"")),
                "`{role}` must be a compile-fail case in tests/ui/permissions"
            );
        }
    }
    // The valid roles the derive accepted are the ones the server stores.
    let orm = tests::client(&rest.emulator);
    tests::migrated::<Everyone>(&orm).await;
    let valid = ROLES.iter().filter(|r| r.1).count();
    assert_eq!(Everyone::schema().permissions.len(), valid);
}

#[tokio::test]
async fn the_key_rule_agrees_across_orm_derive_and_emulator() {
    let rest = rest().await;
    let derive_refuses = ui_cases("keys");
    for &(id, valid) in IDS {
        assert_eq!(
            appwrite_orm::key::validate(id).is_ok(),
            valid,
            "the ORM on `{id}`"
        );
        let status = rest
            .post(
                "/databases/main/collections/a.b-c_d/documents",
                json!({"documentId": id, "data": {"name": "x"}}),
            )
            .await;
        assert_eq!(status.is_success(), valid, "the emulator on `{id}`: {status}");
        if !valid && !id.is_empty() {
            assert!(
                derive_refuses.contains(&format!("\"{id}\"")),
                "`{id}` must be a compile-fail case in tests/ui/keys"
            );
        }
    }
    assert_eq!(
        [
            Everyone::_COLLECTION_ID,
            Dotted::_COLLECTION_ID,
            Short::_COLLECTION_ID
        ],
        ["abcdefghijklmnopqrstuvwxyz0123456789", "a.b-c_d", "A9"]
    );
}

/// Appwrite's catalogue of one release: error type → HTTP status.
fn catalogue(tsv: &'static str) -> HashMap<&'static str, u16> {
    let catalogue: HashMap<&str, u16> = tsv
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some((fields.next()?, fields.next()?.parse().ok()?))
        })
        .collect();
    assert!(catalogue.len() > 150, "the fixture is Appwrite's whole catalogue");
    catalogue
}

#[test]
fn the_error_catalogue_agrees_across_orm_emulator_and_appwrite() {
    use appwrite_emulator::AppwriteVersion as V;
    let appwrite = catalogue(include_str!("../fixtures/appwrite-1.8.1-errors.tsv"));
    for kind in ErrorKind::ALL {
        let name = kind.as_type().expect("a known kind has a type");
        assert!(
            appwrite.contains_key(name),
            "the ORM's `{name}` is not an Appwrite error type"
        );
        assert_eq!(ErrorKind::from_type(name), *kind);
    }
    // Every type the emulator answers with exists, with its status, in the release it plays,
    // and the ORM knows it by that release's name.
    let releases = [
        (V::V1_6, include_str!("../fixtures/appwrite-1.6.2-errors.tsv")),
        (V::V1_8, include_str!("../fixtures/appwrite-1.8.1-errors.tsv")),
        (V::V1_9_5, include_str!("../fixtures/appwrite-1.9.6-errors.tsv")),
    ];
    for (version, tsv) in releases {
        let appwrite = catalogue(tsv);
        for (name, code) in appwrite_emulator::error_types_in(version) {
            assert_eq!(
                appwrite.get(name),
                Some(&code),
                "the emulator as {version} answers `{name}` with {code}"
            );
            assert_ne!(
                ErrorKind::from_type(name),
                ErrorKind::Other,
                "the ORM cannot name the emulator's `{name}` ({version})"
            );
        }
    }
}
