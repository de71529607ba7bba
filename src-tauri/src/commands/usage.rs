//! The usage tab's commands: the cached view of a query, its refresh, and the CSV export of
//! exactly the rows the tab shows (the path comes from the native save dialog).

use reseller_core::export::write_csv;
use reseller_core::tabs::usage::options::{
    dashboard_options as dashboard_choices, today, usage_options as usage_choices,
    DashboardOptions, UsageOptions,
};
use reseller_core::tabs::usage::{UsageRequest, UsageTab};
use tauri::{AppHandle, State};

use super::{blocking, with_workspace};
use crate::error::IpcError;
use crate::pick::{save_path, Filter};
use crate::state::AppState;

/// The usage tab's date presets (resolved on today, UTC as the queries are) and its views with
/// the splits each takes.
#[tauri::command]
pub fn usage_options() -> UsageOptions {
    usage_choices(today())
}

/// The dashboard's date presets. Here rather than in dashboard.rs: the same range rules as the
/// usage tab's, from the same core module.
#[tauri::command]
pub fn dashboard_options() -> DashboardOptions {
    dashboard_choices(today())
}

/// The usage tab for a range, view and split, from the cache (instant, offline too).
#[tauri::command]
pub async fn usage_view(
    state: State<'_, AppState>,
    request: UsageRequest,
) -> Result<UsageTab, IpcError> {
    with_workspace(&state, move |w| w.usage_tab(&request)).await
}

/// Fetches the query when it is missing or stale (then caches it), and answers the tab.
#[tauri::command]
pub async fn refresh_usage(
    state: State<'_, AppState>,
    request: UsageRequest,
) -> Result<UsageTab, IpcError> {
    Ok(state.workspace().await?.refresh_usage_tab(&request).await?)
}

/// Writes the tab's table for `request` to a CSV file the user picks. Returns the path
/// written, or null when the user cancelled.
#[tauri::command]
pub async fn export_usage_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    request: UsageRequest,
) -> Result<Option<super::dashboard::Exported>, IpcError> {
    let (file_name, table) = with_workspace(&state, move |w| w.usage_export(&request)).await?;
    let filters = [Filter {
        name: "CSV",
        extensions: &["csv"],
    }];
    let Some(path) = save_path(&app, "Export usage", &file_name, &filters).await else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let rows = blocking(move || {
        write_csv(&path, &table.header(), &table.rows).map_err(reseller_core::CoreError::from)
    })
    .await?;
    Ok(Some(super::dashboard::Exported::new(shown, rows)))
}
