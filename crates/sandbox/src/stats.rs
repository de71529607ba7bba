//! Request counters.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::config::Stats;

#[derive(Default)]
pub struct StatsCollector {
    requests: AtomicU64,
    rate_limited: AtomicU64,
    faults: AtomicU64,
    by_route: Mutex<BTreeMap<String, u64>>,
    /// The routes in the order they arrived (the last `ORDER_KEPT`).
    order: Mutex<std::collections::VecDeque<String>>,
}

/// Requests whose order is kept (tests ask which went first).
const ORDER_KEPT: usize = 10_000;

impl StatsCollector {
    pub fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn route(&self, key: String) {
        {
            let mut order = self.order.lock().unwrap_or_else(|p| p.into_inner());
            if order.len() == ORDER_KEPT {
                order.pop_front();
            }
            order.push_back(key.clone());
        }
        let mut map = self.by_route.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry(key).or_insert(0) += 1;
    }

    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub fn fault(&self) {
        self.faults.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            by_route: self
                .by_route
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            faults_injected: self.faults.load(Ordering::Relaxed),
            order: self
                .order
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .cloned()
                .collect(),
        }
    }

    pub fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.rate_limited.store(0, Ordering::Relaxed);
        self.faults.store(0, Ordering::Relaxed);
        self.by_route
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.order.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The documented spelling of a route template: customer routes end in `/`, the rest do not.
pub fn documented_route(template: &str) -> String {
    let bare = template.trim_end_matches('/');
    if bare.ends_with("/reseller/customer") || bare.ends_with("/reseller/customer/{id}") {
        format!("{bare}/")
    } else {
        bare.to_string()
    }
}
