//! Start-up configuration: what the sandbox serves, how strict and how faulty it is.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Everything `start` needs. `Default` gives a quiet sandbox on free loopback ports.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// API listener; default 127.0.0.1:0 (a free port).
    pub addr: SocketAddr,
    /// Admin API listener (faults, stats, health), separate port; default 127.0.0.1:0.
    pub admin_addr: SocketAddr,
    /// How many customers to seed; default 250.
    pub customers: usize,
    /// Seed of every generated value; default 42.
    pub seed: u64,
    /// "Today" for generated data; `None` = today (UTC).
    pub anchor_date: Option<chrono::NaiveDate>,
    /// Requests per 60 s window per token; default 100; 0 = unlimited.
    pub rate_limit_per_minute: u32,
    /// Injected faults; default none.
    pub faults: FaultConfig,
    /// SQLite file; `None` = a temp file removed when the `Sandbox` drops.
    pub db_path: Option<PathBuf>,
    pub reseller_token: String,
    pub resellee_token: String,
    /// The reseller organisation's name, as `account/me` says it (two sandboxes with different
    /// names stand for two reseller accounts).
    pub reseller_name: String,
    /// Gap endpoints answered 404 (as a server without them would); default: all served.
    pub disabled_gaps: BTreeSet<Gap>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        SandboxConfig {
            addr: loopback,
            admin_addr: loopback,
            customers: 250,
            seed: 42,
            anchor_date: None,
            rate_limit_per_minute: 100,
            faults: FaultConfig::default(),
            db_path: None,
            reseller_token: "sbx-reseller-0000000000000000".to_string(),
            resellee_token: "sbx-resellee-0000000000000000".to_string(),
            reseller_name: crate::api::account::RESELLER_ORG_NAME.to_string(),
            disabled_gaps: BTreeSet::new(),
        }
    }
}

/// The proposed (undocumented) endpoints of the contract's section 5, each switchable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// G1 `GET /api/v3/account/me`.
    AccountMe,
    /// G2 `q` and `modified_since` on the customer list.
    Search,
    /// G3 subscriptions and plans.
    Subscriptions,
    /// G4 usage summary (the date range on `/usage` stays).
    UsageSummary,
    /// G5 customer tokens.
    Tokens,
    /// G6 customer users.
    Users,
    /// G8 reseller dashboard.
    Dashboard,
    /// G9 branding.
    Branding,
}

impl Gap {
    pub const ALL: [Gap; 8] = [
        Gap::AccountMe,
        Gap::Search,
        Gap::Subscriptions,
        Gap::UsageSummary,
        Gap::Tokens,
        Gap::Users,
        Gap::Dashboard,
        Gap::Branding,
    ];

    /// The number in the contract's gap table ("g1".."g9").
    pub fn code(self) -> &'static str {
        match self {
            Gap::AccountMe => "g1",
            Gap::Search => "g2",
            Gap::Subscriptions => "g3",
            Gap::UsageSummary => "g4",
            Gap::Tokens => "g5",
            Gap::Users => "g6",
            Gap::Dashboard => "g8",
            Gap::Branding => "g9",
        }
    }

    pub fn snake_name(self) -> &'static str {
        match self {
            Gap::AccountMe => "account_me",
            Gap::Search => "search",
            Gap::Subscriptions => "subscriptions",
            Gap::UsageSummary => "usage_summary",
            Gap::Tokens => "tokens",
            Gap::Users => "users",
            Gap::Dashboard => "dashboard",
            Gap::Branding => "branding",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown gap {0:?}: expected g1..g9 (g7 has no endpoint) or one of account_me, search, subscriptions, usage_summary, tokens, users, dashboard, branding")]
pub struct UnknownGap(pub String);

impl FromStr for Gap {
    type Err = UnknownGap;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Gap::ALL
            .into_iter()
            .find(|g| g.code() == wanted || g.snake_name() == wanted)
            .ok_or_else(|| UnknownGap(s.to_string()))
    }
}

