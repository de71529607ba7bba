//! Executing the detail sync: one customer tab, the dashboard or branding at a time, each
//! fetched, then written with its freshness record in one transaction; and `prefetch`, which
//! runs a plan from `detail_plan`.
//!
//! Like the list sync, the cache is shared as `&Mutex<Cache>` and the lock is held only for
//! the short write after each fetch, never across an `.await`. Every request goes through the
//! `Client` given (and its clones), so the one rate budget they share paces all of them: a
//! plan of any length never makes the client exceed it.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use scriptix_api::{ApiError, Client, Direction, TranscriptQuery};

use super::customers::{SyncError, MAX_REJECTED_KEPT};
use super::detail_plan::{
    dashboard_range, default_usage_query, effective_freshness, max_age, usage_range, DetailState,
    PrefetchPlan, Target, TRANSCRIPTION_PAGE_LIMIT, UNSUPPORTED_MAX_AGE,
};
use super::in_flight::{InFlight, FOLLOW_AT_MOST};
use crate::branding::BrandingEntity;
use crate::cache::freshness::{freshness, GapFeature};
use crate::cache::{
    Cache, CacheError, CacheResult, Freshness, FreshnessRecord, SubscriptionRow, Tab, TokenRow,
    TranscriptionRow, UsageRow, UserRow,
};
use crate::logo::worker::{LogoJob, LogoWorker};
use crate::outbox::{set_server_rows, ShownRows};
use crate::remote::detail_map::{
    branding_row, dashboard_payload, logo_problem, page_rejections, subscription_rows, token_rows,
    transcription_rows, usage_rows, user_rows, FetchedLogo, Mapped, RejectedDetail,
};
use crate::tabs::subscriptions::Subscriptions;
use crate::tabs::tokens::Tokens;
use crate::tabs::users::Users;

/// A prefetch stops after this many failed fetches in a row: the server is unwell, and every
/// further attempt (with its retries) would spend budget on it.
pub const MAX_CONSECUTIVE_FAILURES: u32 = 5;

/// What refreshing one target did.
#[derive(Clone, Debug, PartialEq)]
pub enum RefreshOutcome {
    /// The cached rows were replaced and the freshness record written.
    Refreshed {
        /// Rows now cached for the target (1 for the dashboard and branding).
        rows: usize,
        /// Records left out (also logged).
        rejected: Vec<RejectedDetail>,
    },
    /// The server does not offer the endpoint. Recorded (`Cache::gap_unsupported`) so the UI
    /// says "not available"; what the cache held is kept.
    NotSupported { gap: GapFeature },
    /// The customer left the cache while its data was fetched (deleted): nothing written.
    CustomerNotCached,
    /// A change of the user's to these rows finished (or was discarded) while they were
    /// fetched: the fetched rows may predate it, so nothing was written and the target stays
    /// as stale as it was (the next fetch reads the server after the change).
    Superseded,
}

/// The unfinished operations a target's rows show, before its fetch (each entity's own query:
/// this runs before every prefetched target).
fn waiting_ops(cache: &Cache, target: Target) -> CacheResult<Vec<i64>> {
    let ops = match target {
        Target::Tab { customer_id, tab } => match tab {
            Tab::Subscriptions => Subscriptions::pending(cache, customer_id)?,
            Tab::Tokens => Tokens::pending(cache, customer_id)?,
            Tab::Users => Users::pending(cache, customer_id)?,
            Tab::Usage | Tab::Transcriptions => Vec::new(),
        },
        Target::Branding => BrandingEntity::pending(cache, 0)?,
        Target::Dashboard => Vec::new(),
    };
    Ok(ops.into_iter().map(|o| o.op_id).collect())
}

