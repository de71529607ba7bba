//! Executing the customer-list sync: fetch a page, plan it (`plan.rs`), apply the plan to the
//! cache; repeat until the plan says done, then store the new mark.
//!
//! The cache is shared as `&Mutex<Cache>` (a `Cache` is one rusqlite connection, `Send` but not
//! `Sync`). Each cache step is one short transaction of at most one page (1000 rows, tens of
//! milliseconds at most), run inline under the lock between two network awaits: cheaper than a
//! `spawn_blocking` hop per page, and the lock is never held across an `.await`, so the
//! returned future is `Send` and a screen reading the cache waits at most one page write.
//! The final local-edit check and the upsert of a page happen under one lock, so a local edit
//! made through the same `Mutex` cannot slip in between them.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use scriptix_api::{Client, Customer, CustomerQuery, Direction, Page};

use super::plan::{
    plan_deletions, plan_scan_page, FetchedPage, ListWalk, Next, PageStep, Pager, RejectedRow,
    PAGE_LIMIT,
};
use crate::cache::Cache;
use crate::cache::CustomerRow;
use crate::remote::customer_map::{customer_row, normalize_phone};
use crate::remote::error::bounded;
pub use crate::remote::error::SyncError;

/// The high-water mark's entity name for the customer list.
pub const CUSTOMERS_ENTITY: &str = "customers";

/// Stops a walk over a server whose paging never ends (1000 pages = a million customers).
pub const MAX_PAGES: u32 = 1000;

/// Rejected records a report keeps (each with its reason); the rest are only counted, so a
/// server sending page after page of unreadable records cannot grow a report without bound.
pub const MAX_REJECTED_KEPT: usize = 100;

/// What one list sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListSyncReport {
    /// Requests over the wire during the sync, retries included (the client's counter; a clone
    /// of the client used elsewhere at the same time would be counted too).
    pub requests: u64,
    /// List pages planned (one request each when nothing was retried).
    pub pages: u32,
    /// Rows written to the cache.
    pub upserted: usize,
    /// Rows listed that the cache already held as they are.
    pub unchanged: usize,
    /// Rows not written because their cached row has a local edit (the outbox's).
    pub held: usize,
    /// Records refused: (id when known, reason); the first `MAX_REJECTED_KEPT` of them.
    pub rejected: Vec<(Option<i64>, String)>,
    /// Records refused in all (`rejected` keeps only the first ones).
    pub rejected_count: usize,
}

/// What one deletion scan did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub requests: u64,
    pub pages: u32,
    /// Distinct ids the server listed (readable or not).
    pub server_ids: usize,
    /// Cached rows deleted because the server no longer has them.
    pub deleted: Vec<i64>,
    /// Rows the server no longer has, kept because they carry local work (the outbox's).
    pub kept_local: Vec<i64>,
    /// Rows written because the cache lacked them or held an older version.
    pub upserted: usize,
    /// As in `ListSyncReport`: the first `MAX_REJECTED_KEPT`, and how many in all.
    pub rejected: Vec<(Option<i64>, String)>,
    pub rejected_count: usize,
    /// Why deletions were postponed, when they were.
    pub withheld: Option<String>,
}

fn lock(cache: &Mutex<Cache>) -> Result<MutexGuard<'_, Cache>, SyncError> {
    cache.lock().map_err(|_| SyncError::CacheUnavailable)
}

/// Counts a refused record and keeps it while the report has room.
fn note_rejected(
    kept: &mut Vec<(Option<i64>, String)>,
    count: &mut usize,
    id: Option<i64>,
    reason: String,
) {
    *count += 1;
    if kept.len() < MAX_REJECTED_KEPT {
        kept.push((id, reason));
    }
}

/// Maps a fetched page: records the client could not read and records the mapping refuses
/// are both set aside with their reason, and logged (never with the token, which the
/// client alone holds).
fn fetched(page: Page<Customer>) -> FetchedPage {
    let mut rejected: Vec<RejectedRow> = page
        .rejected
        .into_iter()
        .map(|r| RejectedRow {
            id: r.id,
            last_modified: None,
            reason: bounded(&r.reason),
        })
        .collect();
    let mut rows = Vec::with_capacity(page.items.len());
    for c in &page.items {
        match customer_row(c) {
            Ok(row) => rows.push(row),
            Err(reason) => rejected.push(RejectedRow {
                id: Some(c.id),
                last_modified: Some(c.last_modified),
                reason,
            }),
        }
    }
    for r in &rejected {
        tracing::warn!(id = ?r.id, reason = %r.reason, "customer record rejected; sync goes on");
    }
    FetchedPage {
        rows,
        rejected,
        total: page.total,
    }
}

