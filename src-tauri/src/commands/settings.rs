//! The settings the window reads and changes (no secrets; the rest is written at sign-in).

use serde::Serialize;
use tauri::{AppHandle, State};

use super::blocking;
use crate::error::IpcError;
use crate::settings::{self, Theme};
use crate::state::AppState;

/// What the window needs of the settings.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowSettings {
    pub theme: Theme,
    pub desktop_notifications: bool,
}

impl WindowSettings {
    fn of(s: &reseller_core::settings::Settings) -> Self {
        WindowSettings {
            theme: s.theme,
            desktop_notifications: s.desktop_notifications,
        }
    }
}

/// Off the main thread (`async`): the window asks while the main thread is busy building it.
#[tauri::command(async)]
pub fn get_settings(handle: AppHandle) -> WindowSettings {
    WindowSettings::of(&settings::load(&handle))
}

/// Light, dark, or follow the system; kept for the next start.
#[tauri::command]
pub fn set_theme(handle: AppHandle, theme: Theme) -> Result<WindowSettings, IpcError> {
    let saved = settings::update(&handle, |s| s.theme = theme)?;
    Ok(WindowSettings::of(&saved))
}

/// Desktop notifications on or off (an organisation at the alert threshold, a change refused);
/// kept for the next start. What became due while they were off is not saved up: turning them
/// on first marks it said, so only what happens from now on is shown.
#[tauri::command]
pub async fn set_desktop_notifications(
    handle: AppHandle,
    state: State<'_, AppState>,
    enabled: bool,
) -> Result<WindowSettings, IpcError> {
    if enabled {
        if let Ok(workspace) = state.workspace().await {
            let threshold = settings::load(&handle).alert_threshold();
            blocking(move || workspace.due_notices(threshold, false)).await?;
        }
    }
    let saved = settings::update(&handle, |s| s.desktop_notifications = enabled)?;
    crate::notices::recheck(&handle);
    Ok(WindowSettings::of(&saved))
}
