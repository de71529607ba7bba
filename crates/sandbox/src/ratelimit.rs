//! The fixed-window rate limit per token (contract decision 6).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct RateLimiter {
    state: Mutex<State>,
}

struct State {
    limit: u32,
    window: Duration,
    buckets: HashMap<String, Bucket>,
}

struct Bucket {
    started: Instant,
    /// Unix seconds (fractional) when the window started.
    started_unix: f64,
    count: u32,
}

/// The limiter's answer for one request; `None` from `check` means limiting is off.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window resets.
    pub reset: u64,
    /// Whole seconds until then, at least 1.
    pub retry_after: u64,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            state: Mutex::new(State {
                limit,
                window,
                buckets: HashMap::new(),
            }),
        }
    }

    pub fn configure(&self, limit: u32, window: Duration) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.limit = limit;
        s.window = window.max(Duration::from_millis(1));
        s.buckets.clear();
    }

    pub fn limit(&self) -> (u32, Duration) {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (s.limit, s.window)
    }

    /// Counts one request for `key` (the presented token, or "" for none).
    pub fn check(&self, key: &str) -> Option<Verdict> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.limit == 0 {
            return None;
        }
        let (limit, window) = (s.limit, s.window);
        let now = Instant::now();
        if s.buckets.len() > 10_000 {
            s.buckets
                .retain(|_, b| now.duration_since(b.started) < window);
        }
        let bucket = s.buckets.entry(key.to_string()).or_insert_with(|| Bucket {
            started: now,
            started_unix: unix_now(),
            count: 0,
        });
        if now.duration_since(bucket.started) >= window {
            bucket.started = now;
            bucket.started_unix = unix_now();
            bucket.count = 0;
        }
        let allowed = bucket.count < limit;
        if allowed {
            bucket.count += 1;
        }
        let reset_at = bucket.started_unix + window.as_secs_f64();
        let left = (window.saturating_sub(now.duration_since(bucket.started))).as_secs_f64();
        Some(Verdict {
            allowed,
            limit,
            remaining: limit.saturating_sub(bucket.count),
            reset: reset_at.ceil() as u64,
            retry_after: (left.ceil() as u64).max(1),
        })
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_and_resets_after_the_window() {
        let rl = RateLimiter::new(2, Duration::from_millis(200));
        assert!(rl.check("a").unwrap().allowed);
        let second = rl.check("a").unwrap();
        assert!(second.allowed && second.remaining == 0);
        let third = rl.check("a").unwrap();
        assert!(!third.allowed && third.retry_after >= 1);
        assert!(rl.check("b").unwrap().allowed);
        std::thread::sleep(Duration::from_millis(250));
        assert!(rl.check("a").unwrap().allowed);
        rl.configure(0, Duration::from_secs(60));
        assert!(rl.check("a").is_none());
    }
}
