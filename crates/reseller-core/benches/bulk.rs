//! A bulk change of 10 000 organisations, as a user feels it: selecting every row a search
//! matches, the click that queues the deactivation of all of them (the rows show it at once),
//! a window of the list while they wait, and how fast they then reach a sandbox at the API's
//! 100 requests a minute (measured for a minute; the whole batch extrapolated from it). The
//! user's single change made meanwhile is timed too: it goes before the batch. The activity
//! log the queued changes were written to is read as its screen reads it.
//!
//! cargo bench -p reseller-core --bench bulk

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use reseller_core::activity::{self, ActivityQuery};
use reseller_core::cache::{Cache, CustomerQuery};
use reseller_core::customers::bulk::{apply_bulk, BulkAction};
use reseller_core::customers::selection::selected_ids;
use reseller_core::customers::{create_customer, CustomerForm, Matching, Selection};
use reseller_core::sync::{replay_outbox_with, sync_customer_list, Batches};
use scriptix_api::{Client, ClientConfig};
use scriptix_sandbox::{start, SandboxConfig};

const CUSTOMERS: usize = 10_000;
/// How long the sending is watched.
const WATCH: Duration = Duration::from_secs(65);

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sb = start(SandboxConfig {
        customers: CUSTOMERS,
        rate_limit_per_minute: 100,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let mut config = ClientConfig::new(sb.base_url(), sb.reseller_token());
    config.rate_limit_per_minute = 100;
    let client = Client::new(config).expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Mutex::new(Cache::open(dir.path().join("cache.sqlite3")).expect("cache"));
    sync_customer_list(&client, &cache)
        .await
        .expect("first sync");

    println!("bulk: {CUSTOMERS} organisations cached (machine: see `env`), sandbox at 100 requests a minute");
    let all = Selection {
        matching: Some(Matching::default()),
        ..Selection::default()
    };
    let t = Instant::now();
    let ids = selected_ids(&cache.lock().unwrap(), &all).expect("selection");
    let select_ms = ms(t.elapsed());
    println!(
        "  select every matching row ({} ids)        {select_ms:>8.1} ms",
        ids.len()
    );

    let t = Instant::now();
    let report = apply_bulk(
        &cache.lock().unwrap(),
        BulkAction::Deactivate,
        &ids,
        Utc::now(),
    )
    .expect("bulk");
    let queue_ms = ms(t.elapsed());
    println!(
        "  queue the deactivation of {} (one transaction; {} inactive already) {queue_ms:>8.1} ms",
        report.queued, report.unchanged
    );

    let query = CustomerQuery {
        limit: 100,
        ..CustomerQuery::default()
    };
    let mut windows = Vec::new();
    for offset in [0u64, 2_500, 5_000, 9_900] {
        let t = Instant::now();
        cache
            .lock()
            .unwrap()
            .customer_page_at(&query, offset)
            .expect("window");
        windows.push(ms(t.elapsed()));
    }
    println!(
        "  a list window with all of them queued        {:>8.2} ms (max of 4 depths)",
        windows.iter().copied().fold(0.0, f64::max)
    );

    // The activity log now holds one entry per queued change: its screen's first page, the
    // search texts a first search writes, then searches as typed (one matching every entry,
    // one matching one organisation's name), and one organisation's entries.
    let page = |what: &str, q: ActivityQuery| {
        let t = Instant::now();
        let page = activity::page(&cache.lock().unwrap(), &q).expect("activity");
        println!(
            "  activity log, {what:<34} {:>8.1} ms ({} of {} entries)",
            ms(t.elapsed()),
            page.entries.len(),
            page.total
        );
    };
    page("the first page", ActivityQuery::default());
    let t = Instant::now();
    let indexed = activity::index_search(&cache.lock().unwrap()).expect("index");
    println!(
        "  activity log, search texts of {indexed} entries written (first search only) {:>8.1} ms",
        ms(t.elapsed())
    );
    let name = cache
        .lock()
        .unwrap()
        .get_customer(ids[0])
        .expect("read")
        .expect("first")
        .name;
    for (what, search) in [
        (
            "a search matching all (\"inactive\")",
            "inactive".to_string(),
        ),
        ("a search for one name", name),
    ] {
        page(
            what,
            ActivityQuery {
                search,
                ..ActivityQuery::default()
            },
        );
    }
    page(
        "one organisation's",
        ActivityQuery {
            customer_id: ids.first().copied(),
            ..ActivityQuery::default()
        },
    );

    // The sending, watched for a minute; a single change made 5 s in goes first.
    let sent = AtomicU64::new(0);
    let started = Instant::now();
    // As the app's outbox sender does: a slice, then (when the budget has no room for the
    // batch) a wait that a new change cuts short.
    let changed = tokio::sync::Notify::new();
    let replay = async {
        loop {
            let r = replay_outbox_with(&client, &cache, Utc::now(), Batches::Sliced, &|_| {})
                .await
                .expect("replay");
            sent.fetch_add(u64::from(r.completed), Ordering::Relaxed);
            if !r.more {
                break;
            }
            if let Some(wait) = r.wait {
                tokio::select! {
                    _ = changed.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
    };
    let single = async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let made = Instant::now();
        let form = CustomerForm {
            name: "Single Change BV".into(),
            email: "single@bulk.bench".into(),
            phone: String::new(),
            is_active: true,
        };
        let row = create_customer(&cache.lock().unwrap(), &form, Utc::now()).expect("create");
        changed.notify_one();
        loop {
            let gone = cache
                .lock()
                .unwrap()
                .get_customer(row.id)
                .expect("read")
                .is_none();
            if gone {
                return made.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let (_, single_took) = tokio::join!(
        async {
            let _ = tokio::time::timeout(WATCH, replay).await;
        },
        single
    );
    let watched = started.elapsed().min(WATCH);
    let done = sent.load(Ordering::Relaxed).saturating_sub(1);
    println!(
        "  sent in {:.0} s: {done} deactivations (2 requests each, in the background lane; the server's fixed window let two windows' worth through)",
        watched.as_secs_f64(),
    );
    // The lasting pace: the lane's share of the limit, two requests a deactivation.
    let lane = f64::from(scriptix_api::background_limit(100)) / 2.0;
    for n in [report.queued as f64, CUSTOMERS as f64] {
        println!(
            "  {n:>6.0} deactivations at the lane's {lane:.0} a minute        {:>8.0} min ({:.1} h)",
            n / lane,
            n / lane / 60.0
        );
    }
    println!(
        "  a single change made during it reached the server in {:.2} s (floor: its own request)",
        single_took.as_secs_f64()
    );
    sb.shutdown().await;
}