/// Phones in E.164 for the rows about to be written (only those: see `map::customer_row`), and
/// each phone as the screens show it (formatted here once, so a list window never parses it).
/// Parsing takes up to half a millisecond a phone, so a full page goes to the blocking pool
/// instead of stalling an async worker; a page with nothing to parse skips the hop.
async fn normalize_phones(rows: Vec<CustomerRow>) -> Result<Normalized, SyncError> {
    fn normalize_and_show(mut rows: Vec<CustomerRow>) -> Normalized {
        normalize(&mut rows);
        let phones: Vec<Option<&str>> = rows.iter().map(|r| r.phone.as_deref()).collect();
        let shown = crate::phone_display::international_all(&phones);
        let shown = phones
            .iter()
            .zip(shown)
            .filter_map(|(phone, shown)| Some((phone.map(str::to_string)?, shown?)))
            .collect();
        Normalized { rows, shown }
    }
    fn normalize(rows: &mut [CustomerRow]) {
        // Parsed grouped by country code: `phonenumber` keeps a small cache of compiled
        // patterns, and alternating countries (as a customer list does) recompiles them for
        // nearly every number.
        let mut order: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].phone.is_some())
            .collect();
        order.sort_by_cached_key(|&i| {
            let p = rows[i].phone.as_deref().unwrap_or_default();
            p.chars()
                .filter(char::is_ascii_digit)
                .take(3)
                .collect::<String>()
        });
        for i in order {
            if let Some(p) = &rows[i].phone {
                rows[i].phone = Some(normalize_phone(p));
            }
        }
    }
    if rows.len() < 20 {
        return Ok(normalize_and_show(rows));
    }
    tokio::task::spawn_blocking(move || normalize_and_show(rows))
        .await
        .map_err(|e| SyncError::Internal(format!("phone normalisation stopped: {e}")))
}

/// Rows about to be written, and how their phones are shown (kept beside them).
struct Normalized {
    rows: Vec<CustomerRow>,
    shown: Vec<(String, String)>,
}

struct Written {
    changed: usize,
    /// Rows equal to what the cache holds (not rewritten).
    same: usize,
    /// Rows not written: a local edit was made after the page was planned.
    held: Vec<i64>,
}

/// Writes planned rows under the caller's lock. A local edit made while the lock was free
/// (during phone parsing) wins: the check runs under the same lock as the write, so nothing
/// slips in between.
fn write_rows(cache: &Cache, normalized: Normalized) -> Result<Written, SyncError> {
    let Normalized { mut rows, shown } = normalized;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let held = cache.customers_with_local_work(&ids)?;
    rows.retain(|r| !held.contains(&r.id));
    let changed = cache.upsert_customers_showing(&rows, &shown)?;
    Ok(Written {
        changed,
        same: rows.len().saturating_sub(changed),
        held: held.into_iter().collect(),
    })
}

fn query(sort: &str, direction: Direction, offset: u64) -> CustomerQuery {
    CustomerQuery {
        limit: Some(PAGE_LIMIT),
        offset: Some(offset),
        sort: Some(sort.to_string()),
        direction: Some(direction),
        ..CustomerQuery::default()
    }
}

/// Brings the cached customer list up to date: reads newest-modified first and stops at the
/// stored high-water mark, which moves only once the walk completed.
pub async fn sync_customer_list(
    client: &Client,
    cache: &Mutex<Cache>,
) -> Result<ListSyncReport, SyncError> {
    sync_customer_list_with(client, cache, &|_| {}).await
}

