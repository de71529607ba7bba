//! The cache's error type.

/// Something went wrong in the local cache. `code()` is stable (the UI and logs switch on it).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The database's schema version is newer than this build knows. The file is left untouched.
    #[error("this cache was written by a newer version of Scriptix Reseller; update the app (cache schema {found}, this app knows up to {supported})")]
    NewerVersion { found: i64, supported: i64 },

    /// The cache directory or file could not be created.
    #[error("the local cache at {path} could not be created: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// SQLite reported an error.
    #[error("local cache error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// A schema migration failed; the transaction was rolled back.
    #[error("the local cache could not be upgraded: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    /// A page cursor was used with a different sort order than the one that produced it.
    #[error("the list position no longer matches the list order; start from the top")]
    InvalidCursor,

    /// A stored value could not be read back (a timestamp out of range, malformed JSON, ...).
    #[error("the local cache holds a value it cannot read: {0}")]
    Corrupt(String),

    /// A thread panicked while it held a connection (a poisoned lock): what it was doing may be
    /// half done in memory, so the connection is not used again.
    #[error("The local cache stopped after an internal error; restart the app.")]
    Stopped,
}

impl CacheError {
    pub fn code(&self) -> &'static str {
        match self {
            CacheError::NewerVersion { .. } => "cache_newer_version",
            CacheError::Io { .. } => "cache_io",
            CacheError::Sqlite(_) => "cache_sqlite",
            CacheError::Migration(_) => "cache_migration",
            CacheError::InvalidCursor => "cache_invalid_cursor",
            CacheError::Corrupt(_) => "cache_corrupt",
            CacheError::Stopped => "cache_stopped",
        }
    }
}

pub type CacheResult<T> = Result<T, CacheError>;
