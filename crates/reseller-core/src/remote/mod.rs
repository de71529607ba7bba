//! The server's side of the cache: its answers mapped to cache rows (`customer_map`,
//! `detail_map`), how long they stay fresh (`policy`), and what its errors mean for a sync step
//! or a queued operation (`error`). Used by the sync engine and by every feature that talks to
//! the server; depends on neither.

pub mod customer_map;
pub mod detail_map;
pub mod error;
pub mod policy;

pub use error::{classify, refusal, Outcome, SyncError};
