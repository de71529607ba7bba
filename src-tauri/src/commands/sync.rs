//! The sync status and "Sync now".

use reseller_core::sync::status::SyncStatusView;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// The status now (the `sync-status` event brings every change after).
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatusView, IpcError> {
    Ok(state.workspace().await?.engine().status().view())
}

/// "Sync now" (`Workspace::sync_now`), in the background: its progress is the status's.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<(), IpcError> {
    let workspace = state.workspace().await?;
    tauri::async_runtime::spawn(async move { workspace.sync_now().await });
    Ok(())
}
