//! Appwrite's datetime format: always UTC, milliseconds, and an explicit `+00:00` offset,
//! e.g. `2024-05-01T10:20:30.123+00:00`.
//!
//! Use [`appwrite_format`] on a `DateTime<Utc>` field whose JSON must look exactly like the
//! server's; plain chrono serde also works, since Appwrite accepts any RFC 3339 input.
//!
//! **Precision**: Appwrite stores milliseconds. A `Utc::now()` written and read back has lost its
//! microseconds (truncated, never rounded up). Query bounds are adjusted so that comparisons
//! keep their meaning: `gte(t)`, `lt(t)` and the low end of `between` round a finer `t` up to
//! the next millisecond, `gt` and `lte` truncate it — so `gte(t)` never matches a document
//! stored before `t`. `eq(t)` with a finer `t` compares its truncation.
//!
//! ```
//! use appwrite_orm::datetime;
//! use chrono::{TimeZone, Utc};
//!
//! let at = Utc.with_ymd_and_hms(2024, 5, 1, 10, 20, 30).unwrap();
//! assert_eq!(datetime::format(&at), "2024-05-01T10:20:30.000+00:00");
//! assert_eq!(datetime::parse("2024-05-01T10:20:30.000+00:00").unwrap(), at);
//! ```

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Formats `at` the way Appwrite writes datetimes.
pub fn format(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// Parses an Appwrite datetime, or any RFC 3339 datetime, into UTC.
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match parse_canonical(text.as_bytes()) {
        Some(at) => Ok(at),
        None => DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)),
    }
}

// Every datetime the server sends has the exact shape `YYYY-MM-DDTHH:MM:SS.mmm+00:00`; reading it
// by position is several times cheaper than the general RFC 3339 parser, and datetimes sit on the
// hot path of every document decode. Anything else falls back to the general parser.
fn parse_canonical(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() != 29 || &b[23..] != b"+00:00" || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    if b[13] != b':' || b[16] != b':' || b[19] != b'.' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    let time = date.and_hms_milli_opt(num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?)?;
    Some(time.and_utc())
}

/// `#[serde(with = "appwrite_orm::datetime::appwrite_format")]` for a `DateTime<Utc>` field.
pub mod appwrite_format {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer};

    /// Writes the datetime in Appwrite's format.
    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format(at))
    }

    /// Reads an Appwrite (or RFC 3339) datetime.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        deserializer.deserialize_str(super::DateTimeVisitor)
    }
}

pub(crate) struct DateTimeVisitor;

impl serde::de::Visitor<'_> for DateTimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a datetime like 2024-05-01T10:20:30.123+00:00")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
        parse(text).map_err(|err| E::custom(format_args!("invalid datetime `{text}`: {err}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_fast_path_and_the_general_parser_agree() {
        let canonical = "2031-12-09T23:59:58.987+00:00";
        let at = parse(canonical).unwrap();
        assert_eq!(at, DateTime::parse_from_rfc3339(canonical).unwrap());
        assert_eq!(format(&at), canonical);
    }

    #[test]
    fn other_offsets_are_converted_to_utc() {
        let at = parse("2024-05-01T12:20:30.5+02:00").unwrap();
        assert_eq!(
            at,
            Utc.with_ymd_and_hms(2024, 5, 1, 10, 20, 30).unwrap() + chrono::Duration::milliseconds(500)
        );
    }

    #[test]
    fn impossible_dates_are_errors() {
        assert!(parse("2024-02-30T10:20:30.123+00:00").is_err());
        assert!(parse("2024-05-01 10:20:30").is_err());
        assert!(parse("").is_err());
    }
}
