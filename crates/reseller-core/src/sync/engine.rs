//! The sync engine as the app runs it, publishing a status stream and the ids whose cached rows
//! changed. Three loops (`run`):
//! - the outbox sender: the user's changes go out as soon as they are made (woken by every
//!   outbox change), in the interactive lane, never behind background work: it waits at most
//!   for one list-sync step, never for the detail prefetch;
//! - rounds: outbox replay, list sync (and now and then a deletion scan) under one lock, then
//!   the detail prefetch in the background lane outside it, on a timer and at once when nudged
//!   ("Sync now", back online), backing off while offline;
//! - connectivity: every answer or refused connection flips the status at once, and a short
//!   probe every few seconds notices a silent network or a server that came back.

use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use scriptix_api::{Client, Reachability, PROBE_TIMEOUT};
use tokio::sync::{broadcast, watch, Notify};

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use super::customers::{scan_deletions, sync_customer_list_with, ListSyncReport, SyncError};
use super::detail_plan::{plan_prefetch, Allowance, Target};
use super::details::{
    detail_state, fetched_since, prefetch_with, refresh_branding, refresh_tab, PrefetchReport,
    PrefetchStop, RefreshOutcome,
};
use super::in_flight::{InFlight, FOLLOW_AT_MOST};
use super::replay::{replay_outbox_with, Batches};
use super::status::{Activity, Connectivity, StatusError, SyncStatus};
use crate::cache::{Cache, FreshnessRecord, Scope, Store, Tab};
pub use crate::context::CacheChange;
use crate::context::{Context, OutboxListener};
use crate::logo::worker::LogoWorker;
use crate::outbox::entity::lock;
use crate::outbox::ReplayReport;
use crate::remote::policy::max_age;

/// What one round did.
#[derive(Debug, Default)]
pub struct RoundReport {
    pub replay: ReplayReport,
    pub list: ListSyncReport,
    /// Customers deleted on the server, found by the id scan (when the round ran one).
    pub deleted: Vec<i64>,
    /// The detail prefetch (what the rate budget left for it this round).
    pub prefetch: Option<PrefetchReport>,
}

/// Customers whose details a round's prefetch considers: the most recently modified ones.
pub const PREFETCH_SCOPE: usize = 500;

/// Longest wait between two rounds while offline.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Longest wait before a stopped send is tried again.
const MAX_SEND_BACKOFF: Duration = Duration::from_secs(30);

/// How often the server is probed: with `PROBE_TIMEOUT` (2 s), a silent network or a server
/// back is known within 5 s. The probe is an unauthenticated HEAD, not a rate-limited call.
const PROBE_EVERY: Duration = Duration::from_secs(3);

pub struct SyncEngine {
    ctx: Arc<Context>,
    status: watch::Sender<SyncStatus>,
    /// Replay and list sync, one at a time (a replay must never run twice over the same
    /// operation, nor beside a list sync that could write a row it is settling).
    round: tokio::sync::Mutex<()>,
    /// One detail prefetch at a time (it runs outside `round`).
    prefetch: tokio::sync::Mutex<()>,
    /// Wakes the rounds loop.
    wake: Arc<Notify>,
    /// Wakes the outbox sender.
    send: Arc<Notify>,
    /// The outbox sender is sending: its activity is the one the status shows.
    sending: AtomicBool,
    /// The customer the user has open (0: none): its tabs go first, in the interactive lane.
    open_customer: AtomicI64,
    /// Where logos are decoded (a child process); without one, the server's logo is not kept.
    logo_worker: OnceLock<LogoWorker>,
    /// Detail fetches under way: the prefetch and "Sync now" never fetch a tab twice at once.
    flights: InFlight,
}

impl SyncEngine {
    /// An engine over its own context (tests and tools that need no workspace).
    pub fn new(client: Client, cache: Arc<Mutex<Cache>>) -> Arc<SyncEngine> {
        Self::for_context(Context::new(Store::over(cache), client))
    }

