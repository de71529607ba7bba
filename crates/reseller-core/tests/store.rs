//! `Store`: a writer and a read-only reader on one cache file. Screen reads do not wait for
//! the writer's transactions, never see them half done, and see them once committed.

use std::sync::mpsc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use reseller_core::cache::*;

fn customer(id: i64, name: &str) -> CustomerRow {
    let t = Utc.timestamp_opt(1_700_000_000 + id, 0).unwrap();
    CustomerRow {
        id,
        name: name.into(),
        email: format!("info{id}@example.nl"),
        phone: None,
        is_active: true,
        registration_date: t,
        last_modified: t,
        sync_state: SyncState::Synced,
    }
}

fn names(page: &CustomerPage) -> Vec<String> {
    page.rows.iter().map(|r| r.name.clone()).collect()
}

fn query(search: Option<&str>, limit: usize) -> CustomerQuery {
    CustomerQuery {
        search: search.map(str::to_string),
        limit,
        ..CustomerQuery::default()
    }
}

/// What a screen read sees: the count, whether customer `id` is there, the first page's names.
fn screen_read(cache: &Cache, id: i64) -> (u64, bool, Vec<String>) {
    let total = cache.count_customers(None, None, None).unwrap().count;
    let has = cache.get_customer(id).unwrap().is_some();
    let page = cache.customer_page_at(&query(None, 50), 0).unwrap();
    (total, has, names(&page))
}

#[test]
fn a_read_completes_while_the_writer_holds_an_open_transaction_and_sees_it_once_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let store = Store::open(&path).unwrap();
    store
        .write()
        .unwrap()
        .upsert_customers(&[customer(1, "Acme BV")])
        .unwrap();

    let (opened_tx, opened) = mpsc::channel::<()>();
    let (release_tx, release) = mpsc::channel::<()>();
    let store = &store;
    std::thread::scope(|s| {
        let writer = s.spawn(move || {
            let cache = store.write().unwrap();
            cache.in_transaction(|c| {
                c.upsert_customers(&[customer(2, "Uncommitted BV")])?;
                opened_tx.send(()).unwrap();
                // Held open (with the write lock and the writer's mutex) until the read is done.
                release.recv().unwrap();
                Ok(())
            })
        });
        opened.recv().unwrap();

        // The transaction holds SQLite's write lock: another writer is refused at once.
        let other = rusqlite::Connection::open(&path).unwrap();
        other.busy_timeout(Duration::ZERO).unwrap();
        let busy = other.execute_batch("BEGIN IMMEDIATE").unwrap_err();
        assert_eq!(
            busy.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy),
            "{busy}"
        );

        // The writer thread is parked inside its transaction until `release` is sent, which
        // happens only after this read has returned: the read cannot have waited for it.
        let seen = s
            .spawn(|| screen_read(&store.read().unwrap(), 2))
            .join()
            .unwrap();
        assert_eq!(seen, (1, false, vec!["Acme BV".to_string()]));
        assert!(!writer.is_finished());

        release_tx.send(()).unwrap();
        writer.join().unwrap().unwrap();
    });

    let seen = screen_read(&store.read().unwrap(), 2);
    assert_eq!(
        seen,
        (
            2,
            true,
            vec!["Acme BV".to_string(), "Uncommitted BV".to_string()]
        )
    );
}

#[test]
fn writes_through_the_reader_fail_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store.sqlite3")).unwrap();
    let reader = store.read().unwrap();

    let err = reader
        .upsert_customers(&[customer(1, "Acme BV")])
        .unwrap_err();
    match &err {
        CacheError::Sqlite(e) => assert_eq!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly),
            "{e}"
        ),
        other => panic!("expected a read-only error, got {other:?}"),
    }
    assert!(reader.in_transaction(|c| c.delete_customers(&[1])).is_err());
    drop(reader);
    assert_eq!(store.write().unwrap().customer_counts().unwrap().total, 0);
}

