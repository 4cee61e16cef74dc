//! Which Appwrite release the emulator behaves as: so that a client's tests can run against
//! every server its users may have.

use std::fmt;
use std::str::FromStr;

/// An Appwrite release line whose behaviour the emulator reproduces.
///
/// What differs between them here:
/// - the realtime protocol: up to 1.8, channels are given once in the socket's URL (at least
///   one, `subscribe` messages are unknown); 1.9.0–1.9.4 add per-channel queries in the URL
///   (`documents[0][]=<query>`), each slot a subscription whose id `connected` maps and events
///   name; from 1.9.5, `subscribe`/`unsubscribe` messages change a socket's subscriptions
///   (URL channels and queries still work, and a socket may connect without channels);
/// - the names and channels of a document event: 1.6 and 1.7 have only the collections
///   family (`databases.*.collections.*.documents.*…`, `documents`); from 1.8 every one is
///   followed by its TablesDB twin (`…tables.*.rows.*…`, `rows`); 1.9 adds the
///   `tablesdb.…rows` channels, and 1.9.5 an action-suffixed sibling of each channel
///   (`documents.create`, `databases.D.collections.C.documents.update`, …) so that a
///   subscription can filter by action;
/// - `$sequence`: a number in 1.8's model, a string in 1.9's (a number again for a client that
///   asks for a format before 1.9.0 with `X-Appwrite-Response-Format`);
/// - the version `/v1/health/version` and error bodies report.
///
/// ```
/// use appwrite_emulator::AppwriteVersion;
///
/// let version: AppwriteVersion = "1.8.1".parse().unwrap();
/// assert_eq!(version, AppwriteVersion::V1_8);
/// assert_eq!("1.9.2".parse::<AppwriteVersion>().unwrap(), AppwriteVersion::V1_9_0);
/// assert_eq!("1.9.6".parse::<AppwriteVersion>().unwrap(), AppwriteVersion::V1_9_5);
/// assert!("1.5".parse::<AppwriteVersion>().is_err());
/// assert_eq!(AppwriteVersion::default(), AppwriteVersion::NEWEST);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[non_exhaustive]
pub enum AppwriteVersion {
    /// Appwrite 1.6.x.
    V1_6,
    /// Appwrite 1.7.x.
    V1_7,
    /// Appwrite 1.8.x (TablesDB names beside the collections ones).
    V1_8,
    /// Appwrite 1.9.0 to 1.9.4 (realtime queries in the socket's URL).
    V1_9_0,
    /// Appwrite 1.9.5 and later (realtime `subscribe` messages).
    #[default]
    V1_9_5,
}

impl AppwriteVersion {
    /// The newest release the emulator reproduces, its default.
    pub const NEWEST: Self = AppwriteVersion::V1_9_5;
    /// Every release line, oldest first.
    pub const ALL: [Self; 5] = [Self::V1_6, Self::V1_7, Self::V1_8, Self::V1_9_0, Self::V1_9_5];

    /// The version string the emulator reports for this line.
    pub fn reported(self) -> &'static str {
        match self {
            AppwriteVersion::V1_6 => "1.6.2",
            AppwriteVersion::V1_7 => "1.7.4",
            AppwriteVersion::V1_8 => "1.8.1",
            AppwriteVersion::V1_9_0 => "1.9.4",
            AppwriteVersion::V1_9_5 => "1.9.6",
        }
    }

    /// Realtime subscriptions only in the socket's URL, no `subscribe` messages: a socket
    /// needs at least one channel.
    pub(crate) fn url_channels_only(self) -> bool {
        self <= AppwriteVersion::V1_9_0
    }

    /// The 1.9 realtime model: URL channels and their queries become subscriptions with ids
    /// (`connected` maps slot to id, each event lists the ids it matched), `$sequence` is a
    /// string, the `tablesdb.…` channels exist and TablesDB twins are made segment by segment.
    pub(crate) fn subscription_ids(self) -> bool {
        self >= AppwriteVersion::V1_9_0
    }

    /// Document events also carry the TablesDB (`tables`/`rows`) names and channels.
    pub(crate) fn tables_names(self) -> bool {
        self >= AppwriteVersion::V1_8
    }

    /// Every event channel has an action-suffixed sibling (`documents.create`, …), and the
    /// `account.<action>` channels a client asks for become its own account's.
    pub(crate) fn action_channels(self) -> bool {
        self >= AppwriteVersion::V1_9_5
    }
}

impl fmt::Display for AppwriteVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reported())
    }
}

/// A version the emulator does not reproduce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedVersion(String);

impl fmt::Display for UnsupportedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Appwrite {} is not reproduced; choose 1.6, 1.7, 1.8, 1.9.0 to 1.9.4, or 1.9.5 and later",
            self.0
        )
    }
}

impl std::error::Error for UnsupportedVersion {}

impl FromStr for AppwriteVersion {
    type Err = UnsupportedVersion;

    /// `1.6`, `1.6.2`, `1.8.1`, `1.9.5`, `1.9.6`, … (a leading `v` is allowed).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unsupported = || UnsupportedVersion(text.to_owned());
        let mut parts = text.trim().trim_start_matches('v').split('.');
        let mut number = || -> Result<Option<u32>, UnsupportedVersion> {
            parts
                .next()
                .map(|p| p.parse().map_err(|_| unsupported()))
                .transpose()
        };
        let (major, minor, patch) = (number()?, number()?, number()?.unwrap_or(0));
        match (major, minor) {
            (Some(1), Some(6)) => Ok(AppwriteVersion::V1_6),
            (Some(1), Some(7)) => Ok(AppwriteVersion::V1_7),
            (Some(1), Some(8)) => Ok(AppwriteVersion::V1_8),
            (Some(1), Some(9)) if patch < 5 => Ok(AppwriteVersion::V1_9_0),
            (Some(1), Some(9)) => Ok(AppwriteVersion::V1_9_5),
            _ => Err(unsupported()),
        }
    }
}
