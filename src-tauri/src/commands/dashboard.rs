//! Dashboard commands: the view (read from the cache; the core's refresher keeps the range
//! up to date in the background), the CSV export of the
//! table as shown, and the alert threshold (a local setting).

use reseller_core::dashboard::refresher::DashboardScreen;
use reseller_core::dashboard::{export_file_name, DashboardRequest};
use reseller_core::settings::{self, alert_threshold};
use serde::Serialize;
use tauri::{AppHandle, State};

use super::{blocking, with_workspace};
use crate::error::IpcError;
use crate::pick::{save_path, Filter};
use crate::settings::PluginSettings;
use crate::state::AppState;

fn threshold(handle: &AppHandle) -> f64 {
    alert_threshold(&PluginSettings(handle))
}

/// The dashboard for a range as the cache has it; the workspace refreshes it in the
/// background and its change stream (forwarded as `cache-changed`) tells the window to re-read.
#[tauri::command]
pub async fn dashboard_view(
    handle: AppHandle,
    state: State<'_, AppState>,
    request: DashboardRequest,
) -> Result<DashboardScreen, IpcError> {
    let threshold = threshold(&handle);
    with_workspace(&state, move |w| w.dashboard_screen(&request, threshold)).await
}

/// Where the export went and how many rows it has; `None`: the user cancelled.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub path: String,
    pub rows: usize,
    /// "1,204 rows", in the system's locale.
    pub rows_text: String,
}

impl Exported {
    /// `rows` rows written to `path` (as the dialog gave it).
    pub fn new(path: String, rows: usize) -> Exported {
        Exported {
            path,
            rows_text: reseller_core::format::sys().count_of(rows as u64, "row", "rows"),
            rows,
        }
    }
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
    let threshold = threshold(&handle);
    let shown = path.display().to_string();
    // The workspace the dialog was opened for, not whichever is open when it closes.
    let rows = blocking(move || workspace.export_dashboard_csv(&request, threshold, &path)).await?;
    Ok(Some(Exported::new(shown, rows)))
}

/// The dashboard left the screen: "Sync now" no longer refreshes it.
#[tauri::command]
pub async fn dashboard_hidden(state: State<'_, AppState>) -> Result<(), IpcError> {
    state.workspace().await?.dashboard_hidden();
    Ok(())
}

/// Keeps the alert threshold (whole percent of available units) for this and later sessions.
#[tauri::command]
pub fn set_alert_threshold(handle: AppHandle, percent: f64) -> Result<f64, IpcError> {
    let kept = settings::set_alert_threshold(&PluginSettings(&handle), percent)?;
    // Organisations now over it are said at once (when notifications are on).
    crate::notices::recheck(&handle);
    Ok(kept)
}
