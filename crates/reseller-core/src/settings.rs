//! The app's settings: the last API address and header style, the theme, the remembered
//! accounts and the active one (who, on which server; never the token, which is in the token store), the
//! dashboard's alert threshold and whether desktop notifications are on. Where they are kept is the shell's business: it implements
//! [`SettingsStore`] (the desktop app with tauri-plugin-store); [`JsonFileSettings`] keeps
//! them in a file of the same shape, for tests and tools.
//!
//! On disk (both stores): `{"settings": {...}}` with the fields below in camelCase. Files
//! written by earlier versions must keep loading: change the shape only by adding fields.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dashboard::alerts::check_threshold;
use crate::dashboard::DEFAULT_THRESHOLD_PERCENT;
pub use crate::error::SettingsError;
use crate::session::{without_credentials, AuthStyleSetting, SessionInfo};

/// The key the settings object sits under in the store's file.
pub const KEY: &str = "settings";

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
    /// The accounts to resume at start, in the order they were added (their tokens are in the
    /// token store, under [`SessionInfo::account_key`]).
    pub accounts: Vec<RememberedAccount>,
    /// The account shown at start (an `account_key`; None or unknown: the first).
    pub active_account: Option<String>,
    /// An older version's one remembered account: moved into `accounts` when read.
    pub account: Option<SessionInfo>,
    pub account_auth_style: AuthStyleSetting,
    /// The dashboard's alert threshold, whole percent of available units (None: the default).
    pub alert_threshold_percent: Option<u32>,
    /// Desktop notifications (an organisation at the alert threshold, a change refused): off
    /// until the user turns them on.
    pub desktop_notifications: bool,
}

/// An account to resume at start: who, and how its token is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RememberedAccount {
    pub info: SessionInfo,
    #[serde(default)]
    pub auth_style: AuthStyleSetting,
}

/// Where the settings are kept.
pub trait SettingsStore: Send + Sync {
    /// What is stored under [`KEY`], or None when there is nothing readable.
    fn read_stored(&self) -> Option<serde_json::Value>;
    fn save(&self, settings: &Settings) -> Result<(), SettingsError>;

    /// The settings, or the defaults when there are none or they are unreadable (a broken
    /// settings file must never keep the app from starting; it is rewritten on the next
    /// change). What cleaning changed (a password in a saved address) is written back.
    fn load(&self) -> Settings {
        let (settings, cleaned) = Settings::from_stored(self.read_stored());
        if cleaned {
            if let Err(e) = self.save(&settings) {
                tracing::warn!(code = e.code(), "the settings could not be cleaned");
            }
        }
        settings
    }
}

impl Settings {
    /// The settings in a stored value (the object under [`KEY`]), cleaned; `true` when the
    /// cleaning changed something and the store should be rewritten.
    pub fn from_stored(value: Option<serde_json::Value>) -> (Settings, bool) {
        let mut settings: Settings = value
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        // An older version kept "https://user:password@host" as typed: the password goes, now.
        // (A remembered account at such an address is refused at start and forgotten then.)
        let mut cleaned = false;
        if let Some(url) = &settings.base_url {
            let clean = without_credentials(url);
            if &clean != url {
                settings.base_url = Some(clean);
                cleaned = true;
            }
        }
        // An older version remembered one account: it becomes the list's (and the active).
        if let Some(info) = settings.account.take() {
            let key = info.account_key();
            if !settings
                .accounts
                .iter()
                .any(|a| a.info.account_key() == key)
            {
                settings.accounts.push(RememberedAccount {
                    info,
                    auth_style: settings.account_auth_style,
                });
            }
            settings.active_account.get_or_insert(key);
            cleaned = true;
        }
        (settings, cleaned)
    }

    /// The remembered account with `key`, if any.
    pub fn remembered(&self, key: &str) -> Option<&RememberedAccount> {
        self.accounts.iter().find(|a| a.info.account_key() == key)
    }

    /// Remembers `account` (replacing the one with its key, keeping its place in the list).
    pub fn remember_account(&mut self, account: RememberedAccount) {
        let key = account.info.account_key();
        match self
            .accounts
            .iter_mut()
            .find(|a| a.info.account_key() == key)
        {
            Some(kept) => *kept = account,
            None => self.accounts.push(account),
        }
    }

    /// Forgets the account with `key` (and that it was the active one).
    pub fn forget_account(&mut self, key: &str) {
        self.accounts.retain(|a| a.info.account_key() != key);
        if self.active_account.as_deref() == Some(key) {
            self.active_account = None;
        }
    }

    /// The dashboard's alert threshold in percent (the default when unset or unusable).
    pub fn alert_threshold(&self) -> f64 {
        self.alert_threshold_percent
            .and_then(|t| check_threshold(f64::from(t)).ok())
            .unwrap_or(DEFAULT_THRESHOLD_PERCENT)
    }
}

/// Changes the settings with `f` and saves them; returns them as saved.
pub fn update<S: SettingsStore + ?Sized>(
    store: &S,
    f: impl FnOnce(&mut Settings),
) -> Result<Settings, SettingsError> {
    let mut settings = store.load();
    f(&mut settings);
    store.save(&settings)?;
    Ok(settings)
}

/// The dashboard's alert threshold as kept in `store`.
pub fn alert_threshold<S: SettingsStore + ?Sized>(store: &S) -> f64 {
    store.load().alert_threshold()
}

/// Keeps the alert threshold (rounded to a whole percent) for this and later sessions;
/// returns it as kept.
pub fn set_alert_threshold<S: SettingsStore + ?Sized>(
    store: &S,
    percent: f64,
) -> Result<f64, SettingsError> {
    let percent =
        check_threshold(percent.round()).map_err(|message| SettingsError::InvalidInput {
            field: "threshold",
            message,
        })?;
    // In range 1..=1000 after the check, so the cast is exact.
    let whole = percent as u32;
    update(store, |s| s.alert_threshold_percent = Some(whole))?;
    Ok(f64::from(whole))
}

/// Settings in a JSON file of the desktop store's shape (`{"settings": {...}}`, other keys
/// kept). Written whole to a temporary file and renamed, so a crash leaves the old file.
pub struct JsonFileSettings {
    path: PathBuf,
}

impl JsonFileSettings {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonFileSettings { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_file(&self) -> serde_json::Map<String, serde_json::Value> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }
}

impl SettingsStore for JsonFileSettings {
    fn read_stored(&self) -> Option<serde_json::Value> {
        self.read_file().remove(KEY)
    }

    fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        let io = |e: &dyn std::fmt::Display| SettingsError::Io {
            message: e.to_string(),
        };
        let mut file = self.read_file();
        file.insert(
            KEY.into(),
            serde_json::to_value(settings).map_err(|e| io(&e))?,
        );
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| io(&e))?;
        crate::private_fs::write_private_atomic(&self.path, &bytes).map_err(|e| io(&e))
    }
}

/// Settings held in memory only (tests).
#[derive(Default)]
pub struct MemorySettings(std::sync::Mutex<Settings>);

impl SettingsStore for MemorySettings {
    fn read_stored(&self) -> Option<serde_json::Value> {
        let settings = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        serde_json::to_value(&*settings).ok()
    }

    fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = settings.clone();
        Ok(())
    }
}
