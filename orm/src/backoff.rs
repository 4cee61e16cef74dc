//! Exponential backoff with jitter, for every retry loop of the crate.

use std::time::Duration;

/// The delay before retry number `attempt` (1 for the first): `base` doubled per attempt up to
/// `max`, then spread over its upper half at random, so that many clients that failed together
/// do not retry in lockstep.
pub(crate) fn delay(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exponential = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(16)));
    let capped = exponential.min(max);
    let mut byte = [0u8; 1];
    let _ = getrandom::getrandom(&mut byte);
    capped / 2 + capped.mul_f64(f64::from(byte[0]) / 510.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_stays_in_the_upper_half() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        for (attempt, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (40, 1000)] {
            let full = Duration::from_millis(full);
            for _ in 0..20 {
                let d = delay(attempt, base, max);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
    }
}
