//! The reseller dashboard: totals for a date range, usage per customer (sortable, exported as
//! CSV), a top-10 ranking, recent transcriptions across customers and allowance alerts.
//!
//! Reads are local, as everywhere: `Workspace::dashboard` builds the screen from the cache
//! only. Where the numbers come from:
//! - **server**: the server's dashboard (G8) cached for the range. Its per-customer extension,
//!   when sent, fills the table; without it the table is computed as below.
//! - **computed**: the server has no dashboard (404/405, recorded as a missing gap). Totals
//!   come from the cached customer list (counts) plus each customer's usage for the range,
//!   fetched one customer at a time in the background lane (`fetch::fill_usage`) and cached
//!   per (customer, range); the screen says from how many organisations so far.
//!
//! `Workspace::refresh_dashboard` does the fetching; `refresher` runs it in the background, one
//! job per workspace, and announces progress on the engine's change stream (the shell forwards
//! it to the window, which re-reads).
//!
//! The alert threshold is a local setting (`crate::settings`, behind the shell's store), not
//! server data, so it does not go through the outbox; nothing else here is written by the user.

pub mod alerts;
pub mod fetch;
pub mod range;
pub mod refresher;
pub mod store;
pub mod table;
pub mod totals;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::cache::freshness::GapFeature;
use crate::cache::{Cache, CacheResult};
use crate::sync::SyncEngine;
use crate::tabs::{AsOf, FreshnessState};
use crate::workspace::Workspace;
use crate::CoreError;

pub use alerts::{Alert, DEFAULT_THRESHOLD_PERCENT};
pub use fetch::{FillProgress, FillReport, ServerDashboard};
pub use range::{DateSpan, RangeRequest};
pub use refresher::{DashboardScreen, RefreshError, RefreshStatus, RefreshTiming};
pub use store::RecentTranscription;
pub use table::{CustomerUsage, SortDir, SortKey, TopEntry};
pub use totals::Totals;

/// Bars in the top chart.
pub const TOP_N: usize = 10;
/// Transcriptions in the "recent" list.
pub const RECENT_N: usize = 10;

/// What the screen asks for.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardRequest {
    pub range: RangeRequest,
    #[serde(default)]
    pub sort: SortKey,
    #[serde(default)]
    pub direction: SortDir,
    /// The table's window: rows `offset..offset + limit` of the sorted table (10 000 rows
    /// would be megabytes over IPC on every re-read; the screen pages them).
    #[serde(default)]
    pub offset: usize,
    #[serde(default = "default_limit")]
    pub limit: usize,
}

/// Rows of the table a screen gets at once unless it asks otherwise.
pub const DEFAULT_LIMIT: usize = 100;
/// The most rows one read returns.
pub const MAX_LIMIT: usize = 1000;

fn default_limit() -> usize {
    DEFAULT_LIMIT
}

impl DashboardRequest {
    /// The whole table (for the export): same range and order, every row.
    fn everything(&self) -> DashboardRequest {
        DashboardRequest {
            offset: 0,
            limit: usize::MAX,
            ..self.clone()
        }
    }
}

/// Where the numbers on screen come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The server's dashboard endpoint.
    Server,
    /// Computed here from cached customers and per-customer usage (no dashboard endpoint).
    Computed,
    /// Nothing cached for the range yet, and the server not asked yet.
    Pending,
}

/// How much of the computed dashboard is in: "computed from 412 of 10 000 organisations".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    pub covered: u64,
    pub total: u64,
}

/// Error rates above this fraction are highlighted (the usage guide's 5 %).
pub const HIGH_ERROR_RATE: f64 = 0.05;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardView {
    pub range: DateSpan,
    pub source: Source,
    pub as_of: AsOf,
    /// Set when the table (and, in computed mode, the totals) come from per-customer usage.
    pub coverage: Option<Coverage>,
    pub totals: Totals,
    /// The window of rows asked for (`offset`, `limit`), in the order asked for.
    pub customers: Vec<CustomerUsage>,
    /// Rows the whole table has.
    pub customer_count: usize,
    pub offset: usize,
    pub top: Vec<TopEntry>,
    pub recent: Vec<RecentTranscription>,
    pub alerts: Vec<Alert>,
    pub threshold: f64,
    /// Error rates above this (a fraction) are shown as high: the rule travels with the view.
    pub high_error_rate: f64,
    /// The server has no usage summary either: the table has hours but no session counts.
    pub sessions_unavailable: bool,
}

