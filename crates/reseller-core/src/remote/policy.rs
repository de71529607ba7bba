//! How long fetched data stays fresh and which date windows the screens cache: the policy the
//! sync engine plans with and the screens read by.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use scriptix_api::{DateRange, UsageQuery, UsageView};

use crate::cache::freshness::{freshness, GapFeature};
use crate::cache::{Freshness, FreshnessRecord, Scope, Tab};

/// Months of usage the usage tab shows by default: this month and the eleven before it.
pub const USAGE_MONTHS: u32 = 12;

/// Rows asked for in the default usage query. Twelve monthly rows need 12; a server without
/// the date-range extension (G4) sends every month since registration instead, and a whole
/// page still costs one request, so ask for the most a page may hold.
pub const USAGE_PAGE_LIMIT: u32 = 1000;

/// Transcriptions cached per customer: the first page, newest first.
pub const TRANSCRIPTION_PAGE_LIMIT: u32 = 100;

/// How long a gap endpoint found missing stays "not available" before it is asked again.
pub const UNSUPPORTED_MAX_AGE: Duration = Duration::hours(6);

/// How long fetched data stays fresh. Chosen for a reseller's day: the lists change mostly
/// through this app (whose writes invalidate what they touch), usage accrues slowly enough
/// that an hour is current, transcriptions move through their states within minutes, and
/// branding only changes through this app. At these ages 250 customers cost about 1500
/// requests an hour, a quarter of the background lane's 90 a minute.
pub fn max_age(scope: &Scope) -> Duration {
    match scope {
        Scope::CustomerTab { tab, .. } => match tab {
            Tab::Subscriptions | Tab::Usage | Tab::Tokens | Tab::Users => Duration::hours(1),
            Tab::Transcriptions => Duration::minutes(15),
        },
        Scope::Dashboard => Duration::minutes(15),
        Scope::Branding => Duration::hours(24),
        Scope::CustomerList => Duration::minutes(15),
    }
}

/// The first day of `today`'s month.
pub fn month_start(today: NaiveDate) -> NaiveDate {
    today.with_day(1).unwrap_or(today)
}

/// The usage tab's default query: `view=month` over the last 12 calendar months, this one
/// included (`date_from` = the first of the month 11 months back, `date_to` = the first of
/// next month, exclusive), without `split_by`: the documented rule is that `period` splits the
/// invoice view and the other splits the periodic views, so a month view with no split is the
/// one combination every server reads the same way. Returns the query and the cache key its
/// rows and summary are stored under.
pub fn default_usage_query(today: NaiveDate) -> (UsageQuery, String) {
    let (from, to) = usage_range(today);
    let query = UsageQuery {
        view: Some(UsageView::Month),
        split_by: None,
        date_from: Some(from),
        date_to: Some(to),
        limit: Some(USAGE_PAGE_LIMIT),
        offset: None,
    };
    let key = usage_query_key(&query);
    (query, key)
}

/// The usage tab's default range: [first of the month 11 months back, first of next month).
pub fn usage_range(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_month = month_start(today);
    (
        this_month - Months::new(USAGE_MONTHS - 1),
        this_month + Months::new(1),
    )
}

/// The canonical cache key of a usage query: view, split and range in a fixed order (paging
/// is left out: the cache holds a query's whole answer).
pub fn usage_query_key(q: &UsageQuery) -> String {
    let mut parts = Vec::new();
    if let Some(v) = q.view {
        parts.push(format!("view={}", v.as_str()));
    }
    if let Some(s) = q.split_by {
        parts.push(format!("split_by={}", s.as_str()));
    }
    if let Some(d) = q.date_from {
        parts.push(format!("date_from={}", d.format("%Y-%m-%d")));
    }
    if let Some(d) = q.date_to {
        parts.push(format!("date_to={}", d.format("%Y-%m-%d")));
    }
    parts.join("&")
}

/// The dashboard's range: this calendar month (UTC), end exclusive, and its cache key
/// (`2026-11-01..2026-12-01`).
pub fn dashboard_range(today: NaiveDate) -> (DateRange, String) {
    let from = month_start(today);
    let to = from + Months::new(1);
    (
        DateRange::new(from, to),
        format!("{}..{}", from.format("%Y-%m-%d"), to.format("%Y-%m-%d")),
    )
}

/// Something the detail sync fetches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Tab { customer_id: i64, tab: Tab },
    Dashboard,
    Branding,
}

impl Target {
    /// The freshness record it writes.
    pub fn scope(self) -> Scope {
        match self {
            Target::Tab { customer_id, tab } => Scope::CustomerTab { customer_id, tab },
            Target::Dashboard => Scope::Dashboard,
            Target::Branding => Scope::Branding,
        }
    }

    /// The gap endpoint the whole target depends on (none for the documented tabs).
    pub fn gap(self) -> Option<GapFeature> {
        match self {
            Target::Tab { tab, .. } => GapFeature::of_tab(tab),
            Target::Dashboard => Some(GapFeature::Dashboard),
            Target::Branding => Some(GapFeature::Branding),
        }
    }

    /// Requests one fetch takes when nothing is retried: lists are read in one page of up to
    /// 1000 rows (the usage tab its rows only: its summary is fetched when the tab is on
    /// screen), branding its logo too (counted whether or not there is one: an estimate must
    /// not fall short).
    pub fn requests(self) -> u32 {
        match self {
            Target::Tab { .. } | Target::Dashboard => 1,
            Target::Branding => 2,
        }
    }
}

/// Freshness of a target's record at `now`, with one rule on top of `freshness()`: the usage
/// tab and the dashboard are cached under a date range that moves with the calendar month
/// (`default_usage_query`, `dashboard_range`), so a record fetched before this month began is
/// `Missing` — the range the screen now reads has never been fetched.
pub fn effective_freshness(
    target: Target,
    record: Option<&FreshnessRecord>,
    now: DateTime<Utc>,
) -> Freshness {
    let by_month = matches!(
        target,
        Target::Dashboard
            | Target::Tab {
                tab: Tab::Usage,
                ..
            }
    );
    if let Some(r) = record {
        let this_month = month_start(now.date_naive());
        if by_month && r.fetched_at.date_naive() < this_month && r.fetched_at <= now {
            return Freshness::Missing;
        }
    }
    freshness(record, now)
}
