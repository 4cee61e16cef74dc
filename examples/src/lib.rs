//! The one helper every example shares: where to connect.
//!
//! With `APPWRITE_ENDPOINT` set, examples talk to that Appwrite (with `APPWRITE_PROJECT_ID`,
//! `APPWRITE_DATABASE_ID` and `APPWRITE_API_KEY`); otherwise they start the embedded emulator.

use appwrite_emulator::{Config, Emulator};
use appwrite_orm::Orm;

/// A connected client and, when no Appwrite was configured, the emulator it talks to (keep it
/// alive for as long as the client is used).
pub async fn backend() -> Result<(Orm, Option<Emulator>), Box<dyn std::error::Error>> {
    if std::env::var_os("APPWRITE_ENDPOINT").is_some() {
        return Ok((Orm::from_env()?, None));
    }
    let emulator = Emulator::start(Config::default()).await?;
    let orm = Orm::builder()
        .endpoint(emulator.endpoint())
        .project(emulator.project_id())
        .database("main")
        .api_key(emulator.api_key())
        .build()?;
    Ok((orm, Some(emulator)))
}
