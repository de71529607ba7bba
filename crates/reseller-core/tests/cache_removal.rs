//! Deleting an account's offline copy (sign out without keeping it), on real SQLite files: the
//! database and its write-ahead log and shared-memory files go, other accounts' caches stay,
//! files already gone are fine, and a failure is reported rather than ignored.

use chrono::{TimeZone, Utc};
use reseller_core::cache::{cache_file_name, remove_cache_files, Cache, CustomerRow, SyncState};

fn with_suffix(path: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

/// A cache file with one customer written (so SQLite has made its -wal and -shm).
fn written_cache(path: &std::path::Path) -> Cache {
    let cache = Cache::open(path).unwrap();
    let t = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
    cache
        .upsert_customers(&[CustomerRow {
            id: 1,
            name: "Acme BV".into(),
            email: "info@acme.example".into(),
            phone: None,
            is_active: true,
            registration_date: t,
            last_modified: t,
            sync_state: SyncState::Synced,
        }])
        .unwrap();
    cache
}

#[test]
fn the_database_and_its_wal_and_shm_are_removed_and_other_accounts_stay() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir
        .path()
        .join(cache_file_name("https://api.example.com", 1));
    let other = dir
        .path()
        .join(cache_file_name("https://api.example.com", 2));
    let cache = written_cache(&mine);
    drop(written_cache(&other));
    for suffix in ["", "-wal", "-shm"] {
        assert!(with_suffix(&mine, suffix).exists(), "no {suffix} file");
    }

    // Still open (as when a background task has not let go yet): removed all the same.
    #[cfg(unix)]
    {
        assert_eq!(remove_cache_files(&mine).unwrap(), 3);
        drop(cache);
    }
    #[cfg(not(unix))]
    {
        drop(cache);
        assert!(remove_cache_files(&mine).unwrap() >= 1);
    }
    for suffix in ["", "-wal", "-shm"] {
        assert!(!with_suffix(&mine, suffix).exists(), "{suffix} file left");
    }
    assert!(other.exists(), "another account's cache was removed");
    // The other account's cache still opens with its row.
    assert_eq!(
        Cache::open(&other)
            .unwrap()
            .customer_counts()
            .unwrap()
            .total,
        1
    );
}

#[test]
fn files_already_gone_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account-1-none.sqlite3");
    assert_eq!(remove_cache_files(&path).unwrap(), 0);
    // Only a stray log left behind by a crash: it goes too.
    std::fs::write(with_suffix(&path, "-wal"), b"log").unwrap();
    assert_eq!(remove_cache_files(&path).unwrap(), 1);
    assert!(!with_suffix(&path, "-wal").exists());
}

#[test]
fn a_file_that_cannot_be_removed_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the database should be: remove_file refuses it.
    let path = dir.path().join("account-1-dir.sqlite3");
    std::fs::create_dir(&path).unwrap();
    assert!(remove_cache_files(&path).is_err());
    assert!(path.exists());
}