fn freshness_of(
    fetched_at: Option<DateTime<Utc>>,
    max_age: Duration,
    now: DateTime<Utc>,
) -> FreshnessState {
    match fetched_at {
        None => FreshnessState::Missing,
        Some(t) if now < t || now - t >= max_age => FreshnessState::Stale,
        Some(_) => FreshnessState::Fresh,
    }
}

fn with_allowance(mut row: CustomerUsage, available: Option<f64>) -> CustomerUsage {
    row.available_seconds = available.map(|a| a * table::AVAILABLE_UNIT_SECONDS);
    row.used_percent = table::used_percent(row.seconds_used, row.available_seconds);
    row
}

/// The table computed from per-customer usage cached for the range, allowances from the
/// cached subscriptions current on `today`.
fn computed_rows(
    cache: &Cache,
    key: &str,
    today: NaiveDate,
) -> CacheResult<(Vec<CustomerUsage>, Option<DateTime<Utc>>)> {
    let available = store::available_units(cache, today)?;
    let stored = store::usage_rows(cache, key)?;
    let oldest = stored.iter().map(|r| r.usage.fetched_at).min();
    let rows = stored
        .into_iter()
        .map(|r| {
            let u = r.usage;
            let row = CustomerUsage {
                customer_id: u.customer_id,
                name: r.name,
                is_active: r.is_active,
                seconds_used: u.seconds_used,
                hours_processed: table::hours(u.seconds_used),
                sessions: u.sessions,
                finished_sessions: u.finished_sessions,
                error_sessions: u.error_sessions,
                error_rate: u
                    .sessions
                    .map(|s| totals::ratio(u.error_sessions.unwrap_or(0), s)),
                total_users: u.total_users,
                available_seconds: None,
                used_percent: None,
            };
            with_allowance(row, available.get(&u.customer_id).copied())
        })
        .collect();
    Ok((rows, oldest))
}

/// The table from the server dashboard's per-customer extension.
fn server_rows(d: &scriptix_api::Dashboard) -> Option<Vec<CustomerUsage>> {
    let rows = d.customers.as_ref()?;
    Some(
        rows.iter()
            .map(|c| {
                let seconds =
                    table::seconds_from_units(c.units_used, None, Some(c.hours_processed));
                let row = CustomerUsage {
                    customer_id: c.customer_id,
                    name: c.customer_name.clone(),
                    is_active: c.is_active,
                    seconds_used: seconds,
                    hours_processed: table::hours(seconds),
                    sessions: Some(c.sessions),
                    finished_sessions: Some(c.finished_sessions),
                    error_sessions: Some(c.error_sessions),
                    error_rate: Some(c.error_rate),
                    total_users: None,
                    available_seconds: None,
                    used_percent: None,
                };
                with_allowance(row, c.available_units)
            })
            .collect(),
    )
}

fn server_recent(d: &scriptix_api::Dashboard) -> Vec<RecentTranscription> {
    d.recent_transcriptions
        .iter()
        .take(RECENT_N)
        .map(|r| RecentTranscription {
            customer_id: r.customer_id,
            customer_name: r.customer_name.clone(),
            session_id: r.session_id.clone(),
            filename: r.filename.clone(),
            status: r.status.code(),
            status_label: r.status.label(),
            duration: r.duration,
            date_session_start: r.date_session_start,
        })
        .collect()
}