/// Whether one of `waiting` finished or went while the target was fetched (the replay sends
/// changes while the background prefetch runs).
fn superseded(cache: &Cache, waiting: &[i64]) -> CacheResult<bool> {
    for &op_id in waiting {
        if cache.outbox_op(op_id)?.is_none() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lock(cache: &Mutex<Cache>) -> Result<MutexGuard<'_, Cache>, SyncError> {
    cache.lock().map_err(|_| SyncError::CacheUnavailable)
}

/// `Ok(None)` when a gap endpoint answered "not supported".
fn gap_answer<T>(answer: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match answer {
        Ok(v) => Ok(Some(v)),
        Err(ApiError::NotSupported { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn log_rejected(target: Target, rejected: &[RejectedDetail]) {
    for r in rejected {
        tracing::warn!(?target, id = ?r.id, reason = %r.reason, "detail record left out; sync goes on");
    }
}

enum TabData {
    Subscriptions(Vec<SubscriptionRow>),
    /// The rows only: the summary is the Usage tab's to fetch when it is on screen
    /// (`Context::refresh_usage_tab`), so a customer's full refresh is one request a tab.
    Usage {
        key: String,
        rows: Vec<UsageRow>,
    },
    Tokens(Vec<TokenRow>),
    Users(Vec<UserRow>),
    Transcriptions(Vec<TranscriptionRow>),
}

impl TabData {
    fn len(&self) -> usize {
        match self {
            TabData::Subscriptions(r) => r.len(),
            TabData::Usage { rows, .. } => rows.len(),
            TabData::Tokens(r) => r.len(),
            TabData::Users(r) => r.len(),
            TabData::Transcriptions(r) => r.len(),
        }
    }
}

fn take<T>(m: Mapped<T>, rejected: &mut Vec<RejectedDetail>) -> Vec<T> {
    rejected.extend(m.rejected);
    m.rows
}

/// Fetches one tab. `Ok(Err(gap))`: the server does not offer the tab's endpoint.
async fn fetch_tab(
    client: &Client,
    customer_id: i64,
    tab: Tab,
    now: DateTime<Utc>,
) -> Result<Result<(TabData, Vec<RejectedDetail>), GapFeature>, ApiError> {
    let mut rejected = Vec::new();
    let data = match tab {
        Tab::Subscriptions => match gap_answer(client.customer_subscriptions(customer_id).await)? {
            Some(items) => TabData::Subscriptions(take(subscription_rows(&items), &mut rejected)),
            None => return Ok(Err(GapFeature::Subscriptions)),
        },
        Tab::Tokens => match gap_answer(client.customer_tokens(customer_id).await)? {
            Some(items) => TabData::Tokens(take(token_rows(&items), &mut rejected)),
            None => return Ok(Err(GapFeature::Tokens)),
        },
        Tab::Users => match gap_answer(client.customer_users(customer_id).await)? {
            Some(items) => TabData::Users(take(user_rows(&items), &mut rejected)),
            None => return Ok(Err(GapFeature::Users)),
        },
        Tab::Usage => {
            let (query, key) = default_usage_query(now.date_naive());
            let (from, to) = usage_range(now.date_naive());
            let page = client.customer_usage(customer_id, &query).await?;
            rejected.extend(page_rejections(&page.rejected));
            let rows = usage_rows(&page.items, from, to);
            TabData::Usage { key, rows }
        }
        Tab::Transcriptions => {
            let query = TranscriptQuery {
                limit: Some(TRANSCRIPTION_PAGE_LIMIT),
                sort: Some("date_session_start".into()),
                direction: Some(Direction::Desc),
                ..TranscriptQuery::default()
            };
            let page = client.customer_transcripts(customer_id, &query).await?;
            rejected.extend(page_rejections(&page.rejected));
            TabData::Transcriptions(take(transcription_rows(&page.items), &mut rejected))
        }
    };
    Ok(Ok((data, rejected)))
}

/// Replaces a tab's rows and writes its freshness record (and what was learnt about gaps), in
/// one transaction.
fn write_tab(
    cache: &Cache,
    customer_id: i64,
    tab: Tab,
    data: TabData,
    rejected: Vec<RejectedDetail>,
    now: DateTime<Utc>,
) -> CacheResult<RefreshOutcome> {
    let target = Target::Tab { customer_id, tab };
    let scope = target.scope();
    cache.in_transaction(|c| {
        // The rows reference the customer; it may have been deleted while we fetched.
        if c.get_customer(customer_id)?.is_none() {
            return Ok(RefreshOutcome::CustomerNotCached);
        }
        let rows = data.len();
        match data {
            // Local changes waiting for these rows are written over the server's again.
            TabData::Subscriptions(r) => set_server_rows::<Subscriptions>(c, customer_id, r)?,
            TabData::Tokens(r) => set_server_rows::<Tokens>(c, customer_id, r)?,
            TabData::Users(r) => set_server_rows::<Users>(c, customer_id, r)?,
            TabData::Transcriptions(r) => c.replace_transcriptions(customer_id, &r)?,
            TabData::Usage { key, rows } => {
                c.replace_usage_rows(customer_id, &key, &rows)?;
                let units = rows.iter().map(|r| r.units_used).sum();
                c.drop_contradicted_usage_summary(customer_id, &key, units)?;
            }
        }
        c.set_freshness(&scope, &FreshnessRecord::new(now, max_age(&scope)))?;
        if let Some(gap) = GapFeature::of_tab(tab) {
            c.clear_gap_unsupported(gap)?;
        }
        Ok(RefreshOutcome::Refreshed { rows, rejected })
    })
}

fn record_gap(cache: &Mutex<Cache>, gap: GapFeature, now: DateTime<Utc>) -> Result<(), SyncError> {
    tracing::info!(
        gap = gap.as_str(),
        "the server does not offer this endpoint"
    );
    lock(cache)?.set_gap_unsupported(gap, &FreshnessRecord::new(now, UNSUPPORTED_MAX_AGE))?;
    Ok(())
}

async fn refresh_tab_with(
    client: &Client,
    cache: &Mutex<Cache>,
    customer_id: i64,
    tab: Tab,
    now: DateTime<Utc>,
) -> Result<RefreshOutcome, SyncError> {
    let target = Target::Tab { customer_id, tab };
    let waiting = waiting_ops(&*lock(cache)?, target)?;
    match fetch_tab(client, customer_id, tab, now).await? {
        Ok((data, rejected)) => {
            log_rejected(target, &rejected);
            let cache = lock(cache)?;
            if superseded(&cache, &waiting)? {
                return Ok(RefreshOutcome::Superseded);
            }
            Ok(write_tab(&cache, customer_id, tab, data, rejected, now)?)
        }
        Err(gap) => {
            // A gap route answers 404 for an unknown customer too. Ask the documented route
            // once: if the customer is gone (NotFound), that is the answer, not a missing
            // endpoint to remember for every customer.
            client.get_customer(customer_id).await?;
            record_gap(cache, gap, now)?;
            Ok(RefreshOutcome::NotSupported { gap })
        }
    }
}

/// Fetches one tab of a customer and replaces its cached rows and freshness record in one
/// transaction, at `now`. The usage tab is `default_usage_query` (12 months by month) and its
/// summary; transcriptions are the first page, newest first. A gap endpoint the server lacks
/// gives `NotSupported` (recorded), not an error; every other error is returned and the cache
/// keeps what it had. Requests go in `client`'s lane.
pub async fn refresh_tab(
    client: &Client,
    cache: &Mutex<Cache>,
    customer_id: i64,
    tab: Tab,
    now: DateTime<Utc>,
) -> Result<RefreshOutcome, SyncError> {
    refresh_tab_with(client, cache, customer_id, tab, now).await
}

/// Fetches this month's dashboard (`dashboard_range`) and stores it with its freshness record.
pub async fn refresh_dashboard(
    client: &Client,
    cache: &Mutex<Cache>,
    now: DateTime<Utc>,
) -> Result<RefreshOutcome, SyncError> {
    let (range, key) = dashboard_range(now.date_naive());
    let Some(dashboard) = gap_answer(client.dashboard(&range).await)? else {
        record_gap(cache, GapFeature::Dashboard, now)?;
        return Ok(RefreshOutcome::NotSupported {
            gap: GapFeature::Dashboard,
        });
    };
    let payload = dashboard_payload(&dashboard).map_err(SyncError::Internal)?;
    let scope = Target::Dashboard.scope();
    lock(cache)?.in_transaction(|c| {
        c.set_dashboard(&key, &payload, now)?;
        c.set_freshness(&scope, &FreshnessRecord::new(now, max_age(&scope)))?;
        c.clear_gap_unsupported(GapFeature::Dashboard)
    })?;
    Ok(RefreshOutcome::Refreshed {
        rows: 1,
        rejected: Vec::new(),
    })
}

/// Fetches the branding and its logo's bytes (so the navigation shows it offline) and stores
/// them with the freshness record. The logo is checked in the logo worker (`logos`) before it is
/// kept: what is kept is the PNG that check produced, with its width and height, so reading
/// the branding never decodes anything and the webview only ever shows a PNG made here. A logo
/// that is gone, too large, not an image or refused by the check (or not checked: no worker)
/// is left out with the reason (and reported); a logo that could not be fetched for any other
/// reason fails the refresh, so the cached logo is kept rather than lost.
pub async fn refresh_branding(
    client: &Client,
    cache: &Mutex<Cache>,
    logos: Option<&LogoWorker>,
    now: DateTime<Utc>,
) -> Result<RefreshOutcome, SyncError> {
    let waiting = waiting_ops(&*lock(cache)?, Target::Branding)?;
    let Some(branding) = gap_answer(client.branding().await)? else {
        record_gap(cache, GapFeature::Branding, now)?;
        return Ok(RefreshOutcome::NotSupported {
            gap: GapFeature::Branding,
        });
    };
    let mut rejected = Vec::new();
    let logo = match branding.logo_url.as_deref() {
        None => None,
        Some(url) => match client.fetch_logo(url).await {
            Ok((bytes, content_type)) => Some(match logo_problem(&bytes, &content_type) {
                None => check_server_logo(logos, bytes).await,
                Some(why) => FetchedLogo::LeftOut(why),
            }),
            // Its address answers 404: the logo was removed since the branding was read.
            Err(ApiError::NotSupported { .. } | ApiError::NotFound { .. }) => {
                rejected.push(RejectedDetail::new(
                    Some("logo".into()),
                    "the logo's address answered 404",
                ));
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    if let Some(FetchedLogo::LeftOut(why)) = &logo {
        rejected.push(RejectedDetail::new(Some("logo".into()), why));
    }
    log_rejected(Target::Branding, &rejected);
    let row = branding_row(&branding, logo);
    let scope = Target::Branding.scope();
    let cache = lock(cache)?;
    if superseded(&cache, &waiting)? {
        return Ok(RefreshOutcome::Superseded);
    }
    cache.in_transaction(|c| {
        set_server_rows::<BrandingEntity>(c, 0, vec![row])?;
        c.set_freshness(&scope, &FreshnessRecord::new(now, max_age(&scope)))?;
        c.clear_gap_unsupported(GapFeature::Branding)
    })?;
    Ok(RefreshOutcome::Refreshed { rows: 1, rejected })
}

/// The server's logo through the logo worker, off the async runtime's threads (the worker
/// has its own time limit).
async fn check_server_logo(logos: Option<&LogoWorker>, bytes: Vec<u8>) -> FetchedLogo {
    let Some(worker) = logos.cloned() else {
        return FetchedLogo::LeftOut(
            "It was not checked: this copy of the app has no image processor.".into(),
        );
    };
    let checked =
        tokio::task::spawn_blocking(move || worker.process_bytes(&bytes, &LogoJob::new())).await;
    match checked {
        Ok(Ok(logo)) => FetchedLogo::Kept(logo),
        Ok(Err(e)) => FetchedLogo::LeftOut(e.to_string()),
        Err(e) => FetchedLogo::LeftOut(format!("Its check stopped unexpectedly ({e}).")),
    }
}

async fn refresh_target(
    client: &Client,
    cache: &Mutex<Cache>,
    logos: Option<&LogoWorker>,
    target: Target,
    now: DateTime<Utc>,
) -> Result<RefreshOutcome, SyncError> {
    match target {
        Target::Tab { customer_id, tab } => {
            refresh_tab_with(client, cache, customer_id, tab, now).await
        }
        Target::Dashboard => refresh_dashboard(client, cache, now).await,
        Target::Branding => refresh_branding(client, cache, logos, now).await,
    }
}

/// Whether `target`'s copy was fetched at or after `since`.
pub(crate) fn fetched_since(
    cache: &Mutex<Cache>,
    target: Target,
    since: DateTime<Utc>,
) -> Result<bool, SyncError> {
    let record = lock(cache)?.freshness_record(&target.scope())?;
    Ok(record.is_some_and(|r| r.fetched_at >= since))
}

/// What the planner needs from the cache at `now`: the freshness of every tab of
/// `customer_ids` (in that order), of the dashboard and branding, and the gap endpoints
/// recently found missing. Point reads through cached statements: about 1 ms per 100 tabs.
pub fn detail_state(
    cache: &Cache,
    customer_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<DetailState, CacheError> {
    let state_of = |target: Target| -> Result<Freshness, CacheError> {
        let record = cache.freshness_record(&target.scope())?;
        Ok(effective_freshness(target, record.as_ref(), now))
    };
    let mut tabs = Vec::with_capacity(customer_ids.len() * Tab::ALL.len());
    for &customer_id in customer_ids {
        for tab in Tab::ALL {
            tabs.push((
                customer_id,
                tab,
                state_of(Target::Tab { customer_id, tab })?,
            ));
        }
    }
    let mut unsupported = Vec::new();
    for gap in GapFeature::ALL {
        if freshness(cache.gap_unsupported(gap)?.as_ref(), now) == Freshness::Fresh {
            unsupported.push(gap);
        }
    }
    Ok(DetailState {
        tabs,
        dashboard: Some(state_of(Target::Dashboard)?),
        branding: Some(state_of(Target::Branding)?),
        unsupported,
    })
}

/// Where a prefetch is, told after each target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefetchProgress {
    /// Targets handled so far, this one included (fetched, failed or skipped).
    pub done: usize,
    pub total: usize,
    pub target: Target,
    /// Requests sent so far by this prefetch (retries included).
    pub requests: u64,
}

/// A fetch that failed without stopping the prefetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedFetch {
    pub target: Target,
    /// The error's stable code (`not_found`, `server`, `malformed`, ...).
    pub code: &'static str,
    pub message: String,
}

/// Why a prefetch stopped before its plan's end.
#[derive(Debug)]
pub enum PrefetchStop {
    /// The progress callback said stop.
    Cancelled,
    /// An error every later fetch would meet too: offline (a state, not a failure), the token
    /// refused, the rate limit still hit after the client's retries, or the cache failing.
    Failed(SyncError),
    /// `MAX_CONSECUTIVE_FAILURES` fetches failed in a row (the last error's code).
    Unwell { last: &'static str },
}

/// What a prefetch did. Everything written before a stop stays in the cache.
#[derive(Debug, Default)]
pub struct PrefetchReport {
    pub planned: usize,
    /// Targets handled: refreshed, not supported, customer gone, failed or skipped.
    pub done: usize,
    pub refreshed: usize,
    /// Fetches answered "not supported" (each recorded).
    pub not_supported: usize,
    /// Fetches not sent: an earlier fetch of this run found their endpoint missing, or their
    /// customer gone from the server.
    pub skipped: usize,
    /// Customers deleted from the cache while their data was fetched (nothing written).
    pub customer_gone: usize,
    /// Customers the server answered 404 for (deleted there; the deletion scan removes them
    /// from the cache). Their remaining tabs are skipped.
    pub gone_on_server: Vec<i64>,
    /// Records left out, per target: the first `MAX_REJECTED_KEPT` (a hostile server could
    /// send thousands a tab for every customer), and how many in all.
    pub rejected: Vec<(Target, RejectedDetail)>,
    pub rejected_count: usize,
    pub failed: Vec<FailedFetch>,
    /// Requests over the wire (the client's counter: a clone used elsewhere at the same time
    /// is counted too).
    pub requests: u64,
    pub stopped: Option<PrefetchStop>,
}

impl PrefetchReport {
    /// Stopped because the server could not be reached.
    pub fn is_offline(&self) -> bool {
        matches!(&self.stopped, Some(PrefetchStop::Failed(e)) if e.is_offline())
    }
}

/// Errors that no later fetch would escape.
fn stops_the_run(e: &SyncError) -> bool {
    match e {
        SyncError::Api(api) => matches!(
            api,
            ApiError::Offline { .. }
                | ApiError::Unauthorized { .. }
                | ApiError::Forbidden { .. }
                | ApiError::RateLimited { .. }
        ),
        SyncError::Runaway { .. } => false,
        // The cache failing, or anything new: stopping is the safe side.
        _ => true,
    }
}

/// Runs a plan in order, each fetch in its planned lane of `client` (whose rate budget paces
/// them all). A fetch that fails on its own (the customer gone on the server, a server error
/// after the client's retries, an unreadable answer) is reported and the run goes on (a
/// customer the server no longer has also skips its other tabs); offline,
/// a refused token, exhausted rate-limit retries or a failing cache stop it, as do
/// `MAX_CONSECUTIVE_FAILURES` failures in a row. Once a gap endpoint answers "not supported",
/// the rest of the run does not ask it again. `progress` is called after every target; return
/// `ControlFlow::Break(())` to stop. Freshness records carry the time each fetch began.
/// Without a logo worker (this function), the server's logo is not kept: see `prefetch_with`.
pub async fn prefetch<F>(
    client: &Client,
    cache: &Mutex<Cache>,
    plan: &PrefetchPlan,
    progress: F,
) -> PrefetchReport
where
    F: FnMut(&PrefetchProgress) -> ControlFlow<()>,
{
    prefetch_with(client, cache, None, &InFlight::default(), plan, progress).await
}

/// `prefetch`, checking the server's logo in `logos` (see `refresh_branding`), and taking a
/// target another path is fetching at the same moment from that path (`flights`).
pub async fn prefetch_with<F>(
    client: &Client,
    cache: &Mutex<Cache>,
    logos: Option<&LogoWorker>,
    flights: &InFlight,
    plan: &PrefetchPlan,
    mut progress: F,
) -> PrefetchReport
where
    F: FnMut(&PrefetchProgress) -> ControlFlow<()>,
{
    let sent_before = client.requests_sent();
    // A target fetched after this moment was fetched by another path (the page's own refresh,
    // "Sync now") while this run waited for the budget: fetching it again would be a request
    // for nothing.
    let started = Utc::now();
    let mut known_missing: BTreeSet<GapFeature> = plan.missing_gaps.iter().copied().collect();
    let mut report = PrefetchReport {
        planned: plan.fetches.len(),
        ..PrefetchReport::default()
    };
    let mut failures_in_a_row = 0u32;
    for fetch in &plan.fetches {
        let target = fetch.target;
        let customer = match target {
            Target::Tab { customer_id, .. } => Some(customer_id),
            _ => None,
        };
        let skip = target.gap().is_some_and(|g| known_missing.contains(&g))
            || customer.is_some_and(|id| report.gone_on_server.contains(&id))
            || fetched_since(cache, target, started).unwrap_or(false);
        let turn = if skip {
            None
        } else {
            Some(flights.turn(target, FOLLOW_AT_MOST).await)
        };
        if skip || turn.as_ref().is_some_and(|t| t.followed) {
            report.skipped += 1;
        } else {
            let lane = client.lane(fetch.lane);
            match refresh_target(&lane, cache, logos, target, Utc::now()).await {
                Ok(outcome) => {
                    failures_in_a_row = 0;
                    match outcome {
                        RefreshOutcome::Refreshed { rejected, .. } => {
                            if let Some(turn) = &turn {
                                turn.fetched();
                            }
                            report.refreshed += 1;
                            report.rejected_count += rejected.len();
                            let room = MAX_REJECTED_KEPT.saturating_sub(report.rejected.len());
                            report
                                .rejected
                                .extend(rejected.into_iter().take(room).map(|r| (target, r)));
                        }
                        RefreshOutcome::NotSupported { gap } => {
                            report.not_supported += 1;
                            known_missing.insert(gap);
                        }
                        RefreshOutcome::CustomerNotCached => report.customer_gone += 1,
                        RefreshOutcome::Superseded => report.skipped += 1,
                    }
                }
                Err(e) if stops_the_run(&e) => {
                    report.stopped = Some(PrefetchStop::Failed(e));
                    break;
                }
                // The customer was deleted on the server: about that customer, not the server.
                Err(SyncError::Api(ApiError::NotFound { .. })) if customer.is_some() => {
                    report.gone_on_server.extend(customer);
                }
                Err(e) => {
                    tracing::warn!(?target, code = e.code(), error = %e, "detail fetch failed; prefetch goes on");
                    report.failed.push(FailedFetch {
                        target,
                        code: e.code(),
                        message: e.to_string(),
                    });
                    failures_in_a_row += 1;
                    if failures_in_a_row >= MAX_CONSECUTIVE_FAILURES {
                        report.done += 1;
                        report.stopped = Some(PrefetchStop::Unwell { last: e.code() });
                        break;
                    }
                }
            }
        }
        report.done += 1;
        let now_at = PrefetchProgress {
            done: report.done,
            total: report.planned,
            target,
            requests: client.requests_sent().saturating_sub(sent_before),
        };
        if progress(&now_at).is_break() {
            report.stopped = Some(PrefetchStop::Cancelled);
            break;
        }
    }
    report.requests = client.requests_sent().saturating_sub(sent_before);
    report
}
