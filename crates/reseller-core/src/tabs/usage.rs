//! The usage tab: one query (a date range, a view, a split) read from the cache, with its
//! summary figures, a chart and a table. The sync prefetches the default query (the last 12
//! months by month); any other query is fetched when first looked at (interactive lane) and
//! cached under its key, so a range seen once is there offline later, and refreshed when stale.
//!
//! Two calls, so a screen never waits for the network: `usage_tab` reads the cache only;
//! `refresh_usage_tab` fetches the query when it is missing or stale, then reads again.

pub mod chart;
pub mod fetch;
pub mod options;
pub mod range;
pub mod split;
pub mod store;
pub mod summary;
pub mod table;

use chrono::{DateTime, NaiveDate, Utc};
use scriptix_api::{Lane, UsageQuery};
use serde::{Deserialize, Serialize};

use self::chart::Chart;
use self::fetch::SummaryAnswer;
use self::range::{DateSpan, RangeRequest};
use self::split::{Split, View};
use self::summary::SummaryView;
use self::table::UsageTable;
use super::live::LiveState;
use super::{AsOf, FreshnessState};
use crate::cache::freshness::{freshness, GapFeature};
use crate::cache::{Cache, Freshness, FreshnessRecord, Scope, Tab};
use crate::context::Context;
use crate::remote::policy::{
    default_usage_query, effective_freshness, max_age, usage_query_key, Target, UNSUPPORTED_MAX_AGE,
};
use crate::CoreError;

/// What the usage tab asks for.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageRequest {
    pub customer_id: i64,
    pub range: RangeRequest,
    pub view: View,
    #[serde(default)]
    pub split_by: Option<Split>,
}

/// The query a request resolved to on a given day.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedQuery {
    pub from: NaiveDate,
    /// Exclusive.
    pub to: NaiveDate,
    /// Inclusive: what the screen shows as the range's end.
    pub last_day: NaiveDate,
    pub view: View,
    pub split_by: Option<Split>,
    /// The cache key (`usage_query_key`).
    pub key: String,
    #[serde(skip)]
    api: UsageQuery,
    #[serde(skip)]
    span: DateSpan,
}

/// Everything the usage tab shows for one query.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageTab {
    pub query: ResolvedQuery,
    /// When this query was fetched; `unsupported`: the server offers no usage summary.
    pub as_of: AsOf,
    /// `None` while the query was never fetched (nothing to show yet).
    pub summary: Option<SummaryView>,
    /// The rows are cached but the server's summary of them is not (the background sync
    /// fetches rows only): `refresh_usage_tab` fetches it even while the rows are fresh.
    pub summary_pending: bool,
    pub chart: Chart,
    pub table: UsageTable,
    /// The range by name: "1 Jan – 31 Dec 2026".
    pub range_text: String,
    pub live: LiveState,
    /// The organisation exists only here so far: its usage is on Scriptix once it is sent.
    pub local_only: bool,
}

/// The chart's periods named for the view, in `locale`: days and weeks by their first day,
/// months and invoice periods by month, years by year.
fn labelled(chart: Chart, view: View, locale: &crate::format::Locale) -> Chart {
    let mut chart = chart.with_texts(|n| locale.count(n));
    for p in &mut chart.periods {
        p.label = match view {
            View::Day | View::Week => locale.day_and_month(p.from),
            View::Year => p.from.format("%Y").to_string(),
            View::Month | View::Invoice => locale.month(p.from),
        };
        p.title = locale.date_range(p.from, p.last_day);
    }
    chart
}

/// The request as a query on `today`: checked (a split the view does not take, a bad custom
/// range) before anything is read or sent.
pub fn resolve(req: &UsageRequest, today: NaiveDate) -> Result<ResolvedQuery, CoreError> {
    split::check(req.view, req.split_by)?;
    let span = range::resolve(&req.range, today)?;
    let api = UsageQuery {
        view: Some(req.view.api()),
        split_by: req.split_by.map(Split::api),
        date_from: Some(span.from),
        date_to: Some(span.to),
        limit: None,
        offset: None,
    };
    Ok(ResolvedQuery {
        from: span.from,
        to: span.to,
        last_day: span.last_day(),
        view: req.view,
        split_by: req.split_by,
        key: usage_query_key(&api),
        api,
        span,
    })
}

