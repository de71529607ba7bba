//! Fault decisions: which request gets delayed, failed, dropped or truncated.

use std::sync::{Mutex, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::FaultConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    None,
    /// Drop the connection before the handler runs.
    ResetBefore,
    /// Run the handler, then drop the connection instead of answering.
    ResetAfter,
    /// Answer 500/502/503 without running the handler.
    ServerError(StatusCode),
    /// Answer 429 + Retry-After: 1 without running the handler.
    TooManyRequests,
    /// Run the handler, send part of the body, then close.
    Truncate,
}

#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub delay: Duration,
    pub action: FaultAction,
}

pub struct FaultState {
    config: RwLock<FaultConfig>,
    rng: Mutex<ChaCha8Rng>,
}

fn rng_for(config: &FaultConfig) -> ChaCha8Rng {
    match config.seed {
        Some(seed) => ChaCha8Rng::seed_from_u64(seed),
        None => ChaCha8Rng::from_rng(&mut rand::rng()),
    }
}

fn clamp(rate: f64) -> f64 {
    if rate.is_finite() {
        rate.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

impl FaultState {
    pub fn new(config: FaultConfig) -> Self {
        FaultState {
            rng: Mutex::new(rng_for(&config)),
            config: RwLock::new(config),
        }
    }

    pub fn get(&self) -> FaultConfig {
        self.config
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the configuration (and restarts the decision sequence from its seed).
    pub fn set(&self, config: FaultConfig) {
        *self.rng.lock().unwrap_or_else(|p| p.into_inner()) = rng_for(&config);
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = config;
    }

    /// The refusal that applies to `method` on `path`, if one is configured.
    pub fn refusal(&self, method: &str, path: &str) -> Option<(StatusCode, String)> {
        let config = self.config.read().unwrap_or_else(|p| p.into_inner());
        let r = config.refusal.as_ref()?;
        let matches = if r.exact {
            path == r.route
        } else {
            path.contains(&r.route)
        };
        if !r.method.eq_ignore_ascii_case(method) || !matches {
            return None;
        }
        let status = StatusCode::from_u16(r.status)
            .ok()
            .filter(StatusCode::is_client_error)?;
        Some((status, r.message.clone()))
    }

    /// The canned answer for `method` on `path`, if one is configured.
    pub fn answer(&self, method: &str, path: &str) -> Option<(StatusCode, serde_json::Value)> {
        let config = self.config.read().unwrap_or_else(|p| p.into_inner());
        let a = config.answer.as_ref()?;
        if !a.method.eq_ignore_ascii_case(method) || !path.contains(&a.route) {
            return None;
        }
        let status = StatusCode::from_u16(a.status).ok()?;
        Some((status, a.body.clone()))
    }

    pub fn decide(&self, path: &str) -> Decision {
        let config = self.config.read().unwrap_or_else(|p| p.into_inner());
        let none = Decision {
            delay: Duration::ZERO,
            action: FaultAction::None,
        };
        if config.is_quiet() {
            return none;
        }
        if let Some(route) = config.route.as_deref() {
            if !route.is_empty() && !path.contains(route) {
                return none;
            }
        }
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let jitter = if config.jitter_ms > 0 {
            rng.random_range(0..=config.jitter_ms)
        } else {
            0
        };
        let delay = Duration::from_millis(config.latency_ms.saturating_add(jitter));
        // One roll over cumulative shares, so each rate is a share of all requests.
        let roll: f64 = rng.random();
        let mut edge = clamp(config.reset_rate);
        let action = if roll < edge {
            if rng.random_bool(0.5) {
                FaultAction::ResetBefore
            } else {
                FaultAction::ResetAfter
            }
        } else if roll < {
            edge += clamp(config.error_rate);
            edge
        } {
            let codes = [
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::BAD_GATEWAY,
                StatusCode::SERVICE_UNAVAILABLE,
            ];
            FaultAction::ServerError(codes[rng.random_range(0..codes.len())])
        } else if roll < {
            edge += clamp(config.rate_limit_rate);
            edge
        } {
            FaultAction::TooManyRequests
        } else if roll < {
            edge += clamp(config.truncate_rate);
            edge
        } {
            FaultAction::Truncate
        } else {
            FaultAction::None
        };
        Decision { delay, action }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_decisions_repeat_and_respect_the_route() {
        let config = FaultConfig {
            error_rate: 0.5,
            route: Some("/customer".into()),
            seed: Some(9),
            ..FaultConfig::default()
        };
        let a = FaultState::new(config.clone());
        let b = FaultState::new(config);
        let seq_a: Vec<_> = (0..50)
            .map(|_| a.decide("/api/v3/reseller/customer").action)
            .collect();
        let seq_b: Vec<_> = (0..50)
            .map(|_| b.decide("/api/v3/reseller/customer").action)
            .collect();
        assert_eq!(seq_a, seq_b);
        assert!(seq_a.contains(&FaultAction::None));
        assert!(seq_a
            .iter()
            .any(|d| matches!(d, FaultAction::ServerError(_))));
        assert_eq!(a.decide("/api/v3/account/me").action, FaultAction::None);
    }

    #[test]
    fn an_exact_refusal_refuses_one_path_and_not_those_it_begins() {
        let state = FaultState::new(FaultConfig {
            refusal: Some(crate::config::Refusal {
                method: "PUT".into(),
                route: "/api/v3/reseller/customer/12".into(),
                exact: true,
                status: 409,
                message: "in use".into(),
            }),
            ..FaultConfig::default()
        });
        let refused = state.refusal("put", "/api/v3/reseller/customer/12");
        assert_eq!(refused, Some((StatusCode::CONFLICT, "in use".to_string())));
        assert_eq!(state.refusal("PUT", "/api/v3/reseller/customer/123"), None);
        assert_eq!(state.refusal("GET", "/api/v3/reseller/customer/12"), None);
    }
}