#[test]
fn a_list_search_on_the_reader_reflects_what_the_writer_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store.sqlite3")).unwrap();
    let batch = |from: i64, to: i64| -> Vec<CustomerRow> {
        (from..to)
            .map(|id| {
                let name = if id % 10 == 0 {
                    format!("Jansen Audio {id:04}")
                } else {
                    format!("Visser Media {id:04}")
                };
                customer(id, &name)
            })
            .collect()
    };
    let search = |reader: &Cache| {
        let count = reader
            .count_customers(Some("jansen"), None, None)
            .unwrap()
            .count;
        let page = reader
            .customer_page_at(&query(Some("jansen"), 50), 0)
            .unwrap();
        (count, names(&page))
    };
    let jansens = |to: i64| -> Vec<String> {
        (1..to)
            .filter(|id| id % 10 == 0)
            .map(|id| format!("Jansen Audio {id:04}"))
            .take(50)
            .collect()
    };

    store
        .write()
        .unwrap()
        .upsert_customers(&batch(1, 1001))
        .unwrap();
    let reader = store.read().unwrap();
    // The app's mode: the index builds on a thread with its own read-only connection, and
    // searches run in SQLite on the reader until it is in.
    assert_eq!(reader.customers_generation().unwrap(), {
        let w = store.write().unwrap();
        w.customers_generation().unwrap()
    });
    assert_eq!(search(&reader), (100, jansens(1001)));
    assert!(reader
        .wait_for_search_index(Duration::from_secs(600))
        .unwrap());
    let built = reader.search_index_stats().unwrap();
    assert_eq!(built.rows, 1000);
    assert_eq!(search(&reader), (100, jansens(1001)));

    // Written through the writer while the reader holds a current index: the generation moves,
    // so the reader does not answer from the old index.
    store
        .write()
        .unwrap()
        .upsert_customers(&batch(1001, 1501))
        .unwrap();
    let generation = reader.customers_generation().unwrap();
    assert!(generation > built.generation);
    assert_eq!(search(&reader), (150, jansens(1501)));
    assert!(reader
        .wait_for_search_index(Duration::from_secs(600))
        .unwrap());
    let rebuilt = reader.search_index_stats().unwrap();
    assert_eq!((rebuilt.generation, rebuilt.rows), (generation, 1500));
    assert_eq!(search(&reader), (150, jansens(1501)));

    // Deletes too, and with the index built inline on the reader's own connection.
    reader.set_search_index_mode(SearchIndexMode::Inline);
    store.write().unwrap().delete_customers(&[10, 20]).unwrap();
    let (count, page) = search(&reader);
    assert_eq!(count, 148);
    assert_eq!(page.first().map(String::as_str), Some("Jansen Audio 0030"));
    assert_eq!(
        reader.search_index_stats().unwrap().generation,
        reader.customers_generation().unwrap()
    );
}

#[test]
fn a_newer_schema_is_refused_by_open_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.sqlite3");
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch("CREATE TABLE future (id INTEGER); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, CacheError::NewerVersion { found: 99, supported } if supported == SCHEMA_VERSION),
        "{err:?}"
    );
    let err = Cache::open_read_only(&path).unwrap_err();
    assert!(
        matches!(err, CacheError::NewerVersion { found: 99, .. }),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_reader_opens_only_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.sqlite3");
    assert!(Cache::open_read_only(&path).is_err());
    assert!(!path.exists());
}

#[test]
fn the_writer_closes_last_and_leaves_no_wal_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.path(), Some(path.as_path()));
    store
        .write()
        .unwrap()
        .upsert_customers(&[customer(1, "Acme BV")])
        .unwrap();
    // A list read starts the reader's background index build (its own connection too).
    store
        .read()
        .unwrap()
        .customer_page_at(&query(None, 50), 0)
        .unwrap();
    drop(store);
    let wal = dir.path().join("store.sqlite3-wal");
    assert!(!wal.exists());
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.read().unwrap().customer_counts().unwrap().total, 1);
}

#[test]
fn an_in_memory_store_reads_what_it_writes() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.path(), None);
    store
        .write()
        .unwrap()
        .upsert_customers(&[customer(1, "Acme BV"), customer(2, "Jansen Audio")])
        .unwrap();
    let reader = store.read().unwrap();
    assert_eq!(reader.count_customers(None, None, None).unwrap().count, 2);
    let page = reader
        .customer_page_at(&query(Some("jans"), 50), 0)
        .unwrap();
    assert_eq!(names(&page), vec!["Jansen Audio".to_string()]);
}
