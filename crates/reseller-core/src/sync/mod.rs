//! The sync engine: plan (pure, in `plan`), then execute (against the client and the cache).
//!
//! `customers`: the customer list (incremental walk to the high-water mark) and the id scan
//! that finds deleted customers. `replay`: the outbox, exactly once. `engine`: rounds of both,
//! one at a time, with the status stream (`status`) the UI shows.

pub mod customers;
pub mod detail_plan;
pub mod details;
pub mod engine;
pub mod in_flight;
pub mod plan;
pub mod replay;
pub mod status;

pub use crate::outbox::ReplayReport;
pub use crate::remote::customer_map::{customer_row, normalize_phone};
pub use crate::remote::detail_map::RejectedDetail;
pub use customers::{
    scan_deletions, sync_customer_list, sync_customer_list_with, ListSyncReport, ScanReport,
    SyncError, CUSTOMERS_ENTITY, MAX_PAGES, MAX_REJECTED_KEPT,
};
pub use detail_plan::{plan_prefetch, Allowance, DetailState, PlannedFetch, PrefetchPlan, Target};
pub use details::{
    detail_state, prefetch, prefetch_with, refresh_branding, refresh_dashboard, refresh_tab,
    FailedFetch, PrefetchProgress, PrefetchReport, PrefetchStop, RefreshOutcome,
};
pub use engine::{CacheChange, RoundReport, SyncEngine};
pub use plan::{
    plan_deletions, plan_scan_page, DeletionPlan, FetchedPage, ListWalk, Next, PagePlan, PageStep,
    Pager, RejectedRow, PAGE_LIMIT,
};
pub use replay::{replay_outbox, replay_outbox_with, Batches, BATCH_SLICE};
pub use status::{Activity, Connectivity, StatusError, SyncStatus};
