//! Ids, keys and timestamps in Appwrite's formats.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{ApiError, ApiResult};

/// `ID.unique()`: 8 hex digits of seconds and 5 of microseconds (PHP's `uniqid`), then 7 random
/// hex digits, 20 in all. A process-wide counter in the random part keeps ids distinct even
/// within one microsecond.
pub(crate) fn unique() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = Utc::now();
    let seconds = now.timestamp() as u64;
    let micros = u64::from(now.timestamp_subsec_micros());
    let mut random = [0u8; 4];
    // Without OS randomness the counter alone still keeps ids unique in this process.
    let _ = getrandom::getrandom(&mut random);
    let tail =
        (u64::from(u32::from_le_bytes(random)) + COUNTER.fetch_add(1, Ordering::Relaxed)) & 0x0fff_ffff;
    format!("{seconds:08x}{micros:05x}{tail:07x}")
}

/// Checks Appwrite's key rule (1–36 of `[A-Za-z0-9._-]`, not starting with `_ . -`) for `param`.
pub(crate) fn check_key(param: &str, key: &str) -> ApiResult<()> {
    let valid = !key.is_empty()
        && key.chars().count() <= 36
        && !key.starts_with(['_', '.', '-'])
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(ApiError::param(
            param,
            "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
        ))
    }
}

/// A custom id or `unique()`, checked; returns the id to use.
pub(crate) fn custom_id(param: &str, id: &str) -> ApiResult<String> {
    if id == "unique()" {
        return Ok(unique());
    }
    check_key(param, id)?;
    Ok(id.to_owned())
}

/// Appwrite's datetime format: UTC, milliseconds, `+00:00`.
pub(crate) fn format_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// The current time in Appwrite's format.
pub(crate) fn now() -> String {
    format_time(Utc::now())
}

/// Parses any RFC 3339 datetime with a year in 1000..=9999 into Appwrite's format.
pub(crate) fn parse_time(text: &str) -> Option<String> {
    // PHP's `new DateTime('')`, which Appwrite parses with, is now.
    if text.trim().is_empty() {
        return Some(now());
    }
    let at = DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z").ok())
        .map(|at| at.with_timezone(&Utc))
        .or_else(|| naive(text).map(|n| n.and_utc()))
        .or_else(|| {
            // A time zone name after the time, as PHP takes it: `1975-06-12 14:12:55 America/New_York`.
            let (local, zone) = text.rsplit_once(' ')?;
            let zone: chrono_tz::Tz = zone.parse().ok()?;
            let local = naive(local)?;
            chrono::TimeZone::from_local_datetime(&zone, &local)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
        })?;
    (1000..=9999)
        .contains(&chrono::Datelike::year(&at))
        .then(|| format_time(at))
}

/// A date and time without a zone, in the layouts PHP's `DateTime` reads.
fn naive(text: &str) -> Option<chrono::NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|layout| chrono::NaiveDateTime::parse_from_str(text, layout).ok())
    .or_else(|| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_parse_as_appwrite_takes_them() {
        assert_eq!(
            parse_time("2022-08-01 13:09:23.040").as_deref(),
            Some("2022-08-01T13:09:23.040+00:00")
        );
        assert_eq!(
            parse_time("2022-08-01 13:09:23").as_deref(),
            Some("2022-08-01T13:09:23.000+00:00")
        );
        assert_eq!(
            parse_time("2022-08-01T13:09:23.040+02:00").as_deref(),
            Some("2022-08-01T11:09:23.040+00:00")
        );
        assert_eq!(
            parse_time("1975-06-12 14:12:55 America/New_York").as_deref(),
            Some("1975-06-12T18:12:55.000+00:00")
        );
        assert_eq!(
            parse_time("1975-06-12 14:12:55+02:00").as_deref(),
            Some("1975-06-12T12:12:55.000+00:00")
        );
        assert_eq!(parse_time("1975-06-12 14:12:55 Nowhere/Land"), None);
        let before = now();
        let empty = parse_time("").expect("now");
        assert!(empty >= before, "{empty} is not now ({before})");
        assert_eq!(parse_time("not a date"), None);
        assert_eq!(parse_time("0999-01-01"), None);
    }

    #[test]
    fn unique_ids_have_appwrites_shape_and_differ() {
        let (a, b) = (unique(), unique());
        assert_eq!(a.len(), 20);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(check_key("id", &a).is_ok());
    }

    #[test]
    fn times_are_normalised_to_utc_milliseconds() {
        assert_eq!(
            parse_time("2024-05-01T12:20:30+02:00").unwrap(),
            "2024-05-01T10:20:30.000+00:00"
        );
        assert_eq!(parse_time("2024-05-01").unwrap(), "2024-05-01T00:00:00.000+00:00");
        assert!(parse_time("0999-01-01T00:00:00Z").is_none());
        assert!(parse_time("soon").is_none());
    }
}
