//! The outbox: every local write (create, update, delete of customers; later users, tokens,
//! subscriptions and branding) is validated, applied to the cache and queued in one
//! transaction (`queue`), then replayed in order by the sync engine (`crate::sync::replay`),
//! which decides with the pure rules in `merge`. Operations that do not go through are settled
//! by the user (`settle`).

pub mod change;
pub mod merge;
pub mod queue;
pub mod settle;

pub use change::{CustomerChange, CustomerFields, Field};
pub use merge::{adopt_created, plan_update, Candidate, UpdatePlan};
pub use queue::{create_customer, delete_customer, update_customer, CustomerForm};
pub use settle::{discard_customer_changes, settle_conflict, Resolution};
