//! Fetching what the dashboard shows: the server's dashboard for a range (G8, one request,
//! interactive lane: the user is looking at it), and, when the server has none, each
//! customer's usage for the range (computed mode), in the background lane.
//!
//! Computed mode costs one request per customer. Those go through the client's background
//! lane, whose rate budget always leaves a reserve to interactive requests and never plans
//! past the limit: 10 000 customers take 10 000 / ~90 a minute, the screen fills in as they
//! come ("computed from 412 of 10 000 organisations so far"), and clicks stay responsive.
//! Every customer's answer is cached per (customer, range), so it works offline afterwards and
//! is not fetched again while fresh.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use scriptix_api::{ApiError, Client, Lane, UsageQuery, UsageView};

use super::range::DateSpan;
use super::store::{self, StoredUsage};
use super::table::seconds_from_units;
use crate::cache::freshness::{freshness, GapFeature};
use crate::cache::{Cache, Freshness, FreshnessRecord, Scope};
use crate::remote::detail_map::{dashboard_payload, usage_rows};
use crate::remote::policy::{dashboard_range, max_age, UNSUPPORTED_MAX_AGE, USAGE_PAGE_LIMIT};
use crate::remote::SyncError;

/// Failures in a row after which a fill stops: the server is unwell.
const MAX_FAILURES_IN_A_ROW: u32 = 5;

fn lock(cache: &Mutex<Cache>) -> Result<MutexGuard<'_, Cache>, SyncError> {
    cache.lock().map_err(|_| SyncError::CacheUnavailable)
}

/// How long a range's numbers stay fresh: a range reaching today still grows (the dashboard's
/// usual 15 minutes for the server's dashboard, an hour per customer like the usage tab); a
/// closed range changes only by late corrections, so a day.
pub fn range_max_age(span: &DateSpan, today: NaiveDate, per_customer: bool) -> Duration {
    match (span.is_open(today), per_customer) {
        (false, _) => Duration::hours(24),
        (true, false) => max_age(&Scope::Dashboard),
        (true, true) => Duration::hours(1),
    }
}

/// Whether the server is known (recently) not to offer `gap`.
pub fn known_missing(
    cache: &Cache,
    gap: GapFeature,
    now: DateTime<Utc>,
) -> crate::cache::CacheResult<bool> {
    Ok(freshness(cache.gap_unsupported(gap)?.as_ref(), now) == Freshness::Fresh)
}

/// What asking the server's dashboard did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerDashboard {
    /// Fetched and cached for the range.
    Cached,
    /// The server has no dashboard endpoint (recorded): compute it.
    NotSupported,
}

/// Fetches G8 for `span` (in `client`'s lane) and caches it under the range's key. A 404/405
/// is recorded as the gap being missing, so the screen computes the dashboard instead.
pub async fn fetch_server_dashboard(
    client: &Client,
    cache: &Mutex<Cache>,
    span: &DateSpan,
    now: DateTime<Utc>,
) -> Result<ServerDashboard, SyncError> {
    match client.dashboard(&span.api()).await {
        Ok(d) => {
            let payload = dashboard_payload(&d).map_err(SyncError::Internal)?;
            let key = span.key();
            // This month's range is the one the sync keeps fresh: write its record too, so
            // the sync does not fetch it again at once.
            let (_, sync_key) = dashboard_range(now.date_naive());
            lock(cache)?.in_transaction(|c| {
                c.set_dashboard(&key, &payload, now)?;
                if key == sync_key {
                    let scope = Scope::Dashboard;
                    c.set_freshness(&scope, &FreshnessRecord::new(now, max_age(&scope)))?;
                }
                c.clear_gap_unsupported(GapFeature::Dashboard)
            })?;
            Ok(ServerDashboard::Cached)
        }
        Err(ApiError::NotSupported { .. }) => {
            tracing::info!(
                "the server has no dashboard endpoint; computing it from per-customer usage"
            );
            lock(cache)?.set_gap_unsupported(
                GapFeature::Dashboard,
                &FreshnessRecord::new(now, UNSUPPORTED_MAX_AGE),
            )?;
            Ok(ServerDashboard::NotSupported)
        }
        Err(e) => Err(e.into()),
    }
}

/// Where a fill is, after each customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FillProgress {
    pub done: usize,
    pub total: usize,
}

/// What a fill did.
#[derive(Debug, Default)]
pub struct FillReport {
    /// Customers that needed a fetch when it began.
    pub planned: usize,
    pub fetched: usize,
    /// Customers the server no longer has (the list sync removes them).
    pub gone: usize,
    pub failed: usize,
    /// Requests over the wire (the client's counter).
    pub requests: u64,
    pub cancelled: bool,
}

