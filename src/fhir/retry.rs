//! When to try again: exponential backoff with full jitter, and what a
//! server's `Retry-After` header asks for.

use std::time::{Duration, SystemTime};

/// The wait before retry `attempt` (0-based): uniform in
/// `[0, min(max, base * 2^attempt)]`, `unit` being a draw from `[0, 1)`.
/// Full jitter spreads retries from many clients over the whole window.
pub fn backoff(attempt: u32, base: Duration, max: Duration, unit: f64) -> Duration {
    let ceiling = base
        .checked_mul(2u32.saturating_pow(attempt.min(31)))
        .unwrap_or(max)
        .min(max);
    ceiling.mul_f64(unit.clamp(0.0, 1.0))
}

/// A uniform draw from `[0, 1)` from the OS's randomness; 1.0 (the full
/// window, the cautious choice) if that fails.
pub fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 1.0,
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a
/// date in the past means now. `None` if it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(at);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn backoff_grows_exponentially_within_the_cap() {
        let (base, max) = (100 * MS, 1000 * MS);
        assert_eq!(backoff(0, base, max, 1.0), 100 * MS);
        assert_eq!(backoff(1, base, max, 1.0), 200 * MS);
        assert_eq!(backoff(3, base, max, 1.0), 800 * MS);
        assert_eq!(backoff(4, base, max, 1.0), max);
        assert_eq!(backoff(200, base, max, 1.0), max);
        assert_eq!(backoff(3, base, max, 0.0), Duration::ZERO);
        assert_eq!(backoff(3, base, max, 0.5), 400 * MS);
    }

    #[test]
    fn jitter_stays_in_its_window() {
        for _ in 0..1000 {
            let unit = random_unit();
            assert!((0.0..1.0).contains(&unit));
            assert!(backoff(2, 100 * MS, 1000 * MS, unit) <= 400 * MS);
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 07:28:00
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert!(parse_retry_after("99999999999999999999999", now).is_some());
    }
}
