//! The per-server rate limit: request starts spaced evenly at
//! `1 / requests_per_second` (a GCRA with a burst of one, from `governor`).

use std::{num::NonZeroU32, time::Duration};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

pub struct Pacer {
    /// `None`: unlimited.
    limiter: Option<DefaultDirectRateLimiter>,
}

impl Pacer {
    pub fn new(requests_per_second: f64) -> Self {
        let quota = (requests_per_second > 0.0)
            .then(|| Duration::from_secs_f64(1.0 / requests_per_second))
            .and_then(Quota::with_period)
            .map(|q| q.allow_burst(NonZeroU32::MIN));
        Self {
            limiter: quota.map(RateLimiter::direct),
        }
    }

    /// Waits for this request's turn.
    pub async fn wait(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tokio::time::Instant;

    #[tokio::test]
    async fn starts_are_spaced_by_the_rate() {
        let pacer = Pacer::new(100.0);
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        // The first goes at once, the other four 10 ms apart.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(40), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
    }

    #[tokio::test]
    async fn zero_means_unlimited() {
        let pacer = Pacer::new(0.0);
        let start = Instant::now();
        for _ in 0..1000 {
            pacer.wait().await;
        }
        assert!(start.elapsed() < Duration::from_millis(50));
    }
}
