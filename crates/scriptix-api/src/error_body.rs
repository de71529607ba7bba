//! Reads a message (and a field) out of any of the documented error body shapes (contract 2.5).

use std::time::Duration;

use serde_json::Value;

/// What an error body told us. Every part is optional: the body may be HTML or empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ErrorInfo {
    pub message: Option<String>,
    pub field: Option<String>,
    /// `retry_after` in a rate-limit body (seconds), used when the header is missing.
    pub retry_after: Option<Duration>,
}

/// Longest message kept; a proxy's page must not flood the UI.
const MAX_MESSAGE_CHARS: usize = 300;

/// Longest field name kept (the API's are a word or two; the UI shows it beside a form).
const MAX_FIELD_CHARS: usize = 100;

pub(crate) fn parse(body: &[u8]) -> ErrorInfo {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => from_json(&value),
        Err(_) => ErrorInfo {
            message: plain_text(body),
            ..ErrorInfo::default()
        },
    }
}

fn from_json(value: &Value) -> ErrorInfo {
    let error = value.get("error");
    // The order is the contract's: error.message, error (a string), error_description,
    // message, detail, error_message, err.
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(text)
        .or_else(|| error.and_then(text))
        .or_else(|| value.get("error_description").and_then(text))
        .or_else(|| value.get("message").and_then(text))
        .or_else(|| value.get("detail").and_then(detail_message))
        .or_else(|| value.get("error_message").and_then(text))
        .or_else(|| value.get("err").and_then(text));
    let field = error
        .and_then(|e| e.get("details"))
        .or_else(|| value.get("details"))
        .and_then(|d| d.get("field"))
        .and_then(text)
        .or_else(|| value.get("field").and_then(text))
        .or_else(|| value.get("detail").and_then(detail_field));
    let retry_after = value
        .get("retry_after")
        .or_else(|| error.and_then(|e| e.get("retry_after")))
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)));
    ErrorInfo {
        message: message.map(clip),
        field: field.map(|f| crate::page::clip(&f, MAX_FIELD_CHARS)),
        retry_after,
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `detail` is a string in the documented shape; FastAPI-style servers send a list of
/// `{loc, msg}` objects instead, which we read too.
fn detail_message(v: &Value) -> Option<String> {
    text(v).or_else(|| v.as_array()?.first()?.get("msg").and_then(text))
}

fn detail_field(v: &Value) -> Option<String> {
    let loc = v.as_array()?.first()?.get("loc")?.as_array()?;
    loc.last().and_then(text)
}

/// A non-JSON body: keep short plain text, never HTML markup, nor JSON that did not parse (cut
/// short at the error body's limit, say), which would show the user raw braces.
fn plain_text(body: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(body).ok()?.trim();
    if s.is_empty() || s.starts_with(['<', '{', '[']) {
        return None;
    }
    Some(clip(s.to_string()))
}

fn clip(s: String) -> String {
    crate::page::clip(&s, MAX_MESSAGE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> Option<String> {
        parse(body.as_bytes()).message
    }

    #[test]
    fn reference_error_codes_shape() {
        let info = parse(
            br#"{"error": {"code": 422, "message": "Missing required field: language",
              "details": {"field": "language", "issue": "This field cannot be null."}}}"#,
        );
        assert_eq!(
            info.message.as_deref(),
            Some("Missing required field: language")
        );
        assert_eq!(info.field.as_deref(), Some("language"));
    }

    #[test]
    fn base_error_flat_shape() {
        assert_eq!(
            msg(r#"{"error": "invalid_token", "error_description": "expired"}"#).as_deref(),
            Some("invalid_token")
        );
        assert_eq!(
            msg(r#"{"error_description": "expired", "message": "m"}"#).as_deref(),
            Some("expired")
        );
        assert_eq!(
            msg(r#"{"message": "m", "detail": "d"}"#).as_deref(),
            Some("m")
        );
        assert_eq!(msg(r#"{"detail": "d"}"#).as_deref(), Some("d"));
    }

    #[test]
    fn python_sdk_shapes() {
        assert_eq!(
            msg(r#"{"error_message": "bad file"}"#).as_deref(),
            Some("bad file")
        );
        assert_eq!(msg(r#"{"err": "boom"}"#).as_deref(), Some("boom"));
        // `error` that is not a string and has no message falls through to the others.
        assert_eq!(
            msg(r#"{"error": true, "error_message": "bad file"}"#).as_deref(),
            Some("bad file")
        );
    }

    #[test]
    fn rate_limit_bodies() {
        let a = parse(br#"{"error": "rate_limit_exceeded", "message": "Slow down"}"#);
        assert_eq!(a.message.as_deref(), Some("rate_limit_exceeded"));
        let b = parse(
            br#"{"error": "Rate Limit Exceeded", "message": "...", "error_code": "RATE_LIMIT_EXCEEDED", "retry_after": 60}"#,
        );
        assert_eq!(b.message.as_deref(), Some("Rate Limit Exceeded"));
        assert_eq!(b.retry_after, Some(Duration::from_secs(60)));
    }

    #[test]
    fn fastapi_detail_list() {
        let info = parse(br#"{"detail": [{"loc": ["body", "email"], "msg": "not an email"}]}"#);
        assert_eq!(info.message.as_deref(), Some("not an email"));
        assert_eq!(info.field.as_deref(), Some("email"));
    }

    #[test]
    fn html_and_empty_bodies_give_no_message() {
        assert_eq!(msg("<html><body>502 Bad Gateway</body></html>"), None);
        assert_eq!(msg(""), None);
        assert_eq!(
            msg("upstream timed out").as_deref(),
            Some("upstream timed out")
        );
        assert_eq!(parse(&[0xff, 0xfe]).message, None);
        assert_eq!(msg(r#"{"error": {"message": "cut sh"#), None);
    }

    #[test]
    fn long_messages_and_fields_are_clipped() {
        let long = format!(r#"{{"message": "{}"}}"#, "x".repeat(5000));
        let m = msg(&long).unwrap();
        assert_eq!(m.chars().count(), MAX_MESSAGE_CHARS + 1);
        let field = format!(r#"{{"message": "m", "field": "{}"}}"#, "é".repeat(5000));
        let f = parse(field.as_bytes()).field.unwrap();
        assert_eq!(f.chars().count(), MAX_FIELD_CHARS + 1);
        assert!(f.ends_with('…'));
        let plain = "p".repeat(5000);
        assert_eq!(msg(&plain).unwrap().chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
