//! Limits on the endpoints that take passwords and secrets, so that they
//! cannot be used to guess them or to burn the server's CPU on argon2:
//! sign-in attempts per account, sign-ups per address, token requests per
//! client; and password hashes running at once per client address, so one
//! address cannot hold every hashing slot of the server. Limits are per
//! instance, in memory.

use std::{collections::HashMap, net::IpAddr, num::NonZeroU32, sync::Mutex, time::Duration};

use governor::{
    clock::{Clock, DefaultClock},
    DefaultKeyedRateLimiter, Quota,
};

/// Sign-in attempts per username: a burst of 10, then one per 90 s.
const LOGIN_BURST: u32 = 10;
const LOGIN_REPLENISH: Duration = Duration::from_secs(90);
/// Sign-ups per client address: a burst of 20, then one per 3 minutes.
const SIGNUP_BURST: u32 = 20;
const SIGNUP_REPLENISH: Duration = Duration::from_secs(180);
/// Token requests per client id: a burst of 60, then 2 per second.
const TOKEN_BURST: u32 = 60;
const TOKEN_REPLENISH: Duration = Duration::from_millis(500);

/// Password hashes (sign-in, sign-up) one client address may have running
/// at once; the server runs at most one per core in all.
const HASHES_PER_ADDRESS: usize = 2;

pub struct Throttles {
    logins: DefaultKeyedRateLimiter<String>,
    signups: DefaultKeyedRateLimiter<IpAddr>,
    tokens: DefaultKeyedRateLimiter<String>,
    hashing: Mutex<HashMap<IpAddr, usize>>,
}

/// One password hash of one address, counted until dropped.
#[must_use]
pub struct HashingSlot<'a> {
    hashing: &'a Mutex<HashMap<IpAddr, usize>>,
    from: IpAddr,
}

impl Drop for HashingSlot<'_> {
    fn drop(&mut self) {
        let mut running = self.hashing.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = running.get_mut(&self.from) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.from);
            }
        }
    }
}

/// Refused for now; try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, at least one, for a `Retry-After` header or a message.
    pub fn seconds(self) -> u64 {
        self.0.as_secs_f64().ceil().max(1.0) as u64
    }
}

fn quota(burst: u32, replenish: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(replenish)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), RetryAfter> {
    limiter
        .check_key(key)
        .map_err(|not_until| RetryAfter(not_until.wait_time_from(DefaultClock::default().now())))?;
    // Forget keys that are back to full, so the maps do not grow forever.
    if limiter.len() > 10_000 {
        limiter.retain_recent();
    }
    Ok(())
}

impl Default for Throttles {
    fn default() -> Self {
        Self {
            logins: DefaultKeyedRateLimiter::keyed(quota(LOGIN_BURST, LOGIN_REPLENISH)),
            signups: DefaultKeyedRateLimiter::keyed(quota(SIGNUP_BURST, SIGNUP_REPLENISH)),
            tokens: DefaultKeyedRateLimiter::keyed(quota(TOKEN_BURST, TOKEN_REPLENISH)),
            hashing: Mutex::default(),
        }
    }
}

impl Throttles {
    pub fn login(&self, username: &str) -> Result<(), RetryAfter> {
        check(&self.logins, &username.trim().to_lowercase())
    }

    pub fn signup(&self, from: Option<IpAddr>) -> Result<(), RetryAfter> {
        // Without a known address every sign-up shares one budget.
        let from = from.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        check(&self.signups, &from)
    }

    pub fn token_request(&self, client_id: &str) -> Result<(), RetryAfter> {
        check(&self.tokens, &client_id.to_owned())
    }

    /// A slot for one password hash from `from`, or how long to wait: an
    /// address with [`HASHES_PER_ADDRESS`] hashes running waits its turn.
    pub fn hashing(&self, from: Option<IpAddr>) -> Result<HashingSlot<'_>, RetryAfter> {
        let from = from.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let mut running = self.hashing.lock().unwrap_or_else(|p| p.into_inner());
        let count = running.entry(from).or_insert(0);
        if *count >= HASHES_PER_ADDRESS {
            return Err(RetryAfter(Duration::from_secs(1)));
        }
        *count += 1;
        Ok(HashingSlot {
            hashing: &self.hashing,
            from,
        })
    }
}

/// A `Retry-After` HTTP-date is not needed: seconds are what clients read.
pub fn retry_after_header(retry: RetryAfter) -> http::HeaderValue {
    http::HeaderValue::from(retry.seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_hashing_slots_until_they_are_dropped() {
        let throttles = Throttles::default();
        let here = Some(IpAddr::from([10, 0, 0, 1]));
        let first = throttles.hashing(here).expect("a slot");
        let _second = throttles.hashing(here).expect("a slot");
        assert!(throttles.hashing(here).is_err(), "two at once per address");
        let _elsewhere = throttles
            .hashing(Some(IpAddr::from([10, 0, 0, 2])))
            .expect("another address");
        drop(first);
        let _again = throttles.hashing(here).expect("a slot came free");
    }

    #[test]
    fn a_burst_is_allowed_then_attempts_wait() {
        let throttles = Throttles::default();
        for _ in 0..LOGIN_BURST {
            throttles.login("Alice").expect("within the burst");
        }
        let wait = throttles.login("alice").expect_err("over the burst");
        assert!(wait.seconds() >= 1 && wait.0 <= LOGIN_REPLENISH, "{wait:?}");
        throttles
            .login("bob")
            .expect("other accounts are not affected");
    }

    #[test]
    fn sign_ups_are_counted_per_address() {
        let throttles = Throttles::default();
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..SIGNUP_BURST {
            throttles.signup(a).expect("within the burst");
        }
        assert!(throttles.signup(a).is_err());
        throttles
            .signup(Some(IpAddr::from([10, 0, 0, 2])))
            .expect("another address");
    }
}
