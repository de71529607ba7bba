//! The Activity screen: thin adapters over `reseller_core::activity`.

use reseller_core::activity::{ActivityPage, ActivityQuery};
use tauri::{AppHandle, State};

use super::dashboard::Exported;
use super::{blocking, with_workspace};
use crate::error::IpcError;
use crate::pick::{save_path, Filter};
use crate::state::AppState;

/// A page of the account's activity log.
#[tauri::command]
pub async fn activity_page(
    state: State<'_, AppState>,
    query: ActivityQuery,
) -> Result<ActivityPage, IpcError> {
    with_workspace(&state, move |w| w.activity_page(&query)).await
}

/// Asks where to save, then writes every entry the query matches.
#[tauri::command]
pub async fn export_activity_csv(
    handle: AppHandle,
    state: State<'_, AppState>,
    query: ActivityQuery,
) -> Result<Option<Exported>, IpcError> {
    let workspace = state.workspace().await?;
    let name = format!("activity-{}.csv", chrono::Local::now().format("%Y-%m-%d"));
    let filter = [Filter {
        name: "CSV",
        extensions: &["csv"],
    }];
    let Some(path) = save_path(&handle, "Export activity", &name, &filter).await else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let rows = blocking(move || workspace.export_activity_csv(&query, &path)).await?;
    Ok(Some(Exported::new(shown, rows)))
}

/// Keeps finished entries for `days` (None: forever); answers how many older ones went.
#[tauri::command]
pub async fn set_activity_retention(
    state: State<'_, AppState>,
    days: Option<u32>,
) -> Result<usize, IpcError> {
    with_workspace(&state, move |w| w.set_activity_retention(days)).await
}
