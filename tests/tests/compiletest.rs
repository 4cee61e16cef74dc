//! Compile-time behaviour of the derives: every `tests/ui/<kind>/*.rs` case must fail with the
//! errors in its `.stderr`, every `tests/ui/pass/*.rs` case must compile and run.
//!
//! The `.stderr` files are tied to the compiler version; after a toolchain update, review and
//! regenerate them with `TRYBUILD=overwrite cargo test -p tests --test compiletest`.

const EXPECTED_KINDS: [&str; 15] = [
    "attribute-enum",
    "default",
    "duplicate-option",
    "ergonomics",
    "format",
    "index",
    "keys",
    "many-errors",
    "permissions",
    "range",
    "serde",
    "size",
    "unknown-option",
    "unsupported-input",
    "unsupported-type",
];

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    let mut kinds: Vec<String> = std::fs::read_dir("ui")
        .expect("tests/ui exists")
        .map(|entry| {
            entry
                .expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|kind| kind != "pass")
        .collect();
    kinds.sort();
    // Every kind of compile error the derives report has its folder; a folder lost or added
    // without updating this list is a mistake.
    assert_eq!(kinds, EXPECTED_KINDS, "the compile-fail folders changed");
    for kind in kinds {
        cases.compile_fail(format!("ui/{kind}/*.rs"));
    }
}
