//! The settings the window reads and changes (no secrets; the rest is written at sign-in).

use serde::Serialize;
use tauri::AppHandle;

use crate::error::IpcError;
use crate::settings::{self, Theme};

/// What the window needs of the settings.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowSettings {
    pub theme: Theme,
}

/// Off the main thread (`async`): the window asks while the main thread is busy building it.
#[tauri::command(async)]
pub fn get_settings(handle: AppHandle) -> WindowSettings {
    WindowSettings {
        theme: settings::load(&handle).theme,
    }
}

/// Light, dark, or follow the system; kept for the next start.
#[tauri::command]
pub fn set_theme(handle: AppHandle, theme: Theme) -> Result<WindowSettings, IpcError> {
    let saved = settings::update(&handle, |s| s.theme = theme)?;
    Ok(WindowSettings { theme: saved.theme })
}
