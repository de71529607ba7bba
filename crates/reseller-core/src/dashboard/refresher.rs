//! The dashboard's background refresh: one job per workspace, owned by it (dropping the
//! workspace stops it). The screen re-reads on every cache change and each read asks for a
//! refresh, so a read must not become a request: a request for the range being refreshed
//! joins that job, a range refreshed moments ago is not refreshed again, and a new range
//! cancels the old one. Progress is announced on the context's change stream, throttled.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::pending::Carried;
use super::{refresh_range, DashboardRefresh, DashboardView, RangeRequest};
use crate::context::{CacheChange, Context};
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

/// Serialised with `progressText` too: `done` of `total` in the system's locale ("3 of 10").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshStatus {
    pub running: bool,
    /// Customers fetched / to fetch, in computed mode.
    pub done: usize,
    pub total: usize,
    pub error: Option<RefreshError>,
}

impl Serialize for RefreshStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("RefreshStatus", 5)?;
        out.serialize_field("running", &self.running)?;
        out.serialize_field("done", &self.done)?;
        out.serialize_field("total", &self.total)?;
        out.serialize_field("error", &self.error)?;
        out.serialize_field(
            "progressText",
            &crate::format::sys().of(self.done as u64, self.total as u64),
        )?;
        out.end()
    }
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
    started_at: DateTime<Utc>,
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
    /// The user's confirmed changes the cached totals do not hold yet.
    carried: Mutex<Carried>,
    /// The range the dashboard shows while it is on screen ("Sync now" refreshes it).
    on_screen: Mutex<Option<RangeRequest>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every write under these locks is a single assignment: a panic cannot leave one half-done.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl DashboardRefresher {
    /// Starts the range's refresh unless one for it runs (or ran within `restart_after`);
    /// returns its status.
    pub fn ensure(
        &self,
        ctx: &Arc<Context>,
        range: &RangeRequest,
    ) -> Result<RefreshStatus, CoreError> {
        self.ensure_after(ctx, range, None)
    }

    /// As [`DashboardRefresher::ensure`], and when `needed_after` is given the figures must be
    /// fetched after that moment (a change of the user's was confirmed then, or "Sync now"):
    /// a job started before it is replaced, and the server's dashboard is asked again
    /// whatever its age.
    pub fn ensure_after(
        &self,
        ctx: &Arc<Context>,
        range: &RangeRequest,
        needed_after: Option<DateTime<Utc>>,
    ) -> Result<RefreshStatus, CoreError> {
        let range_key = range.resolve(Utc::now().date_naive())?.key();
        let timing = *lock(&self.timing);
        let mut slot = lock(&self.job);
        if let Some(job) = slot.as_ref() {
            let status = job.status.borrow().clone();
            let recent_enough = needed_after.is_none_or(|t| job.started_at >= t);
            if job.range_key == range_key
                && recent_enough
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
            ctx.clone(),
            range.clone(),
            cancel.clone(),
            needed_after.is_some(),
            tx,
            timing.notify_every,
        ));
        *slot = Some(Job {
            range_key,
            cancel,
            status: rx,
            task,
            started: Instant::now(),
            started_at: Utc::now(),
        });
        // What it was when started (on another thread it may already be done).
        Ok(started)
    }
}

impl DashboardRefresher {
    /// The current job's status and its changes (None: none started).
    pub fn status(&self) -> Option<watch::Receiver<RefreshStatus>> {
        lock(&self.job).as_ref().map(|j| j.status.clone())
    }

    /// Changes the pacing (tests; the defaults suit the app).
    pub fn set_timing(&self, timing: RefreshTiming) {
        *lock(&self.timing) = timing;
    }

    /// The dashboard screen for `req`: the view with the user's changes in its totals, and
    /// the range refreshed (again at once when a change of the user's was just confirmed).
    pub fn screen(
        &self,
        ctx: &Arc<Context>,
        req: &super::DashboardRequest,
        threshold: f64,
    ) -> Result<DashboardScreen, CoreError> {
        *lock(&self.on_screen) = Some(req.range.clone());
        let (view, refetch, needed_after) = {
            let mut carried = lock(&self.carried);
            let (view, refetch) = ctx.dashboard_following(req, threshold, &mut carried)?;
            (view, refetch, carried.oldest())
        };
        let refresh = self.ensure_after(ctx, &req.range, needed_after.filter(|_| refetch))?;
        Ok(DashboardScreen { view, refresh })
    }

    /// The dashboard left the screen: "Sync now" no longer refreshes it.
    pub fn hidden(&self) {
        *lock(&self.on_screen) = None;
    }

    /// "Sync now": the range on screen is fetched again at once (nothing when the dashboard
    /// is not on screen). Returns whether it was.
    pub fn refresh_now(&self, ctx: &Arc<Context>) -> Result<bool, CoreError> {
        let Some(range) = lock(&self.on_screen).clone() else {
            return Ok(false);
        };
        self.ensure_after(ctx, &range, Some(Utc::now()))?;
        Ok(true)
    }
}

fn announce(ctx: &Context) {
    ctx.announce(CacheChange {
        details_changed: true,
        ..CacheChange::default()
    });
}

async fn run(
    ctx: Arc<Context>,
    range: RangeRequest,
    cancel: Arc<AtomicBool>,
    force: bool,
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
            announce(&ctx);
        }
    };
    let outcome = refresh_range(&ctx, &range, &cancel, force, progress).await;
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
        announce(&ctx);
    }
}
