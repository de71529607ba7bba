//! The settings file (tauri-plugin-store) behind the core's `SettingsStore` (the settings
//! themselves, their shape and cleaning are the core's). Read and written from Rust only: the
//! window has no store permission.

use reseller_core::secrets::TokenStore;
use reseller_core::settings::{SettingsError, SettingsStore, KEY};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::IpcError;

pub use reseller_core::settings::{Settings, Theme};

const FILE: &str = "settings.json";
/// Set to use a private file instead of the OS keychain (machines whose keychain prompts).
pub const NO_KEYCHAIN_ENV: &str = "SCRIPTIX_NO_KEYCHAIN";

/// The core's settings kept in the app's store file (`settings.json`, key `settings`).
pub struct PluginSettings<'a, R: Runtime>(pub &'a AppHandle<R>);

impl<R: Runtime> SettingsStore for PluginSettings<'_, R> {
    fn read_stored(&self) -> Option<serde_json::Value> {
        self.0.store(FILE).ok()?.get(KEY)
    }

    fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        let io = |e: &dyn std::fmt::Display| SettingsError::Io {
            message: e.to_string(),
        };
        let store = self.0.store(FILE).map_err(|e| io(&e))?;
        store.set(KEY, serde_json::to_value(settings).map_err(|e| io(&e))?);
        store.save().map_err(|e| io(&e))
    }
}

impl From<SettingsError> for IpcError {
    fn from(e: SettingsError) -> Self {
        IpcError {
            code: e.code().to_string(),
            field: e.field().map(str::to_string),
            message: e.to_string(),
        }
    }
}

/// The settings, or the defaults when the file is missing or unreadable.
pub fn load<R: Runtime>(handle: &AppHandle<R>) -> Settings {
    PluginSettings(handle).load()
}

/// Changes the settings with `f` and saves them.
pub fn update<R: Runtime>(
    handle: &AppHandle<R>,
    f: impl FnOnce(&mut Settings),
) -> Result<Settings, IpcError> {
    Ok(reseller_core::settings::update(&PluginSettings(handle), f)?)
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
