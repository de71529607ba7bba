//! Dashboard benchmark: the computed dashboard of 10 000 organisations read from a real cache
//! file (every row, sorted, with totals, top 10 and alerts), as the screen reads it on every
//! cache change. Prints figures; asserts nothing about time.
//!
//! cargo bench -p reseller-core --bench dashboard

use std::time::Instant;

use chrono::{TimeZone, Utc};
use reseller_core::cache::{Cache, CustomerRow, SyncState};
use reseller_core::dashboard::store::{put_usage, StoredUsage};
use reseller_core::dashboard::{read_view, DashboardRequest, RangeRequest, SortDir, SortKey};

const N: i64 = 10_000;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("bench.sqlite3")).unwrap();
    let t = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
    let rows: Vec<CustomerRow> = (1..=N)
        .map(|id| CustomerRow {
            id,
            name: format!("Organisation {:05}", (id * 7919) % N),
            email: format!("org{id}@example.com"),
            phone: None,
            is_active: id % 10 != 0,
            registration_date: t,
            last_modified: t,
            sync_state: SyncState::Synced,
        })
        .collect();
    cache.upsert_customers(&rows).unwrap();
    let now = Utc::now();
    let req = |sort| DashboardRequest {
        range: RangeRequest::ThisMonth,
        sort,
        direction: SortDir::Desc,
        offset: 0,
        limit: N as usize,
    };
    let key = RangeRequest::ThisMonth
        .resolve(now.date_naive())
        .unwrap()
        .key();
    cache
        .in_transaction(|c| {
            for id in 1..=N {
                put_usage(
                    c,
                    &key,
                    &StoredUsage {
                        customer_id: id,
                        seconds_used: (id * 104_729) % 360_000,
                        sessions: Some(id % 50),
                        finished_sessions: Some(id % 45),
                        error_sessions: Some(id % 5),
                        total_users: Some(id % 9),
                        active_users: Some(id % 4),
                        fetched_at: now,
                    },
                )?;
            }
            Ok(())
        })
        .unwrap();
    for sort in [SortKey::Hours, SortKey::Name, SortKey::ErrorRate] {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let start = Instant::now();
            let view = read_view(&cache, &req(sort), 80.0, now).unwrap();
            assert_eq!(view.customers.len(), N as usize);
            best = best.min(start.elapsed().as_secs_f64() * 1000.0);
        }
        println!("dashboard read, {N} organisations, sorted by {sort:?}: best of 5 {best:.1} ms");
    }
    let view = read_view(&cache, &req(SortKey::Hours), 80.0, now).unwrap();
    let json = serde_json::to_vec(&view).unwrap();
    println!("dashboard view as IPC JSON: {} KiB", json.len() / 1024);
}
