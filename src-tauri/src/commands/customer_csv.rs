//! The organisations list to and from CSV through the native file dialogs: the export writes
//! the list (or the selection) as shown; the import reads a file, answers its preview, and
//! imports the preview's valid rows when the user says so.

use reseller_core::cache::{SortColumn, SortDirection};
use reseller_core::customers::{ImportPreview, ImportReport, Selection};
use tauri::{AppHandle, State};

use super::dashboard::Exported;
use super::{blocking, with_workspace};
use crate::error::IpcError;
use crate::pick::{open_path, save_path, Filter};
use crate::state::AppState;

const CSV: [Filter<'static>; 1] = [Filter {
    name: "CSV",
    extensions: &["csv"],
}];

/// Asks where to save, then writes the selected organisations in the list's order.
#[tauri::command]
pub async fn export_customers_csv(
    handle: AppHandle,
    state: State<'_, AppState>,
    selection: Selection,
    sort: SortColumn,
    direction: SortDirection,
) -> Result<Option<Exported>, IpcError> {
    let workspace = state.workspace().await?;
    let name = format!(
        "organisations-{}.csv",
        chrono::Local::now().format("%Y-%m-%d")
    );
    let Some(path) = save_path(&handle, "Export organisations", &name, &CSV).await else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let rows = blocking(move || workspace.export_customers_csv(&selection, sort, direction, &path))
        .await?;
    Ok(Some(Exported::new(shown, rows)))
}

/// Asks for a CSV file and answers its preview (None: the user cancelled).
#[tauri::command]
pub async fn preview_customer_import(
    handle: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<ImportPreview>, IpcError> {
    let workspace = state.workspace().await?;
    let Some(path) = open_path(&handle, "Import organisations", &CSV).await else {
        return Ok(None);
    };
    blocking(move || workspace.preview_import(&path).map(Some)).await
}

/// Imports the valid rows of the preview `draft_id`, once.
#[tauri::command]
pub async fn import_customers(
    state: State<'_, AppState>,
    draft_id: u64,
) -> Result<ImportReport, IpcError> {
    with_workspace(&state, move |w| w.import_previewed(draft_id)).await
}
