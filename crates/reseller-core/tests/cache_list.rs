//! The customer list: sorting, keyset paging, random access, status filter, search, and plans.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use reseller_core::cache::*;

const FIRST: &[&str] = &[
    "anna", "Anna", "ANNA", "Émile", "emile", "Zoë", "bob", "Bob", "Øystein", "maria", "Maria",
    "jan", "Jan", "johan", "Sophie", "liam", "noah", "Ingrid", "Ünal", "fatima",
];
const LAST: &[&str] = &[
    "Jansen",
    "de Vries",
    "Bakker",
    "Visser",
    "smit",
    "Meijer",
    "de Groot",
    "Müller",
    "Østergaard",
    "O'Brien",
];

fn ts(micros: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(1_600_000_000_000_000 + micros)
        .unwrap()
}

/// Random customers with many ties: repeated names in mixed case, shared registration dates,
/// missing phones, negative (local) ids.
fn random_customers(seed: u64, n: usize) -> Vec<CustomerRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ids: Vec<i64> = (1..=n as i64).collect();
    for id in ids.iter_mut().take(n / 20) {
        *id = -*id;
    }
    ids.into_iter()
        .map(|id| {
            let first = FIRST[rng.random_range(0..FIRST.len())];
            let last = LAST[rng.random_range(0..LAST.len())];
            let name = if rng.random_bool(0.3) {
                format!("{first} {last}")
            } else {
                format!("{last} {first} BV")
            };
            let email = format!(
                "{}.{}@{}",
                first.to_lowercase(),
                rng.random_range(0..50),
                ["example.nl", "Acme.COM", "kpn.nl"][rng.random_range(0..3)]
            );
            let phone = if rng.random_bool(0.25) {
                None
            } else {
                Some(format!("+316{:08}", rng.random_range(0..2000)))
            };
            CustomerRow {
                id,
                name,
                email,
                phone,
                is_active: rng.random_bool(0.8),
                registration_date: ts(rng.random_range(0..40) * 86_400_000_000),
                last_modified: ts(rng.random_range(0..1_000_000)),
                sync_state: SyncState::Synced,
            }
        })
        .collect()
}

fn expected_order(
    rows: &[CustomerRow],
    sort: SortColumn,
    direction: SortDirection,
    status: Option<bool>,
    filter: impl Fn(&CustomerRow) -> bool,
) -> Vec<i64> {
    let mut v: Vec<&CustomerRow> = rows
        .iter()
        .filter(|r| status.is_none_or(|s| r.is_active == s) && filter(r))
        .collect();
    v.sort_by(|a, b| {
        let ord = (sort.key_of(a), a.id).cmp(&(sort.key_of(b), b.id));
        match direction {
            SortDirection::Asc => ord,
            SortDirection::Desc => ord.reverse(),
        }
    });
    v.into_iter().map(|r| r.id).collect()
}

fn page_through(cache: &Cache, mut q: CustomerQuery) -> Vec<i64> {
    let mut out = Vec::new();
    q.after = None;
    loop {
        let page = cache.customer_page(&q).unwrap();
        assert!(page.rows.len() <= q.limit);
        out.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(next) => {
                assert_eq!(page.rows.len(), q.limit);
                q.after = Some(next);
            }
            None => break,
        }
    }
    out
}

const DIRECTIONS: [SortDirection; 2] = [SortDirection::Asc, SortDirection::Desc];

fn seeded_cache(n: usize) -> (tempfile::TempDir, Cache, Vec<CustomerRow>) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("list.sqlite3")).unwrap();
    let rows = random_customers(7, n);
    cache.upsert_customers(&rows).unwrap();
    (dir, cache, rows)
}

