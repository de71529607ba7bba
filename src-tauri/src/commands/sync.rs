//! The sync status and "Sync now".

use reseller_core::sync::SyncStatus;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// The status now (the `sync-status` event brings every change after).
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, IpcError> {
    Ok(state.workspace().await?.engine().status())
}

/// Runs a round now, with a scan for organisations deleted on the server.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<(), IpcError> {
    let engine = state.workspace().await?.engine().clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = engine.sync_now(true).await {
            tracing::debug!(code = e.code(), "sync now ended early");
        }
    });
    Ok(())
}