/// The dashboard as the cache has it at `now`. Pure reading: no request is made.
pub fn read_view(
    cache: &Cache,
    req: &DashboardRequest,
    threshold: f64,
    now: DateTime<Utc>,
) -> Result<DashboardView, CoreError> {
    let today = now.date_naive();
    let span = req.range.resolve(today)?;
    let key = span.key();
    let dashboard_missing = fetch::known_missing(cache, GapFeature::Dashboard, now)?;
    let sessions_unavailable = fetch::known_missing(cache, GapFeature::UsageSummary, now)?;
    let server = match cache.dashboard(&key)? {
        Some((payload, at)) => match serde_json::from_value::<scriptix_api::Dashboard>(payload) {
            Ok(d) => Some((d, at)),
            Err(e) => {
                // Written by an older build in another shape: ask again rather than fail.
                tracing::warn!(error = %e, "cached dashboard unreadable; it will be fetched again");
                None
            }
        },
        None => None,
    };
    let (source, as_of, mut rows, coverage, totals, recent) = match server {
        Some((d, at)) if !dashboard_missing => {
            let (rows, coverage) = match server_rows(&d) {
                Some(rows) => (rows, None),
                None => {
                    let (rows, _) = computed_rows(cache, &key, today)?;
                    let total = store::server_customer_count(cache)?;
                    let covered = rows.len() as u64;
                    (rows, Some(Coverage { covered, total }))
                }
            };
            let seconds = table::seconds_from_units(d.units_used, None, Some(d.hours_processed));
            let totals = Totals {
                organizations: u64::try_from(d.total_organizations).unwrap_or(0),
                active_organizations: u64::try_from(d.active_organizations).unwrap_or(0),
                total_users: Some(d.total_users),
                seconds_used: seconds,
                hours_processed: table::hours(seconds),
                sessions: Some(d.sessions),
                finished_sessions: Some(d.finished_sessions),
                error_rate: Some(d.error_rate),
            };
            let as_of = AsOf {
                fetched_at: Some(at),
                state: freshness_of(Some(at), fetch::range_max_age(&span, today, false), now),
                unsupported: false,
            };
            (
                Source::Server,
                as_of,
                rows,
                coverage,
                totals,
                server_recent(&d),
            )
        }
        _ => {
            let (rows, oldest) = computed_rows(cache, &key, today)?;
            let counts = cache.customer_counts()?;
            let total = store::server_customer_count(cache)?;
            let coverage = Coverage {
                covered: rows.len() as u64,
                total,
            };
            let mut state = freshness_of(oldest, fetch::range_max_age(&span, today, true), now);
            if state == FreshnessState::Fresh && coverage.covered < coverage.total {
                state = FreshnessState::Stale;
            }
            let totals = totals::compute(counts.total, counts.active, &rows);
            let recent = store::recent_transcriptions(cache, span.from, span.to, RECENT_N)?;
            let source = if dashboard_missing {
                Source::Computed
            } else {
                Source::Pending
            };
            let as_of = AsOf {
                fetched_at: oldest,
                state,
                unsupported: dashboard_missing,
            };
            (source, as_of, rows, Some(coverage), totals, recent)
        }
    };
    table::sort_rows(&mut rows, req.sort, req.direction);
    let top = table::top_by_hours(&rows, TOP_N);
    let alerts = alerts::alerts(&rows, threshold);
    let customer_count = rows.len();
    let offset = req.offset.min(customer_count);
    let end = offset.saturating_add(req.limit.max(1)).min(customer_count);
    rows.truncate(end);
    rows.drain(..offset);
    Ok(DashboardView {
        range: span,
        source,
        as_of,
        coverage,
        totals,
        customers: rows,
        customer_count,
        offset,
        top,
        recent,
        alerts,
        threshold,
        high_error_rate: HIGH_ERROR_RATE,
        sessions_unavailable,
    })
}

