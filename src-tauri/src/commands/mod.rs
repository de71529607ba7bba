//! IPC commands, one file per domain. Each is a thin adapter: arguments in, a call into
//! `reseller-core`, `{code, message, field?}` out on failure.

pub mod customers;
pub mod session;
pub mod settings;
pub mod sync;
