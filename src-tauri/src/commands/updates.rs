//! The About panel's update section: its state, a check, the install, the restart.

use reseller_core::updates::UpdateView;
use tauri::{AppHandle, Runtime};

use crate::updates;

/// The update section as it stands (also sent as the `update-status` event on every change).
#[tauri::command]
pub fn update_status<R: Runtime>(app: AppHandle<R>) -> UpdateView {
    updates::view(&app)
}

/// Looks for a newer version now.
#[tauri::command]
pub async fn check_for_update<R: Runtime>(app: AppHandle<R>) -> Result<UpdateView, ()> {
    Ok(updates::check(&app).await)
}

/// Downloads, verifies and installs the version the last check found.
#[tauri::command]
pub async fn install_update<R: Runtime>(app: AppHandle<R>) -> Result<UpdateView, ()> {
    Ok(updates::install(&app).await)
}

/// Restarts into the installed version.
#[tauri::command]
pub fn restart_to_update<R: Runtime>(app: AppHandle<R>) {
    updates::restart(&app);
}
