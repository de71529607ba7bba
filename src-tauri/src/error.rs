//! The one error type that crosses IPC: `{code, message, field?}`.
//!
//! `code` is stable (the UI switches on it), `message` is a sentence a person understands, and
//! `field` names the form field the error is about, when there is one.

use reseller_core::CoreError;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        IpcError {
            code: code.to_string(),
            message: message.into(),
            field: None,
        }
    }

    /// Something went wrong inside the app itself (a task panicked, ...), not in what the user did.
    pub fn internal(message: impl Into<String>) -> Self {
        IpcError::new("internal", message)
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IpcError {}

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        IpcError {
            code: e.code().to_string(),
            field: e.field().map(str::to_string),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_without_a_field_when_there_is_none() {
        let json =
            serde_json::to_value(IpcError::new("offline", "Can't reach the server.")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "offline", "message": "Can't reach the server."})
        );
    }

    #[test]
    fn keeps_code_field_and_message_of_a_core_error() {
        let core = CoreError::InvalidInput {
            field: "baseUrl",
            message: "Enter the API address.".into(),
        };
        let json = serde_json::to_value(IpcError::from(core)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "invalid_input", "message": "Enter the API address.", "field": "baseUrl"})
        );
    }

    #[test]
    fn no_access_names_the_account() {
        let core = CoreError::NoResellerAccess {
            account: "Ada Lovelace (Acme BV)".into(),
        };
        let err = IpcError::from(core);
        assert_eq!(err.code, "no_reseller_access");
        assert!(err.message.contains("Ada Lovelace (Acme BV)"));
        assert_eq!(err.field, None);
    }
}
