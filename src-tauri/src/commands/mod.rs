//! IPC commands, one file per domain. Each is a thin adapter: arguments in, a call into
//! `reseller-core`, `{code, message, field?}` out on failure.

pub mod branding;
pub mod customers;
pub mod dashboard;
pub mod session;
pub mod settings;
pub mod subscriptions;
pub mod sync;
pub mod tokens;
pub mod transcriptions;
pub mod usage;
pub mod users;