#[test]
fn sort_keys_are_case_and_accent_insensitive_with_id_ties() {
    let cache = Cache::open_in_memory().unwrap();
    let mk = |id, name: &str, phone: Option<&str>| CustomerRow {
        id,
        name: name.into(),
        email: format!("{id}@x.nl"),
        phone: phone.map(str::to_string),
        is_active: true,
        registration_date: ts(0),
        last_modified: ts(0),
        sync_state: SyncState::Synced,
    };
    cache
        .upsert_customers(&[
            mk(1, "bob", Some("+31 6 2")),
            mk(2, "Émile", None),
            mk(3, "anna", Some("+31 6 1")),
            mk(4, "Zed", None),
            mk(5, "ANNA", Some("+31 6 3")),
        ])
        .unwrap();
    let ids = |sort, direction| {
        let q = CustomerQuery {
            sort,
            direction,
            ..Default::default()
        };
        cache
            .customer_page(&q)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(SortColumn::Name, SortDirection::Asc),
        vec![3, 5, 1, 2, 4]
    );
    assert_eq!(
        ids(SortColumn::Name, SortDirection::Desc),
        vec![4, 2, 1, 5, 3]
    );
    // No phone sorts first ascending, last descending.
    assert_eq!(
        ids(SortColumn::Phone, SortDirection::Asc),
        vec![2, 4, 3, 1, 5]
    );
    assert_eq!(
        ids(SortColumn::Phone, SortDirection::Desc),
        vec![5, 1, 3, 4, 2]
    );
    assert_eq!(
        ids(SortColumn::RegistrationDate, SortDirection::Desc),
        vec![5, 4, 3, 2, 1]
    );
}

#[test]
fn every_sort_pages_through_in_order_both_ways_with_and_without_status() {
    let (_dir, cache, rows) = seeded_cache(1500);
    for sort in SortColumn::ALL {
        for direction in DIRECTIONS {
            for status in [None, Some(true), Some(false)] {
                let q = CustomerQuery {
                    sort,
                    direction,
                    status,
                    limit: 97,
                    ..Default::default()
                };
                let got = page_through(&cache, q);
                let want = expected_order(&rows, sort, direction, status, |_| true);
                assert_eq!(got, want, "{sort:?} {direction:?} {status:?}");
            }
        }
    }
}

#[test]
fn random_access_matches_the_full_order_at_any_offset() {
    let (_dir, cache, mut rows) = seeded_cache(1300);
    for sort in SortColumn::ALL {
        for direction in DIRECTIONS {
            for status in [None, Some(false)] {
                let want = expected_order(&rows, sort, direction, status, |_| true);
                let n = want.len();
                let q = CustomerQuery {
                    sort,
                    direction,
                    status,
                    limit: 50,
                    ..Default::default()
                };
                for offset in [
                    0,
                    1,
                    255,
                    256,
                    257,
                    511,
                    512,
                    700,
                    n.saturating_sub(1),
                    n,
                    n + 10,
                ] {
                    let page = cache.customer_page_at(&q, offset as u64).unwrap();
                    let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                    let end = (offset + 50).min(n);
                    let expect = if offset < n {
                        &want[offset..end]
                    } else {
                        &[][..]
                    };
                    assert_eq!(got, expect, "{sort:?} {direction:?} {status:?} at {offset}");
                    assert_eq!(page.next.is_some(), offset + 50 < n);
                }
            }
        }
    }
    // After a change, anchors are rebuilt: the jump still lands on the right rows.
    let q = CustomerQuery {
        sort: SortColumn::Name,
        limit: 10,
        ..Default::default()
    };
    let before = cache.customer_page_at(&q, 600).unwrap();
    let order = expected_order(&rows, SortColumn::Name, SortDirection::Asc, None, |_| true);
    let victim = rows.iter().position(|r| r.id == order[1200]).unwrap();
    let moved = CustomerRow {
        name: "AAAA first now".into(),
        ..rows[victim].clone()
    };
    cache
        .upsert_customers(std::slice::from_ref(&moved))
        .unwrap();
    rows[victim] = moved;
    let want = expected_order(&rows, SortColumn::Name, SortDirection::Asc, None, |_| true);
    let after = cache.customer_page_at(&q, 600).unwrap();
    assert_eq!(
        after.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        want[600..610].to_vec()
    );
    assert_ne!(before.rows, after.rows);
}

#[test]
fn a_cursor_from_another_order_is_refused() {
    let (_dir, cache, _rows) = seeded_cache(300);
    let q = CustomerQuery {
        sort: SortColumn::Email,
        limit: 10,
        ..Default::default()
    };
    let next = cache.customer_page(&q).unwrap().next.unwrap();
    let wrong = CustomerQuery {
        sort: SortColumn::Name,
        after: Some(next.clone()),
        ..q.clone()
    };
    let err = cache.customer_page(&wrong).unwrap_err();
    assert_eq!(err.code(), "cache_invalid_cursor");
    let flipped = CustomerQuery {
        direction: SortDirection::Desc,
        after: Some(next),
        ..q
    };
    assert!(cache.customer_page(&flipped).is_err());
}