    /// The engine of an account's context; it hears of every outbox change made through it.
    pub fn for_context(ctx: Arc<Context>) -> Arc<SyncEngine> {
        let (status, _) = watch::channel(SyncStatus::default());
        let engine = Arc::new(SyncEngine {
            ctx,
            status,
            round: tokio::sync::Mutex::new(()),
            prefetch: tokio::sync::Mutex::new(()),
            wake: Arc::new(Notify::new()),
            send: Arc::new(Notify::new()),
            sending: AtomicBool::new(false),
            open_customer: AtomicI64::new(0),
            logo_worker: OnceLock::new(),
            flights: InFlight::default(),
        });
        let listener: Arc<dyn OutboxListener> = engine.clone();
        engine.ctx.listen(Arc::downgrade(&listener));
        engine.refresh_counts();
        engine.load_last_synced();
        engine
    }

    pub fn context(&self) -> &Arc<Context> {
        &self.ctx
    }

    pub fn cache(&self) -> &Arc<Mutex<Cache>> {
        self.ctx.cache_handle()
    }

    pub fn client(&self) -> &Client {
        self.ctx.client()
    }

    /// Sets where logos are decoded, once (the shell: its own executable; tests: the
    /// `logo-worker` binary). A second call changes nothing and says so.
    pub fn set_logo_worker(&self, worker: LogoWorker) -> bool {
        self.logo_worker.set(worker).is_ok()
    }

    pub fn logo_worker(&self) -> Option<&LogoWorker> {
        self.logo_worker.get()
    }

    /// The status now, and every change after.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Cache changes made by the engine (not by local edits, which the caller knows about).
    pub fn changes(&self) -> broadcast::Receiver<CacheChange> {
        self.ctx.changes()
    }

    /// Re-reads the outbox counts into the status (after a local edit or a settle).
    pub fn refresh_counts(&self) {
        let counts = match self.ctx.read() {
            Ok(cache) => cache.outbox_counts(),
            Err(_) => return,
        };
        if let Ok(counts) = counts {
            self.status.send_if_modified(|s| {
                let before = (s.pending, s.failed, s.conflicts);
                s.set_counts(counts);
                before != (s.pending, s.failed, s.conflicts)
            });
        }
    }

    /// Asks the background loop for a round now ("Sync now", back online).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Asks the outbox sender to send what waits now (a change was made, back online).
    pub fn send_now(&self) {
        self.send.notify_one();
    }

    /// When the last round finished, as kept in the cache (so a restart does not forget it).
    fn load_last_synced(&self) {
        let record = self
            .ctx
            .read()
            .ok()
            .and_then(|c| c.freshness_record(&Scope::CustomerList).ok().flatten());
        if let Some(r) = record {
            self.status
                .send_modify(|s| s.last_synced = Some(r.fetched_at));
        }
    }

    /// Records that a round finished now (status and cache).
    fn synced(&self) -> Result<(), SyncError> {
        let now = Utc::now();
        let scope = Scope::CustomerList;
        lock(self.cache())?.set_freshness(&scope, &FreshnessRecord::new(now, max_age(&scope)))?;
        self.status.send_modify(|s| s.last_synced = Some(now));
        Ok(())
    }

    /// What the server's reachability now says, in the status at once. Back from offline: the
    /// outbox is sent and a round runs.
    fn reachability(&self, found: &Reachability) {
        match found {
            Reachability::Unknown => {}
            Reachability::Reachable => {
                let was_offline = self.status.borrow().connectivity == Connectivity::Offline;
                self.status.send_if_modified(|s| {
                    let changed = s.connectivity != Connectivity::Online;
                    s.connectivity = Connectivity::Online;
                    s.offline_reason = None;
                    changed
                });
                if was_offline {
                    self.send_now();
                    self.nudge();
                }
            }
            Reachability::Unreachable { reason } => {
                self.status.send_if_modified(|s| {
                    let changed = s.connectivity != Connectivity::Offline
                        || s.offline_reason.as_deref() != Some(reason.as_str());
                    s.connectivity = Connectivity::Offline;
                    s.offline_reason = Some(reason.clone());
                    // Nothing is being sent while nothing can be.
                    if s.activity.is_some() {
                        s.activity = None;
                    }
                    changed
                });
            }
        }
    }

