//! What the app keeps on disk is private to the user (Unix): the cache with its WAL and SHM
//! files, the caches folder, the token file and its folder; and what an older version left
//! 0755/0644 is tightened. Real files, real SQLite.
#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use reseller_core::cache::{Cache, CustomerRow, SyncState};
use reseller_core::private_fs;
use reseller_core::secrets::{TokenKeeping, TokenStorage, TokenStore};
use reseller_core::workspace::Workspace;

/// The usual mask of a desktop session, so every mode checked here comes from the code and
/// not from a strict mask (the app sets 077 at start; these tests must pass without it).
fn usual_umask() {
    // SAFETY: umask only swaps the process's file-creation mask.
    unsafe {
        libc::umask(0o022);
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn customers(n: i64) -> Vec<CustomerRow> {
    (1..=n)
        .map(|id| CustomerRow {
            id,
            name: format!("Customer {id}"),
            email: format!("c{id}@example.org"),
            phone: Some(format!("+3120123{id:04}")),
            is_active: true,
            registration_date: Utc.timestamp_opt(1_700_000_000 + id, 0).unwrap(),
            last_modified: Utc.timestamp_opt(1_700_100_000 + id, 0).unwrap(),
            sync_state: SyncState::Synced,
        })
        .collect()
}

#[test]
fn a_new_cache_its_wal_and_shm_and_its_folders_are_private() {
    usual_umask();
    let home = tempfile::tempdir().unwrap();
    let caches = home.path().join("data").join("caches");
    let path = caches.join("account.sqlite3");
    let cache = Cache::open(&path).unwrap();
    cache.upsert_customers(&customers(50)).unwrap();
    // A reader of its own, as the screens have: the WAL and SHM stay while both are open.
    let reader = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = reader
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 50);
    for file in [path.clone(), side(&path, "-wal"), side(&path, "-shm")] {
        assert!(
            file.exists(),
            "{} exists while the cache is open",
            file.display()
        );
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    for dir in [home.path().join("data"), caches] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
}

#[test]
fn an_older_looser_cache_and_caches_folder_are_tightened_when_the_account_opens() {
    usual_umask();
    let home = tempfile::tempdir().unwrap();
    let caches = home.path().join("caches");
    std::fs::create_dir_all(&caches).unwrap();
    let info = support::reseller_info("https://api.scriptix.io");
    let path = Workspace::cache_path(&info, &caches);

    // What an older version left: a 0644 database with its WAL and SHM, in a 0755 folder.
    let old = rusqlite::Connection::open(&path).unwrap();
    let _: String = old
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    old.execute_batch("CREATE TABLE leftover(x); INSERT INTO leftover VALUES (1);")
        .unwrap();
    for file in [path.clone(), side(&path, "-wal"), side(&path, "-shm")] {
        assert!(file.exists(), "{}", file.display());
        set_mode(&file, 0o644);
    }
    set_mode(&caches, 0o755);

    let client = support::client_for("http://127.0.0.1:9", "tok-1234567890");
    let workspace = Workspace::open(info, client, &caches).unwrap();
    for file in [path.clone(), side(&path, "-wal"), side(&path, "-shm")] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    assert_eq!(mode(&caches), 0o700);
    drop(workspace);
    drop(old);
}

#[test]
fn the_token_file_is_written_whole_and_private_in_a_private_folder() {
    usual_umask();
    let home = tempfile::tempdir().unwrap();
    let tokens = home.path().join("config").join("tokens");
    let store = TokenStore::files_only(&tokens);
    let account = "https://api.scriptix.io";
    assert_eq!(
        store
            .save(account, "tok-first-000000", TokenKeeping::Keychain)
            .unwrap(),
        Some(TokenStorage::File)
    );
    let file = store.file(account);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&tokens), 0o700);

    // An older version's 0644 file in a 0755 folder is replaced by a private one.
    set_mode(&file, 0o644);
    set_mode(&tokens, 0o755);
    store
        .save(account, "tok-second-00000", TokenKeeping::File)
        .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "tok-second-00000");
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&tokens), 0o700);
    // Written through a temporary file that was renamed: nothing else is left in the folder.
    let names: Vec<String> = std::fs::read_dir(&tokens)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn a_whole_app_folder_is_tightened_at_start() {
    usual_umask();
    let home = tempfile::tempdir().unwrap();
    let app = home.path().join("io.scriptix.reseller");
    std::fs::create_dir_all(app.join("tokens")).unwrap();
    std::fs::write(app.join("settings.json"), "{}").unwrap();
    std::fs::write(app.join(".window-state.json"), "{}").unwrap();
    std::fs::write(app.join("tokens").join("a.token"), "tok").unwrap();
    private_fs::tighten_tree(&app).unwrap();
    for dir in [app.clone(), app.join("tokens")] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    for file in ["settings.json", ".window-state.json", "tokens/a.token"] {
        assert_eq!(mode(&app.join(file)), 0o600, "{file}");
    }
}
