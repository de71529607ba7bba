//! The Scriptix reseller application without Tauri.
//!
//! Everything a desktop shell needs that a test can reach without a window. Imports run one way
//! (`cargo xtask modules` checks there is no cycle), from the bottom up:
//!
//! - foundations: `error`, `validation`, `format` (numbers and dates in the system's locale),
//!   `phone_display`, `private_fs`, `secrets`, `export`, `diagnostics` (the process's memory at
//!   the start's milestones, for the desktop benchmark), `logging` (the log file and the recent
//!   errors for a support ticket), `logo` (the image pipeline), `cache`
//!   (the SQLite file), `remote` (the server's answers as cache rows, freshness policy, what its
//!   errors mean);
//! - `context`: what every feature of an open account works with (cache, client, the signal that
//!   the outbox changed, the stream of cache changes);
//! - `outbox`: the one model every change goes through (the `Entity` trait, pending changes
//!   written into their rows with a mark, refusals);
//! - the features, each an outbox entity and a set of screens: `customers`, `tabs`, `branding`,
//!   and `dashboard`; `activity` (the log of every change, read through each entity's words);
//!   `notices` (what a desktop notification says, once);
//! - `sync`: the engine that drives every entity through the trait, refreshes and prefetches;
//! - `workspace` (an open account: context, engine, background jobs), `session`, `settings`,
//!   `account` (signing in and out) and `support` (the diagnostics a support ticket gets) on top.

pub mod account;
pub mod activity;
pub mod background;
pub mod branding;
pub mod cache;
pub mod context;
pub mod customers;
pub mod dashboard;
pub mod diagnostics;
pub mod error;
pub mod export;
pub mod format;
pub mod logging;
pub mod logo;
pub mod notices;
pub mod outbox;
pub mod phone_display;
pub mod private_fs;
pub mod remote;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod support;
pub mod sync;
pub mod tabs;
pub mod updates;
pub mod validation;
pub mod workspace;

pub use error::CoreError;
pub use scriptix_api::Client;
pub use session::{
    mark_demo, resume, sign_in, verify, AuthStyleSetting, RoleSource, Session, SessionInfo,
    SignInRequest, Verified,
};
