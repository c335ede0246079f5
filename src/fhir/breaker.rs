//! Stops asking a server that is down. Once a call has spent its retries
//! on a failure that says the whole server is in trouble (unreachable,
//! timing out, 502/503/504, rate limiting), further calls fail at once for
//! a cool-down (or as long as the server's `Retry-After` asked, up to a
//! cap), so a dead server costs each document nothing instead of a round
//! of retries, and its imports end instead of holding their slots. After
//! the cool-down, calls go through again; a success closes it.

use std::{
    sync::Mutex,
    time::{Duration, Instant, SystemTime},
};

use super::FhirError;

/// The longest a `Retry-After` keeps calls away.
const MAX_OPEN: Duration = Duration::from_secs(15 * 60);

pub struct Breaker {
    cooldown: Duration,
    open: Mutex<Option<Open>>,
}

struct Open {
    until: Instant,
    /// `until` on the wall clock, as people are shown it.
    until_wall: SystemTime,
    because: String,
}

impl Breaker {
    pub fn new(cooldown: Duration) -> Self {
        Self {
            cooldown,
            open: Mutex::new(None),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Option<Open>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err` while the server is being left alone.
    pub fn check(&self) -> Result<(), FhirError> {
        let mut open = self.state();
        match open.as_ref() {
            Some(o) if o.until > Instant::now() => Err(FhirError::ServerDown {
                because: o.because.clone(),
                for_secs: o.until.saturating_duration_since(Instant::now()).as_secs() + 1,
            }),
            Some(_) => {
                *open = None;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// While open: until when calls stay away, and the failure that
    /// opened it.
    pub fn open_until(&self) -> Option<(SystemTime, String)> {
        let open = self.state();
        let open = open.as_ref()?;
        (open.until > Instant::now()).then(|| (open.until_wall, open.because.clone()))
    }

    /// Notes how a call ended.
    pub fn record(&self, outcome: Result<(), &FhirError>) {
        let hold = match outcome {
            Ok(()) => {
                *self.state() = None;
                return;
            }
            Err(FhirError::RateLimited {
                retry_after: Some(after),
            }) => (*after).clamp(self.cooldown, MAX_OPEN.max(self.cooldown)),
            Err(
                FhirError::Unreachable(_)
                | FhirError::Timeout(_)
                | FhirError::RateLimited { .. }
                | FhirError::Status {
                    code: 502..=504, ..
                },
            ) => self.cooldown,
            // Anything else is about one request, not the server.
            Err(_) => return,
        };
        if hold.is_zero() {
            return;
        }
        let Err(error) = outcome else { return };
        tracing::warn!(%error, ?hold, "the FHIR server is failing; leaving it alone for a while");
        *self.state() = Some(Open {
            until: Instant::now() + hold,
            until_wall: SystemTime::now() + hold,
            because: error.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_on_server_wide_trouble_only() {
        let breaker = Breaker::new(Duration::from_secs(30));
        breaker.record(Err(&FhirError::Status {
            code: 500,
            message: "one bad resource".into(),
        }));
        assert!(breaker.check().is_ok(), "a 500 is about one request");
        breaker.record(Err(&FhirError::Unreachable("connection refused".into())));
        let refused = breaker.check().expect_err("open");
        assert!(
            refused.to_string().contains("connection refused"),
            "{refused}"
        );
        breaker.record(Ok(()));
        assert!(breaker.check().is_ok(), "a success closes it");
    }

    #[test]
    fn closes_after_the_cooldown() {
        let breaker = Breaker::new(Duration::from_millis(20));
        breaker.record(Err(&FhirError::Timeout(Duration::from_secs(1))));
        assert!(breaker.check().is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(breaker.check().is_ok());
    }

    #[test]
    fn a_long_retry_after_keeps_it_open_that_long() {
        let breaker = Breaker::new(Duration::from_secs(1));
        breaker.record(Err(&FhirError::RateLimited {
            retry_after: Some(Duration::from_secs(600)),
        }));
        match breaker.check() {
            Err(FhirError::ServerDown { for_secs, .. }) => assert!(for_secs > 590, "{for_secs}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_zero_cooldown_never_opens() {
        let breaker = Breaker::new(Duration::ZERO);
        breaker.record(Err(&FhirError::Unreachable("down".into())));
        assert!(breaker.check().is_ok());
    }
}
