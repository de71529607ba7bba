//! The one error type of the client: typed so a UI can act on it, with a human message.

use std::time::Duration;

use crate::error_body::ErrorInfo;

/// What went wrong with a call. Each variant is something the caller can act on differently:
/// `Offline` is a state (queue and retry later), `Validation` points at a form field,
/// `NotSupported` hides a feature, and so on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// DNS failure, connection refused or reset, timeout.
    #[error("Can't reach the server: {reason}")]
    Offline { reason: String },
    /// 401: the token is missing, unknown or expired.
    #[error("The API token was not accepted: {message}")]
    Unauthorized { message: String },
    /// 403: the token is valid but lacks reseller access.
    #[error("This account has no reseller access: {message}")]
    Forbidden { message: String },
    /// 404 on a documented route (an unknown id).
    #[error("Not found: {message}")]
    NotFound { message: String },
    /// 422, or 400 naming a field.
    #[error("{}", validation_text(.field.as_deref(), .message))]
    Validation {
        field: Option<String>,
        message: String,
    },
    /// Any other 400.
    #[error("The server refused the request: {message}")]
    BadRequest { message: String },
    /// 429 after the retries were used up.
    #[error("Too many requests; try again in {} s", .retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// 5xx after the retries (or at once for a request that must not be re-sent).
    #[error("The server had a problem (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    /// 404/405 on an endpoint that is not documented (a gap): the feature is not available.
    #[error("Not available for this account: the server does not offer {endpoint}")]
    NotSupported { endpoint: String },
    /// Any other 4xx (409, 413, 415, ...).
    #[error("The server refused the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    /// The body is not what the contract says: HTML, wrong types, truncated.
    #[error("The server sent an answer the app cannot read: {reason}")]
    Malformed { reason: String },
}

fn validation_text(field: Option<&str>, message: &str) -> String {
    match field {
        Some(field) => format!("Invalid {field}: {message}"),
        None => format!("Invalid input: {message}"),
    }
}

impl ApiError {
    /// A stable machine-readable code, the same words the IPC layer sends to the UI.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Offline { .. } => "offline",
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Validation { .. } => "validation",
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Server { .. } => "server",
            ApiError::NotSupported { .. } => "not_supported",
            ApiError::Rejected { .. } => "rejected",
            ApiError::Malformed { .. } => "malformed",
        }
    }

    /// The offending field of a validation error.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Validation { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Offline { .. })
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> ApiError {
        ApiError::Malformed {
            reason: reason.into(),
        }
    }
}

/// How a route is known: documented by Scriptix, or one of the proposed gap endpoints
/// (which a real server may lack; a 404/405 there means "feature unavailable").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RouteKind {
    Documented,
    Gap,
}

/// Maps a non-success answer to the error the caller sees.
/// `endpoint` is the route template (never carries the token).
pub(crate) fn from_status(
    status: u16,
    info: ErrorInfo,
    kind: RouteKind,
    endpoint: &str,
    retry_after: Duration,
) -> ApiError {
    let message = info
        .message
        .unwrap_or_else(|| default_message(status).to_string());
    match status {
        401 => ApiError::Unauthorized { message },
        403 => ApiError::Forbidden { message },
        404 | 405 if kind == RouteKind::Gap => ApiError::NotSupported {
            endpoint: endpoint.to_string(),
        },
        404 => ApiError::NotFound { message },
        422 => ApiError::Validation {
            field: info.field,
            message,
        },
        400 => match info.field {
            Some(field) => ApiError::Validation {
                field: Some(field),
                message,
            },
            None => ApiError::BadRequest { message },
        },
        429 => ApiError::RateLimited { retry_after },
        500..=599 => ApiError::Server { status, message },
        _ => ApiError::Rejected { status, message },
    }
}

/// Used when the body carried no readable message.
fn default_message(status: u16) -> &'static str {
    match status {
        400 => "the request was not valid",
        401 => "missing or unknown API token",
        403 => "the token has no access to this resource",
        404 => "it does not exist (any more)",
        405 => "method not allowed",
        409 => "it conflicts with the current state",
        413 => "the upload is too large",
        415 => "the file type is not accepted",
        422 => "the input was not accepted",
        429 => "too many requests",
        500 => "internal server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => "unexpected answer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(message: Option<&str>, field: Option<&str>) -> ErrorInfo {
        ErrorInfo {
            message: message.map(str::to_string),
            field: field.map(str::to_string),
            retry_after: None,
        }
    }

    fn map(status: u16, field: Option<&str>, kind: RouteKind) -> ApiError {
        from_status(
            status,
            info(Some("m"), field),
            kind,
            "GET /x",
            Duration::from_secs(3),
        )
    }

    #[test]
    fn statuses_map_to_their_variants() {
        use RouteKind::*;
        assert_eq!(map(401, None, Documented).code(), "unauthorized");
        assert_eq!(map(403, None, Gap).code(), "forbidden");
        assert_eq!(map(404, None, Documented).code(), "not_found");
        assert_eq!(
            map(404, None, Gap),
            ApiError::NotSupported {
                endpoint: "GET /x".into()
            }
        );
        assert_eq!(map(405, None, Gap).code(), "not_supported");
        assert_eq!(map(405, None, Documented).code(), "rejected");
        assert_eq!(map(422, Some("email"), Documented).field(), Some("email"));
        assert_eq!(map(422, None, Documented).code(), "validation");
        assert_eq!(map(400, Some("name"), Documented).field(), Some("name"));
        assert_eq!(map(400, None, Documented).code(), "bad_request");
        assert_eq!(
            map(429, None, Documented),
            ApiError::RateLimited {
                retry_after: Duration::from_secs(3)
            }
        );
        assert_eq!(map(503, None, Documented).code(), "server");
        assert_eq!(map(409, None, Documented).code(), "rejected");
        assert_eq!(map(413, None, Gap).code(), "rejected");
    }

    #[test]
    fn missing_message_falls_back_to_the_status_text() {
        let e = from_status(
            404,
            info(None, None),
            RouteKind::Documented,
            "GET /x",
            Duration::ZERO,
        );
        assert_eq!(e.to_string(), "Not found: it does not exist (any more)");
    }

    #[test]
    fn messages_are_human() {
        let e = ApiError::Offline {
            reason: "connection refused".into(),
        };
        assert!(e.to_string().starts_with("Can't reach the server"));
        assert!(e.is_offline());
        let v = ApiError::Validation {
            field: Some("email".into()),
            message: "not an address".into(),
        };
        assert_eq!(v.to_string(), "Invalid email: not an address");
        let r = ApiError::RateLimited {
            retry_after: Duration::from_millis(200),
        };
        assert_eq!(r.to_string(), "Too many requests; try again in 1 s");
    }
}
