//! The local SQLite cache: one database per account (base URL + organisation).
//!
//! Every screen reads from here; the sync engine writes here. WAL, foreign keys on, schema through
//! `rusqlite_migration` (one file per table in `migrations/`). A database written by a newer
//! version of the app is refused before anything is written to it.
//!
//! Timestamps are stored as INTEGER microseconds since the Unix epoch (UTC): exact for the
//! server's microsecond timestamps, compact, and integer order is time order. Calendar dates
//! (subscription start/end, usage periods) are TEXT `YYYY-MM-DD`, whose text order is date order.

pub(crate) mod activity;
pub(crate) mod batches;
pub(crate) mod customers;
mod customers_cache;
mod db;
mod details;
mod error;
mod file_name;
pub mod freshness;
pub mod ids;
mod list;
mod list_cache;
mod memory_search;
pub(crate) mod outbox;
mod phones_shown;
mod row_set;
mod schema;
mod search_index;
mod search_index_cache;
mod sort_orders;
mod store;
mod sync_marks;
mod text;
mod token_index;

pub use activity::{ActivityFilter, ActivityOutcome, ActivityRow, NewActivity};
pub use batches::{BatchKind, BatchRow};
pub use customers::{CustomerCounts, CustomerRow, SyncState};
pub use db::Cache;
pub use details::{
    BrandingRow, SubscriptionRow, TokenRow, TranscriptionRow, UsageRow, UsageSummaryRow, UserRow,
};
pub use error::{CacheError, CacheResult};
pub use file_name::{cache_file_name, remove_cache_files};
pub use freshness::{Freshness, FreshnessRecord, Scope, Tab};
pub use list::{
    Cursor, CursorKey, CustomerPage, CustomerQuery, MatchCount, SearchPlan, SearchTuning,
    SortColumn, SortDirection, ANCHOR_STRIDE, FTS_FIRST_MAX, WALK_BUDGET,
};
pub use outbox::{
    ConflictRow, NewOutboxOp, OutboxCounts, OutboxEntity, OutboxKind, OutboxOp, OutboxState,
    UnknownOutboxName,
};
pub use schema::SCHEMA_VERSION;
pub use search_index::{SearchIndexMode, SearchIndexStats};
pub use store::Store;
pub use sync_marks::HighWaterMark;
pub use text::{bounded_search, MAX_SEARCH_CHARS};

/// Fixtures for the crate's unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::{TimeZone, Utc};

    use super::{Cache, CustomerRow, SyncState, TokenRow};

    /// An in-memory cache holding one customer, `id` (detail rows need their customer).
    pub(crate) fn cache_with_customer(id: i64) -> Cache {
        let cache = Cache::open_in_memory().unwrap();
        let t = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        cache
            .upsert_customers(&[CustomerRow {
                id,
                name: "Voorbeeld BV".into(),
                email: "it@voorbeeld.nl".into(),
                phone: None,
                is_active: true,
                registration_date: t,
                last_modified: t,
                sync_state: SyncState::Synced,
            }])
            .unwrap();
        cache
    }

    /// Queues an empty update of customer `id`; its op id.
    pub(crate) fn queued_update(conn: &rusqlite::Connection, id: i64) -> i64 {
        super::outbox::insert_op(
            conn,
            &super::NewOutboxOp {
                entity: super::OutboxEntity::Customer,
                entity_id: id,
                kind: super::OutboxKind::Update,
                payload: serde_json::json!({}),
                base_last_modified: None,
                created_at: Utc::now(),
            },
        )
        .unwrap()
    }

    /// A batch token named `t{id}`.
    pub(crate) fn token(id: i64) -> TokenRow {
        TokenRow {
            id,
            name: format!("t{id}"),
            token_type: "batch".into(),
            created_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            expires_at: None,
        }
    }
}