/// When `key` was last fetched: the tab's own record, or, for the default query, the sync's
/// record of the usage tab (when it is of this month's default: the key moves monthly).
fn fetched(
    cache: &Cache,
    customer_id: i64,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<FreshnessRecord>, CoreError> {
    let mine = store::fetch_record(cache, customer_id, key)?;
    let (_, default_key) = default_usage_query(now.date_naive());
    let synced = if key == default_key {
        let tab = Scope::CustomerTab {
            customer_id,
            tab: Tab::Usage,
        };
        cache.freshness_record(&tab)?.filter(|r| {
            let target = Target::Tab {
                customer_id,
                tab: Tab::Usage,
            };
            effective_freshness(target, Some(r), now) != Freshness::Missing
        })
    } else {
        None
    };
    Ok(match (mine, synced) {
        (Some(a), Some(b)) => Some(if a.fetched_at >= b.fetched_at { a } else { b }),
        (a, b) => a.or(b),
    })
}

fn summary_missing(cache: &Cache, now: DateTime<Utc>) -> Result<bool, CoreError> {
    let record = cache.gap_unsupported(GapFeature::UsageSummary)?;
    Ok(freshness(record.as_ref(), now) == Freshness::Fresh)
}

impl Context {
    /// The usage tab for `req`, from the cache only.
    pub fn usage_tab(&self, req: &UsageRequest) -> Result<UsageTab, CoreError> {
        let now = Utc::now();
        let query = resolve(req, now.date_naive())?;
        self.read_usage(req.customer_id, query, now, LiveState::default())
    }

    /// Fetches the query (interactive lane) when it is missing or stale, or when its summary is
    /// (`UsageTab::summary_pending`), then reads the tab. Offline, or when the server fails,
    /// the cached tab is returned with the state saying so.
    pub async fn refresh_usage_tab(&self, req: &UsageRequest) -> Result<UsageTab, CoreError> {
        let now = Utc::now();
        let query = resolve(req, now.date_naive())?;
        let id = req.customer_id;
        if id <= 0 {
            return self.read_usage(id, query, now, LiveState::default());
        }
        let (state, ask_summary, has_summary) = {
            let cache = self.read()?;
            let record = fetched(&cache, id, &query.key, now)?;
            (
                freshness(record.as_ref(), now),
                !summary_missing(&cache, now)?,
                cache.usage_summary(id, &query.key)?.is_some(),
            )
        };
        if state == Freshness::Fresh && (has_summary || !ask_summary) {
            return self.read_usage(id, query, now, LiveState::default());
        }
        let client = self.client().lane(Lane::Interactive);
        let answer = fetch::fetch(&client, id, &query.api, query.span, ask_summary).await;
        let fetched = match answer {
            Ok(f) => f,
            Err(e) => {
                tracing::debug!(code = e.code(), customer_id = id, "usage not refreshed");
                return self.read_usage(id, query, now, LiveState::from_error(&e));
            }
        };
        if fetched.truncated {
            tracing::warn!(customer_id = id, key = %query.key, "usage answer cut at the page limit");
        }
        let (_, default_key) = default_usage_query(now.date_naive());
        let scope = Scope::CustomerTab {
            customer_id: id,
            tab: Tab::Usage,
        };
        let written = self.write()?.in_transaction(|c| {
            // The rows reference the customer; it may have been deleted while we fetched.
            if c.get_customer(id)?.is_none() {
                return Ok(false);
            }
            c.replace_usage_rows(id, &query.key, &fetched.rows)?;
            match &fetched.summary {
                SummaryAnswer::Fetched(s) => {
                    c.set_usage_summary(id, &query.key, s)?;
                    c.clear_gap_unsupported(GapFeature::UsageSummary)?;
                }
                SummaryAnswer::Unsupported => c.set_gap_unsupported(
                    GapFeature::UsageSummary,
                    &FreshnessRecord::new(now, UNSUPPORTED_MAX_AGE),
                )?,
                SummaryAnswer::Skipped => {}
            }
            store::set_fetch_record(
                c,
                id,
                &query.key,
                &FreshnessRecord::new(now, max_age(&scope)),
            )?;
            store::prune(c, id, store::MAX_QUERIES_PER_CUSTOMER, &default_key)?;
            Ok(true)
        })?;
        if !written {
            return Err(CoreError::NotFound {
                what: "This organisation".into(),
            });
        }
        self.read_usage(id, query, now, LiveState::default())
    }

    /// The table of `req` as the tab shows it now (for the CSV export), and a file name for it.
    pub fn usage_export(&self, req: &UsageRequest) -> Result<(String, UsageTable), CoreError> {
        let tab = self.usage_tab(req)?;
        let q = &tab.query;
        let mut name = format!(
            "usage-{}-{}-to-{}-{}",
            req.customer_id,
            q.from,
            q.last_day,
            serde_json::to_value(q.view)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        );
        if let Some(split) = q.split_by.and_then(|s| serde_json::to_value(s).ok()) {
            name.push_str(&format!("-by-{}", split.as_str().unwrap_or_default()));
        }
        name.push_str(".csv");
        Ok((name, tab.table))
    }

    fn read_usage(
        &self,
        customer_id: i64,
        query: ResolvedQuery,
        now: DateTime<Utc>,
        live: LiveState,
    ) -> Result<UsageTab, CoreError> {
        let cache = self.read()?;
        let record = fetched(&cache, customer_id, &query.key, now)?;
        let rows = cache.usage_rows(customer_id, &query.key)?;
        let server_summary = cache.usage_summary(customer_id, &query.key)?;
        let unsupported = summary_missing(&cache, now)?;
        let known_unit = match server_summary {
            Some(_) => None,
            None => store::known_unit(&cache)?,
        };
        drop(cache);
        let unit = server_summary
            .as_ref()
            .map(|s| s.unit.clone())
            .or_else(|| known_unit.clone());
        let locale = crate::format::Locale::system();
        let summary = match (&record, &server_summary) {
            (None, _) => None,
            (Some(_), Some(s)) => Some(summary::from_server(s)),
            (Some(_), None) => Some(summary::computed(&rows, known_unit.as_deref())),
        }
        .map(|s| s.displayed(locale));
        let summary_pending =
            customer_id > 0 && record.is_some() && server_summary.is_none() && !unsupported;
        Ok(UsageTab {
            as_of: AsOf {
                fetched_at: record.map(|r| r.fetched_at),
                state: FreshnessState::from(freshness(record.as_ref(), now)),
                unsupported,
            },
            summary,
            summary_pending,
            chart: labelled(chart::chart(&rows, query.split_by), query.view, locale),
            table: table::table_in(&rows, query.view, query.split_by, unit.as_deref(), locale),
            range_text: locale.date_range(query.from, query.last_day),
            live,
            local_only: customer_id <= 0,
            query,
        })
    }
}