/// An independent statement of the search semantics: every typed word (split on anything not a
/// letter or digit, and between letters and digits) is a prefix of some word of the name, email or phone, or of the phone's digits,
/// ignoring case and accents; a typed run of 4 or more digits may also be anywhere in the
/// phone's digits, international or national (as the phonenumber library formats it).
fn naive_match(row: &CustomerRow, query: &str) -> bool {
    fn fold(s: &str) -> String {
        s.to_lowercase()
            .replace(['é', 'ë'], "e")
            .replace(['ø', 'ö'], "o")
            .replace('ü', "u")
    }
    fn words(s: &str) -> Vec<String> {
        // Words are runs of letters or of digits: "maria42" is "maria" and "42".
        let mut out = Vec::new();
        let mut word = String::new();
        let mut digits = false;
        for c in fold(s).chars() {
            let boundary = !c.is_alphanumeric() || c.is_numeric() != digits;
            if boundary && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if c.is_alphanumeric() {
                digits = c.is_numeric();
                word.push(c);
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
        out
    }
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let mut haystack = words(&row.name);
    haystack.extend(words(&row.email));
    let mut phone_digits = Vec::new();
    if let Some(p) = &row.phone {
        haystack.extend(words(p));
        phone_digits.push(digits(p));
        if let Ok(n) = phonenumber::parse(None, p) {
            phone_digits.push(digits(
                &n.format().mode(phonenumber::Mode::National).to_string(),
            ));
        }
        haystack.extend(phone_digits.iter().cloned());
    }
    let typed = words(query);
    let has = |q: &str| {
        haystack.iter().any(|w| w.starts_with(q))
            || (q.len() >= 4
                && q.bytes().all(|b| b.is_ascii_digit())
                && phone_digits.iter().any(|d| d.contains(q)))
    };
    // Digit groups typed with spaces also match the phone's digits as one prefix.
    let digit_groups = typed.len() > 1 && typed.iter().all(|w| w.chars().all(|c| c.is_numeric()));
    typed.iter().all(|q| has(q)) || (digit_groups && has(&typed.concat()))
}

#[test]
fn search_in_sqlite_matches_the_naive_definition_in_both_plans_for_every_sort() {
    search_matches_the_naive_definition(SearchIndexMode::Off);
}

#[test]
fn search_in_memory_matches_the_naive_definition_in_both_plans_for_every_sort() {
    search_matches_the_naive_definition(SearchIndexMode::Inline);
}

/// Every search, in every order, paged through and jumped into, against `naive_match`; with
/// the in-memory index (`Inline`) or in SQLite alone (`Off`).
fn search_matches_the_naive_definition(mode: SearchIndexMode) {
    let (_dir, cache, rows) = seeded_cache(5000);
    cache.set_search_index_mode(mode);
    // Lower thresholds reach every plan with little data: FTS-first, a walk, and a walk that
    // gives up (matches clustered in sort order) for FTS-first.
    cache.set_search_tuning(SearchTuning {
        fts_first_max: 1500,
        walk_budget: 400,
    });
    // Broad queries run as an index walk, narrow ones FTS-first; both must agree with the
    // naive definition, in order, through every page.
    let queries = [
        "e",
        "3",
        "31",
        "example",
        "an",
        "a",
        "emile",
        "EMI bak",
        "øyst",
        "oystein 1",
        "+316 0000",
        "+31 6 000",
        "3160000",
        "0600 0012",
        "1999",
        "0001 9",
        "199",
        "o'brien",
        "zzz",
    ];
    let mut plans = Vec::new();
    for (n, query) in queries.into_iter().enumerate() {
        let want_count = rows.iter().filter(|r| naive_match(r, query)).count() as u64;

        let count = cache.count_customers(Some(query), None, None).unwrap();
        assert_eq!(
            count,
            MatchCount {
                count: want_count,
                exact: true
            },
            "{query}"
        );
        let first = cache
            .customer_page(&CustomerQuery {
                search: Some(query.into()),
                ..Default::default()
            })
            .unwrap();
        if want_count <= 1500 {
            assert_eq!(
                first.plan,
                SearchPlan::FtsFirst,
                "{query} ({want_count} matches)"
            );
        }
        plans.push(first.plan);
        // Every sort column is covered, two per query, both directions, with and without a filter.
        let sorts = [SortColumn::ALL[n % 6], SortColumn::ALL[(n + 3) % 6]];
        for sort in sorts {
            for direction in DIRECTIONS {
                for status in [None, Some(false)] {
                    let q = CustomerQuery {
                        search: Some(query.into()),
                        sort,
                        direction,
                        status,
                        limit: 250,
                        after: None,
                    };
                    let want =
                        expected_order(&rows, sort, direction, status, |r| naive_match(r, query));
                    assert_eq!(
                        page_through(&cache, q.clone()),
                        want,
                        "{query} {sort:?} {direction:?} {status:?}"
                    );
                    if status.is_some() {
                        let c = cache.count_customers(Some(query), status, None).unwrap();
                        assert_eq!(c.count, want.len() as u64);
                    }
                    let at = cache.customer_page_at(&q, 300).unwrap();
                    let got: Vec<i64> = at.rows.iter().map(|r| r.id).collect();
                    let expect = want.get(300..).unwrap_or(&[]);
                    assert_eq!(
                        got,
                        expect[..expect.len().min(250)].to_vec(),
                        "{query} at 300"
                    );
                }
            }
        }
    }
    assert!(plans.contains(&SearchPlan::IndexWalk) && plans.contains(&SearchPlan::FtsFirst));
    // The path under test is the one that answered.
    let stats = cache.search_index_stats();
    match mode {
        SearchIndexMode::Off => assert_eq!(stats, None),
        _ => {
            let stats = stats.expect("an index was built");
            assert_eq!(stats.generation, cache.customers_generation().unwrap());
            assert_eq!(stats.rows, 5000);
        }
    }
    // A capped count says when it stopped.
    let capped = cache.count_customers(Some("e"), None, Some(100)).unwrap();
    assert_eq!(
        capped,
        MatchCount {
            count: 100,
            exact: false
        }
    );
}

#[test]
fn hostile_search_input_never_errors() {
    let (_dir, cache, rows) = seeded_cache(500);
    for (mode, input) in [SearchIndexMode::Off, SearchIndexMode::Inline]
        .into_iter()
        .flat_map(|mode| HOSTILE.iter().map(move |input| (mode, *input)))
    {
        cache.set_search_index_mode(mode);
        let q = CustomerQuery {
            search: Some(input.into()),
            ..Default::default()
        };
        let page = cache
            .customer_page(&q)
            .unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let count = cache.count_customers(Some(input), None, None).unwrap();
        let want = rows.iter().filter(|r| naive_match(r, input)).count() as u64;
        assert_eq!(count.count, want, "{mode:?} {input:?}");
        assert_eq!(page.rows.len() as u64, want.min(100), "{mode:?} {input:?}");
    }
    assert_eq!(cache.customer_counts().unwrap().total, 500);
}

const HOSTILE: &[&str] = &[
    "\"a\" OR b*",
    "NEAR(",
    "NEAR(a b, 2)",
    "*",
    "\"",
    "\"\"\"",
    "AND",
    "a AND",
    "OR OR",
    "-x",
    "name:anna",
    "{name email}: x",
    "^anna",
    "a NOT b",
    "(((",
    "'; DROP TABLE customers; --",
    "🙂",
    "\u{0}",
    "",
    "   ",
];

#[test]
fn fts_follows_inserts_updates_and_deletes() {
    search_follows_inserts_updates_and_deletes(SearchIndexMode::Off);
}

#[test]
fn the_in_memory_index_follows_inserts_updates_and_deletes() {
    search_follows_inserts_updates_and_deletes(SearchIndexMode::Inline);
}

fn search_follows_inserts_updates_and_deletes(mode: SearchIndexMode) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("fts.sqlite3")).unwrap();
    cache.set_search_index_mode(mode);
    let search = |q: &str| -> Vec<i64> {
        let q = CustomerQuery {
            search: Some(q.into()),
            sort: SortColumn::Id,
            ..Default::default()
        };
        cache
            .customer_page(&q)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.id)
            .collect()
    };
    let row = CustomerRow {
        id: 1,
        name: "Northwind Speech".into(),
        email: "hello@northwind.nl".into(),
        phone: Some("+31 20 123 4567".into()),
        is_active: true,
        registration_date: ts(0),
        last_modified: ts(0),
        sync_state: SyncState::Synced,
    };
    cache.upsert_customers(std::slice::from_ref(&row)).unwrap();
    assert_eq!(search("north"), vec![1]);
    assert_eq!(search("north spe"), vec![1]);
    assert_eq!(search("hello@north"), vec![1]);
    assert_eq!(search("312012"), vec![1]);
    assert_eq!(search("+31 20 12"), vec![1]);
    assert_eq!(search("orth"), Vec::<i64>::new());

    let renamed = CustomerRow {
        name: "Southwind Audio".into(),
        phone: None,
        last_modified: ts(1),
        ..row.clone()
    };
    cache.upsert_customers(&[renamed]).unwrap();
    assert_eq!(search("north spe"), Vec::<i64>::new());
    assert_eq!(search("312012"), Vec::<i64>::new());
    assert_eq!(search("south aud"), vec![1]);
    assert_eq!(search("northwind"), vec![1]); // still in the email

    cache.optimize().unwrap();
    assert_eq!(search("south aud"), vec![1]);
    cache.delete_customers(&[1]).unwrap();
    assert_eq!(search("south"), Vec::<i64>::new());
    assert_eq!(
        cache
            .count_customers(Some("south"), None, None)
            .unwrap()
            .count,
        0
    );
    cache.integrity_check().unwrap();
}

