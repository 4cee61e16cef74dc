//! Client-side ids in the shape of the SDKs' `ID.unique()`: 20 hex digits, time-ordered.

use std::sync::atomic::{AtomicU32, Ordering};

/// A new unique id: 8 hex digits of seconds, 5 of microseconds, 7 random (mixed with a
/// process-wide counter so that two ids made in the same microsecond still differ).
///
/// ```
/// let id = appwrite_orm::id::unique();
/// assert_eq!(id.len(), 20);
/// assert!(appwrite_orm::key::validate(&id).is_ok());
/// ```
pub fn unique() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now();
    let seconds = now.timestamp() as u64 & 0xffff_ffff;
    let micros = now.timestamp_subsec_micros();
    let mut random = [0u8; 4];
    let _ = getrandom::getrandom(&mut random);
    let tail = u32::from_le_bytes(random).wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed)) & 0x0fff_ffff;
    format!("{seconds:08x}{micros:05x}{tail:07x}")
}
