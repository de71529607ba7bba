//! The outbox model every local change goes through: validated, written to the cache and queued
//! in one transaction, then replayed in order by the sync engine through the `Entity` trait
//! (`entity`), exactly once. This module holds what every entity shares: the trait and its
//! replay contract (`entity`), how a pending change shows (`shown`: written into the rows it
//! touches, with a mark) and how a mark or a refusal reads (`marks`), and the operations filed
//! under their customer (`scoped`). The entities live with their features
//! (`crate::customers`, `crate::tabs`, `crate::branding`) and depend on this module, never the
//! other way round; the stored rows are `crate::cache::outbox`'s.

pub mod entity;
pub mod marks;
pub mod scoped;
pub mod shown;

pub use entity::{fail, refuse, Entity, Replay, ReplayReport, Step};
pub use marks::{refused, MarkState, RefusedOp, RowMark};
pub use scoped::{ops_of, require_server_id};
pub use shown::{rebase, server_rows, set_server_rows, shown_rows, Marked, ShownRows};
