//! The application's error type: every failure a screen can show, with a stable code.

use scriptix_api::ApiError;

use crate::cache::CacheError;
use crate::validation::FieldError;

/// An error the UI can act on. `code()` is stable across releases (the UI switches on it);
/// `Display` is a sentence a reseller understands.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The account signed in fine but is not a reseller (a RESELLEE, CUSTOMER, ...).
    #[error("{account} is signed in, but this account has no reseller access. Reseller features need a token from an account with the RESELLER role.")]
    NoResellerAccess { account: String },

    /// Something the user typed cannot be used as it is.
    #[error("{message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },

    /// A form has problems in one or more fields (all of them, so the form can mark each).
    #[error("{}", .errors.first().map(|e| e.message.as_str()).unwrap_or("Check the form."))]
    Invalid { errors: Vec<FieldError> },

    /// What the user acted on is no longer there (deleted meanwhile, here or on the server).
    #[error("{what} no longer exists; the list has been updated.")]
    NotFound { what: String },

    /// The action cannot be taken right now; the message says why and what to do.
    #[error("{message}")]
    Busy { message: String },

    /// The OS keychain could not keep the API token (locked, access refused, no keychain
    /// service). Nothing was written: the user chooses a private file or not remembering it.
    #[error("Your system keychain could not store the token ({reason}). Keep it in a file only you can read on this computer, or sign in without remembering it?")]
    KeychainUnavailable { reason: String },

    /// The local cache failed.
    #[error(transparent)]
    Cache(#[from] CacheError),

    /// The API answered with an error or could not be reached.
    #[error(transparent)]
    Api(#[from] ApiError),

    /// A file the user asked for (a CSV export) could not be written; nothing half-written is
    /// left behind.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),

    /// The settings (the remembered account, ...) could not be saved.
    #[error(transparent)]
    Settings(#[from] SettingsError),

    /// A file the user chose to import cannot be read as one (not CSV, not UTF-8, no Name or
    /// Email column, too big); the message says what to change.
    #[error("{message}")]
    ImportFile { message: String },

    /// The account's files (its offline copy, their folder) could not be made or removed.
    #[error("{message}")]
    AccountFiles { message: String },
}

impl CoreError {
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NoResellerAccess { .. } => "no_reseller_access",
            CoreError::InvalidInput { .. } => "invalid_input",
            CoreError::Invalid { .. } => "invalid_input",
            CoreError::NotFound { .. } => "not_found",
            CoreError::Busy { .. } => "busy",
            CoreError::KeychainUnavailable { .. } => "keychain_unavailable",
            CoreError::Cache(e) => e.code(),
            CoreError::Api(e) => e.code(),
            CoreError::Export(_) => "export_failed",
            CoreError::Settings(e) => e.code(),
            CoreError::AccountFiles { .. } => "cache_io",
            CoreError::ImportFile { .. } => "import_unreadable",
        }
    }

    /// The form field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::InvalidInput { field, .. } => Some(field),
            CoreError::Invalid { errors } => errors.first().map(|e| e.field),
            CoreError::Api(e) => e.field(),
            CoreError::Settings(e) => e.field(),
            CoreError::NoResellerAccess { .. }
            | CoreError::NotFound { .. }
            | CoreError::Busy { .. }
            | CoreError::KeychainUnavailable { .. }
            | CoreError::Cache(_)
            | CoreError::Export(_)
            | CoreError::AccountFiles { .. }
            | CoreError::ImportFile { .. } => None,
        }
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        CoreError::Cache(CacheError::Sqlite(e))
    }
}

/// Why the settings could not be saved or a setting was refused.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("Settings could not be saved: {message}")]
    Io { message: String },
    #[error("{message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
}

impl SettingsError {
    pub fn code(&self) -> &'static str {
        match self {
            SettingsError::Io { .. } => "settings_io",
            SettingsError::InvalidInput { .. } => "invalid_input",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            SettingsError::InvalidInput { field, .. } => Some(field),
            SettingsError::Io { .. } => None,
        }
    }
}
