//! The settings file (tauri-plugin-store): the last API address and header style, the theme,
//! and the remembered account (who, on which server; never the token, which is in the
//! keychain). Read and written from Rust only: the window has no store permission.

use reseller_core::secrets::TokenStore;
use reseller_core::{AuthStyleSetting, SessionInfo};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::IpcError;

const FILE: &str = "settings.json";
const KEY: &str = "settings";
/// Set to use a private file instead of the OS keychain (machines whose keychain prompts).
pub const NO_KEYCHAIN_ENV: &str = "SCRIPTIX_NO_KEYCHAIN";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub base_url: Option<String>,
    pub auth_style: AuthStyleSetting,
    pub theme: Theme,
    /// The account to resume at start (its token is in the token store).
    pub account: Option<SessionInfo>,
    pub account_auth_style: AuthStyleSetting,
    /// The dashboard's alert threshold, whole percent of available units (None: the default).
    pub alert_threshold_percent: Option<u32>,
}

/// The settings, or the defaults when the file is missing or unreadable (a broken settings file
/// must never keep the app from starting; it is rewritten on the next change).
pub fn load<R: Runtime>(handle: &AppHandle<R>) -> Settings {
    let Ok(store) = handle.store(FILE) else {
        return Settings::default();
    };
    let mut settings: Settings = store
        .get(KEY)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    // An older version kept "https://user:password@host" as typed: the password goes, now. (A
    // remembered account at such an address is refused at start and forgotten then.)
    if let Some(url) = &settings.base_url {
        let clean = reseller_core::session::without_credentials(url);
        if &clean != url {
            settings.base_url = Some(clean);
            if let Err(e) = save(handle, &settings) {
                tracing::warn!(code = %e.code, "the settings could not be cleaned");
            }
        }
    }
    settings
}

pub fn save<R: Runtime>(handle: &AppHandle<R>, settings: &Settings) -> Result<(), IpcError> {
    let store = handle
        .store(FILE)
        .map_err(|e| IpcError::new("settings_io", format!("Settings could not be opened: {e}")))?;
    let value = serde_json::to_value(settings)
        .map_err(|e| IpcError::internal(format!("Settings could not be written: {e}")))?;
    store.set(KEY, value);
    store
        .save()
        .map_err(|e| IpcError::new("settings_io", format!("Settings could not be saved: {e}")))
}

/// Changes the settings with `f` and saves them.
pub fn update<R: Runtime>(
    handle: &AppHandle<R>,
    f: impl FnOnce(&mut Settings),
) -> Result<Settings, IpcError> {
    let mut settings = load(handle);
    f(&mut settings);
    save(handle, &settings)?;
    Ok(settings)
}

/// The token store: the OS keychain, with private files under the app's config directory.
pub fn token_store<R: Runtime>(handle: &AppHandle<R>) -> Result<TokenStore, IpcError> {
    let dir = handle
        .path()
        .app_config_dir()
        .map(|d| d.join("tokens"))
        .map_err(|e| IpcError::new("settings_io", format!("No place for the token: {e}")))?;
    Ok(if std::env::var_os(NO_KEYCHAIN_ENV).is_some() {
        TokenStore::files_only(dir)
    } else {
        TokenStore::new(dir)
    })
}
