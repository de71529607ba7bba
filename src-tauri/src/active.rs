//! The signed-in account as the shell runs it: the core's `Workspace` (cache + sync engine),
//! the engine's background loop, and the tasks that forward its status and cache changes to
//! the window as events. Dropping it stops them all.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reseller_core::workspace::Workspace;
use reseller_core::Session;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;

use crate::error::IpcError;

/// Rounds run this often when nothing nudges the engine.
const SYNC_INTERVAL: Duration = Duration::from_secs(60);
/// Every this many rounds, one also scans for customers deleted on the server.
const SCAN_EVERY: u32 = 10;

/// Event with the sync status (payload `SyncStatus`) on every change.
pub const SYNC_STATUS_EVENT: &str = "sync-status";
/// Event naming the customers whose cached data changed (payload `CacheChange`).
pub const CACHE_CHANGED_EVENT: &str = "cache-changed";

pub struct Active {
    pub workspace: Arc<Workspace>,
    tasks: Vec<JoinHandle<()>>,
    /// A demo's cache lives in a temporary directory, removed with it.
    _demo_dir: Option<tempfile::TempDir>,
}

impl Drop for Active {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Active {
    /// The account's cache file (for removing it when the user signs out without keeping it).
    pub fn cache_path(&self, handle: &AppHandle) -> Option<PathBuf> {
        if self._demo_dir.is_some() {
            return None;
        }
        cache_dir(handle)
            .ok()
            .map(|dir| Workspace::cache_path(self.workspace.info(), &dir))
    }
}

/// Where the per-account caches live.
pub fn cache_dir(handle: &AppHandle) -> Result<PathBuf, IpcError> {
    handle
        .path()
        .app_data_dir()
        .map(|d| d.join("caches"))
        .map_err(|e| {
            IpcError::new(
                "cache_io",
                format!("No place to keep the offline copy: {e}"),
            )
        })
}

/// Opens the account's cache and starts its engine and event forwarding.
pub fn activate(handle: &AppHandle, session: &Session) -> Result<Active, IpcError> {
    let info = session.info().clone();
    let (dir, demo_dir) = if info.demo {
        let tmp = tempfile::Builder::new()
            .prefix("scriptix-demo-")
            .tempdir()
            .map_err(|e| {
                IpcError::new(
                    "cache_io",
                    format!("The demo has no place for its data: {e}"),
                )
            })?;
        (tmp.path().to_path_buf(), Some(tmp))
    } else {
        (cache_dir(handle)?, None)
    };
    let workspace = Arc::new(Workspace::open(info, session.client().clone(), &dir)?);
    // Logos (files and the server's) are decoded only in a worker: this executable again.
    match reseller_core::branding::LogoWorker::current_exe() {
        Ok(worker) => {
            workspace.set_logo_worker(worker);
        }
        Err(e) => tracing::warn!(error = %e, "no logo worker: logos will not be processed"),
    }
    let engine = workspace.engine().clone();
    let mut tasks = Vec::new();
    tasks.push(tauri::async_runtime::spawn(
        engine.clone().run(SYNC_INTERVAL, SCAN_EVERY),
    ));
    let mut status = engine.subscribe();
    let emitter = handle.clone();
    tasks.push(tauri::async_runtime::spawn(async move {
        loop {
            let now = status.borrow_and_update().clone();
            let _ = emitter.emit(SYNC_STATUS_EVENT, now);
            if status.changed().await.is_err() {
                return;
            }
        }
    }));
    let mut changes = engine.changes();
    let emitter = handle.clone();
    tasks.push(tauri::async_runtime::spawn(async move {
        loop {
            let change = match changes.recv().await {
                Ok(change) => change,
                // Missed some: the window re-reads everything it shows.
                Err(RecvError::Lagged(_)) => reseller_core::sync::CacheChange {
                    list_changed: true,
                    details_changed: true,
                    ..Default::default()
                },
                Err(RecvError::Closed) => return,
            };
            let _ = emitter.emit(CACHE_CHANGED_EVENT, change);
        }
    }));
    Ok(Active {
        workspace,
        tasks,
        _demo_dir: demo_dir,
    })
}
