//! Store benchmark: a screen read (a window of 50 rows of the customer list, sorted by name,
//! 5 000 rows down, on 10 000 customers in a real file) (a) alone, (b) on the reader while the
//! writer is in the middle of a long write transaction (5 000 customers rewritten, one upsert
//! at a time, as a sync page replay does), and, as the floor, (c) the same read on one shared
//! connection behind one mutex (the app before `Store`) while the writer holds it for the same
//! transaction. Prints figures; asserts nothing about time.
//!
//! cargo bench -p reseller-core --bench store

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use reseller_core::cache::{Cache, CustomerQuery, CustomerRow, Store, SyncState};

const N: i64 = 10_000;
const WINDOW: usize = 50;
const OFFSET: u64 = 5_000;
const ROUNDS: usize = 3;
/// Customers the long write transaction rewrites, one upsert each.
const WRITES: usize = 5_000;

fn customers(round: usize) -> Vec<CustomerRow> {
    let t = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
    (1..=N)
        .map(|id| CustomerRow {
            id,
            // Each round changes every row (a real rewrite: index, FTS and counters move).
            name: format!("Organisation {:05} r{round}", (id * 7919) % N),
            email: format!("org{id}@example.com"),
            phone: None,
            is_active: id % 10 != 0,
            registration_date: t,
            last_modified: t,
            sync_state: SyncState::Synced,
        })
        .collect()
}

fn screen_read(cache: &Cache) {
    let query = CustomerQuery {
        limit: WINDOW,
        ..CustomerQuery::default()
    };
    let page = cache.customer_page_at(&query, OFFSET).expect("read");
    assert_eq!(page.rows.len(), WINDOW);
    cache.count_customers(None, None, None).expect("count");
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn summary(samples: &mut [Duration]) -> String {
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {}, p95 {}, max {} ({} reads)",
        ms(p(0.5)),
        ms(p(0.95)),
        ms(p(1.0)),
        samples.len()
    )
}

fn span(samples: &mut [Duration]) -> String {
    samples.sort();
    format!(
        "{} .. {} ({WRITES} upserts each)",
        ms(samples[0]),
        ms(samples[samples.len() - 1])
    )
}

/// The write transaction: `WRITES` customers rewritten, one upsert call per row. `ending` is set
/// just before it commits. Returns its length.
fn long_write(
    writer: &Cache,
    round: usize,
    started: &mpsc::Sender<()>,
    ending: &AtomicBool,
) -> Duration {
    let rows = customers(round);
    let start = Instant::now();
    writer
        .in_transaction(|c| {
            started.send(()).expect("started");
            for row in rows.iter().take(WRITES) {
                c.upsert_customers(std::slice::from_ref(row))?;
            }
            ending.store(true, Ordering::SeqCst);
            Ok(())
        })
        .expect("write");
    start.elapsed()
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path().join("bench.sqlite3")).expect("open");
    store
        .write()
        .unwrap()
        .upsert_customers(&customers(0))
        .expect("seed");
    println!("== store benchmark: {N} customers; a screen read = a window of {WINDOW} rows at row {OFFSET} + the count");

    // Warm-up: page anchors, the statement cache, the page cache.
    for _ in 0..20 {
        screen_read(&store.read().unwrap());
    }

    // (a) Alone.
    let mut alone: Vec<Duration> = (0..300)
        .map(|_| {
            let start = Instant::now();
            screen_read(&store.read().unwrap());
            start.elapsed()
        })
        .collect();
    println!(
        "(a) read alone:                          {}",
        summary(&mut alone)
    );

    // (b) On the reader, while the writer's transaction is open: reads one after another
    // until it commits.
    let mut during = Vec::new();
    let mut tx_lengths = Vec::new();
    for round in 1..=ROUNDS {
        let before = store.read().unwrap().customers_generation().unwrap();
        let done = AtomicBool::new(false);
        let (started_tx, started) = mpsc::channel();
        std::thread::scope(|s| {
            let writer = s.spawn(|| long_write(&store.write().unwrap(), round, &started_tx, &done));
            started.recv().unwrap();
            while !done.load(Ordering::SeqCst) {
                let reader = store.read().unwrap();
                let start = Instant::now();
                screen_read(&reader);
                let took = start.elapsed();
                // Only reads that ended before the commit began count (they saw none of it).
                if !done.load(Ordering::SeqCst) {
                    assert_eq!(reader.customers_generation().unwrap(), before);
                    during.push(took);
                }
            }
            tx_lengths.push(writer.join().unwrap());
        });
    }
    println!(
        "(b) read during the write transaction:   {}; the transactions took {}",
        summary(&mut during),
        span(&mut tx_lengths)
    );

    // (c) The floor: one connection behind one mutex for reads and writes (the writer's own,
    // which is exactly what the app had). The read is asked for as soon as the transaction
    // has begun, and waits for the lock until it commits.
    let mut waits = Vec::new();
    let mut tx_lengths = Vec::new();
    for round in ROUNDS + 1..=2 * ROUNDS {
        let (started_tx, started) = mpsc::channel();
        let shared = &store;
        let ending = AtomicBool::new(false);
        let ending = &ending;
        std::thread::scope(|s| {
            let writer =
                s.spawn(move || long_write(&shared.write().unwrap(), round, &started_tx, ending));
            started.recv().unwrap();
            let start = Instant::now();
            screen_read(&shared.write().unwrap());
            waits.push(start.elapsed());
            tx_lengths.push(writer.join().unwrap());
        });
    }
    println!(
        "(c) read on one shared mutex (floor):    {}; the transactions took {}",
        summary(&mut waits),
        span(&mut tx_lengths)
    );
    println!("    (c) waits for the writer's whole transaction (it was asked for as it began)");
}
