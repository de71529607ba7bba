//! The sync engine as the app runs it: rounds of outbox replay, list sync and detail prefetch,
//! one at a time, publishing a status stream and the ids whose cached rows changed. A background loop runs a
//! round on a timer, at once when nudged (an edit was made, "Sync now"), and backs off while
//! offline.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::Utc;
use scriptix_api::Client;
use tokio::sync::{broadcast, watch, Notify};

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicI64, Ordering};

use super::customers::{scan_deletions, sync_customer_list_with, ListSyncReport, SyncError};
use super::detail_plan::{plan_prefetch, Allowance};
use super::details::{detail_state, prefetch_with, PrefetchReport, PrefetchStop};
use super::replay::{replay_outbox_with, ReplayReport};
use super::status::{Activity, Connectivity, StatusError, SyncStatus};
use crate::branding::worker::LogoWorker;
use crate::cache::Cache;

/// Cached customers changed: the UI re-reads what it shows of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheChange {
    /// Customer ids whose rows changed; empty with `list_changed` when too many to name.
    pub ids: Vec<i64>,
    /// Rows were added or removed, or too many changed to list: re-read the list.
    pub list_changed: bool,
    /// Local ids that got their server id: (local, server), so an open page can follow.
    pub remapped: Vec<(i64, i64)>,
    /// Detail data (tabs, dashboard, branding) was refreshed: an open tab re-reads.
    pub details_changed: bool,
}

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

pub struct SyncEngine {
    client: Client,
    cache: Arc<Mutex<Cache>>,
    status: watch::Sender<SyncStatus>,
    changes: broadcast::Sender<CacheChange>,
    /// One round at a time (a replay must never run twice over the same operation).
    round: tokio::sync::Mutex<()>,
    wake: Notify,
    /// The customer the user has open (0: none): its tabs go first, in the interactive lane.
    open_customer: AtomicI64,
    /// Where logos are decoded (a child process); without one, the server's logo is not kept.
    logo_worker: OnceLock<LogoWorker>,
}

impl SyncEngine {
    pub fn new(client: Client, cache: Arc<Mutex<Cache>>) -> Arc<SyncEngine> {
        let (status, _) = watch::channel(SyncStatus::default());
        let (changes, _) = broadcast::channel(64);
        let engine = Arc::new(SyncEngine {
            client,
            cache,
            status,
            changes,
            round: tokio::sync::Mutex::new(()),
            wake: Notify::new(),
            open_customer: AtomicI64::new(0),
            logo_worker: OnceLock::new(),
        });
        engine.refresh_counts();
        engine
    }

    pub fn cache(&self) -> &Arc<Mutex<Cache>> {
        &self.cache
    }

    pub fn client(&self) -> &Client {
        &self.client
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
        self.changes.subscribe()
    }

    /// Publishes a change made outside a round (the dashboard's background refresh).
    pub(crate) fn announce(&self, change: CacheChange) {
        let _ = self.changes.send(change);
    }

    /// Re-reads the outbox counts into the status (after a local edit or a settle).
    pub fn refresh_counts(&self) {
        let counts = match self.cache.lock() {
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

    /// Asks the background loop for a round now (an edit is waiting, or "Sync now").
    pub fn nudge(&self) {
        self.wake.notify_one();
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
        let _one_at_a_time = self.round.lock().await;
        let result = self.round_inner(scan).await;
        self.status.send_modify(|s| {
            s.activity = None;
            match &result {
                Ok(_) => {
                    s.connectivity = Connectivity::Online;
                    s.offline_reason = None;
                    s.last_synced = Some(Utc::now());
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
        result
    }

    async fn round_inner(&self, scan: bool) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport {
            replay: self.replay().await?,
            ..RoundReport::default()
        };

        self.activity("Updating organisations", 0, None);
        let on_rows = |n| self.activity("Updating organisations", n, None);
        report.list = sync_customer_list_with(&self.client, &self.cache, &on_rows).await?;
        // The server answered: online now, not only once the whole round (prefetch included)
        // is over.
        self.status.send_modify(|s| {
            s.connectivity = Connectivity::Online;
            s.offline_reason = None;
        });
        if report.list.upserted > 0 {
            let _ = self.changes.send(CacheChange {
                list_changed: true,
                ..CacheChange::default()
            });
        }
        if scan {
            self.activity("Checking for removed organisations", 0, None);
            let scanned = scan_deletions(&self.client, &self.cache).await?;
            if !scanned.deleted.is_empty() || scanned.upserted > 0 {
                let _ = self.changes.send(CacheChange {
                    ids: scanned.deleted.clone(),
                    list_changed: true,
                    ..CacheChange::default()
                });
            }
            report.deleted = scanned.deleted;
        }
        // Edits made while the list was read go out in the same round.
        let more = self.replay().await?;
        report.replay.completed += more.completed;
        report.replay.adopted += more.adopted;
        report.replay.failed += more.failed;
        report.replay.conflicts += more.conflicts;
        report.replay.remapped.extend(more.remapped);
        report.replay.touched.extend(more.touched);
        report.replay.details += more.details;
        report.prefetch = Some(
            self.prefetch_details(Allowance::left_now(&self.client.budget()))
                .await?,
        );
        // Rows changed: rebuild the search index now, in the background, so the next
        // keystroke finds it ready instead of falling back to SQLite.
        if report.list.upserted > 0 || !report.deleted.is_empty() || report.replay.completed > 0 {
            if let Ok(cache) = self.cache.lock() {
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

    /// Plans and runs a detail prefetch: the open customer first (interactive lane), then the
    /// other customers' stale and missing data in the background lane, within `allowance`.
    async fn prefetch_details(&self, allowance: Allowance) -> Result<PrefetchReport, SyncError> {
        let plan = {
            let cache = self.cache.lock().map_err(|_| SyncError::CacheUnavailable)?;
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
        let report = prefetch_with(&self.client, &self.cache, logos, &plan, |p| {
            self.activity("Fetching details", p.done as u64, Some(p.total as u64));
            ControlFlow::Continue(())
        })
        .await;
        if report.refreshed > 0 {
            let _ = self.changes.send(CacheChange {
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
    async fn replay(&self) -> Result<ReplayReport, SyncError> {
        self.refresh_counts();
        let pending = self.status.borrow().pending;
        let report = if pending > 0 {
            self.activity("Sending changes", 0, Some(pending));
            let on_done = |n| self.activity("Sending changes", n, Some(pending.max(n)));
            replay_outbox_with(&self.client, &self.cache, Utc::now(), &on_done).await?
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
        let _ = self.changes.send(CacheChange {
            ids: r.touched.clone(),
            list_changed: !r.remapped.is_empty(),
            remapped: r.remapped.clone(),
            details_changed: r.details > 0,
        });
    }

    /// Runs rounds until the engine is dropped by everyone else: every `interval`, at once
    /// when nudged, and while offline after a backoff that doubles from 2 s to a minute (a
    /// nudge still tries at once). Every `scan_every` rounds one also scans for deletions.
    pub async fn run(self: Arc<Self>, interval: Duration, scan_every: u32) {
        let mut backoff = Duration::from_secs(2);
        let mut round: u32 = 0;
        loop {
            let scan = scan_every > 0 && round % scan_every == 0;
            round = round.wrapping_add(1);
            let wait = match self.sync_now(scan).await {
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
            };
            if Arc::strong_count(&self) == 1 {
                return;
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}
