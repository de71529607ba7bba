//! The sync engine: plan (pure, in `plan`), then execute (against the client and the cache).
//!
//! This first slice syncs the customer list (incremental walk to the high-water mark) and finds
//! deleted customers with a full id scan. The outbox and the detail tabs come later.

pub mod customers;
pub mod map;
pub mod plan;

pub use customers::{
    scan_deletions, sync_customer_list, ListSyncReport, ScanReport, SyncError, CUSTOMERS_ENTITY,
    MAX_PAGES,
};
pub use map::{customer_row, normalize_phone};
pub use plan::{
    plan_deletions, plan_scan_page, DeletionPlan, FetchedPage, ListWalk, Next, PagePlan, PageStep,
    Pager, RejectedRow, PAGE_LIMIT,
};
