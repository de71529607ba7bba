//! A Scriptix-compatible local API server for the reseller desktop app: seeded realistic data
//! in SQLite, the contract's quirks, rate limiting and fault injection, over real HTTP on
//! loopback. The wire contract is `shared/api/scriptix-reseller-api.md`; the Rust interface is
//! section 1 of `spec/INTERFACES.md`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), scriptix_sandbox::SandboxError> {
//! let sandbox = scriptix_sandbox::start(scriptix_sandbox::SandboxConfig::default()).await?;
//! println!("{} with key {}", sandbox.base_url(), sandbox.reseller_token());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Choices where the specification leaves one:
//! - `db_path`: a file that already holds the data set of the same (seed, customers, anchor
//!   date) is reused, edits included; any other file there is replaced by a freshly seeded one.
//! - Seeding: customer `i` depends only on (seed, i, anchor date); ids start at 1001. Usage is
//!   computed on request from (seed, customer, day, language, token, subscription), never stored.
//! - Rate limit 0 means off, and then no `X-RateLimit-*` headers are sent. Injected faults
//!   (5xx, 429, resets, truncation) are decided before the rate limiter and carry no such headers.
//! - Admin API bodies are bare JSON (`FaultConfig`, `Stats`), not the Scriptix envelope. Beyond
//!   the documented routes it has `GET/PUT /admin/rate-limit` (`{per_window, window_secs}`).
//! - Additions to the interface: `Sandbox::set_rate_limit` (tests see a window reset without
//!   waiting a minute) and `Sandbox::seed_time`. Dropping a `Sandbox` kills it.
//! - Usage rows with zero units are left out; a row's period is clipped to the asked range, so
//!   every view and split sums to the same total as the summary.

mod admin;
mod api;
mod catalog;
mod clock;
mod config;
mod db;
mod error;
mod faults;
mod hash;
mod listing;
mod ratelimit;
mod seed;
mod server;
mod stats;
mod usage;

pub use config::{CannedAnswer, FaultConfig, Gap, Refusal, SandboxConfig, Stats, UnknownGap};
pub use error::SandboxError;
pub use server::{start, Sandbox};

/// The rate-limit window (contract decision 6); `Sandbox::set_rate_limit` can change it.
pub const RATE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);
