//! Branding commands: thin adapters over `reseller_core::branding` (the `Workspace` methods).
//! The logo is chosen in the native dialog and processed in Rust, in the logo worker (a child
//! process with memory, CPU and time limits), waited for off the async runtime's threads; the
//! webview never sees the file system.

use reseller_core::branding::{BrandTheme, BrandingView};
use tauri::{AppHandle, State};

use super::{blocking, with_workspace};
use crate::error::IpcError;
use crate::pick::{open_path, Filter};
use crate::state::AppState;

/// What the dialog offers (the pipeline reads any of these by content, whatever the name).
const LOGO_FILTER: Filter<'static> = Filter {
    name: "Images",
    extensions: &[
        "png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "ico", "svg",
    ],
};

/// The branding as it shows (cache with pending changes laid over it).
#[tauri::command]
pub async fn get_branding(state: State<'_, AppState>) -> Result<BrandingView, IpcError> {
    with_workspace(&state, |w| w.branding()).await
}

/// Fetches the branding now (interactive lane) and answers the view: the Branding screen asks
/// when its copy is missing or stale, rather than waiting for the prefetch to reach it. A
/// failure leaves the cached view (the status bar says why when the server cannot be reached).
#[tauri::command]
pub async fn refresh_branding(state: State<'_, AppState>) -> Result<BrandingView, IpcError> {
    let workspace = state.workspace().await?;
    if let Err(e) = workspace.engine().refresh_branding_now().await {
        tracing::debug!(code = e.code(), "branding not refreshed");
    }
    blocking(move || workspace.branding()).await
}

/// Asks for a logo file, processes it (in the logo worker) and queues it. `None`: the user
/// cancelled the dialog. A file that cannot be a logo, or a cancelled job, answers
/// `invalid_input` (field `logo`) and keeps the current logo. The job starts before the dialog,
/// so `cancel_logo` reaches it from the moment the user could click Cancel.
#[tauri::command]
pub async fn choose_logo(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<BrandingView>, IpcError> {
    let workspace = state.workspace().await?;
    let job = workspace.begin_logo_job()?;
    let Some(path) = open_path(&app, "Choose a logo", &[LOGO_FILTER]).await else {
        return Ok(None);
    };
    let view =
        tauri::async_runtime::spawn_blocking(move || workspace.set_logo_from_file(&path, &job))
            .await
            .map_err(|e| IpcError::internal(format!("The logo could not be processed: {e}")))??;
    Ok(Some(view))
}

/// Stops the logo being processed (its worker is killed); `false` when none is.
#[tauri::command]
pub async fn cancel_logo(state: State<'_, AppState>) -> Result<bool, IpcError> {
    Ok(state.workspace().await?.cancel_logo())
}

#[tauri::command]
pub async fn remove_logo(state: State<'_, AppState>) -> Result<BrandingView, IpcError> {
    with_workspace(&state, |w| w.remove_logo()).await
}

/// `colour`: as typed or picked (`#RRGGBB`, `RRGGBB`, `#RGB`).
#[tauri::command]
pub async fn set_brand_colour(
    state: State<'_, AppState>,
    colour: String,
) -> Result<BrandingView, IpcError> {
    with_workspace(&state, move |w| w.set_brand_colour(&colour)).await
}

/// The CSS variables `colour` would set, without keeping it (the picker's live preview).
#[tauri::command]
pub fn preview_brand_colour(colour: String) -> Result<BrandTheme, IpcError> {
    Ok(reseller_core::branding::preview_theme(&colour)?)
}

/// Back to the app's own colours.
#[tauri::command]
pub async fn reset_brand_colour(state: State<'_, AppState>) -> Result<BrandingView, IpcError> {
    with_workspace(&state, |w| w.reset_brand_colour()).await
}

/// Drops branding changes the server refused.
#[tauri::command]
pub async fn discard_branding_changes(
    state: State<'_, AppState>,
) -> Result<BrandingView, IpcError> {
    with_workspace(&state, |w| w.discard_branding_changes()).await
}
