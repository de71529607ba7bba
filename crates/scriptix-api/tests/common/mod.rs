//! Shared set-up of the contract tests: a real sandbox on loopback and a client for it.
#![allow(dead_code)]

use std::time::Duration;

use scriptix_api::{Client, ClientConfig};
use scriptix_sandbox::{Sandbox, SandboxConfig};

/// A sandbox without a rate limit (tests that need one set it).
pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig {
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    })
    .await
}

pub async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    scriptix_sandbox::start(config)
        .await
        .expect("sandbox starts")
}

pub fn config(sbx: &Sandbox) -> ClientConfig {
    let mut c = ClientConfig::new(sbx.base_url(), sbx.reseller_token());
    c.rate_limit_per_minute = 0;
    c.request_timeout = Duration::from_secs(10);
    c
}

pub fn client(sbx: &Sandbox) -> Client {
    Client::new(config(sbx)).expect("client")
}

pub fn client_with(sbx: &Sandbox, change: impl FnOnce(&mut ClientConfig)) -> Client {
    let mut c = config(sbx);
    change(&mut c);
    Client::new(c).expect("client")
}

/// Requests the sandbox received on one route (`"POST /api/v3/reseller/customer/"`).
pub fn route_count(sbx: &Sandbox, route: &str) -> u64 {
    sbx.stats().by_route.get(route).copied().unwrap_or(0)
}

/// Guards a call that must neither hang nor take long.
pub async fn within<T>(secs: u64, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), fut)
        .await
        .expect("finished in time")
}
