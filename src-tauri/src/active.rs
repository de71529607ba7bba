//! What only the shell does for an open account (the core's `Accounts` decides when): where its
//! files go (the app's data folder, the demo's temporary one), and what runs beside its
//! workspace: the sync engine's background loop and the tasks that forward its status and cache
//! changes to the window as events (while the window shows that account). Dropping `Running`
//! stops them all.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reseller_core::account::AccountHost;
use reseller_core::secrets::TokenStore;
use reseller_core::settings::SettingsStore;
use reseller_core::workspace::Workspace;
use reseller_core::CoreError;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Wry};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use crate::settings::{self, PluginSettings};

/// Rounds run this often when nothing nudges the engine.
const SYNC_INTERVAL: Duration = Duration::from_secs(60);
/// Every this many rounds, one also scans for customers deleted on the server.
const SCAN_EVERY: u32 = 10;

/// Event with the sync status (payload `SyncStatusView`: the status and its texts) on every
/// change.
pub const SYNC_STATUS_EVENT: &str = "sync-status";
/// Event naming the customers whose cached data changed (payload `CacheChange`).
pub const CACHE_CHANGED_EVENT: &str = "cache-changed";

/// The app as the core's account lifecycle sees it.
pub struct Host<'a> {
    handle: &'a AppHandle,
    settings: PluginSettings<'a, Wry>,
}

impl<'a> Host<'a> {
    pub fn new(handle: &'a AppHandle) -> Self {
        Host {
            handle,
            settings: PluginSettings(handle),
        }
    }
}

/// The engine's loop and the event forwarding of one open workspace.
struct Running {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn no_place(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::AccountFiles {
        message: format!("{what}: {e}"),
    }
}

impl AccountHost for Host<'_> {
    fn settings(&self) -> &dyn SettingsStore {
        &self.settings
    }

    fn token_store(&self) -> Result<TokenStore, CoreError> {
        settings::token_store(self.handle)
            .map_err(|e| CoreError::AccountFiles { message: e.message })
    }

    fn caches_dir(&self) -> Result<PathBuf, CoreError> {
        self.handle
            .path()
            .app_data_dir()
            .map(|d| d.join("caches"))
            .map_err(|e| no_place("No place to keep the offline copy", e))
    }

    fn demo_dir(&self) -> Result<tempfile::TempDir, CoreError> {
        tempfile::Builder::new()
            .prefix("scriptix-demo-")
            .tempdir()
            .map_err(|e| no_place("The demo has no place for its data", e))
    }

    fn run(
        &self,
        workspace: &Arc<Workspace>,
        visible: watch::Receiver<bool>,
    ) -> Box<dyn Send + Sync> {
        // Logos (files and the server's) are decoded only in a worker: this executable again.
        match reseller_core::logo::LogoWorker::current_exe() {
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
        // Only the shown account's status and changes reach the window; an account shown again
        // says its status at once (the window re-reads what it shows on a switch).
        let mut status = engine.subscribe();
        let mut shown = visible.clone();
        let emitter = self.handle.clone();
        tasks.push(tauri::async_runtime::spawn(async move {
            loop {
                if *shown.borrow_and_update() {
                    let now = status.borrow_and_update().view();
                    let _ = emitter.emit(SYNC_STATUS_EVENT, now);
                }
                let ended = tokio::select! {
                    r = status.changed() => r.is_err(),
                    r = shown.changed() => r.is_err(),
                };
                if ended {
                    return;
                }
            }
        }));
        let mut changes = engine.changes();
        let emitter = self.handle.clone();
        let shown = visible.clone();
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
                if *shown.borrow() {
                    let _ = emitter.emit(CACHE_CHANGED_EVENT, change);
                }
            }
        }));
        tasks.push(tauri::async_runtime::spawn(crate::notices::watch(
            self.handle.clone(),
            workspace.clone(),
            visible,
        )));
        Box::new(Running { tasks })
    }
}