/// `sync_customer_list`, calling `on_rows` with the number of rows read so far after each page
/// (the status line's count).
pub async fn sync_customer_list_with(
    client: &Client,
    cache: &Mutex<Cache>,
    on_rows: &(dyn Fn(u64) + Send + Sync),
) -> Result<ListSyncReport, SyncError> {
    let sent_before = client.requests_sent();
    let stored = lock(cache)?.high_water_mark(CUSTOMERS_ENTITY)?;
    let mut walk = ListWalk::new(stored);
    let mut report = ListSyncReport::default();
    loop {
        if walk.pages() >= MAX_PAGES {
            return Err(SyncError::Runaway {
                pages: walk.pages(),
            });
        }
        let q = query("last_modified", Direction::Desc, walk.next_offset());
        let page = fetched(client.list_customers(&q).await?);
        let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
        let held = lock(cache)?.customers_with_local_work(&ids)?;
        let mut plan = walk.plan_page(page, &held);
        let rows = normalize_phones(std::mem::take(&mut plan.upsert)).await?;
        {
            let cache = lock(cache)?;
            let written = write_rows(&cache, rows)?;
            report.upserted += written.changed;
            // Planned rows equal to what is stored (e.g. re-read after an interrupted walk)
            // are not rewritten by the cache: they count as unchanged.
            report.unchanged += plan.unchanged + written.same;
            plan.held.extend(written.held);
            if let Next::Done { mark: Some(mark) } = &plan.next {
                cache.set_high_water_mark(CUSTOMERS_ENTITY, mark)?;
            }
        }
        report.held += plan.held.len();
        on_rows((report.upserted + report.unchanged + report.held) as u64);
        for r in plan.rejected {
            note_rejected(
                &mut report.rejected,
                &mut report.rejected_count,
                r.id,
                r.reason,
            );
        }
        if let Next::Done { .. } = plan.next {
            break;
        }
    }
    report.pages = walk.pages();
    report.requests = client.requests_sent().saturating_sub(sent_before);
    Ok(report)
}

/// Reads every customer (`sort=id`, ascending, 1000 a page) and deletes the cached rows the
/// server no longer has, except those with local work. Rows the cache lacks or holds in an
/// older version are written on the way (a walk can miss a row when the list moves in ways
/// `total_results` does not show). Deletes nothing unless the scan completed.
pub async fn scan_deletions(
    client: &Client,
    cache: &Mutex<Cache>,
) -> Result<ScanReport, SyncError> {
    let sent_before = client.requests_sent();
    let mut report = ScanReport::default();
    // Only rows cached before the scan starts are judged (see `plan_deletions`).
    let before: HashSet<i64> = lock(cache)?
        .customer_id_states()?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut server_ids: HashSet<i64> = HashSet::new();
    let mut unidentified = 0usize;
    let mut pager = Pager::default();
    loop {
        if report.pages >= MAX_PAGES {
            return Err(SyncError::Runaway {
                pages: report.pages,
            });
        }
        report.pages += 1;
        let page = fetched(
            client
                .list_customers(&query("id", Direction::Asc, pager.next_offset()))
                .await?,
        );
        let raw_len = page.raw_len();
        for r in &page.rejected {
            // An unreadable record with a readable id is still on the server: not a deletion.
            match r.id {
                Some(id) => {
                    server_ids.insert(id);
                }
                None => unidentified += 1,
            }
            note_rejected(
                &mut report.rejected,
                &mut report.rejected_count,
                r.id,
                r.reason.clone(),
            );
        }
        server_ids.extend(page.rows.iter().map(|r| r.id));
        let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
        let cached = lock(cache)?.customer_id_states_among(&ids)?;
        let rows = normalize_phones(plan_scan_page(page.rows, &cached)).await?;
        report.upserted += write_rows(&*lock(cache)?, rows)?.changed;
        // Re-reading after the list shrank matters here too: rows slid onto the previous page
        // would otherwise look deleted.
        if pager.advance(raw_len, page.total) == PageStep::End {
            break;
        }
    }
    let plan = {
        let cache = lock(cache)?;
        let mut cached = cache.customer_id_states()?;
        cached.retain(|c| before.contains(&c.id));
        let plan = plan_deletions(&server_ids, &cached, unidentified);
        cache.delete_customers(&plan.delete)?;
        // The phones of customers gone (or renumbered) need no shown text any more.
        cache.prune_phones_shown()?;
        plan
    };
    if let Some(why) = &plan.withheld {
        tracing::warn!(reason = %why, "deletion scan postponed its deletions");
    }
    report.server_ids = server_ids.len();
    report.deleted = plan.delete;
    report.kept_local = plan.kept_local;
    report.withheld = plan.withheld;
    report.requests = client.requests_sent().saturating_sub(sent_before);
    Ok(report)
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Cache(e.into())
    }
}