/// One customer's usage for the range: the G4 summary when the server has it (units and
/// session counts), else the documented usage rows summed (units only). `Ok(None)`: the
/// customer is gone on the server.
async fn fetch_one(
    client: &Client,
    cache: &Mutex<Cache>,
    customer_id: i64,
    span: &DateSpan,
    summary_missing: &mut bool,
    now: DateTime<Utc>,
) -> Result<Option<StoredUsage>, ApiError> {
    // The summary answered 404: missing for everyone, unless the customer itself is gone.
    let mut summary_answered_404 = false;
    if !*summary_missing {
        match client
            .customer_usage_summary(customer_id, &span.api())
            .await
        {
            Ok(s) => {
                return Ok(Some(StoredUsage {
                    customer_id,
                    seconds_used: seconds_from_units(
                        s.units_used,
                        Some(&s.unit),
                        Some(s.hours_processed),
                    ),
                    sessions: Some(s.sessions),
                    finished_sessions: Some(s.finished_sessions),
                    error_sessions: Some(s.error_sessions),
                    total_users: Some(s.total_users),
                    active_users: Some(s.active_users),
                    fetched_at: now,
                }))
            }
            // A gap route answers 404 for an unknown customer too: the documented route below
            // tells which (NotFound there: the customer is gone, the endpoint maybe not).
            Err(ApiError::NotSupported { .. }) => summary_answered_404 = true,
            Err(e) => return Err(e),
        }
    }
    let query = UsageQuery {
        view: Some(UsageView::Month),
        split_by: None,
        date_from: Some(span.from),
        date_to: Some(span.to),
        limit: Some(USAGE_PAGE_LIMIT),
        offset: None,
    };
    match client.customer_usage(customer_id, &query).await {
        Ok(page) => {
            if summary_answered_404 {
                *summary_missing = true;
                if let Ok(c) = cache.lock() {
                    if let Err(e) = c.set_gap_unsupported(
                        GapFeature::UsageSummary,
                        &FreshnessRecord::new(now, UNSUPPORTED_MAX_AGE),
                    ) {
                        tracing::warn!(error = %e, "the missing usage summary was not recorded");
                    }
                }
            }
            // Rows wholly outside the range are a server without the date extension: left out.
            let units: i64 = usage_rows(&page.items, span.from, span.to)
                .iter()
                .map(|r| r.units_used)
                .sum();
            Ok(Some(StoredUsage {
                customer_id,
                seconds_used: seconds_from_units(units, None, None),
                sessions: None,
                finished_sessions: None,
                error_sessions: None,
                total_users: None,
                active_users: None,
                fetched_at: now,
            }))
        }
        Err(ApiError::NotFound { .. } | ApiError::NotSupported { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Errors no later fetch would escape: returned, ending the fill.
fn stops(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Offline { .. }
            | ApiError::Unauthorized { .. }
            | ApiError::Forbidden { .. }
            | ApiError::RateLimited { .. }
    )
}

/// Fetches the usage for `span` of every server-known customer whose row is missing or stale,
/// in the background lane of `client`, caching each as it comes. `progress` is called after
/// every customer; `cancel` stops it between two (the user picked another range). Offline, a
/// refused token or exhausted rate-limit retries end it with the error; what was fetched stays.
pub async fn fill_usage(
    client: &Client,
    cache: &Mutex<Cache>,
    span: &DateSpan,
    cancel: &AtomicBool,
    mut progress: impl FnMut(FillProgress),
) -> Result<FillReport, SyncError> {
    let client = client.lane(Lane::Background);
    let started = Utc::now();
    let key = span.key();
    let (ids, mut summary_missing) = {
        let c = lock(cache)?;
        let stale_before = started - range_max_age(span, started.date_naive(), true);
        (
            store::customers_to_fetch(&c, &key, stale_before)?,
            known_missing(&c, GapFeature::UsageSummary, started)?,
        )
    };
    let sent_before = client.requests_sent();
    let mut report = FillReport {
        planned: ids.len(),
        ..FillReport::default()
    };
    let mut failures_in_a_row = 0;
    for (i, id) in ids.iter().copied().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            report.cancelled = true;
            break;
        }
        match fetch_one(&client, cache, id, span, &mut summary_missing, Utc::now()).await {
            Ok(Some(usage)) => {
                failures_in_a_row = 0;
                let c = lock(cache)?;
                // The customer may have been deleted meanwhile: then there is nothing to add.
                if c.get_customer(id)?.is_some() {
                    store::put_usage(&c, &key, &usage)?;
                    report.fetched += 1;
                }
            }
            Ok(None) => report.gone += 1,
            Err(e) if stops(&e) => return Err(e.into()),
            Err(e) => {
                tracing::warn!(customer_id = id, code = e.code(), error = %e, "dashboard usage not fetched; going on");
                report.failed += 1;
                failures_in_a_row += 1;
                if failures_in_a_row >= MAX_FAILURES_IN_A_ROW {
                    return Err(e.into());
                }
            }
        }
        progress(FillProgress {
            done: i + 1,
            total: ids.len(),
        });
    }
    report.requests = client.requests_sent().saturating_sub(sent_before);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn open_ranges_go_stale_sooner_than_closed_ones() {
        let today = d(2026, 3, 10);
        let open = DateSpan {
            from: d(2026, 3, 1),
            to: d(2026, 4, 1),
        };
        let closed = DateSpan {
            from: d(2026, 2, 1),
            to: d(2026, 3, 1),
        };
        assert_eq!(range_max_age(&open, today, false), Duration::minutes(15));
        assert_eq!(range_max_age(&open, today, true), Duration::hours(1));
        assert_eq!(range_max_age(&closed, today, true), Duration::hours(24));
    }
}
