//! Two connections to one cache file, so screen reads never wait for the sync engine's writes:
//! a writer (sync engine, outbox) and a read-only reader (screens). In WAL mode a reader sees
//! the last committed state while the writer's transaction is open; with one shared connection
//! a screen read waited for the whole write transaction (see `benches/store.rs`).
//!
//! Each connection sits behind its own mutex (a `Cache` is not `Sync`): reads wait only for
//! other reads, writes only for other writes. Never hold `read()` while taking `write()` (or
//! the other way round) on one thread: in memory both are the same connection.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::error::{CacheError, CacheResult};
use super::Cache;

pub struct Store {
    /// None in memory: reads go to the writer (an in-memory database has no second connection).
    /// Declared before `writer` so it closes first: the writer, closing last, checkpoints the
    /// WAL and removes the -wal and -shm files (a read-only connection cannot).
    reader: Option<Mutex<Cache>>,
    /// Shared with the sync engine's replay and refresh functions (they lock it per step).
    writer: Arc<Mutex<Cache>>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating + migrating through `Cache::open`) the writer, then one read-only reader
    /// on the same file (WAL).
    pub fn open(path: impl AsRef<Path>) -> CacheResult<Store> {
        let path = path.as_ref();
        // The writer first: it refuses a newer file, creates, migrates and switches to WAL, all
        // before the reader (which does none of that) opens.
        let writer = Cache::open(path)?;
        let reader = Cache::open_read_only(path)?;
        Ok(Store {
            reader: Some(Mutex::new(reader)),
            writer: Arc::new(Mutex::new(writer)),
            path: Some(path.to_path_buf()),
        })
    }

    /// An in-memory store (tests): reads and writes share one connection.
    pub fn open_in_memory() -> CacheResult<Store> {
        Ok(Store {
            reader: None,
            writer: Arc::new(Mutex::new(Cache::open_in_memory()?)),
            path: None,
        })
    }

    /// A store over one shared connection (tools and tests that hold a cache already): reads
    /// and writes share it.
    pub fn over(writer: Arc<Mutex<Cache>>) -> Store {
        let path = writer
            .lock()
            .ok()
            .and_then(|c| c.path().map(Path::to_path_buf));
        Store {
            reader: None,
            writer,
            path,
        }
    }

    /// The writer as the sync engine's functions take it.
    pub fn writer(&self) -> &Arc<Mutex<Cache>> {
        &self.writer
    }

    /// The connection for screen reads. Never waits for the writer's transactions (WAL).
    pub fn read(&self) -> CacheResult<MutexGuard<'_, Cache>> {
        lock(self.reader.as_ref().unwrap_or(&self.writer))
    }

    /// The connection for the sync engine and the outbox (local edits): one writer.
    pub fn write(&self) -> CacheResult<MutexGuard<'_, Cache>> {
        lock(&self.writer)
    }

    /// The database file, or None in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// A panic while a connection was held may have left its transaction or the cache's in-memory
/// state half done: the connection is not used again (the user restarts the app).
fn lock(cache: &Mutex<Cache>) -> CacheResult<MutexGuard<'_, Cache>> {
    cache.lock().map_err(|_| CacheError::Stopped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn a_store_is_shared_between_threads() {
        assert_send_sync::<Store>();
    }

    #[test]
    fn a_poisoned_connection_answers_stopped() {
        let store = Store::open_in_memory().unwrap();
        std::thread::scope(|s| {
            let _ = s
                .spawn(|| {
                    let _guard = store.write().unwrap();
                    panic!("a bug while writing");
                })
                .join();
        });
        let err = store.read().unwrap_err();
        assert!(matches!(err, CacheError::Stopped));
        assert_eq!(err.code(), "cache_stopped");
        assert_eq!(
            err.to_string(),
            "The local cache stopped after an internal error; restart the app."
        );
    }
}
