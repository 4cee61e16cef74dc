//! What every example shares: where to connect, and when to stop.
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

/// Prints the ORM's `tracing` output (connections, subscriptions, catch-ups, work-queue
/// takeovers) at `info`, or as `RUST_LOG` says.
pub fn log_to_stdout() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("appwrite_orm=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .init();
}

/// The address a server example listens on: `EXAMPLE_ADDR`, or `default`.
pub fn listen_addr(default: &str) -> String {
    std::env::var("EXAMPLE_ADDR").unwrap_or_else(|_| default.to_owned())
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM — what a process manager sends.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