#[test]
fn every_sort_walks_an_index_with_no_temp_sort() {
    let (_dir, cache, _rows) = seeded_cache(300);
    for sort in SortColumn::ALL {
        for direction in DIRECTIONS {
            for status in [None, Some(true)] {
                let q = CustomerQuery {
                    sort,
                    direction,
                    status,
                    limit: 10,
                    ..Default::default()
                };
                let next = cache.customer_page(&q).unwrap().next;
                for after in [None, next] {
                    let q = CustomerQuery {
                        after: after.clone(),
                        ..q.clone()
                    };
                    let plan = cache.explain_customer_query(&q).unwrap().join(" | ");
                    assert!(
                        !plan.contains("TEMP B-TREE"),
                        "{sort:?} {direction:?} {status:?}: {plan}"
                    );
                    let uses_index = plan.contains("USING INDEX customers_by_")
                        || plan.contains("USING COVERING INDEX customers_by_")
                        || plan.contains("INTEGER PRIMARY KEY")
                        || (sort == SortColumn::Id && plan.starts_with("SCAN c"));
                    assert!(uses_index, "{sort:?} {direction:?} {status:?}: {plan}");
                    if after.is_some() && status.is_none() {
                        // Keyset: the page seeks into the index instead of scanning from the top.
                        assert!(plan.starts_with("SEARCH"), "{sort:?} {direction:?}: {plan}");
                    }
                }
            }
        }
    }
    // A broad search walks the index too.
    let (_dir, cache, _rows) = seeded_cache(3000);
    cache.set_search_tuning(SearchTuning {
        fts_first_max: 1000,
        walk_budget: 400,
    });
    let q = CustomerQuery {
        search: Some("3".into()),
        ..Default::default()
    };
    assert_eq!(cache.customer_page(&q).unwrap().plan, SearchPlan::IndexWalk);
    let plan = cache.explain_customer_query(&q).unwrap().join(" | ");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

fn search_ids(cache: &Cache, search: &str, sort: SortColumn) -> Vec<i64> {
    page_through(
        cache,
        CustomerQuery {
            search: Some(search.into()),
            sort,
            limit: 40,
            ..Default::default()
        },
    )
}

#[test]
fn writes_from_another_connection_make_the_in_memory_index_stale() {
    let (dir, cache, _rows) = seeded_cache(800);
    cache.set_search_index_mode(SearchIndexMode::Inline);
    assert_eq!(
        search_ids(&cache, "quentin", SortColumn::Name),
        Vec::<i64>::new()
    );
    let built = cache.search_index_stats().expect("built by the search");

    // Another connection (the sync engine's, say) writes: the index must not answer stale.
    let other = Cache::open(dir.path().join("list.sqlite3")).unwrap();
    let quentin = CustomerRow {
        id: 9001,
        name: "Quentin Tarantula".into(),
        email: "q@films.example".into(),
        phone: None,
        is_active: false,
        registration_date: ts(0),
        last_modified: ts(0),
        sync_state: SyncState::Synced,
    };
    other
        .upsert_customers(std::slice::from_ref(&quentin))
        .unwrap();
    assert_eq!(search_ids(&cache, "quentin", SortColumn::Name), vec![9001]);
    assert_eq!(
        cache
            .count_customers(Some("quen"), Some(false), None)
            .unwrap(),
        MatchCount {
            count: 1,
            exact: true
        }
    );
    let rebuilt = cache.search_index_stats().unwrap();
    assert!(rebuilt.generation > built.generation);
    assert_eq!(rebuilt.rows, 801);

    other.delete_customers(&[9001]).unwrap();
    assert_eq!(
        search_ids(&cache, "quent", SortColumn::Email),
        Vec::<i64>::new()
    );
}

#[test]
fn the_background_index_is_built_then_used_and_rebuilt_after_a_write() {
    let (_dir, cache, mut rows) = seeded_cache(2000);
    // The default mode: nothing is built until a list is read; then off the calling thread.
    assert_eq!(cache.search_index_stats(), None);
    let queries = ["an", "e", "bak", "+31 6 0", "o'br", "zzz"];
    let sqlite: Vec<Vec<i64>> = queries
        .iter()
        .map(|q| search_ids(&cache, q, SortColumn::Phone))
        .collect();
    assert!(cache
        .wait_for_search_index(Duration::from_secs(30))
        .unwrap());
    let stats = cache.search_index_stats().unwrap();
    assert_eq!(stats.rows, 2000);
    assert_eq!(stats.generation, cache.customers_generation().unwrap());
    assert!(stats.tokens > 0 && stats.postings >= stats.tokens && stats.bytes > 0);
    for (q, want) in queries.iter().zip(&sqlite) {
        assert_eq!(&search_ids(&cache, q, SortColumn::Phone), want, "{q}");
        let naive = expected_order(&rows, SortColumn::Phone, SortDirection::Asc, None, |r| {
            naive_match(r, q)
        });
        assert_eq!(want, &naive, "{q}");
    }

    // A write makes it stale: searches stay exact (SQLite) until the rebuild is in.
    let renamed = CustomerRow {
        name: "Zzz Sleepers BV".into(),
        ..rows[10].clone()
    };
    cache
        .upsert_customers(std::slice::from_ref(&renamed))
        .unwrap();
    rows[10] = renamed;
    assert_eq!(
        search_ids(&cache, "zzz", SortColumn::Name),
        vec![rows[10].id]
    );
    assert!(cache
        .wait_for_search_index(Duration::from_secs(30))
        .unwrap());
    let stats = cache.search_index_stats().unwrap();
    assert_eq!(stats.generation, cache.customers_generation().unwrap());
    assert_eq!(
        search_ids(&cache, "zzz sle", SortColumn::Name),
        vec![rows[10].id]
    );
}

#[test]
fn a_search_continues_after_a_cursor_whose_row_was_deleted() {
    // Both paths, each with both plans (few matches: FTS-first; many: a walk).
    let plans = [
        (10, SearchPlan::IndexWalk),
        (FTS_FIRST_MAX, SearchPlan::FtsFirst),
    ];
    for mode in [SearchIndexMode::Off, SearchIndexMode::Inline] {
        for (fts_first_max, plan) in plans {
            for sort in [SortColumn::Name, SortColumn::Id, SortColumn::Status] {
                for direction in DIRECTIONS {
                    let (_dir, cache, rows) = seeded_cache(1200);
                    cache.set_search_index_mode(mode);
                    cache.set_search_tuning(SearchTuning {
                        fts_first_max,
                        walk_budget: 100_000,
                    });
                    let q = CustomerQuery {
                        search: Some("an".into()),
                        sort,
                        direction,
                        limit: 30,
                        ..Default::default()
                    };
                    let cursor = cache.customer_page(&q).unwrap().next.unwrap();
                    // The cursor's own row and the row right after it go away.
                    let want =
                        expected_order(&rows, sort, direction, None, |r| naive_match(r, "an"));
                    cache.delete_customers(&[want[29], want[30]]).unwrap();
                    let next = cache
                        .customer_page(&CustomerQuery {
                            after: Some(cursor),
                            ..q.clone()
                        })
                        .unwrap();
                    let got: Vec<i64> = next.rows.iter().map(|r| r.id).collect();
                    let case = format!("{mode:?} {fts_first_max} {sort:?} {direction:?}");
                    assert_eq!(got, want[31..61].to_vec(), "{case}");
                    assert_eq!(next.plan, plan, "{case}");
                }
            }
        }
    }
}

#[test]
fn a_cache_can_still_move_between_threads() {
    // The index lives behind Arc, not Rc: the app shares a Cache through a Mutex.
    fn assert_send<T: Send>() {}
    assert_send::<Cache>();
}
