//! The in-memory search index: one snapshot of the customers (ids, active flags, the token
//! index, every list order) tagged with the customers' generation. A search uses it only while
//! the generation is unchanged, so it is exact; any write, from any connection, makes it stale.
//!
//! Building it reads the whole table (about 0.2 s for 100 000 customers), far too slow for a
//! keystroke, so by default it is built on a background thread with its own read-only
//! connection; until it is ready (after opening, or after a write) searches run in SQLite as
//! before. A build starts when a search (or `warm_search_index`, or the first list read) finds
//! it missing or stale; one build runs at a time, and a failed build is not retried until the
//! customers change.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, InterruptHandle, OpenFlags};

use super::error::{CacheError, CacheResult};
use super::row_set::RowSet;
use super::sort_orders::SortOrders;
use super::token_index::{TokenIndex, TokenIndexBuilder};

/// How list searches get the in-memory search index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SearchIndexMode {
    /// Built on a background thread when missing or stale; searches run in SQLite meanwhile.
    /// An in-memory database has no file for a second connection: it builds inline.
    #[default]
    Background,
    /// Built on the calling thread by the first search that needs it (tests, benchmarks).
    Inline,
    /// Never built: every search runs in SQLite (tests of that path).
    Off,
}

/// Figures of the in-memory search index (diagnostics and benchmarks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchIndexStats {
    /// The customers' generation it reflects.
    pub generation: i64,
    pub rows: usize,
    pub tokens: usize,
    pub postings: usize,
    /// Heap bytes held.
    pub bytes: usize,
    pub build_time: Duration,
}

pub(crate) struct SearchIndex {
    pub(crate) generation: i64,
    /// Row number -> id, ascending.
    pub(super) ids: Vec<i64>,
    pub(crate) active: RowSet,
    pub(super) tokens: TokenIndex,
    pub(crate) orders: SortOrders,
    pub(super) build_time: Duration,
}

impl SearchIndex {
    /// Reads a snapshot through `conn` (inside a read transaction, opened here when none is).
    pub(super) fn build(conn: &Connection) -> CacheResult<SearchIndex> {
        let start = Instant::now();
        let _snapshot = if conn.is_autocommit() {
            Some(conn.unchecked_transaction()?)
        } else {
            None
        };
        let generation: i64 = conn.query_row(
            "SELECT value FROM customer_counters WHERE name = 'generation'",
            [],
            |r| r.get(0),
        )?;
        let mut ids = Vec::new();
        let mut active_rows = Vec::new();
        let mut tokens = TokenIndexBuilder::default();
        {
            let mut stmt = conn
                .prepare_cached("SELECT id, is_active, search_text FROM customers ORDER BY id")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                if row.get::<_, bool>(1)? {
                    active_rows.push(ids.len() as u32);
                }
                ids.push(row.get::<_, i64>(0)?);
                let text = row.get_ref(2)?.as_str();
                tokens.add_row(text.map_err(|e| CacheError::Corrupt(format!("search_text: {e}")))?);
            }
        }
        let mut active = RowSet::empty(ids.len());
        active_rows.into_iter().for_each(|r| active.insert(r));
        let orders = SortOrders::load(conn, &ids, &active)?;
        let tokens = tokens.finish();
        Ok(SearchIndex {
            generation,
            ids,
            active,
            tokens,
            orders,
            build_time: start.elapsed(),
        })
    }

    pub(crate) fn rows(&self) -> usize {
        self.ids.len()
    }

    pub(crate) fn id_of(&self, row: u32) -> i64 {
        self.ids[row as usize]
    }

    pub(crate) fn row_of(&self, id: i64) -> Option<u32> {
        self.ids.binary_search(&id).ok().map(|r| r as u32)
    }

    pub(super) fn stats(&self) -> SearchIndexStats {
        SearchIndexStats {
            generation: self.generation,
            rows: self.ids.len(),
            tokens: self.tokens.token_count(),
            postings: self.tokens.posting_count(),
            bytes: self.ids.capacity() * 8
                + self.active.bytes()
                + self.tokens.bytes()
                + self.orders.bytes(),
            build_time: self.build_time,
        }
    }
}

/// A background build: its thread and a handle to interrupt its connection.
pub(super) struct Build {
    /// The generation when it started (a failure is remembered against it).
    pub(super) started_at: i64,
    pub(super) thread: Option<JoinHandle<CacheResult<SearchIndex>>>,
    pub(super) interrupt: InterruptHandle,
}

impl Drop for Build {
    /// A cache being closed stops its build and waits for the thread, so no connection to the
    /// file outlives the `Cache` (a file still open cannot be deleted on Windows).
    fn drop(&mut self) {
        self.interrupt.interrupt();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The index, a build in progress, and the last search's matches.
#[derive(Default)]
pub(crate) struct SearchIndexSlot {
    pub(super) mode: SearchIndexMode,
    pub(super) ready: Option<Arc<SearchIndex>>,
    pub(super) building: Option<Build>,
    pub(super) failed_at: Option<i64>,
    /// The last terms' matches (generation, terms): a keystroke asks for a page and a count.
    pub(super) last_match: Option<(i64, Vec<String>, Arc<RowSet>)>,
}

impl SearchIndexSlot {
    /// Takes in a finished background build, if any.
    pub(super) fn collect(&mut self) {
        if !self
            .building
            .as_ref()
            .is_some_and(|b| b.thread.as_ref().is_none_or(JoinHandle::is_finished))
        {
            return;
        }
        let mut build = self.building.take().expect("checked above");
        let result = build.thread.take().map(JoinHandle::join);
        match result {
            Some(Ok(Ok(index))) => self.ready = Some(Arc::new(index)),
            Some(Ok(Err(e))) => {
                tracing::warn!("search index build failed, searching in SQLite: {e}");
                self.failed_at = Some(build.started_at);
            }
            _ => {
                tracing::warn!("search index build panicked, searching in SQLite");
                self.failed_at = Some(build.started_at);
            }
        }
    }
}

pub(super) fn spawn_build(path: &std::path::Path, generation: i64) -> CacheResult<Build> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // Read through the memory map, like the main connection: the pages are shared.
    conn.pragma_update(None, "mmap_size", 1_i64 << 30)?;
    let interrupt = conn.get_interrupt_handle();
    let thread = std::thread::Builder::new()
        .name("search-index".into())
        .spawn(move || {
            crate::background::lower_this_thread();
            let built = SearchIndex::build(&conn);
            drop(conn);
            if built.is_ok() {
                crate::diagnostics::memory::milestone(crate::diagnostics::memory::SEARCH_INDEX);
            }
            built
        })
        .map_err(|source| CacheError::Io {
            path: path.display().to_string(),
            source,
        })?;
    Ok(Build {
        started_at: generation,
        thread: Some(thread),
        interrupt,
    })
}
