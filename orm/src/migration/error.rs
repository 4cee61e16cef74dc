//! Why a migration stopped.

use std::time::Duration;

use super::Plan;

/// A migration that could not be applied, or did not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// `verify` found the server different from the schemas.
    #[error("the server differs from the schemas:\n{0}")]
    Differs(Plan),
    /// The plan holds changes that lose data, and they were not allowed.
    #[error("refusing destructive changes (enable them with allow_destructive(true)):\n{}", changes.join("\n"))]
    Destructive {
        /// Each destructive step, as the plan prints it.
        changes: Vec<String>,
    },
    /// After applying, the server still differs: another instance may be migrating to other
    /// schemas.
    #[error(
        "after migrating, the server still differs (is another instance using a different schema?):\n{0}"
    )]
    StillDiffers(Plan),
    /// An attribute or index the server failed to build.
    #[error("{what} {collection}.{key} failed on the server: {reason}")]
    Failed {
        /// `attribute` or `index`.
        what: &'static str,
        /// The collection id.
        collection: String,
        /// The attribute or index key.
        key: String,
        /// The server's reason.
        reason: String,
    },
    /// Attributes or indexes still not `available`, or a resource still being deleted, after
    /// the migration's timeout.
    #[error("timed out after {after:?} waiting for: {}", pending.join(", "))]
    TimedOut {
        /// The timeout.
        after: Duration,
        /// What was still pending.
        pending: Vec<String>,
    },
}