    fn activity(&self, label: &str, done: u64, total: Option<u64>) {
        self.status.send_modify(|s| {
            s.activity = Some(Activity {
                label: label.into(),
                done,
                total,
            })
        });
    }

    /// One round: send the outbox, bring the list up to date, send what was queued meanwhile;
    /// with `scan`, also look for customers deleted on the server (a full id scan).
    pub async fn sync_now(&self, scan: bool) -> Result<RoundReport, SyncError> {
        let result = {
            let _one_at_a_time = self.round.lock().await;
            self.round_inner(scan).await
        };
        self.round_ended(&result);
        let mut report = result?;
        // The detail prefetch runs outside the round lock, so the outbox sender never waits for
        // it; one prefetch at a time (a round that finds one running leaves it to it).
        if let Ok(_one_prefetch) = self.prefetch.try_lock() {
            let prefetched = self
                .prefetch_details(Allowance::left_now(&self.client().budget()))
                .await;
            self.status.send_modify(|s| {
                if !self.sending.load(Ordering::Relaxed) {
                    s.activity = None;
                }
            });
            report.prefetch = Some(prefetched?);
        }
        Ok(report)
    }

    /// The status after a round (or a send) ended.
    fn round_ended<T>(&self, result: &Result<T, SyncError>) {
        if result.is_ok() {
            if let Err(e) = self.synced() {
                tracing::warn!(error = %e, "last-synced time not kept");
            }
        }
        self.status.send_modify(|s| {
            if !self.sending.load(Ordering::Relaxed) {
                s.activity = None;
            }
            match result {
                Ok(_) => {
                    s.connectivity = Connectivity::Online;
                    s.offline_reason = None;
                    s.last_error = None;
                }
                Err(e) if e.is_offline() => {
                    s.connectivity = Connectivity::Offline;
                    s.offline_reason = Some(e.to_string());
                }
                Err(e) => {
                    // The server answered (so not offline), but the round failed.
                    if matches!(e, SyncError::Api(_)) {
                        s.connectivity = Connectivity::Online;
                        s.offline_reason = None;
                    }
                    s.last_error = Some(StatusError {
                        code: e.code().into(),
                        message: e.to_string(),
                    });
                }
            }
        });
        self.refresh_counts();
    }

    /// Sends what waits in the outbox now (the outbox sender): it waits at most for a list-sync
    /// step in progress, never for the prefetch.
    pub async fn send_waiting(&self) -> Result<ReplayReport, SyncError> {
        let result = {
            let _one_at_a_time = self.round.lock().await;
            self.replay(Batches::Sliced).await
        };
        if let Err(e) = &result {
            self.status.send_modify(|s| {
                if e.is_offline() {
                    s.connectivity = Connectivity::Offline;
                    s.offline_reason = Some(e.to_string());
                } else {
                    s.last_error = Some(StatusError {
                        code: e.code().into(),
                        message: e.to_string(),
                    });
                }
            });
        }
        result
    }

    async fn round_inner(&self, scan: bool) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport {
            replay: self.replay(Batches::Skip).await?,
            ..RoundReport::default()
        };