/// The CSV header of an export; one line per table row follows, in the table's order.
pub const CSV_HEADER: [&str; 11] = [
    "Organisation",
    "Organisation ID",
    "Active",
    "Hours processed",
    "Seconds processed",
    "Sessions",
    "Finished sessions",
    "Failed sessions",
    "Error rate (%)",
    "Available units (seconds)",
    "Used of available (%)",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A table row as CSV fields (plain numbers, no locale: spreadsheets parse them).
pub fn csv_row(r: &CustomerUsage) -> Vec<String> {
    vec![
        r.name.clone(),
        r.customer_id.to_string(),
        if r.is_active { "yes" } else { "no" }.into(),
        format!("{:.2}", r.hours_processed),
        r.seconds_used.to_string(),
        opt(r.sessions),
        opt(r.finished_sessions),
        opt(r.error_sessions),
        opt(r.error_rate.map(|e| format!("{:.2}", e * 100.0))),
        opt(r.available_seconds.map(|a| format!("{a:.0}"))),
        opt(r.used_percent.map(|p| format!("{p:.1}"))),
    ]
}

/// The file name an export suggests: "scriptix-usage-2026-11-01_to_2026-12-01.csv".
pub fn export_file_name(range: &RangeRequest) -> Result<String, CoreError> {
    let span = range.resolve(Utc::now().date_naive())?;
    Ok(format!(
        "scriptix-usage-{}.csv",
        span.key().replace("..", "_to_")
    ))
}

/// What a refresh did, for the shell's logs and the tests.
#[derive(Debug)]
pub enum DashboardRefresh {
    /// The cached dashboard was fresh: nothing fetched.
    Fresh,
    /// The server's dashboard was fetched (with its per-customer table).
    Server,
    /// Computed: per-customer usage was fetched (see the report).
    Computed(FillReport),
}

impl Workspace {
    /// The dashboard for a range, from the cache (works offline); at most `MAX_LIMIT` rows of
    /// the table.
    pub fn dashboard(
        &self,
        req: &DashboardRequest,
        threshold: f64,
    ) -> Result<DashboardView, CoreError> {
        let req = DashboardRequest {
            limit: req.limit.min(MAX_LIMIT),
            ..req.clone()
        };
        self.read(&req, threshold)
    }

    fn read(&self, req: &DashboardRequest, threshold: f64) -> Result<DashboardView, CoreError> {
        let cache = self.cache()?;
        read_view(&cache, req, threshold, Utc::now())
    }

    /// Writes the table exactly as `dashboard(req)` shows it (every row of every page, in its order) to
    /// `path` as CSV; returns the rows written.
    pub fn export_dashboard_csv(
        &self,
        req: &DashboardRequest,
        threshold: f64,
        path: &Path,
    ) -> Result<usize, CoreError> {
        let view = self.read(&req.everything(), threshold)?;
        Ok(crate::export::write_csv(
            path,
            &CSV_HEADER,
            view.customers.iter().map(csv_row),
        )?)
    }

    /// Brings the range's dashboard up to date: the server's dashboard when it has one (one
    /// request, interactive lane) unless fresh; otherwise, or when it lacks the per-customer
    /// table, the missing or stale customers' usage in the background lane, `progress` told
    /// after each. `cancel` stops it between two customers.
    pub async fn refresh_dashboard(
        &self,
        range: &RangeRequest,
        cancel: &AtomicBool,
        progress: impl FnMut(FillProgress),
    ) -> Result<DashboardRefresh, CoreError> {
        refresh_range(&self.engine, range, cancel, progress).await
    }
}

/// [`Workspace::refresh_dashboard`] over the engine's client and cache only, so a background
/// job needs no handle on the workspace that owns it.
pub(crate) async fn refresh_range(
    engine: &SyncEngine,
    range: &RangeRequest,
    cancel: &AtomicBool,
    progress: impl FnMut(FillProgress),
) -> Result<DashboardRefresh, CoreError> {
    let now = Utc::now();
    let span = range.resolve(now.date_naive())?;
    let client = engine.client().clone();
    let cache = engine.cache();
    let lock = || {
        cache.lock().map_err(|_| CoreError::Busy {
            message: "The local cache stopped after an internal error; restart the app.".into(),
        })
    };
    let (dashboard_missing, cached) = {
        let cache = lock()?;
        (
            fetch::known_missing(&cache, GapFeature::Dashboard, now)?,
            cache.dashboard(&span.key())?,
        )
    };
    if !dashboard_missing {
        let max_age = fetch::range_max_age(&span, now.date_naive(), false);
        let fresh = cached
            .as_ref()
            .is_some_and(|(_, at)| freshness_of(Some(*at), max_age, now) == FreshnessState::Fresh);
        let has_table =
            |payload: &serde_json::Value| payload.get("customers").is_some_and(|c| c.is_array());
        if fresh && cached.as_ref().is_some_and(|(p, _)| has_table(p)) {
            return Ok(DashboardRefresh::Fresh);
        }
        if !fresh {
            let answer = fetch::fetch_server_dashboard(&client, cache, &span, now)
                .await
                .map_err(sync_error)?;
            if answer == ServerDashboard::Cached
                && lock()?
                    .dashboard(&span.key())?
                    .is_some_and(|(p, _)| has_table(&p))
            {
                return Ok(DashboardRefresh::Server);
            }
        }
    }
    let report = fetch::fill_usage(&client, cache, &span, cancel, progress)
        .await
        .map_err(sync_error)?;
    Ok(DashboardRefresh::Computed(report))
}

fn sync_error(e: crate::sync::SyncError) -> CoreError {
    match e {
        crate::sync::SyncError::Api(e) => CoreError::Api(e),
        crate::sync::SyncError::Cache(e) => CoreError::Cache(e),
        other => CoreError::Busy {
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{CustomerRow, SyncState};
    use chrono::TimeZone;
    use store::{put_usage, StoredUsage};

    /// A cache with `n` organisations whose computed usage for this month is cached, the
    /// dashboard endpoint recorded as missing.
    fn computed_cache(n: i64, now: DateTime<Utc>) -> Cache {
        let cache = Cache::open_in_memory().unwrap();
        let t = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let rows: Vec<CustomerRow> = (1..=n)
            .map(|id| CustomerRow {
                id,
                name: format!("Org {id:03}"),
                email: format!("o{id}@example.com"),
                phone: None,
                is_active: id % 3 != 0,
                registration_date: t,
                last_modified: t,
                sync_state: SyncState::Synced,
            })
            .collect();
        cache.upsert_customers(&rows).unwrap();
        let key = RangeRequest::ThisMonth
            .resolve(now.date_naive())
            .unwrap()
            .key();
        for id in 1..=n {
            let usage = StoredUsage {
                customer_id: id,
                seconds_used: id * 3600,
                sessions: Some(10),
                finished_sessions: Some(9),
                error_sessions: Some(1),
                total_users: Some(2),
                active_users: Some(1),
                fetched_at: now,
            };
            put_usage(&cache, &key, &usage).unwrap();
        }
        cache
            .set_gap_unsupported(
                GapFeature::Dashboard,
                &crate::cache::FreshnessRecord::new(now, Duration::hours(6)),
            )
            .unwrap();
        cache
    }

    #[test]
    fn a_computed_view_pages_the_table_but_counts_everything() {
        let now = Utc::now();
        let cache = computed_cache(250, now);
        let req = DashboardRequest {
            range: RangeRequest::ThisMonth,
            sort: SortKey::Hours,
            direction: SortDir::Desc,
            offset: 100,
            limit: 100,
        };
        let view = read_view(&cache, &req, 80.0, now).unwrap();
        assert_eq!(view.source, Source::Computed);
        assert!(view.as_of.unsupported);
        assert_eq!(
            view.coverage,
            Some(Coverage {
                covered: 250,
                total: 250
            })
        );
        assert_eq!(view.customer_count, 250);
        assert_eq!(view.offset, 100);
        assert_eq!(view.customers.len(), 100);
        // Most hours first: rows 101..200 of the sorted table are ids 150 down to 51.
        assert_eq!(view.customers[0].customer_id, 150);
        assert_eq!(view.customers[99].customer_id, 51);
        // Totals and the chart are over every row, not the page.
        assert_eq!(view.totals.organizations, 250);
        assert_eq!(view.totals.active_organizations, 250 - 83);
        assert_eq!(view.totals.seconds_used, (1..=250).sum::<i64>() * 3600);
        assert_eq!(view.totals.total_users, Some(500));
        assert_eq!(view.top[0].customer_id, 250);
        // Past the end: an empty page, the count still right.
        let past = DashboardRequest { offset: 400, ..req };
        let view = read_view(&cache, &past, 80.0, now).unwrap();
        assert!(view.customers.is_empty());
        assert_eq!(view.customer_count, 250);
    }

    #[test]
    fn csv_rows_keep_units_explicit() {
        let mut r = table::tests::row(7, "Acme, \"B.V.\"", 5400);
        r.available_seconds = Some(7200.0);
        r.used_percent = Some(75.0);
        let row = csv_row(&r);
        assert_eq!(row.len(), CSV_HEADER.len());
        assert_eq!(row[0], "Acme, \"B.V.\"");
        assert_eq!(row[3], "1.50");
        assert_eq!(row[4], "5400");
        assert_eq!(row[9], "7200");
        assert_eq!(row[10], "75.0");
    }
}
