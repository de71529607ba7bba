//! The dashboard's background refresh: one job per workspace, owned by it (dropping the
//! workspace stops it). The screen re-reads on every cache change and each read asks for a
//! refresh, so a read must not become a request: a request for the range being refreshed
//! joins that job, a range refreshed moments ago is not refreshed again, and a new range
//! cancels the old one. Progress is announced on the engine's change stream, throttled.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{refresh_range, DashboardRefresh, DashboardRequest, DashboardView, RangeRequest};
use crate::sync::{CacheChange, SyncEngine};
use crate::workspace::Workspace;
use crate::CoreError;

/// A finished refresh of the same range is not started again sooner than this.
pub const RESTART_AFTER: Duration = Duration::from_secs(30);
/// The window is told to re-read at most this often while a computed dashboard fills in.
pub const NOTIFY_EVERY: Duration = Duration::from_millis(800);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshTiming {
    pub restart_after: Duration,
    pub notify_every: Duration,
}

impl Default for RefreshTiming {
    fn default() -> Self {
        RefreshTiming {
            restart_after: RESTART_AFTER,
            notify_every: NOTIFY_EVERY,
        }
    }
}

/// Why the last refresh stopped (offline, ...): the screen keeps what the cache has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefreshError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<&CoreError> for RefreshError {
    fn from(e: &CoreError) -> Self {
        RefreshError {
            code: e.code().to_string(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshStatus {
    pub running: bool,
    /// Customers fetched / to fetch, in computed mode.
    pub done: usize,
    pub total: usize,
    pub error: Option<RefreshError>,
}

/// What the dashboard screen shows: the view and the refresh behind it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardScreen {
    #[serde(flatten)]
    pub view: DashboardView,
    pub refresh: RefreshStatus,
}

struct Job {
    range_key: String,
    cancel: Arc<AtomicBool>,
    status: watch::Receiver<RefreshStatus>,
    task: JoinHandle<()>,
    started: Instant,
}

impl Drop for Job {
    /// Replaced or its workspace gone: the job stops (between two customers, or at once).
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.task.abort();
    }
}

/// The workspace's one dashboard job.
#[derive(Default)]
pub struct DashboardRefresher {
    job: Mutex<Option<Job>>,
    timing: Mutex<RefreshTiming>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every write under these locks is a single assignment: a panic cannot leave one half-done.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl DashboardRefresher {
    /// Starts the range's refresh unless one for it runs (or ran within `restart_after`);
    /// returns its status.
    fn ensure(
        &self,
        engine: &Arc<SyncEngine>,
        range: &RangeRequest,
        range_key: String,
    ) -> Result<RefreshStatus, CoreError> {
        let timing = *lock(&self.timing);
        let mut slot = lock(&self.job);
        if let Some(job) = slot.as_ref() {
            let status = job.status.borrow().clone();
            if job.range_key == range_key
                && (status.running || job.started.elapsed() < timing.restart_after)
            {
                return Ok(status);
            }
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| CoreError::Busy {
            message: "The dashboard cannot be refreshed right now.".into(),
        })?;
        // The old job (another range, or long finished) stops as it is replaced.
        slot.take();
        let cancel = Arc::new(AtomicBool::new(false));
        let started = RefreshStatus {
            running: true,
            ..RefreshStatus::default()
        };
        let (tx, rx) = watch::channel(started.clone());
        let task = runtime.spawn(run(
            engine.clone(),
            range.clone(),
            cancel.clone(),
            tx,
            timing.notify_every,
        ));
        *slot = Some(Job {
            range_key,
            cancel,
            status: rx,
            task,
            started: Instant::now(),
        });
        // What it was when started (on another thread it may already be done).
        Ok(started)
    }
}

fn announce(engine: &SyncEngine) {
    engine.announce(CacheChange {
        details_changed: true,
        ..CacheChange::default()
    });
}

async fn run(
    engine: Arc<SyncEngine>,
    range: RangeRequest,
    cancel: Arc<AtomicBool>,
    status: watch::Sender<RefreshStatus>,
    notify_every: Duration,
) {
    let mut last = Instant::now();
    let progress = |p: super::FillProgress| {
        status.send_modify(|s| {
            s.done = p.done;
            s.total = p.total;
        });
        if last.elapsed() >= notify_every {
            last = Instant::now();
            announce(&engine);
        }
    };
    let outcome = refresh_range(&engine, &range, &cancel, progress).await;
    // Nothing fetched: nothing to re-read (and no change to set off another read).
    let changed = !matches!(outcome, Ok(DashboardRefresh::Fresh));
    match &outcome {
        Ok(DashboardRefresh::Fresh) => {}
        Ok(done) => tracing::debug!(?done, "dashboard refreshed"),
        Err(e) => tracing::info!(code = e.code(), "dashboard not refreshed"),
    }
    status.send_modify(|s| {
        s.running = false;
        s.error = outcome.as_ref().err().map(RefreshError::from);
    });
    if changed && !cancel.load(Ordering::Relaxed) {
        announce(&engine);
    }
}

impl Workspace {
    /// The dashboard screen: the view from the cache, and the range refreshed in the
    /// background (started, joined, or left alone when refreshed moments ago).
    pub fn dashboard_screen(
        &self,
        req: &DashboardRequest,
        threshold: f64,
    ) -> Result<DashboardScreen, CoreError> {
        let view = self.dashboard(req, threshold)?;
        let refresh = self.refresh_dashboard_in_background(&req.range)?;
        Ok(DashboardScreen { view, refresh })
    }

    /// Makes sure the range is being (or was just) refreshed; returns that refresh's status.
    /// Progress and the end are announced on the engine's change stream. Needs a tokio runtime.
    pub fn refresh_dashboard_in_background(
        &self,
        range: &RangeRequest,
    ) -> Result<RefreshStatus, CoreError> {
        let key = range.resolve(Utc::now().date_naive())?.key();
        self.dashboard_refresher.ensure(&self.engine, range, key)
    }

    /// The current dashboard job's status and its changes (None: none started).
    pub fn dashboard_refresh_status(&self) -> Option<watch::Receiver<RefreshStatus>> {
        lock(&self.dashboard_refresher.job)
            .as_ref()
            .map(|j| j.status.clone())
    }

    /// Changes the refresher's pacing (tests; the defaults suit the app).
    pub fn set_dashboard_refresh_timing(&self, timing: RefreshTiming) {
        *lock(&self.dashboard_refresher.timing) = timing;
    }
}
