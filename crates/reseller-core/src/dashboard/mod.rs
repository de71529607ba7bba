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
pub mod pending;
pub mod range;
pub mod refresher;
pub mod store;
pub mod table;
pub mod totals;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::cache::freshness::GapFeature;
use crate::cache::{Cache, CacheResult};
use crate::context::Context;
use crate::format::{Locale, UNKNOWN};
use crate::tabs::{AsOf, FreshnessState};
use crate::CoreError;

pub use alerts::{Alert, DEFAULT_THRESHOLD_PERCENT};
pub use fetch::{FillProgress, FillReport, ServerDashboard};
pub use pending::PendingTotals;
pub use range::{DateSpan, RangeRequest};
pub use store::RecentTranscription;
pub use table::{CustomerUsage, RowText, SortDir, SortKey, TopEntry};
pub use totals::{Totals, TotalsText};

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
    /// The range by name: "1 Dec – 31 Dec 2026".
    pub range_text: String,
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
    /// The period the alerts (and the table's "Used" column) compare, and what they lack.
    pub alerts_info: AlertsInfo,
    pub threshold: f64,
    /// Error rates above this (a fraction) are shown as high: the rule travels with the view.
    pub high_error_rate: f64,
    /// The server has no usage summary either: the table has hours but no session counts.
    pub sessions_unavailable: bool,
    /// Counts display-ready in the locale (`crate::format`): `coverage` ("412 of 10,000
    /// organisations"), the table's pager ("1–20 of 20"; "" for an empty table) and `threshold`.
    pub coverage_text: Option<String>,
    pub page_text: String,
    pub threshold_text: String,
}

/// The table's pager: "101–200 of 1,204" for `shown` rows from `offset`; "" for no rows.
fn page_text(locale: &Locale, offset: usize, shown: usize, count: usize) -> String {
    if count == 0 {
        return String::new();
    }
    locale.range_of(offset as u64 + 1, (offset + shown) as u64, count as u64)
}

/// A threshold percentage without its sign: "80", "1,000", "12.5" (one decimal when it has
/// one).
fn threshold_text(locale: &Locale, threshold: f64) -> String {
    let places = if threshold.fract() == 0.0 { 0 } else { 1 };
    locale.decimal(threshold, places)
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
                display: RowText::default(),
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
                    display: RowText::default(),
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
            duration_text: None,
            started_text: String::new(),
        })
        .collect()
}

/// The server's dashboard cached for `key`, when readable and the server has one.
fn cached_server_dashboard(
    cache: &Cache,
    key: &str,
    dashboard_missing: bool,
) -> CacheResult<Option<(scriptix_api::Dashboard, DateTime<Utc>)>> {
    if dashboard_missing {
        return Ok(None);
    }
    Ok(match cache.dashboard(key)? {
        Some((payload, at)) => match serde_json::from_value::<scriptix_api::Dashboard>(payload) {
            Ok(d) => Some((d, at)),
            Err(e) => {
                // Written by an older build in another shape: ask again rather than fail.
                tracing::warn!(error = %e, "cached dashboard unreadable; it will be fetched again");
                None
            }
        },
        None => None,
    })
}

/// Per-organisation usage in the current period (this month) as cached: from this month's
/// server dashboard when it has the per-customer table, else from the per-customer figures
/// cached for this month. `None`: nothing cached for this month yet.
fn period_rows(
    cache: &Cache,
    key: &str,
    today: NaiveDate,
    dashboard_missing: bool,
) -> CacheResult<Option<Vec<CustomerUsage>>> {
    if let Some(rows) =
        cached_server_dashboard(cache, key, dashboard_missing)?.and_then(|(d, _)| server_rows(&d))
    {
        return Ok(Some(rows));
    }
    let (rows, _) = computed_rows(cache, key, today)?;
    Ok((!rows.is_empty()).then_some(rows))
}

