//! Errors: `SandboxError` for start-up, `ApiError` for answers in the contract's error shape.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("could not bind {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("seeding failed: {0}")]
    Seed(String),
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// An error answer: `{"error": {"code", "message", "details"?}}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// `(field, issue)` for validation errors.
    pub details: Option<(String, String)>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 400 about one query parameter. No `details`: those mark validation errors (422), and a
    /// client reads a 400 with a field as one.
    pub fn bad_param(field: &str, issue: impl Into<String>) -> Self {
        Self::bad_request(format!(
            "Invalid query parameter '{field}': {}.",
            issue.into()
        ))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 422 for one field: `message` is the sentence a person reads, `issue` the short reason.
    pub fn validation(field: &str, message: impl Into<String>, issue: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
            details: Some((field.to_string(), issue.into())),
            retry_after: None,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    pub fn too_many(retry_after: u64) -> Self {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: format!("Rate limit exceeded: try again in {retry_after} s."),
            details: None,
            retry_after: Some(retry_after.max(1)),
        }
    }

    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({"code": self.status.as_u16(), "message": self.message});
        if let Some((field, issue)) = &self.details {
            error["details"] = json!({"field": field, "issue": issue});
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        response
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        tracing::error!(error = %err, "database error");
        ApiError::internal("Internal database error.")
    }
}
