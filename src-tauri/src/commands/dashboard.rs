//! Dashboard commands: the view (read from the cache; a background refresh of the range is
//! started or continued, and the window is told to re-read as it goes), the CSV export of the
//! table as shown, and the alert threshold (a local setting).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reseller_core::dashboard::alerts::check_threshold;
use reseller_core::dashboard::{
    export_file_name, DashboardRefresh, DashboardRequest, DashboardView, FillProgress,
    DEFAULT_THRESHOLD_PERCENT,
};
use reseller_core::sync::CacheChange;
use reseller_core::workspace::Workspace;
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::active::CACHE_CHANGED_EVENT;
use crate::error::IpcError;
use crate::pick::{save_path, Filter};
use crate::settings;
use crate::state::AppState;

/// A finished refresh of the same range is not started again sooner than this (the window
/// re-reads on every cache change; each read must not become a request).
const RESTART_AFTER: Duration = Duration::from_secs(30);
/// The window is told to re-read at most this often while a computed dashboard fills in.
const EMIT_EVERY: Duration = Duration::from_millis(800);

/// The background refresh of one range of one account.
struct Job {
    workspace: usize,
    range_key: String,
    cancel: Arc<AtomicBool>,
    status: Arc<Mutex<JobStatus>>,
    handle: JoinHandle<()>,
    started: Instant,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    pub running: bool,
    /// Customers fetched / to fetch, in computed mode.
    pub done: usize,
    pub total: usize,
    /// Why the last refresh stopped (offline, ...): the screen keeps what the cache has.
    pub error: Option<IpcError>,
}

/// The one refresh running (a new range cancels the previous one).
#[derive(Default)]
struct DashboardJobs(Mutex<Option<Job>>);

fn jobs(handle: &AppHandle) -> State<'_, DashboardJobs> {
    // Managed on first use, so the app's builder needs no line for it.
    handle.manage(DashboardJobs::default());
    handle.state::<DashboardJobs>()
}

/// What the dashboard screen shows: the view and the refresh behind it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardScreen {
    #[serde(flatten)]
    pub view: DashboardView,
    pub refresh: JobStatus,
}

fn threshold(handle: &AppHandle) -> f64 {
    settings::load(handle)
        .alert_threshold_percent
        .and_then(|t| check_threshold(f64::from(t)).ok())
        .unwrap_or(DEFAULT_THRESHOLD_PERCENT)
}

fn tell_window(handle: &AppHandle) {
    let _ = handle.emit(
        CACHE_CHANGED_EVENT,
        CacheChange {
            details_changed: true,
            ..CacheChange::default()
        },
    );
}

/// Starts the range's refresh unless one for it runs (or ran moments ago); returns its status.
fn ensure_refresh(
    handle: &AppHandle,
    workspace: &Arc<Workspace>,
    req: &DashboardRequest,
    range_key: String,
) -> JobStatus {
    let jobs = jobs(handle);
    let mut slot = jobs
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let id = Arc::as_ptr(workspace) as usize;
    if let Some(job) = slot.as_ref() {
        let same = job.workspace == id && job.range_key == range_key;
        let status = job.status.lock().map(|s| s.clone()).unwrap_or_default();
        if same && (status.running || job.started.elapsed() < RESTART_AFTER) {
            return status;
        }
        job.cancel.store(true, Ordering::Relaxed);
        job.handle.abort();
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let status = Arc::new(Mutex::new(JobStatus {
        running: true,
        ..JobStatus::default()
    }));
    let task = {
        let (handle, workspace, cancel, status) = (
            handle.clone(),
            workspace.clone(),
            cancel.clone(),
            status.clone(),
        );
        let range = req.range.clone();
        tauri::async_runtime::spawn(async move {
            let mut last_emit = Instant::now();
            let progress = |p: FillProgress| {
                if let Ok(mut s) = status.lock() {
                    s.done = p.done;
                    s.total = p.total;
                }
                if last_emit.elapsed() >= EMIT_EVERY {
                    last_emit = Instant::now();
                    tell_window(&handle);
                }
            };
            let outcome = workspace.refresh_dashboard(&range, &cancel, progress).await;
            // Nothing fetched: nothing to re-read (and no event to set off another read).
            let changed = !matches!(outcome, Ok(DashboardRefresh::Fresh));
            if let Ok(mut s) = status.lock() {
                s.running = false;
                match outcome {
                    Ok(DashboardRefresh::Fresh) => {}
                    Ok(done) => tracing::debug!(?done, "dashboard refreshed"),
                    Err(e) => {
                        tracing::info!(code = e.code(), "dashboard not refreshed");
                        s.error = Some(IpcError::from(e));
                    }
                }
            }
            if changed && !cancel.load(Ordering::Relaxed) {
                tell_window(&handle);
            }
        })
    };
    *slot = Some(Job {
        workspace: id,
        range_key,
        cancel,
        status: status.clone(),
        handle: task,
        started: Instant::now(),
    });
    let now = status.lock().map(|s| s.clone()).unwrap_or_default();
    now
}

/// The dashboard for a range as the cache has it; refreshes it in the background.
#[tauri::command]
pub async fn dashboard_view(
    handle: AppHandle,
    state: State<'_, AppState>,
    request: DashboardRequest,
) -> Result<DashboardScreen, IpcError> {
    let workspace = state.workspace().await?;
    let view = workspace.dashboard(&request, threshold(&handle))?;
    let refresh = ensure_refresh(&handle, &workspace, &request, view.range.key());
    Ok(DashboardScreen { view, refresh })
}

/// Where the export went and how many rows it has; `None`: the user cancelled.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub path: String,
    pub rows: usize,
}

/// Asks where to save, then writes the table exactly as `dashboard_view(request)` shows it.
#[tauri::command]
pub async fn export_dashboard_csv(
    handle: AppHandle,
    state: State<'_, AppState>,
    request: DashboardRequest,
) -> Result<Option<Exported>, IpcError> {
    let workspace = state.workspace().await?;
    // The range is checked before a dialog is shown for it.
    let name = export_file_name(&request.range)?;
    let filters = [Filter {
        name: "CSV",
        extensions: &["csv"],
    }];
    let Some(path) = save_path(&handle, "Export usage per organisation", &name, &filters).await
    else {
        return Ok(None);
    };
    let rows = workspace.export_dashboard_csv(&request, threshold(&handle), &path)?;
    Ok(Some(Exported {
        path: path.display().to_string(),
        rows,
    }))
}

/// Keeps the alert threshold (whole percent of available units) for this and later sessions.
#[tauri::command]
pub fn set_alert_threshold(handle: AppHandle, percent: f64) -> Result<f64, IpcError> {
    let percent = check_threshold(percent.round()).map_err(|message| IpcError {
        code: "invalid_input".into(),
        message,
        field: Some("threshold".into()),
    })?;
    // In range 1..=1000 after the check, so the cast is exact.
    let whole = percent as u32;
    settings::update(&handle, |s| s.alert_threshold_percent = Some(whole))?;
    Ok(f64::from(whole))
}
