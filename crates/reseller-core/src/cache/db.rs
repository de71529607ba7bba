//! The open cache: one SQLite connection, its pragmas and migrations, its transactions, and
//! the per-connection state the list keeps (page anchors, the in-memory search index). The
//! methods that read and write each table are in that table's module.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::error::{CacheError, CacheResult};
use super::list::{AnchorKey, Anchors, SearchTuning};
use super::schema;
use super::search_index::SearchIndexSlot;

/// An open cache. One connection; not `Sync` (wrap it in a mutex to share it between threads,
/// or open a second `Cache` on the same file: WAL lets readers and one writer work together).
pub struct Cache {
    pub(super) conn: Connection,
    path: Option<PathBuf>,
    /// Page anchors for jumping to row N of an unsearched list, per list order.
    pub(super) anchors: RefCell<HashMap<AnchorKey, Anchors>>,
    /// The in-memory search index and its background build.
    pub(super) search_index: RefCell<SearchIndexSlot>,
    pub(super) search_tuning: Cell<SearchTuning>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("path", &self.path).finish()
    }
}

/// What every connection sets, readers included (none of it writes to the file).
fn read_pragmas(conn: &Connection) -> CacheResult<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // Up to 64 MiB of page cache: 100 000 customers with their indexes fit, so random
    // lookups by id (FTS hits) are memory reads.
    conn.pragma_update(None, "cache_size", -65536)?;
    // Reads through a memory map: no system call per page for the random lookups that
    // FTS hits and index walks make (address space only; the OS shares the page cache).
    conn.pragma_update(None, "mmap_size", 1_i64 << 30)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
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

    /// Opens an existing cache for reading only (screen reads next to a writer, see `Store`):
    /// nothing is created, migrated or written, and any write through it fails. A file from a
    /// newer version is refused; the file is expected to be migrated already (by `open`).
    pub fn open_read_only(path: impl AsRef<Path>) -> CacheResult<Cache> {
        let path = path.as_ref();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        read_pragmas(&conn)?;
        schema::refuse_newer(&conn)?;
        // Belt and braces: the flags already refuse writes; this also refuses them in SQL.
        conn.pragma_update(None, "query_only", true)?;
        Ok(Self::wrap(conn, Some(path.to_path_buf())))
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> CacheResult<Cache> {
        read_pragmas(&conn)?;
        // Read-only check first: switching to WAL or migrating would write to the file.
        schema::refuse_newer(&conn)?;
        // WAL: readers never block the writer; NORMAL is durable across app crashes in WAL mode.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        schema::migrate(&mut conn)?;
        Ok(Self::wrap(conn, path))
    }

    fn wrap(conn: Connection, path: Option<PathBuf>) -> Cache {
        Cache {
            conn,
            path,
            anchors: RefCell::new(HashMap::new()),
            search_index: RefCell::new(SearchIndexSlot::default()),
            search_tuning: Cell::new(SearchTuning::default()),
        }
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

    /// A transaction for one write, unless the caller's (`in_transaction`) is already open: the
    /// `replace_*` writes then join it, so a tab's rows and its freshness record commit together.
    /// IMMEDIATE: the write lock is taken (waiting up to the busy timeout) when it begins, not
    /// at its first write, where a deferred transaction could fail at once with SQLITE_BUSY.
    pub(crate) fn begin_write(&self) -> CacheResult<Option<Transaction<'_>>> {
        if self.conn().is_autocommit() {
            Ok(Some(Transaction::new_unchecked(
                self.conn(),
                TransactionBehavior::Immediate,
            )?))
        } else {
            Ok(None)
        }
    }
}

/// Ends what `Cache::begin_write` began: commits its own transaction, or leaves the caller's
/// open (`None`).
pub(crate) fn commit(tx: Option<Transaction<'_>>) -> CacheResult<()> {
    if let Some(tx) = tx {
        tx.commit()?;
    }
    Ok(())
}
