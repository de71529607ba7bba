//! Cache benchmark: 100 000 customers in a real file. Prints figures; asserts nothing about time.
//!
//! cargo bench -p reseller-core --bench cache

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reseller_core::cache::*;

const N: usize = 100_000;

const FIRST: &[&str] = &[
    "Maria", "Jan", "Peter", "Anna", "Sophie", "Lucas", "Emma", "Daan", "Julia", "Sem", "Lisa",
    "Johan", "Ingrid", "Willem", "Fatima", "Mohammed", "Yusuf", "Sara", "Ruben", "Kees", "Hans",
    "Marco", "Eva", "Luuk", "Noah", "Olivia", "Liam", "Finn", "Mila", "Levi", "Thomas", "Sanne",
    "Bram", "Femke", "Joost", "Lotte", "Émile", "Zoë", "Chloé", "Björn",
];
const LAST: &[&str] = &[
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "Müller",
    "Schmidt",
    "Dubois",
    "Peeters",
    "Maes",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "O'Brien",
];
const TRADE: &[&str] = &[
    "Media",
    "Speech",
    "Legal",
    "Medical",
    "Transcriptie",
    "Consultancy",
    "Holding",
    "Groep",
    "Solutions",
    "Audio",
    "Research",
    "Notariaat",
    "Advocaten",
    "Zorg",
    "Onderwijs",
    "Gemeente",
    "Studio",
    "Vertaalbureau",
    "Podcast",
    "Nieuws",
];
const FORM: &[&str] = &["B.V.", "BV", "N.V.", "GmbH", "Ltd", "& Partners", "VOF", ""];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "ziggo.nl",
    "kpn.nl",
    "acme.nl",
    "example.com",
    "xs4all.nl",
    "telenet.be",
    "web.de",
];

fn ts(micros: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(1_577_836_800_000_000 + micros)
        .unwrap()
}

fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'ë' => 'e',
            'ö' | 'ø' => 'o',
            'ü' => 'u',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn customers(seed: u64, n: usize, first_id: i64) -> Vec<CustomerRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let id = first_id + i as i64;
            let first = FIRST[rng.random_range(0..FIRST.len())];
            let last = LAST[rng.random_range(0..LAST.len())];
            let (name, email) = if rng.random_bool(0.6) {
                let trade = TRADE[rng.random_range(0..TRADE.len())];
                let form = FORM[rng.random_range(0..FORM.len())];
                let name = format!("{last} {trade} {form}").trim().to_string();
                let local =
                    ["info", "admin", "finance", "contact", "office"][rng.random_range(0..5)];
                (name, format!("{local}@{}{}.nl", slug(last), slug(trade)))
            } else {
                let name = format!("{first} {last}");
                let domain = DOMAINS[rng.random_range(0..DOMAINS.len())];
                (
                    name,
                    format!(
                        "{}.{}{}@{domain}",
                        slug(first),
                        slug(last),
                        rng.random_range(1..999)
                    ),
                )
            };
            let phone = match rng.random_range(0..10) {
                0 | 1 => None,
                2..=6 => Some(format!("+316{:08}", rng.random_range(0..100_000_000))),
                7 => Some(format!("+3120{:07}", rng.random_range(0..10_000_000))),
                8 => Some(format!("+324{:08}", rng.random_range(0..100_000_000))),
                _ => Some(format!("+4917{:08}", rng.random_range(0..100_000_000))),
            };
            // Bulk imports: every 50th block of 200 rows shares one last_modified.
            let last_modified = if (id / 200) % 50 == 0 {
                ts((id / 200) * 1_000_000)
            } else {
                ts(rng.random_range(0..190_000_000_000_000))
            };
            CustomerRow {
                id,
                name,
                email,
                phone,
                is_active: rng.random_bool(0.85),
                registration_date: ts(rng.random_range(0..190_000_000_000_000)),
                last_modified,
                sync_state: SyncState::Synced,
            }
        })
        .collect()
}

