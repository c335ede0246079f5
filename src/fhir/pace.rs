//! The per-server rate limit: request starts are spaced evenly at
//! `1 / requests_per_second`, on tokio's clock.
//!
//! A hand-written scheduler rather than `governor`: this is all we need
//! (one limiter per server, no keyed buckets), and it sleeps on tokio's
//! timer instead of governor's `futures-timer` thread.

use std::{
    sync::{Mutex, PoisonError},
    time::Duration,
};

use tokio::time::Instant;

pub struct Pacer {
    /// `None`: unlimited.
    interval: Option<Duration>,
    /// The earliest start of the next request.
    next: Mutex<Instant>,
}

impl Pacer {
    pub fn new(requests_per_second: f64) -> Self {
        let interval =
            (requests_per_second > 0.0).then(|| Duration::from_secs_f64(1.0 / requests_per_second));
        Self {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this request's turn. Each caller books the next free slot
    /// before sleeping, so concurrent callers queue up instead of racing.
    pub async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let now = Instant::now();
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = (*next).max(now);
            *next = slot + interval;
            slot
        };
        if slot > now {
            tokio::time::sleep_until(slot).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
