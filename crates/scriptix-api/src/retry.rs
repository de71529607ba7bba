//! When and how long to wait before re-sending a request.
//!
//! Capped exponential backoff with full jitter: attempt n waits a uniformly random time in
//! `0..=min(cap, base * 2^n)`, so many clients failing together do not retry in lockstep.

use std::time::Duration;

use rand::Rng;
use reqwest::Method;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub max_retries: u32,
}

impl RetryPolicy {
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
            max_retries,
        }
    }

    /// The longest wait before retry number `retry` (0-based).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// A full-jitter wait before retry number `retry`.
    pub fn backoff(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling(retry).as_millis() as u64;
        Duration::from_millis(rng.random_range(0..=ceiling))
    }
}

/// GET, PUT and DELETE may be sent twice without a second effect; POST may not.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ceilings_double_then_cap() {
        let p = RetryPolicy::new(4);
        let ms: Vec<u128> = (0..8).map(|n| p.ceiling(n).as_millis()).collect();
        assert_eq!(ms, vec![250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(p.ceiling(200), Duration::from_secs(8));
    }

    #[test]
    fn jitter_stays_under_the_ceiling_and_spreads() {
        let p = RetryPolicy::new(4);
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for n in 0..10 {
            let waits: Vec<Duration> = (0..200).map(|_| p.backoff(n, &mut rng)).collect();
            assert!(waits.iter().all(|w| *w <= p.ceiling(n)));
            let distinct: std::collections::BTreeSet<_> = waits.iter().collect();
            assert!(distinct.len() > 20, "full jitter spreads the waits");
        }
    }

    #[test]
    fn only_post_is_not_idempotent() {
        assert!(is_idempotent(&Method::GET));
        assert!(is_idempotent(&Method::PUT));
        assert!(is_idempotent(&Method::DELETE));
        assert!(!is_idempotent(&Method::POST));
        assert!(!is_idempotent(&Method::PATCH));
    }
}