fn pct(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    // CACHE_BENCH_DIR keeps the seeded file for inspection.
    let base = std::env::var_os("CACHE_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().to_path_buf());
    let path = base.join(cache_file_name("https://api.scriptix.io", 1));
    let _ = std::fs::remove_file(&path);
    let cache = Cache::open(&path).expect("open");

    println!("== cache benchmark: {N} customers, file {}", path.display());
    let all = customers(42, N, 1);
    let (_, seed_time) = time(|| {
        for chunk in all.chunks(10_000) {
            cache.upsert_customers(chunk).expect("seed");
        }
    });
    println!(
        "seed {N} customers (10 batches of 10 000): {}",
        ms(seed_time)
    );
    let counts = cache.customer_counts().expect("counts");
    println!("counts: {counts:?}");

    // Upserts of 10 000 rows into the full cache.
    let fresh = customers(7, 10_000, N as i64 + 1);
    let (_, t_insert) = time(|| cache.upsert_customers(&fresh).expect("insert"));
    let changed: Vec<CustomerRow> = all[20_000..30_000]
        .iter()
        .map(|c| CustomerRow {
            name: format!("{} Renamed", c.name),
            is_active: !c.is_active,
            last_modified: ts(200_000_000_000_000 + c.id),
            ..c.clone()
        })
        .collect();
    let (n_changed, t_update) = time(|| cache.upsert_customers(&changed).expect("update"));
    let (n_same, t_same) = time(|| cache.upsert_customers(&changed).expect("same"));
    let ids: Vec<i64> = fresh.iter().map(|c| c.id).collect();
    let (_, t_delete) = time(|| cache.delete_customers(&ids).expect("delete"));
    println!(
        "upsert 10 000: new rows {}, changed rows {} ({n_changed} changed), unchanged rows {} ({n_same} changed); delete 10 000: {}",
        ms(t_insert),
        ms(t_update),
        ms(t_same),
        ms(t_delete)
    );
    let (_, t_opt) = time(|| cache.optimize().expect("optimize"));
    println!(
        "optimize (FTS merge + PRAGMA optimize) after the bulk writes: {}",
        ms(t_opt)
    );
    cache.integrity_check().expect("integrity");
    if std::env::var_os("CACHE_BENCH_SEED_ONLY").is_some() {
        return;
    }

    // The in-memory search index: built in the background; searches run in SQLite until it is
    // in (first keystrokes are measured apart, at the end).
    let (ready, t_ready) = time(|| {
        cache.warm_search_index().expect("warm");
        cache
            .wait_for_search_index(Duration::from_secs(60))
            .expect("wait")
    });
    assert!(ready, "the search index was not built");
    let stats = cache.search_index_stats().expect("stats");
    println!(
        "\n== in-memory search index: built in the background in {} (ready {} after asked for); {} rows, {} tokens, {} postings, {:.1} MB",
        ms(stats.build_time),
        ms(t_ready),
        stats.rows,
        stats.tokens,
        stats.postings,
        stats.bytes as f64 / 1e6
    );
    search_as_you_type(&cache, "in-memory index", &QUERIES);
    search_as_you_type(&cache, "in-memory index, phone digits", &PHONE_QUERIES);
    cache.set_search_index_mode(SearchIndexMode::Off);
    search_as_you_type(
        &cache,
        "SQLite only, as while the index is missing or stale",
        &QUERIES,
    );
    search_as_you_type(&cache, "SQLite only, phone digits", &PHONE_QUERIES);
    cache.set_search_index_mode(SearchIndexMode::Background);
    // Rebuilt before the sorted pages, whose first read would otherwise start the build
    // alongside them (2 cores).
    cache
        .wait_for_search_index(Duration::from_secs(60))
        .expect("wait");
    sorted_pages(&cache, &path);
    first_keystrokes(&path);
}

/// The first keystrokes of a search on a freshly opened cache (app start: nothing derived is in
/// memory yet), and right after a write (the in-memory index is stale until rebuilt). Keystrokes
/// come back to back, faster than anyone types; `*` marks those the in-memory index answered.
fn first_keystrokes(path: &std::path::Path) {
    println!("\n== first keystrokes (page of 100 + count capped at 1000), ms per keystroke");
    let cache = Cache::open(path).expect("open");
    let type_query = |cache: &Cache, label: &str, q: &str| {
        let chars: Vec<char> = q.chars().collect();
        let mut shown = Vec::new();
        let mut worst = Duration::ZERO;
        for n in 1..=chars.len() {
            let typed: String = chars[..n].iter().collect();
            let query = CustomerQuery {
                search: Some(typed.clone()),
                limit: 100,
                ..Default::default()
            };
            let (_, took) = time(|| {
                cache.customer_page(&query).expect("page");
                cache
                    .count_customers(Some(&typed), None, Some(1000))
                    .expect("count")
            });
            let generation = cache.customers_generation().expect("generation");
            let from_index = cache
                .search_index_stats()
                .is_some_and(|s| s.generation == generation);
            worst = worst.max(took);
            shown.push(format!(
                "{:.2}{}",
                took.as_secs_f64() * 1000.0,
                if from_index { "*" } else { "" }
            ));
        }
        println!("{label} {q:?}: [{}], max {}", shown.join(" "), ms(worst));
    };
    let wait = |cache: &Cache| {
        let (ready, took) = time(|| {
            cache
                .wait_for_search_index(Duration::from_secs(60))
                .expect("wait")
        });
        assert!(ready);
        took
    };
    type_query(&cache, "right after opening", "maria jansen");
    println!("  index ready {} later", ms(wait(&cache)));

    let write = |cache: &Cache| {
        let mut row = cache.get_customer(5).expect("get").expect("row 5");
        row.name.push('X');
        cache.upsert_customers(&[row]).expect("write");
    };
    write(&cache);
    type_query(&cache, "right after a write", "peter smit");
    println!("  index ready {} later", ms(wait(&cache)));

    // With a rebuild asked for after the write (as the app can when a sync round ends).
    write(&cache);
    cache.warm_search_index().expect("warm");
    println!(
        "after a write and warm_search_index: ready {} later",
        ms(wait(&cache))
    );
    type_query(&cache, "then typed", "de vries");

    // The usual start: the list is on screen before anyone types; its first read starts the build.
    drop(cache);
    let cache = Cache::open(path).expect("open");
    let (_, t_list) = time(|| {
        cache
            .customer_page(&CustomerQuery::default())
            .expect("list")
    });
    println!(
        "reopened: the first list read ({}) starts the build; ready {} later",
        ms(t_list),
        ms(wait(&cache))
    );
    type_query(&cache, "then typed", "van der meer");
}

const QUERIES: [&str; 14] = [
    "maria jansen",
    "de vries",
    "bakker media",
    "info@jansen",
    "gmail",
    "van der meer",
    "+31 6 12",
    "3161234",
    "émile",
    "o'brien",
    "advocaten",
    "peter smit",
    "kpn.nl",
    "zzz",
];

/// Phones as remembered: national with the trunk prefix, runs from the middle, in groups.
const PHONE_QUERIES: [&str; 6] = [
    "06 1234 5678",
    "12345678",
    "020 123",
    "751350",
    "0170-1234",
    "+32 4 99",
];

fn search_as_you_type(cache: &Cache, label: &str, queries: &[&str]) {
    const CAP: u64 = 1000;
    let mut keystrokes: Vec<(String, Duration, usize, MatchCount, SearchPlan, Duration)> =
        Vec::new();
    let mut exact: Vec<Duration> = Vec::new();
    for pass in 0..3 {
        for &q in queries {
            let chars: Vec<char> = q.chars().collect();
            for n in 1..=chars.len() {
                let typed: String = chars[..n].iter().collect();
                let query = CustomerQuery {
                    search: Some(typed.clone()),
                    limit: 100,
                    ..Default::default()
                };
                let start = Instant::now();
                let page = cache.customer_page(&query).expect("page");
                let page_time = start.elapsed();
                let count = cache
                    .count_customers(Some(&typed), None, Some(CAP))
                    .expect("count");
                let took = start.elapsed();
                if pass > 0 {
                    keystrokes.push((
                        typed.clone(),
                        took,
                        page.rows.len(),
                        count,
                        page.plan,
                        page_time,
                    ));
                    let (_, t_exact) = time(|| {
                        cache
                            .count_customers(Some(&typed), None, None)
                            .expect("exact")
                    });
                    exact.push(t_exact);
                }
            }
        }
    }
    let mut times: Vec<Duration> = keystrokes.iter().map(|k| k.1).collect();
    println!(
        "\n== search as you type ({label}): {} queries, {} keystrokes (2 measured passes), first page of 100 (name asc) + match count capped at {CAP}",
        queries.len(),
        times.len()
    );
    for plan in [SearchPlan::FtsFirst, SearchPlan::IndexWalk] {
        let mut t: Vec<Duration> = keystrokes
            .iter()
            .filter(|k| k.4 == plan)
            .map(|k| k.1)
            .collect();
        if !t.is_empty() {
            println!(
                "{plan:?}: {} keystrokes, p50 {}  p95 {}  max {}",
                t.len(),
                ms(pct(&mut t, 0.5)),
                ms(pct(&mut t, 0.95)),
                ms(pct(&mut t, 1.0))
            );
        }
    }
    println!(
        "per keystroke: p50 {}  p95 {}  max {}",
        ms(pct(&mut times, 0.5)),
        ms(pct(&mut times, 0.95)),
        ms(pct(&mut times, 1.0))
    );
    println!(
        "exact match count alone (no cap), for comparison: p50 {}  p95 {}  max {}",
        ms(pct(&mut exact, 0.5)),
        ms(pct(&mut exact, 0.95)),
        ms(pct(&mut exact, 1.0))
    );
    keystrokes.sort_by_key(|k| std::cmp::Reverse(k.1));
    println!("slowest keystrokes:");
    for (typed, took, rows, count, plan, page_time) in keystrokes.iter().take(12) {
        let count = if count.exact {
            count.count.to_string()
        } else {
            format!("{}+", count.count)
        };
        println!(
            "  {typed:<14} {} (page {})  rows {rows:>3}  matches {count:>6}  {plan:?}",
            ms(*took),
            ms(*page_time)
        );
    }
}

fn sorted_pages(cache: &Cache, path: &std::path::Path) {
    println!("\n== sorted pages of 100 (p50 / p95 over 30 runs); anchors built once per order, then reused");
    let depths = [0u64, 1_000, 50_000, 99_900];
    let mut worst = Duration::ZERO;
    for sort in SortColumn::ALL {
        for direction in [SortDirection::Asc, SortDirection::Desc] {
            let q = CustomerQuery {
                sort,
                direction,
                limit: 100,
                ..Default::default()
            };
            let (_, build) = time(|| cache.customer_page_at(&q, 50_000).expect("anchors"));
            let mut line = format!(
                "{:<16} {:<4} anchors {:>9} |",
                format!("{sort:?}"),
                format!("{direction:?}"),
                ms(build)
            );
            for depth in depths {
                let mut samples = Vec::new();
                let mut next = None;
                for _ in 0..30 {
                    let (page, took) = time(|| cache.customer_page_at(&q, depth).expect("page"));
                    assert_eq!(page.rows.len(), 100);
                    next = page.next;
                    samples.push(took);
                }
                // The next page from the cursor (scrolling on): keyset.
                let q2 = CustomerQuery {
                    after: next,
                    ..q.clone()
                };
                let mut keyset = Vec::new();
                for _ in 0..30 {
                    let (_, took) = time(|| cache.customer_page(&q2).expect("keyset"));
                    keyset.push(took);
                }
                let p95 = pct(&mut samples, 0.95);
                worst = worst.max(p95).max(pct(&mut keyset, 0.95));
                line.push_str(&format!(
                    " @{depth}: {} / {} (next {})",
                    ms(pct(&mut samples, 0.5)),
                    ms(p95),
                    ms(pct(&mut keyset, 0.5))
                ));
            }
            println!("{line}");
        }
    }
    println!("worst p95 of any sorted page: {}", ms(worst));

    // The alternative: OFFSET over the same index, at depth 90 000.
    let raw = rusqlite::Connection::open(path).expect("raw");
    raw.pragma_update(None, "cache_size", -65536)
        .expect("cache_size");
    for (index, order) in [
        ("customers_by_name", "name_key, id"),
        ("customers_by_registered", "registration_date DESC, id DESC"),
    ] {
        let sql = format!(
            "SELECT id, name, email, phone, is_active, registration_date, last_modified, sync_state
             FROM customers INDEXED BY {index} ORDER BY {order} LIMIT 100 OFFSET ?1"
        );
        let mut stmt = raw.prepare(&sql).expect("prepare");
        let mut samples = Vec::new();
        for _ in 0..20 {
            let (_, took) = time(|| {
                let n = stmt
                    .query_map([90_000], |r| r.get::<_, i64>(0))
                    .expect("query")
                    .count();
                assert_eq!(n, 100);
            });
            samples.push(took);
        }
        println!(
            "OFFSET 90 000 via {index}: p50 {}  p95 {}",
            ms(pct(&mut samples, 0.5)),
            ms(pct(&mut samples, 0.95))
        );
    }
    let mut samples = Vec::new();
    let q = CustomerQuery {
        sort: SortColumn::Name,
        limit: 100,
        ..Default::default()
    };
    for _ in 0..20 {
        let (_, took) = time(|| cache.customer_page_at(&q, 90_000).expect("page"));
        samples.push(took);
    }
    println!(
        "anchors at 90 000 (name asc): p50 {}  p95 {}",
        ms(pct(&mut samples, 0.5)),
        ms(pct(&mut samples, 0.95))
    );
    let filtered = CustomerQuery {
        sort: SortColumn::Email,
        status: Some(false),
        limit: 100,
        ..Default::default()
    };
    let (_, build) = time(|| cache.customer_page_at(&filtered, 10_000).expect("inactive"));
    let mut samples = Vec::new();
    for _ in 0..20 {
        let (_, took) = time(|| cache.customer_page_at(&filtered, 10_000).expect("inactive"));
        samples.push(took);
    }
    println!(
        "inactive only, email asc, at 10 000: anchors {}, page p50 {}  p95 {}",
        ms(build),
        ms(pct(&mut samples, 0.5)),
        ms(pct(&mut samples, 0.95))
    );
}
