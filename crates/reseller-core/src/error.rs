//! The application's error type: every failure a screen can show, with a stable code.

use scriptix_api::ApiError;

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

    /// The API answered with an error or could not be reached.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl CoreError {
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NoResellerAccess { .. } => "no_reseller_access",
            CoreError::InvalidInput { .. } => "invalid_input",
            CoreError::Api(e) => e.code(),
        }
    }

    /// The form field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::InvalidInput { field, .. } => Some(field),
            CoreError::Api(e) => e.field(),
            CoreError::NoResellerAccess { .. } => None,
        }
    }
}