/// Injected faults. Shares are fractions 0..=1 of the affected requests, decided independently
/// per request in this order: reset, error, 429, truncate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// Added to every API request.
    pub latency_ms: u64,
    /// Plus uniform 0..=jitter_ms.
    pub jitter_ms: u64,
    /// Share answered 500/502/503 before the handler runs (nothing changed).
    pub error_rate: f64,
    /// Share answered 429 + `Retry-After: 1` before the handler runs.
    pub rate_limit_rate: f64,
    /// Share whose connection is dropped with no answer: half before the handler runs, half after
    /// it ran (the change is made, the answer lost).
    pub reset_rate: f64,
    /// Share whose body is cut short after the handler ran (Content-Length promises more).
    pub truncate_rate: f64,
    /// Only request paths containing this substring are affected.
    pub route: Option<String>,
    /// Fault RNG seed (reproducible decisions).
    pub seed: Option<u64>,
    /// Refuse every matching request with a client error (not a share: all of them).
    pub refusal: Option<Refusal>,
    /// Answer every matching request with a fixed status and JSON body (not a share: all of
    /// them), e.g. an `account/me` in another server's shape.
    pub answer: Option<CannedAnswer>,
}

/// A server that refuses an operation it does not allow (e.g. deleting an organisation it
/// considers in use): matching requests get `status` and `message` in the documented error
/// shape, before the handler runs, so nothing changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    /// HTTP method, e.g. `"DELETE"`.
    pub method: String,
    /// Only paths containing this substring.
    pub route: String,
    /// Only paths that are exactly `route` (one organisation of a bulk change, say: the route
    /// of organisation 12 is also a substring of organisation 123's).
    #[serde(default)]
    pub exact: bool,
    /// A client error, 400..=499.
    pub status: u16,
    pub message: String,
}

/// A server whose endpoint speaks another dialect: matching requests get `status` and `body`
/// as they are (no envelope added), before authentication and the handler, so nothing changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CannedAnswer {
    /// HTTP method, e.g. `"GET"`.
    pub method: String,
    /// Only paths containing this substring.
    pub route: String,
    /// 200..=599.
    pub status: u16,
    pub body: serde_json::Value,
}

impl FaultConfig {
    /// Only this: `method` on exactly organisation `customer_id`'s route is refused with
    /// `status` (409, say) and `message`, as the server refuses a change it will not make.
    /// The reseller token revoked: `account/me` answers 401 (how a resumed account learns it).
    pub fn token_revoked() -> Self {
        FaultConfig {
            refusal: Some(Refusal {
                method: "GET".into(),
                route: "/account/me".into(),
                exact: false,
                status: 401,
                message: "This API token was revoked.".into(),
            }),
            ..FaultConfig::default()
        }
    }

    pub fn refusing_customer(method: &str, customer_id: i64, status: u16, message: &str) -> Self {
        FaultConfig {
            refusal: Some(Refusal {
                method: method.into(),
                route: format!("/api/v3/reseller/customer/{customer_id}/"),
                exact: true,
                status,
                message: message.into(),
            }),
            ..FaultConfig::default()
        }
    }

    /// True when no fault of any kind is configured.
    pub fn is_quiet(&self) -> bool {
        self.latency_ms == 0
            && self.jitter_ms == 0
            && self.error_rate <= 0.0
            && self.rate_limit_rate <= 0.0
            && self.reset_rate <= 0.0
            && self.truncate_rate <= 0.0
            && self.refusal.is_none()
            && self.answer.is_none()
    }
}

/// Request counters, readable through `Sandbox::stats()` and `GET /admin/stats`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Every API request received (faulted ones included).
    pub requests: u64,
    /// Method + route template, e.g. `"GET /api/v3/reseller/customer/"`.
    pub by_route: std::collections::BTreeMap<String, u64>,
    /// Requests refused by the rate limiter (not counting injected 429s).
    pub rate_limited: u64,
    /// Requests that got an injected fault (latency alone does not count).
    pub faults_injected: u64,
    /// Method + route template of the last 10 000 requests, in the order they arrived.
    #[serde(default)]
    pub order: Vec<String>,
}
