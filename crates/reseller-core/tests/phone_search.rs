//! Finding an organisation by the digits of its phone as a user sees or remembers them: any run
//! of 4 or more digits, national (with the trunk prefix) or international, typed with or without
//! spaces, dashes or brackets; the same answer in SQLite and in the in-memory index. A real file.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use reseller_core::cache::*;

fn row(id: i64, name: &str, email: &str, phone: Option<&str>) -> CustomerRow {
    let t = Utc.timestamp_micros(1_700_000_000_000_000 + id).unwrap();
    CustomerRow {
        id,
        name: name.into(),
        email: email.into(),
        phone: phone.map(str::to_string),
        is_active: id % 3 != 0,
        registration_date: t,
        last_modified: t,
        sync_state: SyncState::Synced,
    }
}

const HAFEN: i64 = 1;
const GRACHT: i64 = 2;
/// Digits in the name, and Hafen's in the e-mail address: found by them from their start only.
const BAKKERIJ: i64 = 3;
/// A phone that shares Hafen's first digits but not its end.
const NEIGHBOUR: i64 = 4;
/// One digit off Gracht's.
const GRACHT_TWIN: i64 = 5;
const NO_PHONE: i64 = 6;

fn customers() -> Vec<CustomerRow> {
    vec![
        row(
            HAFEN,
            "Hafen Logistik GmbH",
            "info@hafen.de",
            Some("+494075135063"),
        ),
        row(
            GRACHT,
            "Grachtenhuis BV",
            "post@gracht.nl",
            Some("+31201234567"),
        ),
        row(
            BAKKERIJ,
            "Bakkerij 1975",
            "info75135063@bakkerij.nl",
            Some("+31 30 987 6543"),
        ),
        row(
            NEIGHBOUR,
            "Nachbar AG",
            "nachbar@example.de",
            Some("+49 40 7513"),
        ),
        row(
            GRACHT_TWIN,
            "Tweeling",
            "t@tweeling.nl",
            Some("+31 20 123 4568"),
        ),
        row(NO_PHONE, "Geen Telefoon", "geen@example.nl", None),
    ]
}

/// The ids a search lists (id order, paged by 2 so cursors are used), and its count.
fn search(cache: &Cache, text: &str) -> (Vec<i64>, u64) {
    let mut q = CustomerQuery {
        search: Some(text.into()),
        sort: SortColumn::Id,
        limit: 2,
        ..Default::default()
    };
    let mut ids = Vec::new();
    loop {
        let page = cache.customer_page(&q).unwrap();
        ids.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(next) => q.after = Some(next),
            None => break,
        }
    }
    let count = cache.count_customers(Some(text), None, None).unwrap();
    assert!(count.exact);
    (ids, count.count)
}

/// (what is typed, the ids it lists)
const EXPECTED: &[(&str, &[i64])] = &[
    // The report: +49 40 75135063, searched as the user remembers it.
    ("40 75135063", &[HAFEN]),
    ("4075135", &[HAFEN]),
    ("135063", &[HAFEN]),
    // (The Bakkerij's address has a number starting with these digits.)
    ("751350", &[HAFEN, BAKKERIJ]),
    ("49407513", &[HAFEN, NEIGHBOUR]),
    ("+49 40 75135063", &[HAFEN]),
    ("040 75135063", &[HAFEN]),
    ("04075135063", &[HAFEN]),
    ("(040) 751-350-63", &[HAFEN]),
    ("040-75135063", &[HAFEN]),
    ("040", &[HAFEN, NEIGHBOUR]),
    ("5063", &[HAFEN]),
    ("hafen 135063", &[HAFEN]),
    ("nachbar 135063", &[]),
    // Dutch: +31 20 123 4567.
    ("0201234567", &[GRACHT]),
    ("1234567", &[GRACHT]),
    ("20 123", &[GRACHT, GRACHT_TWIN]),
    ("020 123 4567", &[GRACHT]),
    ("+31 20 123 4567", &[GRACHT]),
    ("020-1234568", &[GRACHT_TWIN]),
    // The Bakkerij's name and address digits: from their start (as words), never from inside.
    ("4075", &[HAFEN, NEIGHBOUR]),
    ("1975", &[BAKKERIJ]),
    ("9750", &[]),
    ("75135063", &[HAFEN, BAKKERIJ]),
    ("5135063", &[HAFEN]),
    // Three digits are looked for from the start of a word or number only.
    ("063", &[]),
    ("123", &[GRACHT_TWIN]),
    ("0309", &[BAKKERIJ]),
    ("9876", &[BAKKERIJ]),
    ("2345", &[GRACHT, GRACHT_TWIN]),
    ("99999", &[]),
    // Words keep matching as before.
    ("hafen", &[HAFEN]),
    ("gracht", &[GRACHT]),
    ("geen tel", &[NO_PHONE]),
    ("info", &[HAFEN, BAKKERIJ]),
];

fn check(cache: &Cache, label: &str) {
    for (text, want) in EXPECTED {
        let (ids, count) = search(cache, text);
        assert_eq!(ids, want.to_vec(), "{label}: {text:?}");
        assert_eq!(count, want.len() as u64, "{label}: count of {text:?}");
    }
}

#[test]
fn phones_are_found_by_any_run_of_their_digits_in_sqlite_and_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phones.sqlite3");
    let cache = Cache::open(&path).unwrap();
    cache.upsert_customers(&customers()).unwrap();

    cache.set_search_index_mode(SearchIndexMode::Off);
    check(&cache, "SQLite");
    assert_eq!(cache.search_index_stats(), None);

    cache.set_search_index_mode(SearchIndexMode::Inline);
    check(&cache, "in memory");
    let stats = cache
        .search_index_stats()
        .expect("the in-memory index answered");
    assert_eq!(stats.generation, cache.customers_generation().unwrap());

    // A phone changed: the old number's runs no longer find the row, the new one's do.
    let mut moved = customers()[0].clone();
    moved.phone = Some("+4989123456".into());
    moved.last_modified = Utc.timestamp_micros(1_800_000_000_000_000).unwrap();
    cache.upsert_customers(&[moved]).unwrap();
    for mode in [SearchIndexMode::Off, SearchIndexMode::Inline] {
        cache.set_search_index_mode(mode);
        assert_eq!(search(&cache, "135063"), (vec![], 0), "{mode:?}");
        assert_eq!(search(&cache, "089 1234"), (vec![HAFEN], 1), "{mode:?}");
        assert_eq!(search(&cache, "91234"), (vec![HAFEN], 1), "{mode:?}");
    }
}

#[test]
fn the_background_index_answers_phone_runs_as_sqlite_does_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phones.sqlite3");
    Cache::open(&path)
        .unwrap()
        .upsert_customers(&customers())
        .unwrap();
    // Reopened: searches run in SQLite until the background build is in, then in memory.
    let cache = Cache::open(&path).unwrap();
    check(&cache, "reopened");
    assert!(cache
        .wait_for_search_index(Duration::from_secs(30))
        .unwrap());
    check(&cache, "background index");
    assert_eq!(
        cache.search_index_stats().unwrap().generation,
        cache.customers_generation().unwrap()
    );
}
