use appwrite_orm::testing::TestDatabase;

// Not async, and no database argument: both reported.
#[appwrite_orm::test]
fn not_async() {}

#[appwrite_orm::test(fast)]
async fn with_arguments(db: TestDatabase, extra: u8) {
    let _ = (db, extra);
}

fn main() {}