        self.activity("Updating organisations", 0, None);
        let on_rows = |n| self.activity("Updating organisations", n, None);
        report.list = sync_customer_list_with(self.client(), self.cache(), &on_rows).await?;
        // The server answered: online now, not only once the whole round (prefetch included)
        // is over.
        self.status.send_modify(|s| {
            s.connectivity = Connectivity::Online;
            s.offline_reason = None;
        });
        if report.list.upserted > 0 {
            self.ctx.announce(CacheChange {
                list_changed: true,
                ..CacheChange::default()
            });
        }
        if scan {
            self.activity("Checking for removed organisations", 0, None);
            let scanned = scan_deletions(self.client(), self.cache()).await?;
            if !scanned.deleted.is_empty() || scanned.upserted > 0 {
                self.ctx.announce(CacheChange {
                    ids: scanned.deleted.clone(),
                    list_changed: true,
                    ..CacheChange::default()
                });
            }
            report.deleted = scanned.deleted;
        }
        // Edits made while the list was read go out in the same round.
        let more = self.replay(Batches::Skip).await?;
        report.replay.absorb(more);
        // Rows changed: rebuild the search index now, in the background, so the next
        // keystroke finds it ready instead of falling back to SQLite.
        if report.list.upserted > 0 || !report.deleted.is_empty() || report.replay.completed > 0 {
            if let Ok(cache) = self.cache().lock() {
                if let Err(e) = cache.warm_search_index() {
                    tracing::warn!(error = %e, "search index rebuild did not start");
                }
            }
        }
        Ok(report)
    }

    /// Tells the engine which customer the user has open (None: none). Its stale or missing
    /// tabs are fetched first, in the interactive lane, by `refresh_open_customer` and by
    /// every round's prefetch.
    pub fn set_open_customer(&self, id: Option<i64>) {
        self.open_customer.store(id.unwrap_or(0), Ordering::Relaxed);
    }

    fn open_customer(&self) -> Option<i64> {
        Some(self.open_customer.load(Ordering::Relaxed)).filter(|id| *id > 0)
    }

    /// Fetches the open customer's stale and missing tabs now (interactive lane), without
    /// waiting for a round: stale-while-revalidate for the page the user is looking at.
    pub async fn refresh_open_customer(&self) -> Result<PrefetchReport, SyncError> {
        self.prefetch_details(Allowance::Requests(0)).await
    }

    /// "Sync now" for the page the user is looking at: every tab of the open customer fetched
    /// again (interactive lane), fresh or not, except those already fetched at or after
    /// `clicked` (the round that "Sync now" ran first may have fetched the stale ones: once is
    /// enough). Returns how many were refreshed (0: none open).
    pub async fn refresh_open_customer_now(
        &self,
        clicked: DateTime<Utc>,
    ) -> Result<usize, SyncError> {
        let Some(id) = self.open_customer() else {
            return Ok(0);
        };
        let client = self.client().lane(scriptix_api::Lane::Interactive);
        let mut refreshed = 0;
        for tab in Tab::ALL {
            let target = Target::Tab {
                customer_id: id,
                tab,
            };
            if fetched_since(self.cache(), target, clicked)? {
                refreshed += 1;
                continue;
            }
            // The prefetch may be fetching this very tab (the open organisation goes first).
            let turn = self.flights.turn(target, FOLLOW_AT_MOST).await;
            if turn.followed {
                refreshed += 1;
                continue;
            }
            match refresh_tab(&client, self.cache(), id, tab, Utc::now()).await? {
                RefreshOutcome::Refreshed { .. } => {
                    turn.fetched();
                    refreshed += 1;
                }
                RefreshOutcome::NotSupported { .. }
                | RefreshOutcome::CustomerNotCached
                | RefreshOutcome::Superseded => {}
            }
        }
        if refreshed > 0 {
            self.ctx.announce(CacheChange {
                ids: vec![id],
                details_changed: true,
                ..CacheChange::default()
            });
        }
        Ok(refreshed)
    }

    /// Fetches the branding now in the interactive lane (the Branding screen is on screen and
    /// its copy is missing or stale), without waiting for the prefetch to reach it. Returns
    /// whether the cache was written (announced as a detail change).
    pub async fn refresh_branding_now(&self) -> Result<bool, SyncError> {
        let client = self.client().lane(scriptix_api::Lane::Interactive);
        let outcome =
            refresh_branding(&client, self.cache(), self.logo_worker.get(), Utc::now()).await?;
        let refreshed = matches!(outcome, RefreshOutcome::Refreshed { .. });
        if refreshed {
            self.ctx.announce(CacheChange {
                details_changed: true,
                ..CacheChange::default()
            });
        }
        Ok(refreshed)
    }

    /// Plans and runs a detail prefetch: the open customer first (interactive lane), then the
    /// other customers' stale and missing data in the background lane, within `allowance`.
    async fn prefetch_details(&self, allowance: Allowance) -> Result<PrefetchReport, SyncError> {
        let plan = {
            let cache = self
                .cache()
                .lock()
                .map_err(|_| SyncError::CacheUnavailable)?;
            // The most recently changed customers (planning reads a freshness record per tab,
            // under the cache lock: bounded, so a round stays short with 10 000 customers).
            let mut ids = cache.recently_modified_ids(PREFETCH_SCOPE)?;
            if let Some(open) = self.open_customer().filter(|id| !ids.contains(id)) {
                ids.insert(0, open);
            }
            let state = detail_state(&cache, &ids, Utc::now())?;
            plan_prefetch(&state, self.open_customer(), allowance)
        };
        if plan.fetches.is_empty() {
            return Ok(PrefetchReport::default());
        }
        let logos = self.logo_worker.get();
        let report = prefetch_with(
            self.client(),
            self.cache(),
            logos,
            &self.flights,
            &plan,
            |p| {
                // A bulk change or import waiting to be sent shares the background lane with
                // this guesswork and goes first: stop, and let a later round plan again. (The
                // user's single changes go in the interactive lane's reserve meanwhile.)
                let batch = self.cache().lock().map(|c| c.batch_waiting());
                if matches!(batch, Ok(Ok(true))) {
                    return ControlFlow::Break(());
                }
                if !self.sending.load(Ordering::Relaxed) {
                    self.activity("Fetching details", p.done as u64, Some(p.total as u64));
                }
                ControlFlow::Continue(())
            },
        )
        .await;
        if report.refreshed > 0 {
            self.ctx.announce(CacheChange {
                details_changed: true,
                ..CacheChange::default()
            });
        }
        match report.stopped {
            Some(PrefetchStop::Failed(ref e)) if e.is_offline() => {
                Err(SyncError::Api(scriptix_api::ApiError::Offline {
                    reason: e.to_string(),
                }))
            }
            _ => Ok(report),
        }
    }

    /// Sends the outbox, counting down in the status line.
    async fn replay(&self, batches: Batches) -> Result<ReplayReport, SyncError> {
        self.refresh_counts();
        let pending = self.status.borrow().pending;
        let report = if pending > 0 {
            self.sending.store(true, Ordering::Relaxed);
            // A round sends only single changes: of the pending count (batches included) it
            // cannot say how many it will send, so it names none and says so only once it sends.
            let total = (batches == Batches::Sliced).then_some(pending);
            if total.is_some() {
                self.activity("Sending changes", 0, total);
            }
            let on_done = |n| self.activity("Sending changes", n, total.map(|t| t.max(n)));
            let sent =
                replay_outbox_with(self.client(), self.cache(), Utc::now(), batches, &on_done)
                    .await;
            self.sending.store(false, Ordering::Relaxed);
            // What was being sent is over (done, or stopped: offline or refused).
            self.status.send_modify(|s| s.activity = None);
            sent?
        } else {
            ReplayReport::default()
        };
        self.refresh_counts();
        self.publish_replay(&report);
        Ok(report)
    }

    fn publish_replay(&self, r: &ReplayReport) {
        if r.touched.is_empty() && r.remapped.is_empty() && r.details == 0 {
            return;
        }
        self.ctx.announce(CacheChange {
            ids: r.touched.clone(),
            list_changed: !r.remapped.is_empty(),
            remapped: r.remapped.clone(),
            details_changed: r.details > 0,
        });
    }

    /// Runs the engine's three loops (see the module doc) until the engine is dropped by
    /// everyone else. Rounds: every `interval`, at once when nudged, and while offline after a
    /// backoff that doubles from 2 s to a minute (back online runs one at once); every
    /// `scan_every` rounds one also scans for deletions.
    pub async fn run(self: Arc<Self>, interval: Duration, scan_every: u32) {
        let weak = Arc::downgrade(&self);
        let (wake, send) = (self.wake.clone(), self.send.clone());
        let reach = self.client().reachability();
        drop(self);
        tokio::join!(
            rounds(weak.clone(), wake, interval, scan_every),
            sender(weak.clone(), send),
            watch_connectivity(weak, reach),
        );
    }
}