/// What the alerts section says about its data.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertsInfo {
    /// The period compared, both days included, and its name ("1 Dec – 31 Dec 2026").
    pub period_from: NaiveDate,
    pub period_last_day: NaiveDate,
    pub period_text: String,
    /// What the alerts cannot say (this month's figures not cached, or only some), in words;
    /// `None`: they cover every organisation.
    pub note: Option<String>,
}

fn row_text(r: &CustomerUsage, period_used: Option<i64>, l: &Locale) -> RowText {
    RowText {
        hours: l.hours(r.hours_processed),
        sessions: r.sessions.map_or_else(|| UNKNOWN.into(), |s| l.count(s)),
        error_rate: r
            .error_rate
            .map_or_else(|| UNKNOWN.into(), |e| l.fraction_percent(e)),
        available: r
            .available_seconds
            .map_or_else(|| UNKNOWN.into(), |a| l.hours_from_seconds(a)),
        used: period_used
            .and_then(|u| alerts::used_text(l, u, r.available_seconds))
            .unwrap_or_else(|| UNKNOWN.into()),
    }
}

fn totals_text(t: &Totals, l: &Locale) -> TotalsText {
    let opt = |v: Option<i64>| v.map_or_else(|| UNKNOWN.into(), |v| l.count(v));
    TotalsText {
        organizations: l.count(i64::try_from(t.organizations).unwrap_or(i64::MAX)),
        active_organizations: l.count(i64::try_from(t.active_organizations).unwrap_or(i64::MAX)),
        total_users: opt(t.total_users),
        hours: l.hours(t.hours_processed),
        sessions: opt(t.sessions),
        error_rate: t
            .error_rate
            .map_or_else(|| UNKNOWN.into(), |e| l.fraction_percent(e)),
        pending: t.pending.map(|p| {
            let n = p.changes;
            format!(
                "Includes {} {} not yet on Scriptix.",
                l.count(i64::try_from(n).unwrap_or(i64::MAX)),
                if n == 1 { "change" } else { "changes" }
            )
        }),
    }
}

/// Adds the user's changes the figures do not hold yet. `server_counts`: the organisation
/// counts are the server's (in computed mode they are the cache's, which already show them).
fn adjust_totals(totals: &mut Totals, changes: &[pending::Delta], server_counts: bool) {
    if changes.is_empty() {
        return;
    }
    let mut p = PendingTotals::default();
    for d in changes {
        let d = if server_counts {
            *d
        } else {
            pending::Delta {
                organizations: 0,
                active: 0,
                ..*d
            }
        };
        p.add(&d);
    }
    let shift = |v: u64, by: i64| u64::try_from((v as i64).saturating_add(by)).unwrap_or(0);
    totals.organizations = shift(totals.organizations, p.organizations);
    totals.active_organizations = shift(totals.active_organizations, p.active);
    if p.users != 0 {
        totals.total_users = totals.total_users.map(|u| u.saturating_add(p.users).max(0));
    }
    totals.pending = Some(p);
}

/// The dashboard as the cache has it at `now`. Pure reading: no request is made. `carried`:
/// changes the server confirmed whose effect the cached totals may not hold yet (see
/// `pending::Carried`); those fetched before `now` are added, marked pending.
pub fn read_view(
    cache: &Cache,
    req: &DashboardRequest,
    threshold: f64,
    now: DateTime<Utc>,
) -> Result<DashboardView, CoreError> {
    read_view_with(cache, req, threshold, now, &[], Locale::system())
}

