//! The local SQLite cache: one database per account (base URL + organisation).
//!
//! Every screen reads from here; the sync engine writes here. WAL, foreign keys on, schema through
//! `rusqlite_migration` (one file per table in `migrations/`). A database written by a newer
//! version of the app is refused before anything is written to it.
//!
//! Timestamps are stored as INTEGER microseconds since the Unix epoch (UTC): exact for the
//! server's microsecond timestamps, compact, and integer order is time order. Calendar dates
//! (subscription start/end, usage periods) are TEXT `YYYY-MM-DD`, whose text order is date order.

pub(crate) mod customers;
mod details;
mod error;
mod file_name;
pub mod freshness;
pub mod ids;
mod list;
mod memory_search;
pub(crate) mod outbox;
mod row_set;
mod schema;
mod search_index;
mod sort_orders;
mod sync_marks;
mod text;
mod token_index;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use customers::{CustomerCounts, CustomerRow, SyncState};
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
pub use sync_marks::HighWaterMark;
pub use text::{bounded_search, MAX_SEARCH_CHARS};

/// An open cache. One connection; not `Sync` (wrap it in a mutex to share it between threads,
/// or open a second `Cache` on the same file: WAL lets readers and one writer work together).
pub struct Cache {
    conn: Connection,
    path: Option<PathBuf>,
    /// Page anchors for jumping to row N of an unsearched list, per list order.
    anchors: RefCell<HashMap<list::AnchorKey, list::Anchors>>,
    /// The in-memory search index and its background build.
    search_index: RefCell<search_index::SearchIndexSlot>,
    search_tuning: Cell<SearchTuning>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("path", &self.path).finish()
    }
}

impl Cache {
    /// Opens (creating it and its directory if needed) and migrates the cache at `path`.
    /// Fails with `CacheError::NewerVersion`, leaving the file untouched, when a newer app wrote it.
    pub fn open(path: impl AsRef<Path>) -> CacheResult<Cache> {
        let path = path.as_ref();
        let io = |p: &Path| {
            let path = p.display().to_string();
            move |source| CacheError::Io { path, source }
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                crate::private_fs::ensure_private_dir(dir).map_err(io(dir))?;
            }
        }
        // The cache holds every customer's name, email and phone: the file is 0600 before
        // SQLite opens it, and SQLite gives its -wal and -shm files the main file's mode. Files
        // an older version left 0644 are tightened.
        crate::private_fs::ensure_private_file(path).map_err(io(path))?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", path.display()));
            crate::private_fs::tighten_file_if_present(&side).map_err(io(&side))?;
        }
        let conn = Connection::open(path)?;
        Self::init(conn, Some(path.to_path_buf()))
    }

    /// An in-memory cache (unit tests).
    pub fn open_in_memory() -> CacheResult<Cache> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> CacheResult<Cache> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // Read-only check first: switching to WAL or migrating would write to the file.
        schema::refuse_newer(&conn)?;
        // WAL: readers never block the writer; NORMAL is durable across app crashes in WAL mode.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Up to 64 MiB of page cache: 100 000 customers with their indexes fit, so random
        // lookups by id (FTS hits) are memory reads.
        conn.pragma_update(None, "cache_size", -65536)?;
        // Reads through a memory map: no system call per page for the random lookups that
        // FTS hits and index walks make (address space only; the OS shares the page cache).
        conn.pragma_update(None, "mmap_size", 1_i64 << 30)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        schema::migrate(&mut conn)?;
        Ok(Cache {
            conn,
            path,
            anchors: RefCell::new(HashMap::new()),
            search_index: RefCell::new(search_index::SearchIndexSlot::default()),
            search_tuning: Cell::new(SearchTuning::default()),
        })
    }

    /// The database file, or None in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> CacheResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check` plus the FTS index's own check; Ok(()) or the problems found.
    pub fn integrity_check(&self) -> CacheResult<()> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let problems: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        if problems != ["ok"] {
            return Err(CacheError::Corrupt(problems.join("; ")));
        }
        self.conn.execute(
            "INSERT INTO customers_fts (customers_fts) VALUES ('integrity-check')",
            [],
        )?;
        Ok(())
    }

    /// Merges the FTS index into one segment and refreshes the planner's statistics. Meant for
    /// after a bulk write (a first or full sync): queries then read one segment instead of many.
    pub fn optimize(&self) -> CacheResult<()> {
        self.conn.execute(
            "INSERT INTO customers_fts (customers_fts) VALUES ('optimize')",
            [],
        )?;
        self.conn.execute_batch("PRAGMA optimize")?;
        Ok(())
    }

    /// The raw connection, for the crate's sync engine and tests.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// `EXPLAIN QUERY PLAN` details of the SQL a list query runs (tests and diagnostics).
    pub fn explain_customer_query(&self, query: &CustomerQuery) -> CacheResult<Vec<String>> {
        list::explain(self, query)
    }
}

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