impl Drop for SyncEngine {
    /// Wakes the loops, which find the engine gone and end.
    fn drop(&mut self) {
        self.wake.notify_one();
        self.send.notify_one();
    }
}

async fn rounds(weak: Weak<SyncEngine>, wake: Arc<Notify>, interval: Duration, scan_every: u32) {
    let mut backoff = Duration::from_secs(2);
    let mut round: u32 = 0;
    loop {
        let wait = {
            let Some(engine) = weak.upgrade() else {
                return;
            };
            let scan = scan_every > 0 && round.is_multiple_of(scan_every);
            round = round.wrapping_add(1);
            match engine.sync_now(scan).await {
                Ok(_) => {
                    backoff = Duration::from_secs(2);
                    interval
                }
                Err(e) => {
                    if !e.is_offline() {
                        tracing::warn!(code = e.code(), error = %e, "sync round failed");
                    }
                    let wait = backoff.min(interval);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    wait
                }
            }
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// The outbox sender: sends what waits whenever the outbox changes or the server is back.
/// While the server is known to be unreachable it waits (nothing could go). A send stopped by
/// the server (rate limit, server trouble) is tried again after a backoff that doubles from
/// 1 s to 30 s, so a change never waits for the next round.
async fn sender(weak: Weak<SyncEngine>, send: Arc<Notify>) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let retry = {
            let Some(engine) = weak.upgrade() else {
                return;
            };
            let status = engine.status();
            if status.pending > 0 && status.connectivity != Connectivity::Offline {
                match engine.send_waiting().await {
                    // A batch's slice is over, or the budget has no room for it yet: the lock
                    // was let go for a round waiting on it; the batch goes on when the budget
                    // allows (a change made meanwhile wakes the sender at once).
                    Ok(sent) if sent.more => {
                        backoff = Duration::from_secs(1);
                        Some(sent.wait.unwrap_or(Duration::ZERO))
                    }
                    Ok(_) => {
                        backoff = Duration::from_secs(1);
                        None
                    }
                    // Back online wakes the sender.
                    Err(e) if e.is_offline() => None,
                    Err(e) => {
                        tracing::warn!(code = e.code(), error = %e, "sending changes stopped; trying again");
                        let wait = backoff;
                        backoff = (backoff * 2).min(MAX_SEND_BACKOFF);
                        Some(wait)
                    }
                }
            } else {
                None
            }
        };
        match retry {
            Some(wait) => {
                tokio::select! {
                    _ = send.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
            None => send.notified().await,
        }
    }
}

/// Follows the server's reachability: every attempt's outcome at once, and a probe every
/// `PROBE_EVERY` (a silent network, a server back).
async fn watch_connectivity(weak: Weak<SyncEngine>, mut reach: watch::Receiver<Reachability>) {
    loop {
        let probe = tokio::select! {
            changed = reach.changed() => {
                if changed.is_err() {
                    return;
                }
                false
            }
            _ = tokio::time::sleep(PROBE_EVERY) => true,
        };
        let Some(engine) = weak.upgrade() else {
            return;
        };
        let found = if probe {
            engine.client().probe(PROBE_TIMEOUT).await
        } else {
            reach.borrow_and_update().clone()
        };
        engine.reachability(&found);
    }
}

impl OutboxListener for SyncEngine {
    /// A change was queued, folded or dropped: counts now, and the sender sends it at once.
    fn outbox_changed(&self) {
        self.refresh_counts();
        self.send_now();
    }
}