/// [`read_view`] with the carried changes and the locale given.
pub fn read_view_with(
    cache: &Cache,
    req: &DashboardRequest,
    threshold: f64,
    now: DateTime<Utc>,
    carried: &[pending::Delta],
    locale: &Locale,
) -> Result<DashboardView, CoreError> {
    let today = now.date_naive();
    let span = req.range.resolve(today)?;
    let key = span.key();
    let dashboard_missing = fetch::known_missing(cache, GapFeature::Dashboard, now)?;
    let sessions_unavailable = fetch::known_missing(cache, GapFeature::UsageSummary, now)?;
    let server = cached_server_dashboard(cache, &key, dashboard_missing)?;
    let mut changes: Vec<pending::Delta> = pending::unfinished(cache)?.into_values().collect();
    changes.extend_from_slice(carried);
    let (source, as_of, mut rows, coverage, mut totals, mut recent) = match server {
        Some((d, at)) => {
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
            let mut totals = Totals {
                organizations: u64::try_from(d.total_organizations).unwrap_or(0),
                active_organizations: u64::try_from(d.active_organizations).unwrap_or(0),
                total_users: Some(d.total_users),
                seconds_used: seconds,
                hours_processed: table::hours(seconds),
                sessions: Some(d.sessions),
                finished_sessions: Some(d.finished_sessions),
                error_rate: Some(d.error_rate),
                pending: None,
                display: TotalsText::default(),
            };
            adjust_totals(&mut totals, &changes, true);
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
        None => {
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
            let mut totals = totals::compute(counts.total, counts.active, &rows);
            adjust_totals(&mut totals, &changes, false);
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
    totals.display = totals_text(&totals, locale);

    // Alerts and the "Used" column: this month's usage against the allowance, whatever range.
    let (period_from, period_last_day) = alerts::current_period(today);
    let period_key = RangeRequest::ThisMonth.resolve(today)?.key();
    let period = if period_key == key {
        (!rows.is_empty()).then(|| rows.clone())
    } else {
        period_rows(cache, &period_key, today, dashboard_missing)?
    };
    let period_used: HashMap<i64, i64> = period
        .iter()
        .flatten()
        .map(|r| (r.customer_id, r.seconds_used))
        .collect();
    for r in &mut rows {
        let used = period_used.get(&r.customer_id).copied();
        r.used_percent = used.and_then(|u| alerts::used_percent(u, r.available_seconds));
        r.display = row_text(r, used, locale);
    }
    let period_usage: Vec<alerts::PeriodUsage> = period
        .iter()
        .flatten()
        .map(|r| alerts::PeriodUsage {
            customer_id: r.customer_id,
            name: r.name.clone(),
            seconds_used: r.seconds_used,
            allowance_seconds: r.available_seconds,
        })
        .collect();
    let period_text = locale.date_range(period_from, period_last_day);
    let known = period_used.len() as u64;
    let all = store::server_customer_count(cache)?;
    let note = if period.is_none() {
        Some(format!(
            "Usage in {period_text} is not saved on this computer yet, so no alert can be worked out; it loads with this month's dashboard."
        ))
    } else if known < all {
        Some(format!(
            "From the {} of {} organisations whose usage in {period_text} is saved on this computer.",
            locale.count(i64::try_from(known).unwrap_or(i64::MAX)),
            locale.count(i64::try_from(all).unwrap_or(i64::MAX)),
        ))
    } else {
        None
    };
    let alerts_info = AlertsInfo {
        period_from,
        period_last_day,
        period_text,
        note,
    };

    for r in &mut recent {
        r.duration_text = r
            .duration
            .filter(|d| d.is_finite())
            .map(|d| format!("{} min", locale.count((d / 60.0).round() as i64)));
        r.started_text = locale.date_time(r.date_session_start);
    }

    table::sort_rows(&mut rows, req.sort, req.direction);
    let top = table::top_by_hours(&rows, TOP_N);
    let alerts = alerts::alerts(
        &period_usage,
        threshold,
        (period_from, period_last_day),
        locale,
    );
    let customer_count = rows.len();
    let offset = req.offset.min(customer_count);
    let end = offset.saturating_add(req.limit.max(1)).min(customer_count);
    rows.truncate(end);
    rows.drain(..offset);
    Ok(DashboardView {
        coverage_text: coverage.map(|c| format!("{} organisations", locale.of(c.covered, c.total))),
        page_text: page_text(locale, offset, rows.len(), customer_count),
        threshold_text: threshold_text(locale, threshold),
        range_text: locale.date_range(span.from, span.last_day()),
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
        alerts_info,
        threshold,
        high_error_rate: HIGH_ERROR_RATE,
        sessions_unavailable,
    })
}

/// The CSV header of an export; one line per table row follows, in the table's order. Each
/// figure's header names its unit.
pub const CSV_HEADER: [&str; 11] = [
    "Organisation",
    "Organisation ID",
    "Active",
    "Hours processed (h)",
    "Audio processed (s)",
    "Sessions",
    "Finished sessions",
    "Failed sessions",
    "Error rate (%)",
    "Allowance of current subscriptions (s)",
    "Used in the current period (% of allowance)",
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

impl Context {
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
        self.dashboard_view(&req, threshold)
    }

    fn dashboard_view(
        &self,
        req: &DashboardRequest,
        threshold: f64,
    ) -> Result<DashboardView, CoreError> {
        let cache = self.read()?;
        read_view(&cache, req, threshold, Utc::now())
    }

    /// [`Context::dashboard`] with the changes confirmed since the last look kept in the
    /// totals until figures fetched after them are cached (`carried` sees the outbox at each
    /// read). Also says whether the figures must be fetched again (a change went, or one is
    /// still carried).
    pub fn dashboard_following(
        &self,
        req: &DashboardRequest,
        threshold: f64,
        carried: &mut pending::Carried,
    ) -> Result<(DashboardView, bool), CoreError> {
        let req = DashboardRequest {
            limit: req.limit.min(MAX_LIMIT),
            ..req.clone()
        };
        let now = Utc::now();
        let key = req.range.resolve(now.date_naive())?.key();
        let (went, view) = {
            let cache = self.read()?;
            let went = carried.observe(
                &pending::unfinished(&cache)?,
                pending::last_issued(&cache)?,
                now,
            );
            let missing = fetch::known_missing(&cache, GapFeature::Dashboard, now)?;
            let still = match cached_server_dashboard(&cache, &key, missing)? {
                // The server's totals: everything was fetched at once.
                Some((_, at)) => carried.still_carried(|_| Some(at)),
                None => {
                    // Computed: organisations are counted from the cache (already right);
                    // users from each organisation's figures, fetched one at a time.
                    let fetched: HashMap<i64, DateTime<Utc>> = store::usage_rows(&cache, &key)?
                        .into_iter()
                        .map(|r| (r.usage.customer_id, r.usage.fetched_at))
                        .collect();
                    carried.still_carried(|d| {
                        // Organisation counts are the cache's; a change not known (made and
                        // finished unseen) cannot be followed per organisation.
                        if d.users == 0 {
                            Some(now + Duration::seconds(1))
                        } else {
                            fetched.get(&d.customer_id).copied()
                        }
                    })
                }
            };
            let view = read_view_with(&cache, &req, threshold, now, &still, Locale::system())?;
            (went, view)
        };
        if went {
            // Their figures are fetched again (the per-customer ones only when stale).
            let ids = carried.customers_with_user_changes();
            if !ids.is_empty() {
                store::mark_stale(&*self.write()?, &ids)?;
            }
        }
        Ok((view, went || carried.pending_fetch()))
    }

    /// Writes the table exactly as `dashboard(req)` shows it (every row of every page, in its order) to
    /// `path` as CSV; returns the rows written.
    pub fn export_dashboard_csv(
        &self,
        req: &DashboardRequest,
        threshold: f64,
        path: &Path,
    ) -> Result<usize, CoreError> {
        let view = self.dashboard_view(&req.everything(), threshold)?;
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
        refresh_range(self, range, cancel, false, progress).await
    }
}

/// [`Context::refresh_dashboard`] as a function, for the background job.
pub(crate) async fn refresh_range(
    ctx: &Context,
    range: &RangeRequest,
    cancel: &AtomicBool,
    force: bool,
    progress: impl FnMut(FillProgress),
) -> Result<DashboardRefresh, CoreError> {
    let now = Utc::now();
    let span = range.resolve(now.date_naive())?;
    let client = ctx.client().clone();
    let cache = ctx.cache_handle();
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
        // Forced ("Sync now", or the user's change confirmed): the server's dashboard is one
        // request, asked again whatever its age.
        let fresh = !force
            && cached.as_ref().is_some_and(|(_, at)| {
                freshness_of(Some(*at), max_age, now) == FreshnessState::Fresh
            });
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

fn sync_error(e: crate::remote::SyncError) -> CoreError {
    match e {
        crate::remote::SyncError::Api(e) => CoreError::Api(e),
        crate::remote::SyncError::Cache(e) => CoreError::Cache(e),
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

    #[test]
    fn the_pager_and_threshold_group_in_the_locale() {
        let en = Locale::from_tag("en-GB");
        let nl = Locale::from_tag("nl-NL");
        assert_eq!(page_text(&en, 0, 20, 20), "1–20 of 20");
        assert_eq!(page_text(&en, 0, 0, 0), "");
        assert_eq!(page_text(&en, 1000, 100, 1204), "1,001–1,100 of 1,204");
        assert_eq!(page_text(&nl, 1000, 100, 1204), "1.001–1.100 of 1.204");
        assert_eq!(threshold_text(&en, 80.0), "80");
        assert_eq!(threshold_text(&en, 1000.0), "1,000");
        assert_eq!(threshold_text(&nl, 1000.0), "1.000");
        assert_eq!(threshold_text(&nl, 12.5), "12,5");
    }

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

    /// A cache holding the server's dashboard for `key`: 10 organisations (8 active), 40
    /// users, and one customer row with 34.9 h against 2.8 h available.
    fn server_cache(key: &str, now: DateTime<Utc>) -> Cache {
        let cache = Cache::open_in_memory().unwrap();
        let payload = serde_json::json!({
            "total_organizations": 10, "active_organizations": 8, "total_users": 40,
            "units_used": 125_640, "hours_processed": 34.9, "sessions": 5,
            "finished_sessions": 5, "error_rate": 0.0,
            "customers": [{"customer_id": 7, "customer_name": "Acme", "units_used": 125_640,
                "hours_processed": 34.9, "sessions": 5, "finished_sessions": 5,
                "error_sessions": 0, "error_rate": 0.0, "available_units": 10_080.0}]
        });
        cache.set_dashboard(key, &payload, now).unwrap();
        cache
    }

    fn push(
        cache: &Cache,
        entity: crate::cache::OutboxEntity,
        id: i64,
        payload: serde_json::Value,
    ) {
        let kind = match payload.get("op").and_then(|o| o.as_str()) {
            Some("delete") => crate::cache::OutboxKind::Delete,
            _ => crate::cache::OutboxKind::Create,
        };
        cache
            .push_outbox(&crate::cache::NewOutboxOp {
                entity,
                entity_id: id,
                kind,
                payload,
                base_last_modified: None,
                created_at: Utc::now(),
            })
            .unwrap();
    }

    #[test]
    fn the_users_own_changes_move_the_server_totals_at_once_marked_pending() {
        let now = Utc::now();
        let key = RangeRequest::ThisMonth
            .resolve(now.date_naive())
            .unwrap()
            .key();
        let cache = server_cache(&key, now);
        let req = DashboardRequest {
            range: RangeRequest::ThisMonth,
            sort: SortKey::Hours,
            direction: SortDir::Desc,
            offset: 0,
            limit: 100,
        };
        let gb = Locale::from_tag("en-GB");
        let view = read_view_with(&cache, &req, 80.0, now, &[], &gb).unwrap();
        assert_eq!(view.totals.total_users, Some(40));
        assert_eq!(view.totals.pending, None);
        assert_eq!(view.totals.display.pending, None);

        let user = serde_json::json!({"op": "create", "fields": {"email": "n@example.com",
            "first_name": null, "last_name": null, "roles": []}});
        push(&cache, crate::cache::OutboxEntity::User, 7, user);
        let org = crate::customers::CustomerChange::Create {
            fields: crate::customers::CustomerFields {
                name: "New".into(),
                email: "new@example.com".into(),
                phone: None,
                is_active: true,
            },
        };
        push(
            &cache,
            crate::cache::OutboxEntity::Customer,
            -1,
            org.to_json(),
        );
        let view = read_view_with(&cache, &req, 80.0, now, &[], &gb).unwrap();
        assert_eq!(view.totals.total_users, Some(41));
        assert_eq!(view.totals.organizations, 11);
        assert_eq!(view.totals.active_organizations, 9);
        assert_eq!(view.totals.display.total_users, "41");
        assert_eq!(view.totals.pending.map(|p| p.changes), Some(2));
        assert_eq!(
            view.totals.display.pending.as_deref(),
            Some("Includes 2 changes not yet on Scriptix.")
        );

        // Confirmed but not in the fetched totals yet: carried, still marked.
        let carried = [pending::Delta {
            users: 1,
            customer_id: 7,
            ..pending::Delta::default()
        }];
        let bare = Cache::open_in_memory().unwrap();
        bare.set_dashboard(&key, &cache.dashboard(&key).unwrap().unwrap().0, now)
            .unwrap();
        let view = read_view_with(&bare, &req, 80.0, now, &carried, &gb).unwrap();
        assert_eq!(view.totals.total_users, Some(41));
        assert_eq!(view.totals.pending.map(|p| p.users), Some(1));
    }

    #[test]
    fn alerts_compare_this_months_usage_whatever_the_range() {
        let now = Utc::now();
        let today = now.date_naive();
        let month = RangeRequest::ThisMonth.resolve(today).unwrap().key();
        let cache = server_cache(&month, now);
        let gb = Locale::from_tag("en-GB");
        let (first, last) = alerts::current_period(today);
        // Another range on screen, with nothing cached for it: the alerts still come from
        // this month's figures, named by their period.
        let req = DashboardRequest {
            range: RangeRequest::ThisYear,
            sort: SortKey::Hours,
            direction: SortDir::Desc,
            offset: 0,
            limit: 100,
        };
        let view = read_view_with(&cache, &req, 80.0, now, &[], &gb).unwrap();
        assert_eq!(view.alerts.len(), 1);
        let a = &view.alerts[0];
        assert_eq!(a.period_text, gb.date_range(first, last));
        assert_eq!(view.alerts_info.period_text, a.period_text);
        assert_eq!(a.figure_text.replace('\u{a0}', " "), "over by 32.1 h");
        assert_eq!(a.usage_text.replace('\u{a0}', " "), "34.9 h used of 2.8 h");
        // This month's table shows the same in its "Used" column.
        let req = DashboardRequest {
            range: RangeRequest::ThisMonth,
            ..req
        };
        let view = read_view_with(&cache, &req, 80.0, now, &[], &gb).unwrap();
        assert_eq!(
            view.customers[0].display.used.replace('\u{a0}', " "),
            "over by 32.1 h"
        );
        assert_eq!(
            view.customers[0].display.hours.replace('\u{a0}', " "),
            "34.9 h"
        );

        // Nothing cached for this month: no alert, and the screen says why.
        let empty = Cache::open_in_memory().unwrap();
        let view = read_view_with(&empty, &req, 80.0, now, &[], &gb).unwrap();
        assert!(view.alerts.is_empty());
        assert!(view
            .alerts_info
            .note
            .unwrap()
            .contains("not saved on this computer"));
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
